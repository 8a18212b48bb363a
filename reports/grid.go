package reports

// Grid is a sheet laid out by Go code rather than by a definition: an
// appendix such as the reward calculation (计算过程), whose cells are Excel
// formulas that refer to other cells of the same sheet. Its sections sit at
// fixed rows (Layout), so the formulas can name them; the workbook writes
// the formulas, the HTML page writes the values computed with them.
type Grid struct {
	Name     string   // sheet name
	Title    string   // first row
	Lines    []string // rows under the title
	Sections []*Section
}

// Section is one table of a grid.
type Section struct {
	Title   string
	Notes   []string
	Header  []string
	Explain []string // under the header: each column's formula in words ("" for inputs); nil for none
	Rows    [][]Cell
	Total   []Cell // nil for none
	Widths  []float64
	// Spans says how many sheet columns each column of the section takes
	// (a long text over several narrow columns); nil: one each.
	Spans []int
	// NewPage starts the section on a new printed page; RepeatHeader
	// prints its header (and explanation) rows again at the top of every
	// page after (a sheet repeats one section's header: its last).
	NewPage, RepeatHeader bool

	// Rows of the sheet (1-based), set by Layout.
	TitleRow, HeaderRow, FirstRow, TotalRow int
}

// Cell is one cell of a grid.
type Cell struct {
	Value   Value  // the value; for a formula, the value it computes
	Formula string // an Excel formula without "=", "" for an input
	Format  string // a column format (FormatYuan …)
	Bad     bool   // highlighted
}

// Span is how many sheet columns column j of the section takes.
func (s *Section) Span(j int) int {
	if j < len(s.Spans) && s.Spans[j] > 1 {
		return s.Spans[j]
	}
	return 1
}

// Column is the sheet column (from 1) where column j of the section starts.
func (s *Section) Column(j int) int {
	c := 1
	for k := 0; k < j; k++ {
		c += s.Span(k)
	}
	return c
}

// Layout puts the sections under the title and lines, one blank row
// apart, and returns the last row used. It must run before formulas that
// refer to the sections' rows are made.
func (g *Grid) Layout() int {
	r := 1 + len(g.Lines) + 1
	for _, s := range g.Sections {
		r++
		s.TitleRow = r
		r += len(s.Notes)
		r++
		s.HeaderRow = r
		if s.Explain != nil {
			r++
		}
		s.FirstRow = r + 1
		r += len(s.Rows)
		if s.Total != nil {
			r++
			s.TotalRow = r
		}
		r++
	}
	return r
}
