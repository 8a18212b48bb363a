package gen

import (
	"fmt"
	"strings"

	"shequ/etl/clean"
	"shequ/etl/dict"
)

// A col is one column of a sheet as a district lays it out: a column of
// the kind (name set), or an extra one the dictionary does not know.
type col struct {
	name   string // dict column name; "" for an extra column
	header string // the header text written
	parent string // two-row header: the parent cell over this column
	sum    bool   // summed in the 合计 row
	scale  int    // scale of the summed values
	pow10  int32  // the unit conversion the header must give (万元: 4)
}

// headerVariants lists, per kind and column, the header texts the
// dictionary recognises as that column: the template's header first, then
// its aliases. They come from etl/dict, the one copy of the header names;
// each is checked against dict.RecogniseAs when first used.
func headerVariants(kind *dict.Kind, name string) []string {
	c := kind.Column(name)
	if c == nil {
		panic("gen: no column " + name + " in " + kind.Name)
	}
	return append([]string{c.Header}, c.Aliases...)
}

// pickHeader chooses the header a district writes for a column.
func pickHeader(kind *dict.Kind, name string, st *style, salt int) string {
	v := headerVariants(kind, name)
	switch st.alias {
	case 1:
		return v[min(1, len(v)-1)]
	case 2:
		return v[(salt*7+len(name))%len(v)]
	}
	return v[0]
}

// withUnit writes a header in another unit: the header without its unit,
// then the unit in brackets.
func withUnit(h, unit string) string {
	key, _ := clean.HeaderKey(h)
	return key + "(" + unit + ")"
}

// noisy adds the header noise districts type: spaces inside, a line
// break, full-width brackets.
func noisy(h string, k int) string {
	rs := []rune(h)
	if len(rs) < 2 {
		return h
	}
	switch k % 3 {
	case 0:
		return " " + string(rs[:len(rs)/2]) + " " + string(rs[len(rs)/2:]) + "  "
	case 1:
		return string(rs[:len(rs)/2]) + "\n" + string(rs[len(rs)/2:])
	}
	h = strings.ReplaceAll(h, "(", "（")
	return strings.ReplaceAll(h, ")", "）")
}

// verify checks that the header row is recognised as kind with every
// column where it was meant to be, with the unit conversion meant.
func verify(kind *dict.Kind, cols []col) error {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.header
	}
	l := dict.Recognise(cells)
	if l == nil || l.Kind != kind {
		return fmt.Errorf("header %q is not recognised as %s", cells, kind.Name)
	}
	for i, c := range cols {
		var f *dict.Field
		for k := range l.Fields {
			if l.Fields[k].Index == i {
				f = &l.Fields[k]
			}
		}
		switch {
		case c.name == "" && f != nil && f.Column != nil:
			return fmt.Errorf("extra header %q is taken as %s", c.header, f.Column.Name)
		case c.name != "" && (f == nil || f.Column == nil || f.Column.Name != c.name):
			return fmt.Errorf("header %q is not recognised as %s", c.header, c.name)
		case c.name != "" && f.Pow10 != c.pow10:
			return fmt.Errorf("header %q converts by 10^%d, not 10^%d", c.header, f.Pow10, c.pow10)
		}
	}
	return nil
}

// layoutCols builds the columns of a sheet: the headers a district
// writes, checked; when its choice of aliases is not recognised as meant
// (an alias shared with another kind's column), the template's headers.
func layoutCols(kind *dict.Kind, cols []col, st *style, salt int) ([]col, error) {
	out := append([]col(nil), cols...)
	for i := range out {
		if out[i].header != "" {
			continue
		}
		out[i].header = pickHeader(kind, out[i].name, st, salt+i)
	}
	if st.noise {
		for i := range out {
			if out[i].name != "" && (salt+i)%4 == 0 && out[i].pow10 == 0 {
				out[i].header = noisy(out[i].header, salt+i)
			}
		}
	}
	if verify(kind, out) == nil {
		return out, nil
	}
	out = append(out[:0], cols...)
	for i := range out {
		if out[i].header == "" {
			out[i].header = headerVariants(kind, out[i].name)[0]
		}
	}
	return out, verify(kind, out)
}

// sheetWriter writes one sheet of a file: title rows, the header (one row,
// or two with parent cells), data rows with blank rows among them, cells
// merged down a column, a 合计 row and notes at the bottom.
type sheetWriter struct {
	s     sink
	c     *cells
	st    *style
	cols  []col
	stats *fileStats
	gen   *genFile
	// merged-down column: index in cols, or -1
	mergeCol       int
	runVal         string
	runStart, last int
	sums           []int64
	haveSums       bool
}

func newSheetWriter(g *genFile, name string, cols []col, title string) (*sheetWriter, error) {
	w := &sheetWriter{s: g.s, c: g.c, st: g.st, cols: cols, stats: &g.stats, gen: g, mergeCol: -1, sums: make([]int64, len(cols))}
	if err := w.s.sheet(name); err != nil {
		return nil, err
	}
	n := len(cols)
	for t := 0; t < w.st.title; t++ {
		text := title
		if t == 1 {
			text = "填报单位：（盖章）"
		}
		row := make([]any, n)
		row[0] = text
		r, err := w.s.row(row)
		if err != nil {
			return nil, err
		}
		if err := w.s.merge(1, r, n, r); err != nil {
			return nil, err
		}
	}
	twoRow := false
	for _, c := range cols {
		twoRow = twoRow || c.parent != ""
	}
	if !twoRow {
		row := make([]any, n)
		for i, c := range cols {
			row[i] = c.header
		}
		_, err := w.s.row(row)
		return w, err
	}
	parent := make([]any, n)
	child := make([]any, n)
	for i, c := range cols {
		switch {
		case c.parent == "":
			parent[i] = c.header
		case i == 0 || cols[i-1].parent != c.parent:
			parent[i] = c.parent
			child[i] = c.header
		default:
			child[i] = c.header
		}
	}
	r1, err := w.s.row(parent)
	if err != nil {
		return nil, err
	}
	if _, err := w.s.row(child); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		c := cols[i]
		if c.parent == "" {
			if err := w.s.merge(i+1, r1, i+1, r1+1); err != nil {
				return nil, err
			}
			continue
		}
		j := i
		for j+1 < n && cols[j+1].parent == c.parent {
			j++
		}
		if j > i {
			if err := w.s.merge(i+1, r1, j+1, r1); err != nil {
				return nil, err
			}
		}
		i = j
	}
	return w, nil
}

// mergeDown merges equal consecutive values of the named column down
// (workbooks of a district that does so).
func (w *sheetWriter) mergeDown(name string) {
	if !w.c.xlsx || !w.st.merge {
		return
	}
	for i, c := range w.cols {
		if c.name == name {
			w.mergeCol = i
		}
	}
}

func (w *sheetWriter) endRun() error {
	if w.runVal != "" && w.last > w.runStart {
		if err := w.s.merge(w.mergeCol+1, w.runStart, w.mergeCol+1, w.last); err != nil {
			return err
		}
	}
	w.runVal = ""
	return nil
}

// data writes one data row. sums holds, per column marked sum, the value
// as written at the column's scale (nil when the row adds nothing); bad
// says the row was planted to be rejected, warn to be loaded with a
// warning.
func (w *sheetWriter) data(row []any, sums map[int]int64, bad, warn bool) error {
	if w.st.blank > 0 && w.c.r.Float64() < w.st.blank {
		if err := w.endRun(); err != nil {
			return err
		}
		if _, err := w.s.row(make([]any, len(w.cols))); err != nil {
			return err
		}
	}
	if w.mergeCol >= 0 {
		v := fmt.Sprint(row[w.mergeCol])
		if v == w.runVal && row[w.mergeCol] != nil {
			row[w.mergeCol] = nil
			w.last = w.s.next()
		} else {
			if err := w.endRun(); err != nil {
				return err
			}
			if row[w.mergeCol] != nil {
				w.runVal, w.runStart, w.last = v, w.s.next(), w.s.next()
			}
		}
	}
	for i, v := range sums {
		w.sums[i] += v
		w.haveSums = true
	}
	if _, err := w.s.row(row); err != nil {
		return err
	}
	w.stats.Rows++
	if bad {
		w.stats.Bad++
	}
	if warn {
		w.stats.Warned++
	}
	return nil
}

// total writes a 合计 row of the summed columns (a district that does).
func (w *sheetWriter) total(force bool) error {
	if err := w.endRun(); err != nil {
		return err
	}
	if !(w.st.totals || force) || !w.haveSums {
		return nil
	}
	row := make([]any, len(w.cols))
	row[0] = "合计"
	for i, c := range w.cols {
		if c.sum {
			row[i] = w.c.dec(w.sums[i], c.scale)
		}
	}
	if _, err := w.s.row(row); err != nil {
		return err
	}
	for i := range w.sums {
		w.sums[i] = 0
	}
	return nil
}

// finish ends the sheet: its 合计 row and the notes under it.
func (w *sheetWriter) finish() error {
	if err := w.total(false); err != nil {
		return err
	}
	if !w.st.notes {
		return nil
	}
	n := len(w.cols)
	r := w.c.r
	notes := [][]any{
		{"填表人：" + personName(r), "审核人：" + personName(r), "联系电话：1" + fmt.Sprint(3+r.IntN(6)) + fmt.Sprintf("%09d", r.IntN(1e9))},
		{"备注：本表由各街道（镇）汇总填报，数据截至报送日。"},
	}
	for _, nr := range notes[:1+r.IntN(2)] {
		row := make([]any, n)
		for i, v := range nr {
			if i*3 < n {
				row[i*3] = v
			}
		}
		if _, err := w.s.row(row); err != nil {
			return err
		}
	}
	return nil
}
