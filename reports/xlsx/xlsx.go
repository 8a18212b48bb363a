// Package xlsx writes a report (reports.Data) as an Excel workbook for
// people: a cover sheet (city, year, data as of, the warehouse stamp, the
// files included, the data-quality warnings, a table of contents), then a
// sheet per table with a title, its note, Chinese headings, number formats
// (yuan with thousands separators, percentages), a frozen header row,
// filters, column widths that fit, the cells that break a policy floor
// filled red, a totals row and native Excel charts. A report with the form
// layout (the yearly allocation) is laid out as a printable A4 form with
// its notes and signature lines instead. Appendix grids (the reward
// calculation) are written with their Excel formulas.
//
// Every sheet is set up for printing (A4, fitted to the page width, header
// rows repeated) with the warehouse stamp and page numbers in its footer.
package xlsx

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/internal/atomic"
	"shequ/reports"
)

// CoverSheet is the name of the cover sheet of a book.
const CoverSheet = "封面"

// Fills and fonts.
const (
	headerFill = "DDEBF7"
	totalFill  = "F2F2F2"
	badFill    = "FFC7CE"
	badFont    = "9C0006"
	noteFont   = "595959"
	trialFont  = "C00000"
	border     = "BFBFBF"
	chartInk   = "262626" // the charts' titles, axis labels and legends
)

// Chart series colours: each pair is a value and its target.
var palette = []string{"2F5597", "9DC3E6", "C55A11", "F4B183", "548235", "A9D18E", "7030A0", "CDB4DB"}

// Write writes the report as an .xlsx file at path, atomically.
func Write(path string, d *reports.Data) error {
	f, err := Build(d)
	if err != nil {
		return err
	}
	defer f.Close()
	return atomic.WriteFile(path, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}

// Build makes the workbook of a report.
func Build(d *reports.Data) (*excelize.File, error) {
	b := &book{f: excelize.NewFile(), d: d, styles: map[string]int{}}
	if err := b.build(); err != nil {
		b.f.Close()
		return nil, fmt.Errorf("write the workbook of report %s: %w", d.Def.Name, err)
	}
	return b.f, nil
}

type book struct {
	f      *excelize.File
	d      *reports.Data
	styles map[string]int
	err    error
}

// check keeps the first error of a run of excelize calls.
func (b *book) check(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

func (b *book) build() error {
	d := b.d
	first := CoverSheet
	if d.Def.Layout == reports.LayoutForm {
		first = ""
		for _, t := range d.Sheets {
			if !t.Sheet.Hidden {
				first = t.Sheet.Name
				break
			}
		}
	}
	if first == "" {
		return fmt.Errorf("no visible sheet")
	}
	b.check(b.f.SetSheetName("Sheet1", first))
	if d.Def.Layout == reports.LayoutBook {
		b.cover()
	}
	for _, t := range d.Sheets {
		if t.Sheet.Hidden {
			continue
		}
		if t.Sheet.Name != first {
			if _, err := b.f.NewSheet(t.Sheet.Name); err != nil {
				return err
			}
		}
		if d.Def.Layout == reports.LayoutForm {
			b.form(t)
		} else {
			b.table(t)
		}
	}
	for _, g := range d.Appendix {
		if _, err := b.f.NewSheet(g.Name); err != nil {
			return err
		}
		b.grid(g)
	}
	b.f.SetActiveSheet(0)
	fullCalc := true
	b.check(b.f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &fullCalc}))
	b.check(b.f.SetDocProps(&excelize.DocProperties{
		Title:       d.Title,
		Subject:     d.Def.Title,
		Creator:     "shequ",
		Description: d.Stamp.Line(),
		Created:     d.Now.UTC().Format(time.RFC3339),
		Modified:    d.Now.UTC().Format(time.RFC3339),
		Language:    "zh-CN",
	}))
	return b.err
}

// style returns the id of a cell style: a column format with a variant
// (cell, bad, total, header, title, note…).
func (b *book) style(format, variant string) int {
	key := format + "|" + variant
	if id, ok := b.styles[key]; ok {
		return id
	}
	thin := []excelize.Border{
		{Type: "left", Color: border, Style: 1}, {Type: "right", Color: border, Style: 1},
		{Type: "top", Color: border, Style: 1}, {Type: "bottom", Color: border, Style: 1},
	}
	s := &excelize.Style{Font: &excelize.Font{Size: 10}, Alignment: &excelize.Alignment{Vertical: "center"}}
	switch variant {
	case "title":
		s.Font = &excelize.Font{Size: 14, Bold: true}
	case "formtitle":
		s.Font = &excelize.Font{Size: 16, Bold: true}
		s.Alignment.Horizontal = "center"
	case "subtitle":
		s.Font = &excelize.Font{Size: 10, Color: noteFont}
	case "trial":
		s.Font = &excelize.Font{Size: 11, Bold: true, Color: trialFont}
	case "right":
		s.Font = &excelize.Font{Size: 10, Color: noteFont}
		s.Alignment.Horizontal = "right"
	case "note":
		s.Font = &excelize.Font{Size: 9, Color: noteFont}
		s.Alignment = &excelize.Alignment{Vertical: "top", WrapText: true}
	case "gridnote":
		s.Font = &excelize.Font{Size: 10, Color: noteFont}
		s.Alignment = &excelize.Alignment{Vertical: "top", WrapText: true}
	case "section":
		s.Font = &excelize.Font{Size: 11, Bold: true}
	case "label":
		s.Font = &excelize.Font{Size: 10, Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}}
		s.Border = thin
	case "header":
		s.Font = &excelize.Font{Size: 10, Bold: true}
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}}
		s.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
		s.Border = thin
	case "explain":
		s.Font = &excelize.Font{Size: 10, Italic: true, Color: noteFont}
		s.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}
		s.Border = thin
	case "link":
		s.Font = &excelize.Font{Size: 10, Color: "0563C1", Underline: "single"}
		s.Border = thin
	default: // cell, bad, total, totalbad, plain
		if variant != "plain" {
			s.Border = thin
		}
		if strings.HasPrefix(variant, "total") {
			s.Font.Bold = true
			s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{totalFill}}
		}
		if strings.HasSuffix(variant, "bad") {
			s.Font.Color = badFont
			s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{badFill}}
		}
		switch format {
		case reports.FormatYuan, reports.FormatNumber:
			s.CustomNumFmt = ptr("#,##0.00")
		case reports.FormatInt:
			s.CustomNumFmt = ptr("#,##0")
		case reports.FormatPercent:
			s.CustomNumFmt = ptr("0.00%")
		case reports.FormatScore:
			s.CustomNumFmt = ptr("0.00")
		case reports.FormatRatio:
			s.CustomNumFmt = ptr("0.0000")
		case reports.FormatDate:
			s.CustomNumFmt = ptr("yyyy-mm-dd")
		case reports.FormatBool:
			s.Alignment.Horizontal = "center"
		case reports.FormatCode, reports.FormatText:
			s.NumFmt = 49 // text
			s.Alignment.WrapText = format == reports.FormatText
		}
	}
	id, err := b.f.NewStyle(s)
	b.check(err)
	b.styles[key] = id
	return id
}

func ptr[T any](v T) *T { return &v }

// cell is the name of a cell: col and row from 1.
func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// quoteSheet quotes a sheet name for a reference.
func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// put writes a value into a cell in a format, with a style variant.
func (b *book) put(sheet string, col, row int, v reports.Value, c *reports.Column, format, variant string) {
	ref := cell(col, row)
	if c != nil {
		format = c.Format
	}
	b.check(b.f.SetCellStyle(sheet, ref, ref, b.style(format, variant)))
	if v == nil {
		return
	}
	if c != nil && len(c.Values) > 0 {
		b.check(b.f.SetCellStr(sheet, ref, reports.Display(v, c)))
		return
	}
	switch format {
	case reports.FormatYuan, reports.FormatNumber, reports.FormatInt, reports.FormatPercent, reports.FormatScore, reports.FormatRatio:
		if fl, ok := reports.Float(v); ok {
			if i, isInt := v.(int64); isInt {
				b.check(b.f.SetCellInt(sheet, ref, i))
			} else {
				b.check(b.f.SetCellFloat(sheet, ref, fl, -1, 64))
			}
			return
		}
	case reports.FormatDate:
		switch x := v.(type) {
		case reports.Date:
			b.check(b.f.SetCellValue(sheet, ref, x.Time))
			return
		case time.Time:
			b.check(b.f.SetCellValue(sheet, ref, x))
			return
		}
	}
	b.check(b.f.SetCellStr(sheet, ref, reports.DisplayAs(v, format)))
}

// text writes a string with a style, merged over cols columns when > 1.
func (b *book) text(sheet string, col, row, cols int, s, variant string) {
	ref := cell(col, row)
	b.check(b.f.SetCellStr(sheet, ref, s))
	end := ref
	if cols > 1 {
		end = cell(col+cols-1, row)
		b.check(b.f.MergeCell(sheet, ref, end))
	}
	b.check(b.f.SetCellStyle(sheet, ref, end, b.style("", variant)))
}

// wrapHeight is the row height that shows s wrapped in width characters.
func wrapHeight(s string, width float64, lineHeight float64) float64 {
	if width < 1 {
		width = 1
	}
	lines := 0
	for _, l := range strings.Split(s, "\n") {
		n := int(float64(runewidth.StringWidth(l))/width) + 1
		lines += n
	}
	return float64(lines)*lineHeight + 4
}

// widths fits each column to its heading and values, within bounds.
func widths(t *reports.Table) []float64 {
	out := make([]float64, len(t.Sheet.Columns))
	for j, c := range t.Sheet.Columns {
		if c.Width > 0 {
			out[j] = c.Width
			continue
		}
		w := float64(runewidth.StringWidth(c.Heading))
		if w > 16 {
			w = 16 // a long heading wraps
		}
		for i := range t.Rows {
			if n := float64(runewidth.StringWidth(reports.Display(t.Get(i, c.Name), c))); n > w {
				w = n
			}
		}
		if t.Totals != nil {
			if n := float64(runewidth.StringWidth(reports.Display(t.Totals[j], c))); n > w {
				w = n
			}
		}
		w += 2.5
		out[j] = min(max(w, 7), 48)
	}
	return out
}

func sum(ws []float64) float64 {
	s := 0.0
	for _, w := range ws {
		s += w
	}
	return s
}

// footer puts the stamp and page numbers in a sheet's footer.
func (b *book) footer(sheet string) {
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	left := b.d.Stamp.Line()
	if b.d.Trial != "" {
		left = "试算 · " + left
	}
	if r := []rune(left); len(r) > 110 {
		left = string(r[:110])
	}
	b.check(b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L&8" + esc(b.d.Title) + "&R&8" + esc(sheet),
		OddFooter: "&L&8" + esc(left) + "&R&8第 &P 页，共 &N 页",
	}))
}

// printSetup prepares a sheet for A4 printing, fitted to the page width.
func (b *book) printSetup(sheet, orientation string, titleRows string) {
	fit := true
	b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: ptr(9), Orientation: ptr(orientation), FitToWidth: ptr(1), FitToHeight: ptr(0),
	}))
	b.check(b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: ptr(0.5), Right: ptr(0.5), Top: ptr(0.7), Bottom: ptr(0.7), Header: ptr(0.3), Footer: ptr(0.3),
		Horizontally: ptr(true),
	}))
	if titleRows != "" {
		b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoteSheet(sheet) + "!" + titleRows, Scope: sheet}))
	}
	b.footer(sheet)
}
