package web

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/web/data"
)

// The workbook of a dashboard page: a first sheet 说明 with what the page
// is (its title, facts, version, as-of and link), then a sheet per grid
// laid out the same way every time — the grid's title in A1, its header
// in row 2, its rows from row 3, its total last — with the page's
// formats as the cells' number formats and the page's chart as a native
// chart beside it. What the page shows, the workbook holds: the same
// rows, the same totals, the same text once formatted.

// Workbook layout, for readers and tests.
const (
	wbTitleRow  = 1
	wbHeaderRow = 2
	wbFirstRow  = 3
)

var chartPalette = []string{"B71C1C", "1565C0", "2E7D32", "EF6C00", "6A1B9A", "00838F", "795548", "546E7A"}

const chartInk = "404040"

// writeWorkbook writes d as a workbook.
func writeWorkbook(w io.Writer, d *dash, asOf time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	st := newStyles(f)
	if err := st.err; err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", "说明"); err != nil {
		return err
	}
	about := [][2]string{{"页面", d.Heading}}
	about = append(about, d.Facts...)
	if !d.NoVersion {
		about = append(about, [2]string{"数据版本", d.St.Source.Zh()})
	}
	about = append(about, [2]string{"数据截至", asOf.In(data.Shanghai).Format("2006-01-02 15:04:05")}, [2]string{"链接", d.St.URL()})
	f.SetCellStyle("说明", "A1", "A1", st.title)
	f.SetCellValue("说明", "A1", d.Title)
	row := 3
	for _, kv := range about {
		f.SetCellValue("说明", fmt.Sprintf("A%d", row), kv[0])
		f.SetCellValue("说明", fmt.Sprintf("B%d", row), kv[1])
		f.SetCellStyle("说明", fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), st.bold)
		row++
	}
	row++
	f.SetCellValue("说明", fmt.Sprintf("A%d", row), "工作表")
	f.SetCellStyle("说明", fmt.Sprintf("A%d", row), fmt.Sprintf("B%d", row), st.bold)
	row++
	f.SetColWidth("说明", "A", "A", 14)
	f.SetColWidth("说明", "B", "B", 90)

	used := map[string]bool{"说明": true}
	for _, g := range d.Grids {
		name := sheetTitle(g.Title, used)
		f.SetCellValue("说明", fmt.Sprintf("A%d", row), name)
		note := g.Note
		if g.Limit > 0 {
			note = strings.TrimSpace(note + fmt.Sprintf(" 只列出前 %d 行。", g.Limit))
		}
		f.SetCellValue("说明", fmt.Sprintf("B%d", row), note)
		row++
		if err := writeGrid(f, st, name, g); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	return f.Write(w)
}

// sheetTitle makes a grid's title a valid, unique sheet name.
func sheetTitle(title string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(title))
	if name == "" {
		name = "表"
	}
	for utf8.RuneCountInString(name) > 28 {
		name = string([]rune(name)[:28])
	}
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	used[name] = true
	return name
}

type styles struct {
	f                 *excelize.File
	title, bold, head int
	byFormat          map[styleKey]int
	err               error
}

func newStyles(f *excelize.File) *styles {
	s := &styles{f: f, byFormat: map[styleKey]int{}}
	s.title = s.add(&excelize.Style{Font: &excelize.Font{Size: 14, Bold: true}})
	s.bold = s.add(&excelize.Style{Font: &excelize.Font{Bold: true}})
	s.head = s.add(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	return s
}

func (s *styles) add(st *excelize.Style) int {
	id, err := s.f.NewStyle(st)
	if err != nil && s.err == nil {
		s.err = err
	}
	return id
}

type styleKey struct {
	numFmt         string
	numeric, total bool
}

// cell is the style of a cell c, in a total row or not.
func (s *styles) cell(c Cell, total bool) int {
	k := styleKey{numFmt: c.Format.xlsxFormat(), numeric: c.Format.Numeric(), total: total}
	if c.Format == Points && c.Num == 0.0 {
		k.numFmt = "0.0" // no change has no sign (excelize ignores a format's zero section)
	}
	if id, ok := s.byFormat[k]; ok {
		return id
	}
	st := &excelize.Style{}
	if k.numFmt != "" && k.numFmt != "General" {
		st.CustomNumFmt = &k.numFmt
	}
	if k.numeric {
		st.Alignment = &excelize.Alignment{Horizontal: "right"}
	}
	if total {
		st.Font = &excelize.Font{Bold: true}
		st.Border = []excelize.Border{{Type: "top", Color: "000000", Style: 1}}
	}
	id := s.add(st)
	s.byFormat[k] = id
	return id
}

// writeGrid writes g on a sheet of its own.
func writeGrid(f *excelize.File, st *styles, sheet string, g *Grid) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	set := func(col, row int, v any, style int) error {
		ref, _ := excelize.CoordinatesToCellName(col, row)
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, ref, ref, style)
	}
	if err := set(1, wbTitleRow, g.Title, st.title); err != nil {
		return err
	}
	if len(g.Rows) == 0 && g.Total == nil {
		// No table: what the page says instead.
		return set(1, wbHeaderRow, g.Empty, 0)
	}
	widths := make([]int, len(g.Columns))
	for i, c := range g.Columns {
		widths[i] = runewidth.StringWidth(c.Title)
		if err := set(i+1, wbHeaderRow, c.Title, st.head); err != nil {
			return err
		}
	}
	rows := g.Rows
	if g.Total != nil {
		rows = append(rows[:len(rows):len(rows)], *g.Total)
	}
	for ri, r := range rows {
		total := g.Total != nil && ri == len(rows)-1
		for ci, c := range r.Cells {
			var v any = c.Text
			switch {
			case c.Text == "—" && c.Exact == "":
				v = nil
			case c.Num != nil:
				v = c.Num
			}
			if err := set(ci+1, wbFirstRow+ri, v, st.cell(c, total)); err != nil {
				return err
			}
			widths[ci] = max(widths[ci], runewidth.StringWidth(c.Text))
		}
	}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(wd, 6), 60))+2); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: wbHeaderRow, TopLeftCell: fmt.Sprintf("A%d", wbFirstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if g.Chart != nil && len(g.Rows) > 0 {
		return addChart(f, sheet, g)
	}
	return nil
}

// addChart draws the grid's chart from its own cells, beside the table.
func addChart(f *excelize.File, sheet string, g *Grid) error {
	c := g.Chart
	q := "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	last := wbFirstRow + len(g.Rows) - 1
	colName := func(key string) string {
		n, _ := excelize.ColumnNumberToName(g.colIndex(key) + 1)
		return n
	}
	rng := func(key string) string {
		n := colName(key)
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", q, n, wbFirstRow, n, last)
	}
	var series []excelize.ChartSeries
	for k, key := range c.Series {
		s := excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", q, colName(key), wbHeaderRow),
			Categories: rng(c.Category),
			Values:     rng(key),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{chartPalette[k%len(chartPalette)]}},
		}
		if c.Type == "line" {
			s.Line = excelize.LineOptions{Width: 2}
			s.Fill = excelize.Fill{}
			s.Marker = excelize.ChartMarker{Symbol: "circle", Size: 5}
		}
		series = append(series, s)
	}
	axisFont := excelize.Font{Size: 10, Color: chartInk}
	numFmt := excelize.ChartNumFmt{CustomNumFmt: "#,##0"}
	if c.Percent {
		numFmt.CustomNumFmt = "0%"
	}
	ch := &excelize.Chart{
		Type:      excelize.Col,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title, Font: &excelize.Font{Size: 12, Bold: true, Color: chartInk}}}},
		Dimension: excelize.ChartDimension{Width: uint(min(max(120*len(g.Rows), 520), 960)), Height: 340},
		Legend:    excelize.ChartLegend{Position: "bottom", Font: &excelize.Font{Size: 10, Color: chartInk}},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: numFmt, Font: axisFont},
		Format:    excelize.GraphicOptions{OffsetX: 8, OffsetY: 4},
	}
	switch {
	case c.Type == "line":
		ch.Type = excelize.Line
	case c.Stacked:
		ch.Type = excelize.ColStacked
	}
	at, _ := excelize.CoordinatesToCellName(len(g.Columns)+2, wbHeaderRow)
	return f.AddChart(sheet, at, ch)
}
