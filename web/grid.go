package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"shequ/web/data"
)

// A dashboard page is grids: tables of rows with a total and, where it
// helps, a chart. The page shows them and its workbook export writes
// them, from the same values and the same formats, so the two never
// disagree: a grid is built once per request and handed to either.

// Format is how a column's values are written, on the page and in the
// workbook alike.
type Format int

// The formats.
const (
	Text   Format = iota
	Int           // 1,234
	Money         // 1,234.56 yuan, from the exact decimal
	Rate          // 81.8%
	Points        // +5.0: a change of a rate in percentage points
	Score         // 91.77
	Bool          // 是 or 否
	Date          // 2014-03-31
	Real          // a plain number: 0.33
	Ratio         // 0.6873: four decimals
)

// xlsxFormat is the workbook's number format of a Format; "" for text.
func (f Format) xlsxFormat() string {
	switch f {
	case Int:
		return "#,##0"
	case Money:
		return "#,##0.00"
	case Rate:
		return "0.0%"
	case Points:
		return "+0.0;-0.0;0.0"
	case Score:
		return "0.00"
	case Ratio:
		return "0.0000"
	case Real:
		return "General"
	}
	return ""
}

// Numeric reports whether the format's cells are numbers.
func (f Format) Numeric() bool { return f != Text && f != Bool && f != Date }

// Column is one column of a grid.
type Column struct {
	Key    string // the column of the data
	Title  string
	Format Format
	// Link is a cell's link, from its row ("" for none); Class its class
	// (ok, warn, bad); both may be nil.
	Link  func(r Row) string
	Class func(r Row) string
	// Zh names a text value for people (a code's Chinese name); the
	// value itself stays the cell's exact value.
	Zh func(string) string
}

// Row is one row of the data a grid is made of.
type Row struct {
	t *data.Table
	i int
}

// Get returns the row's value of column key.
func (r Row) Get(key string) any { return r.t.Value(r.i, key) }

// Str returns the row's value of column key as text ("" for NULL).
func (r Row) Str(key string) string { return r.t.String(r.i, key) }

// Null reports whether the row's value of key is NULL.
func (r Row) Null(key string) bool { return r.Get(key) == nil }

// Bool returns the row's value of key as a bool.
func (r Row) Bool(key string) bool { b, _ := r.Get(key).(bool); return b }

// Int returns the row's value of key as an integer (0 for NULL).
func (r Row) Int(key string) int64 {
	n, _ := toFloat(r.Get(key))
	return int64(n)
}

// Cell is one cell as shown and written: its text, the number the
// workbook holds (nil for text), the exact value for machines (data-v)
// and its link and class.
type Cell struct {
	Text   string
	Num    any // float64 or int64 for number cells; nil otherwise
	Exact  string
	Href   string
	Class  string
	Format Format
}

// Numeric reports whether the cell is right-aligned.
func (c Cell) Numeric() bool { return c.Format.Numeric() }

// GridRow is one row of a grid.
type GridRow struct {
	Cells []Cell
	Key   string // a name for tests and anchors (data-key): the row's identity
}

// Grid is a table of a page.
type Grid struct {
	ID      string // the anchor and the workbook sheet's key
	Title   string
	Note    string
	Columns []Column
	Rows    []GridRow
	Total   *GridRow
	Chart   *Chart
	// Empty is said when there are no rows.
	Empty string
	// Limit is set when the rows shown were cut to it.
	Limit int
}

// Chart is a chart of a grid's rows (not its total): the categories are
// the values of column Category, one series per column of Series.
type Chart struct {
	Type     string // bar | line
	Title    string
	Category string
	Series   []string
	Percent  bool // the values are rates
	// Stacked bars.
	Stacked bool
}

// totalLabel is the first column of a total row.
const totalLabel = "合计"

// gridOf makes a grid of a table's rows. A row whose value of totalKey
// is NULL is the total (a ROLLUP's); totalKey "" has none. rowKey names
// a row for tests and anchors.
func gridOf(id, title string, t *data.Table, cols []Column, totalKey string, rowKey func(Row) string) *Grid {
	g := &Grid{ID: id, Title: title, Columns: cols}
	for i := range t.Rows {
		r := Row{t, i}
		gr := GridRow{}
		if rowKey != nil {
			gr.Key = rowKey(r)
		}
		total := totalKey != "" && r.Null(totalKey)
		for ci, c := range cols {
			cell := makeCell(r.Get(c.Key), c.Format)
			if c.Zh != nil && cell.Exact != "" {
				cell.Text = c.Zh(cell.Exact)
			}
			if total && ci == 0 && cell.Text == "—" {
				cell = Cell{Text: totalLabel, Exact: "", Format: Text}
			}
			if c.Link != nil {
				cell.Href = c.Link(r)
			}
			if c.Class != nil {
				cell.Class = c.Class(r)
			}
			gr.Cells = append(gr.Cells, cell)
		}
		if total {
			gr.Key = "total"
			g.Total = &gr
			continue
		}
		g.Rows = append(g.Rows, gr)
	}
	return g
}

// makeCell formats a value of the database.
func makeCell(v any, f Format) Cell {
	c := Cell{Format: f}
	if v == nil {
		c.Text = "—"
		return c
	}
	c.Exact = exact(v)
	switch f {
	case Text:
		c.Text = c.Exact
	case Bool:
		if b, ok := v.(bool); ok && b {
			c.Text = "是"
		} else {
			c.Text = "否"
		}
	case Date:
		if t, ok := v.(time.Time); ok {
			c.Text = t.Format(time.DateOnly)
		} else {
			c.Text = c.Exact
		}
		c.Exact = c.Text
	case Money:
		s := c.Exact
		if n, ok := v.(float64); ok {
			s = strconv.FormatFloat(n, 'f', 2, 64)
		}
		c.Text = groupThousands(fixedScale(s, 2))
		c.Num, _ = toFloat(v)
	case Int:
		n, _ := toFloat(v)
		c.Num = int64(n)
		c.Text = groupThousands(strconv.FormatInt(int64(n), 10))
	default:
		n, ok := toFloat(v)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			c.Text = c.Exact
			return c
		}
		c.Num = n
		switch f {
		case Rate:
			c.Text = roundDecimal(shifted(n, 2), 1) + "%"
		case Points:
			c.Text = roundHalfAway(n, 1)
			if c.Text == "-0.0" || c.Text == "0.0" {
				c.Text, c.Num = "0.0", 0.0
			} else if n > 0 {
				c.Text = "+" + c.Text
			}
		case Score:
			c.Text = roundHalfAway(n, 2)
		case Ratio:
			c.Text = roundHalfAway(n, 4)
		default:
			c.Text = c.Exact
		}
	}
	return c
}

// roundHalfAway writes x with places digits after the point, rounded
// half away from zero on its shortest decimal form, as a spreadsheet
// shows it (strconv rounds the binary value half to even: 81.25 would
// be 81.2 on the page and 81.3 in the workbook).
func roundHalfAway(x float64, places int) string { return roundDecimal(shifted(x, 0), places) }

// shifted writes x × 10^shift in fixed notation from x's shortest decimal
// form, moving the point rather than multiplying (0.63345 × 100 in
// binary is 63.344999…, which would round down; a spreadsheet shows
// 63.4%).
func shifted(x float64, shift int) string {
	e := strconv.FormatFloat(x, 'e', -1, 64) // -6.3345e-01
	neg := strings.HasPrefix(e, "-")
	e = strings.TrimPrefix(e, "-")
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	point := 1 + n + shift // digits before the point
	var s string
	switch {
	case point <= 0:
		s = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		s = digits + strings.Repeat("0", point-len(digits))
	default:
		s = digits[:point] + "." + digits[point:]
	}
	if w, f, _ := strings.Cut(s, "."); len(w) > 1 && w[0] == '0' { // 0 × 100 is "000"
		s = strings.TrimLeft(w, "0")
		if s == "" {
			s = "0"
		}
		if f != "" {
			s += "." + f
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// roundDecimal rounds a decimal's text to places digits after the point,
// half away from zero.
func roundDecimal(s string, places int) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac += strings.Repeat("0", places+1)
	digits := []byte(whole + frac[:places])
	if frac[places] >= '5' {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	out := string(digits[:len(digits)-places])
	if places > 0 {
		out += "." + string(digits[len(digits)-places:])
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

// exact is a value as machines read it: decimals with their digits,
// doubles shortest, dates as 2006-01-02.
func exact(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case fmt.Stringer:
		f, err := strconv.ParseFloat(x.String(), 64)
		return f, err == nil
	}
	return 0, false
}

// fixedScale writes a decimal's text with exactly scale digits after the
// point (the database drops trailing zeros); more digits are left as they
// are, never rounded through binary floating point.
func fixedScale(s string, scale int) string {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) >= scale {
		return s
	}
	return whole + "." + frac + strings.Repeat("0", scale-len(frac))
}

// groupThousands puts a comma between every three digits of the whole
// part: 1449470.00 → 1,449,470.00.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// ChartJSON is the chart as the page's script draws it: categories and a
// series of numbers per column (NULL as null).
func (g *Grid) ChartJSON() string {
	c := g.Chart
	if c == nil {
		return ""
	}
	type series struct {
		Name string `json:"name"`
		Data []any  `json:"data"`
	}
	out := struct {
		Type       string   `json:"type"`
		Title      string   `json:"title"`
		Percent    bool     `json:"percent"`
		Stacked    bool     `json:"stacked"`
		Categories []string `json:"categories"`
		Series     []series `json:"series"`
	}{Type: c.Type, Title: c.Title, Percent: c.Percent, Stacked: c.Stacked}
	cat := g.colIndex(c.Category)
	for _, r := range g.Rows {
		out.Categories = append(out.Categories, r.Cells[cat].Text)
	}
	for _, key := range c.Series {
		i := g.colIndex(key)
		s := series{Name: g.Columns[i].Title, Data: []any{}}
		for _, r := range g.Rows {
			if n, ok := r.Cells[i].Num.(float64); ok {
				s.Data = append(s.Data, n)
			} else if n, ok := r.Cells[i].Num.(int64); ok {
				s.Data = append(s.Data, n)
			} else {
				s.Data = append(s.Data, nil)
			}
		}
		out.Series = append(out.Series, s)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func (g *Grid) colIndex(key string) int {
	for i, c := range g.Columns {
		if c.Key == key {
			return i
		}
	}
	panic(fmt.Sprintf("grid %s: no column %q", g.ID, key))
}
