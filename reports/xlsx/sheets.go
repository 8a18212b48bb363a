package xlsx

import (
	"fmt"
	"math"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/reports"
)

// Rows of a table sheet.
const (
	titleRow  = 1
	noteRow   = 2
	headerRow = 3
	firstRow  = 4
)

// cover writes the cover sheet: the facts of the report, its contents, the
// cover tables and the policy files.
func (b *book) cover() {
	d, s := b.d, CoverSheet
	const cols = 7
	b.check(b.f.SetColWidth(s, "A", "A", 16))
	b.check(b.f.SetColWidth(s, "B", "B", 44))
	b.check(b.f.SetColWidth(s, "C", "F", 14))
	b.check(b.f.SetColWidth(s, "G", "G", 20))
	row := 1
	b.text(s, 1, row, cols, d.Title, "title")
	b.check(b.f.SetRowHeight(s, row, 28))
	row++
	if d.Trial != "" {
		b.text(s, 1, row, cols, "试算（"+d.Trial+"）：按备选政策计算，不是正式结果。", "trial")
	} else {
		b.text(s, 1, row, cols, d.Def.Description, "subtitle")
	}
	row += 2
	asOf := "—"
	if !d.Stamp.DataAsOf.IsZero() {
		asOf = d.Stamp.DataAsOf.Format("2006-01-02 15:04") + "（最近一份入库文件的接收时间）"
	}
	run := "未记录"
	if d.Stamp.RunID != 0 {
		run = fmt.Sprintf("#%d（%s 构建）", d.Stamp.RunID, d.Stamp.BuiltAt.Format("2006-01-02 15:04"))
	}
	policy := d.Stamp.PolicyDigest + "（默认政策）"
	if o := d.Stamp.Overrides(); len(o) > 0 {
		// Origin setting: a change the city made and keeps (shequ policy
		// set); override: a trial's alternative file.
		var set, alt []string
		for _, p := range o {
			if p.Origin == "setting" {
				set = append(set, p.File)
			} else {
				alt = append(alt, p.File)
			}
		}
		var parts []string
		if len(set) > 0 {
			parts = append(parts, "含本市政策变更："+strings.Join(set, "、"))
		}
		if len(alt) > 0 {
			parts = append(parts, "含备选政策："+strings.Join(alt, "、"))
		}
		policy = d.Stamp.PolicyDigest + "（" + strings.Join(parts, "；") + "）"
	}
	city := d.City
	if city == "" {
		city = "—"
	}
	scope := "全市"
	if d.Filter.District != "" {
		scope = d.Filter.District
	}
	facts := [][2]string{
		{"城市", city},
		{"年度", fmt.Sprintf("%d", d.Filter.Year)},
		{"范围", scope},
		{"数据截至", asOf},
		{"生成时间", d.Now.Format("2006-01-02 15:04")},
		{"构建运行", run},
		{"政策版本", policy},
		{"报送文件", fmt.Sprintf("共 %d 个已入库文件，摘要 %s", len(d.Stamp.Inputs), d.Stamp.InputDigest)},
	}
	for _, kv := range facts {
		b.text(s, 1, row, 1, kv[0], "label")
		b.text(s, 2, row, cols-1, kv[1], "cell")
		row++
	}
	row++
	b.text(s, 1, row, cols, "目录", "section")
	row++
	for _, t := range d.Sheets {
		if t.Sheet.Hidden {
			continue
		}
		b.text(s, 1, row, 1, t.Sheet.Name, "link")
		b.check(b.f.SetCellHyperLink(s, cell(1, row), quoteSheet(t.Sheet.Name)+"!A1", "Location"))
		b.text(s, 2, row, cols-1, t.Sheet.Title, "cell")
		row++
	}
	for _, g := range d.Appendix {
		b.text(s, 1, row, 1, g.Name, "link")
		b.check(b.f.SetCellHyperLink(s, cell(1, row), quoteSheet(g.Name)+"!A1", "Location"))
		b.text(s, 2, row, cols-1, g.Title, "cell")
		row++
	}
	for _, t := range d.Cover {
		row++
		b.text(s, 1, row, cols, t.Sheet.Title, "section")
		row++
		row = b.coverTable(s, row, t, cols)
	}
	b.printSetup(s, "portrait", "")
}

// coverTable writes a cover table: the first columns one each, the last
// merged over what is left. It returns the next row.
func (b *book) coverTable(s string, row int, t *reports.Table, cols int) int {
	n := len(t.Sheet.Columns)
	span := func(j int) int {
		if j == n-1 && n < cols {
			return cols - n + 1
		}
		return 1
	}
	col := 1
	for j, c := range t.Sheet.Columns {
		b.put(s, col, row, c.Heading, nil, reports.FormatText, "header")
		if span(j) > 1 {
			b.check(b.f.MergeCell(s, cell(col, row), cell(col+span(j)-1, row)))
		}
		col += span(j)
	}
	row++
	if len(t.Rows) == 0 {
		msg := t.Sheet.Empty
		if msg == "" {
			msg = "（无）"
		}
		b.text(s, 1, row, cols, msg, "cell")
		return row + 1
	}
	for i := range t.Rows {
		col := 1
		for j, c := range t.Sheet.Columns {
			v := t.Get(i, c.Name)
			variant := "cell"
			if t.Highlighted(i, c) {
				variant = "bad"
			}
			b.put(s, col, row, v, c, "", variant)
			if span(j) > 1 {
				b.check(b.f.MergeCell(s, cell(col, row), cell(col+span(j)-1, row)))
				b.check(b.f.SetCellStyle(s, cell(col, row), cell(col+span(j)-1, row), b.style(c.Format, variant)))
				if text := reports.Display(v, c); runewidth.StringWidth(text) > 44+14*(span(j)-1) {
					b.check(b.f.SetRowHeight(s, row, wrapHeight(text, 44+14*float64(span(j)-1), 13)))
				}
			}
			col += span(j)
		}
		row++
	}
	return row
}

// tableRow writes row i of a table at row of sheet s, each value in its
// column's format, highlighted where the table says.
func (b *book) tableRow(s string, row int, t *reports.Table, i int) {
	for j, c := range t.Sheet.Columns {
		variant := "cell"
		if t.Highlighted(i, c) {
			variant = "bad"
		}
		b.put(s, j+1, row, t.Get(i, c.Name), c, "", variant)
	}
}

// table writes one table of a book: title, note, header, rows, totals,
// charts.
func (b *book) table(t *reports.Table) {
	s, sh := t.Sheet.Name, t.Sheet
	n := len(sh.Columns)
	ws := widths(t)
	for j, w := range ws {
		b.check(b.f.SetColWidth(s, colName(j+1), colName(j+1), w))
	}
	b.text(s, 1, titleRow, n, sh.Title, "title")
	b.check(b.f.SetRowHeight(s, titleRow, 24))
	note := sh.Note
	if b.d.Trial != "" {
		note = "【试算：" + b.d.Trial + "】" + note
	}
	b.text(s, 1, noteRow, n, note, "note")
	b.check(b.f.SetRowHeight(s, noteRow, wrapHeight(note, sum(ws), 12)))
	headerWidth := 0.0
	for j, c := range sh.Columns {
		b.put(s, j+1, headerRow, c.Heading, nil, reports.FormatText, "header")
		if h := wrapHeight(c.Heading, ws[j]-1, 13); h > headerWidth {
			headerWidth = h
		}
	}
	b.check(b.f.SetRowHeight(s, headerRow, max(headerWidth, 18)))
	row := firstRow
	for i := range t.Rows {
		b.tableRow(s, row, t, i)
		// A long text wraps in its column: the row as high as it needs.
		h := 0.0
		for j, c := range sh.Columns {
			if c.Format != reports.FormatText {
				continue
			}
			if text := reports.Display(t.Get(i, c.Name), c); float64(runewidth.StringWidth(text)) > ws[j]-1 {
				h = max(h, wrapHeight(text, ws[j]-1.5, 13))
			}
		}
		if h > 0 {
			b.check(b.f.SetRowHeight(s, row, h))
		}
		row++
	}
	last := row - 1
	if len(t.Rows) == 0 {
		b.text(s, 1, row, n, sh.EmptyText(), "cell")
		row++
	}
	if t.Totals != nil && len(t.Rows) > 0 {
		for j, c := range sh.Columns {
			v := t.Totals[j]
			if j == 0 {
				b.put(s, 1, row, v, nil, reports.FormatText, "total")
				continue
			}
			b.put(s, j+1, row, v, c, "", "total")
		}
		row++
	}
	b.check(b.f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: 0, YSplit: headerRow, TopLeftCell: cell(1, firstRow), ActivePane: "bottomLeft"}))
	if len(t.Rows) > 0 {
		b.check(b.f.AutoFilter(s, cell(1, headerRow)+":"+cell(n, last), nil))
	}
	at := row + 1
	for _, ch := range sh.Charts {
		if len(t.Rows) == 0 {
			break
		}
		b.chart(s, ch, t, cell(1, at), last, sum(ws))
		at += 22
	}
	b.printSetup(s, b.d.Def.Orientation, fmt.Sprintf("$%d:$%d", headerRow, headerRow))
}

// chart adds a native chart over rows firstRow..last of the table.
func (b *book) chart(s string, ch *reports.Chart, t *reports.Table, at string, last int, tableWidth float64) {
	colOf := func(name string) int {
		for j, c := range t.Sheet.Columns {
			if c.Name == name {
				return j + 1
			}
		}
		return 0
	}
	rng := func(col int) string {
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(s), colName(col), firstRow, colName(col), last)
	}
	cat := colOf(ch.Category)
	var series []excelize.ChartSeries
	for k, name := range ch.Series {
		col := colOf(name)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", quoteSheet(s), colName(col), headerRow),
			Categories: rng(cat),
			Values:     rng(col),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{palette[k%len(palette)]}},
		})
	}
	width := uint(max(min(tableWidth*7.5, 900), 560))
	c := &excelize.Chart{
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: ch.Title, Font: &excelize.Font{Size: 12, Bold: true, Color: chartInk}}}},
		Dimension: excelize.ChartDimension{Width: width, Height: 360},
		Legend:    excelize.ChartLegend{Position: "bottom", Font: &excelize.Font{Size: 10, Color: chartInk}},
		Format:    excelize.GraphicOptions{OffsetX: 4, OffsetY: 4},
	}
	// Axis labels in the ink of the text, not excelize's default (the
	// theme's text colour lightened by 85 %, barely visible in print).
	axisFont := excelize.Font{Size: 10, Color: chartInk}
	numFmt := excelize.ChartNumFmt{CustomNumFmt: "#,##0"}
	switch ch.Format {
	case reports.FormatPercent:
		numFmt.CustomNumFmt = "0%"
	case reports.FormatYuan, reports.FormatNumber:
		numFmt.CustomNumFmt = "#,##0"
	case reports.FormatScore, reports.FormatRatio:
		numFmt.CustomNumFmt = "0.00"
	}
	switch ch.Type {
	case reports.ChartPie:
		c.Type = excelize.Pie
		varied := true
		c.VaryColors = &varied
		c.PlotArea = excelize.ChartPlotArea{ShowPercent: true, ShowCatName: true, ShowLeaderLines: true}
		c.Legend = excelize.ChartLegend{Position: "right", Font: &excelize.Font{Size: 10, Color: chartInk}}
		c.Dimension.Width = 560
		var points []excelize.ChartDataPoint
		for i := 0; i < last-firstRow+1; i++ {
			points = append(points, excelize.ChartDataPoint{Index: i, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{palette[(2*i)%len(palette)]}}})
		}
		c.Series[0].DataPoint = points
		c.Series[0].Fill = excelize.Fill{}
	case reports.ChartBar:
		c.Type = excelize.Bar
		c.XAxis = excelize.ChartAxis{ReverseOrder: true, Font: axisFont}
		c.YAxis = excelize.ChartAxis{MajorGridLines: true, NumFmt: numFmt, Font: axisFont}
		c.PlotArea = excelize.ChartPlotArea{ShowVal: false}
	default:
		c.Type = excelize.Col
		c.XAxis = excelize.ChartAxis{Font: axisFont}
		c.YAxis = excelize.ChartAxis{MajorGridLines: true, NumFmt: numFmt, Font: axisFont}
		if ch.Format == reports.FormatPercent {
			c.YAxis.Minimum, c.YAxis.Maximum = ptr(0.0), ptr(1.0)
		}
	}
	b.check(b.f.AddChart(s, at, c))
}

// form writes a table as a printable form: title, unit and date line,
// header, rows, totals, notes, signature lines.
func (b *book) form(t *reports.Table) {
	s, sh, d := t.Sheet.Name, t.Sheet, b.d
	n := len(sh.Columns)
	ws := widths(t)
	for j := range ws {
		ws[j] = max(ws[j], 11)
		b.check(b.f.SetColWidth(s, colName(j+1), colName(j+1), ws[j]))
	}
	row := 1
	title := d.Title
	b.text(s, 1, row, n, title, "formtitle")
	b.check(b.f.SetRowHeight(s, row, 34))
	row++
	if d.Trial != "" {
		b.text(s, 1, row, n, "试算（"+d.Trial+"）：按备选政策计算，不是正式结果，不得作为拨付依据。", "trial")
		row++
	}
	asOf := ""
	if !d.Stamp.DataAsOf.IsZero() {
		asOf = "数据截至 " + d.Stamp.DataAsOf.Format("2006年1月2日")
	}
	b.text(s, 1, row, n/2, "单位：元", "subtitle")
	b.text(s, n/2+1, row, n-n/2, asOf, "right")
	row++
	hdr := row
	maxH := 18.0
	for j, c := range sh.Columns {
		b.put(s, j+1, row, c.Heading, nil, reports.FormatText, "header")
		maxH = max(maxH, wrapHeight(c.Heading, ws[j]-1, 13))
	}
	b.check(b.f.SetRowHeight(s, row, maxH))
	row++
	for i := range t.Rows {
		b.tableRow(s, row, t, i)
		b.check(b.f.SetRowHeight(s, row, 20))
		row++
	}
	if len(t.Rows) == 0 {
		b.text(s, 1, row, n, sh.EmptyText(), "cell")
		row++
	}
	if t.Totals != nil && len(t.Rows) > 0 {
		for j, c := range sh.Columns {
			if j == 0 {
				b.put(s, 1, row, t.Totals[0], nil, reports.FormatText, "total")
				continue
			}
			b.put(s, j+1, row, t.Totals[j], c, "", "total")
		}
		b.check(b.f.SetRowHeight(s, row, 20))
		row++
	}
	if len(d.Notes) > 0 {
		row++
		b.text(s, 1, row, n, "说明：", "section")
		row++
		for k, note := range d.Notes {
			line := fmt.Sprintf("%d. %s", k+1, note)
			b.text(s, 1, row, n, line, "note")
			b.check(b.f.SetRowHeight(s, row, wrapHeight(line, sum(ws)*1.1, 12)))
			row++
		}
	}
	if len(d.Def.Signatures) > 0 {
		row += 2
		var parts []string
		for _, sig := range d.Def.Signatures {
			parts = append(parts, sig+"：____________")
		}
		b.text(s, 1, row, n, strings.Join(parts, "        "), "plain")
		b.check(b.f.SetRowHeight(s, row, 24))
		row += 2
		b.text(s, 1, row, n, "（盖章）            年      月      日", "right")
	}
	b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("%s!$A$1:$%s$%d", quoteSheet(s), colName(n), row), Scope: s}))
	b.printSetup(s, d.Def.Orientation, fmt.Sprintf("$%d:$%d", hdr, hdr))
}

// Widths of a grid's columns, in the workbook's column units, for text at
// 10 pt: a number or a code takes its width (it must not wrap), a text
// wraps at gridTextWidth, a heading at gridHeadWidth.
const (
	gridTextWidth = 17.0
	gridHeadWidth = 9.0
	gridMaxWidth  = 24.0
	gridPad       = 1.5
)

// units estimates the width of s at size pt in column units (the width
// of a digit of the workbook's 11 pt font, as LibreOffice draws it): a
// Chinese character 1.45 units at 10 pt, a digit or Latin letter 0.9.
func units(s string, pt float64) float64 {
	w := 0.0
	for _, r := range s {
		if runewidth.RuneWidth(r) == 2 {
			w += 1.45
		} else {
			w += 0.9
		}
	}
	return w * pt / 10
}

// gridHeight is the height (pt) of a row whose text s at size pt wraps in
// a column width units wide: lines of 1.35 × the size.
func gridHeight(s string, width, pt float64) float64 {
	width = max(width-gridPad, 1)
	lines := 0
	for _, l := range strings.Split(s, "\n") {
		lines += int(math.Ceil(max(units(l, pt), 0.1) / width))
	}
	return float64(lines)*pt*1.35 + 5
}

// grid writes an appendix laid out by Go code, with its formulas, for
// printing on landscape A4 pages at the cells' size: the columns as narrow
// as their numbers allow, long texts wrapped (over the columns they span),
// a section marked so on a new page with its header repeated.
func (b *book) grid(g *reports.Grid) {
	s := g.Name
	cols := 0
	for _, sec := range g.Sections {
		cols = max(cols, sec.Column(len(sec.Header))-1)
	}
	ws := make([]float64, cols)
	for j := range ws {
		ws[j] = 6
	}
	// Columns of one sheet column: numbers and codes at their width, texts
	// and headings wrapped.
	for _, sec := range g.Sections {
		for j := range sec.Header {
			if sec.Span(j) > 1 {
				continue
			}
			c := sec.Column(j) - 1
			w := min(units(sec.Header[j], 10.5), gridHeadWidth)
			if j < len(sec.Widths) {
				w = max(w, sec.Widths[j])
			}
			for _, r := range append(append([][]reports.Cell(nil), sec.Rows...), sec.Total) {
				if j >= len(r) {
					continue
				}
				n := units(reports.DisplayAs(r[j].Value, r[j].Format), 10)
				if r[j].Format == reports.FormatText {
					n = min(n, gridTextWidth)
				}
				w = max(w, n)
			}
			ws[c] = max(ws[c], min(w+gridPad, gridMaxWidth))
		}
	}
	for j, w := range ws {
		b.check(b.f.SetColWidth(s, colName(j+1), colName(j+1), w))
	}
	// The width a column of a section has: the sum of those it spans.
	width := func(sec *reports.Section, j int) float64 {
		w := 0.0
		for c := sec.Column(j); c < sec.Column(j)+sec.Span(j); c++ {
			w += ws[c-1]
		}
		return w
	}
	b.text(s, 1, 1, cols, g.Title, "title")
	b.check(b.f.SetRowHeight(s, 1, 24))
	for k, l := range g.Lines {
		variant := "gridnote"
		if strings.HasPrefix(l, "试算") {
			variant = "trial"
		}
		b.text(s, 1, 2+k, cols, l, variant)
		b.check(b.f.SetRowHeight(s, 2+k, gridHeight(l, sum(ws), 10)))
	}
	titleRows := ""
	for _, sec := range g.Sections {
		if sec.NewPage {
			b.check(b.f.InsertPageBreak(s, cell(1, sec.TitleRow)))
		}
		b.text(s, 1, sec.TitleRow, cols, sec.Title, "section")
		for k, note := range sec.Notes {
			b.text(s, 1, sec.TitleRow+1+k, cols, note, "gridnote")
			b.check(b.f.SetRowHeight(s, sec.TitleRow+1+k, gridHeight(note, sum(ws), 10)))
		}
		h := 18.0
		for j, head := range sec.Header {
			b.spanned(s, sec, j, sec.HeaderRow, head, reports.FormatText, "header")
			h = max(h, gridHeight(head, width(sec, j), 10.5))
		}
		b.check(b.f.SetRowHeight(s, sec.HeaderRow, h))
		last := sec.HeaderRow
		if sec.Explain != nil {
			h := 14.0
			for j, e := range sec.Explain {
				b.spanned(s, sec, j, sec.HeaderRow+1, e, reports.FormatText, "explain")
				h = max(h, gridHeight(e, width(sec, j)-0.5, 10))
			}
			b.check(b.f.SetRowHeight(s, sec.HeaderRow+1, h))
			last++
		}
		if sec.RepeatHeader {
			titleRows = fmt.Sprintf("$%d:$%d", sec.HeaderRow, last)
		}
		for i, r := range sec.Rows {
			b.gridRow(s, sec, sec.FirstRow+i, r, "cell", width)
		}
		if sec.Total != nil {
			b.gridRow(s, sec, sec.TotalRow, sec.Total, "total", width)
		}
	}
	b.printSetup(s, "landscape", titleRows)
	b.check(b.f.SetPageMargins(s, &excelize.PageLayoutMarginsOptions{Left: ptr(0.3), Right: ptr(0.3)}))
}

// spanned writes a value of column j of a section, merged over the sheet
// columns it spans.
func (b *book) spanned(s string, sec *reports.Section, j, row int, v reports.Value, format, variant string) {
	c := sec.Column(j)
	b.put(s, c, row, v, nil, format, variant)
	if n := sec.Span(j); n > 1 {
		b.check(b.f.MergeCell(s, cell(c, row), cell(c+n-1, row)))
		b.check(b.f.SetCellStyle(s, cell(c, row), cell(c+n-1, row), b.style(format, variant)))
	}
}

// gridRow writes a row of a section: inputs as values, the rest as
// formulas; the row as high as its longest wrapped text.
func (b *book) gridRow(s string, sec *reports.Section, row int, cells []reports.Cell, variant string, width func(*reports.Section, int) float64) {
	h := 0.0
	for j, c := range cells {
		v := variant
		if c.Bad {
			v += "bad"
			if variant == "cell" {
				v = "bad"
			}
		}
		if c.Formula == "" {
			b.spanned(s, sec, j, row, c.Value, c.Format, v)
			if c.Format == reports.FormatText {
				if text := reports.DisplayAs(c.Value, c.Format); units(text, 10) > width(sec, j)-gridPad {
					h = max(h, gridHeight(text, width(sec, j), 10))
				}
			}
			continue
		}
		ref := cell(sec.Column(j), row)
		b.check(b.f.SetCellFormula(s, ref, c.Formula))
		b.check(b.f.SetCellStyle(s, ref, ref, b.style(c.Format, v)))
	}
	if h > 0 {
		b.check(b.f.SetRowHeight(s, row, h))
	}
}
