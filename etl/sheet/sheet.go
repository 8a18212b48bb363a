// Package sheet finds the header of a sheet below any title rows (one row,
// or two with a merged parent cell), recognises the sheet's kind from it,
// and then tells the data rows from layout rows: blank rows, 合计 totals
// and the notes and signatures districts put at the bottom.
package sheet

import (
	"errors"
	"io"
	"strings"

	"shequ/etl"
	"shequ/etl/clean"
	"shequ/etl/dict"
)

// MaxHeaderScan is how many rows from the top are searched for the header.
const MaxHeaderScan = 30

// LineType says what a row below the header is.
type LineType int

// Line types.
const (
	Data  LineType = iota
	Blank          // nothing in it
	Total          // a 合计 / 总计 / 小计 row
	Note           // 填表人：, 备注：, a signature or a date line
)

func (t LineType) String() string {
	return [...]string{"data", "blank", "total", "note"}[t]
}

// A Line is one row below the header.
type Line struct {
	etl.Row
	Type LineType
}

// Scanner reads a sheet whose header has been found.
type Scanner struct {
	Layout *dict.Layout
	// HeaderNum is the row number of the (last) header row.
	HeaderNum int
	// HeaderRows is 1, or 2 for a two-row header.
	HeaderRows int

	rr      etl.RowReader
	pending []etl.Row // rows read while looking for the header
	cols    []int     // the header's columns, left to right
}

// ErrNoHeader is returned by Open when no kind's header is found in the
// first MaxHeaderScan rows.
var ErrNoHeader = errors.New("no recognised header row")

// Open reads the top of a sheet, finds its header and returns a Scanner
// positioned on the first row below it. A sheet with no rows at all gives
// io.EOF; one without a recognised header gives ErrNoHeader.
func Open(rr etl.RowReader) (*Scanner, error) {
	var top []etl.Row
	for len(top) < MaxHeaderScan+1 {
		r, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		// A reader may reuse its cells on the next call: keep a copy.
		r.Cells = append([]string(nil), r.Cells...)
		r.Uncached = append([]etl.Formula(nil), r.Uncached...)
		top = append(top, r)
	}
	if len(top) == 0 {
		return nil, io.EOF
	}
	at, rows, layout := findHeader(top)
	if layout == nil {
		return nil, ErrNoHeader
	}
	s := &Scanner{Layout: layout, HeaderRows: rows, rr: rr}
	for _, f := range layout.Fields {
		s.cols = append(s.cols, f.Index)
	}
	s.HeaderNum = top[at+rows-1].Num
	s.pending = top[at+rows:]
	return s, nil
}

// findHeader tries every row of the top alone, then combined with the row
// below it, and keeps the earliest best-scoring layout. A two-row header
// is taken only when it recognises more columns than any single row (a
// parent merged down over its children fills the child row already).
func findHeader(top []etl.Row) (at, rows int, best *dict.Layout) {
	r := dict.NewRecogniser() // each cell text is normalised once
	limit := min(len(top), MaxHeaderScan)
	for i := 0; i < limit; i++ {
		if l := r.Recognise(top[i].Cells); l != nil && (best == nil || l.Score > best.Score) {
			at, rows, best = i, 1, l
		}
	}
	for i := 0; i+1 < len(top) && i < limit; i++ {
		if l := r.Recognise(combineWith(r, top[i].Cells, top[i+1].Cells)); l != nil && (best == nil || l.Score > best.Score) {
			at, rows, best = i, 2, l
		}
	}
	return at, rows, best
}

// combine makes one header row from a parent row and a child row: the
// child's text where it has one, else the parent's (a parent merged over
// several children has been filled across them by the reader). A unit in
// the parent (资金来源(万元)) carries to children that have none.
func combine(parent, child []string) []string {
	return combineWith(dict.NewRecogniser(), parent, child)
}

func combineWith(r *dict.Recogniser, parent, child []string) []string {
	n := max(len(parent), len(child))
	out := make([]string, n)
	for i := range n {
		var p, c string
		if i < len(parent) {
			p = parent[i]
		}
		if i < len(child) {
			c = child[i]
		}
		pf, _, pu := r.Header(p)
		cf, _, cu := r.Header(c)
		switch {
		case cf == "":
			out[i] = p
		case pf == "" || pf == cf:
			out[i] = c
		default:
			out[i] = c
			if pu != "" && cu == "" {
				out[i] = c + "(" + pu + ")"
			}
		}
	}
	return out
}

// Next returns the next row below the header with its type; io.EOF at the
// end of the sheet. Only the columns under a header cell count: a row whose
// values all lie elsewhere (a stray value in column XFD) is Blank.
func (s *Scanner) Next() (Line, error) {
	var r etl.Row
	if len(s.pending) > 0 {
		r, s.pending = s.pending[0], s.pending[1:]
	} else {
		var err error
		if r, err = s.rr.Next(); err != nil {
			return Line{}, err
		}
	}
	t := classify(r.Cells, s.cols)
	if t == Data && s.totalInEnum(r.Cells) {
		t = Total
	}
	if t == Blank && s.uncachedInHeader(r) {
		t = Data // its values are formulas without a result: validation says so
	}
	return Line{Row: r, Type: t}, nil
}

// uncachedInHeader reports whether a row has a formula without a saved
// result under a header cell.
func (s *Scanner) uncachedInHeader(r etl.Row) bool {
	for _, f := range r.Uncached {
		for _, c := range s.cols {
			if c == f.Col {
				return true
			}
		}
	}
	return false
}

// totalInEnum reports a total line of a long table: 合计 written where a
// category belongs (支出类别 = 合计), totalling the lines above it.
func (s *Scanner) totalInEnum(cells []string) bool {
	for _, f := range s.Layout.Fields {
		if f.Column != nil && f.Column.Type == dict.Enum && f.Index < len(cells) && isTotalWord(cells[f.Index]) {
			return true
		}
	}
	return false
}

func isTotalWord(cell string) bool {
	return totalWords[strings.ReplaceAll(clean.Text(cell), " ", "")]
}

// totalWords mark a totals row.
var totalWords = map[string]bool{"合计": true, "总计": true, "小计": true, "共计": true, "总合计": true}

// notePrefixes start the notes and signature rows under a table.
var notePrefixes = []string{
	"填表人", "填报人", "制表人", "制表", "审核人", "审核", "复核人", "负责人签", "单位负责人", "分管领导", "主管领导",
	"联系人", "联系电话", "填表日期", "填报日期", "报送日期", "制表日期", "备注", "注：", "注:", "说明", "盖章", "(盖章)", "单位(盖章)", "填报单位",
}

// Classify tells a data row from a layout row.
func Classify(cells []string) LineType { return classify(cells, nil) }

// classify is Classify by the cells of the given columns only (ascending),
// or of every column when cols is nil.
func classify(cells []string, cols []int) LineType {
	first := ""
	seen := 0
	n := len(cells)
	if cols != nil {
		n = len(cols)
	}
	for k := range n {
		i := k
		if cols != nil {
			if i = cols[k]; i >= len(cells) {
				break
			}
		}
		t := clean.Text(cells[i])
		if t == "" {
			continue
		}
		seen++
		if seen <= 3 && isTotalWord(t) {
			return Total
		}
		if first == "" {
			first = t
		}
	}
	if seen == 0 {
		return Blank
	}
	for _, p := range notePrefixes {
		if strings.HasPrefix(first, p) {
			return Note
		}
	}
	return Data
}
