// Package output writes query results for people and programs: aligned
// tables measured by display width (so Chinese text lines up), CSV, JSON,
// Markdown and Excel workbooks.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/internal/csvsafe"
	"shequ/queries"
)

// Format is how results are written.
type Format string

// The formats.
const (
	Table    Format = "table"
	CSV      Format = "csv"
	JSON     Format = "json"
	Markdown Format = "markdown"
	XLSX     Format = "xlsx"
)

// Formats lists every format, for usage texts.
var Formats = []Format{Table, CSV, JSON, Markdown, XLSX}

// Parse reads a format name.
func Parse(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Table, CSV, JSON, Markdown, XLSX:
		return f, nil
	case "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("format %q is not one of table, csv, json, markdown, xlsx", s)
}

// FromFileName guesses the format from an output file's extension.
func FromFileName(name string) (Format, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	f, err := Parse(name[i+1:])
	return f, err == nil && f != Table
}

// Binary reports whether the format is not text, so is written to a file.
func (f Format) Binary() bool { return f == XLSX }

// Options tune the writers.
type Options struct {
	// BOM starts CSV with a UTF-8 byte-order mark, so that Excel on
	// Windows reads the Chinese text right.
	BOM bool
	// NoFooter leaves out the "(N rows)" line under a table.
	NoFooter bool
}

// A Sheet is one result with a name, for workbooks of several results.
type Sheet struct {
	Name   string
	Result *queries.Result
}

// Write writes one result in format f.
func Write(w io.Writer, f Format, res *queries.Result, opt Options) error {
	switch f {
	case Table:
		return WriteTable(w, res, opt)
	case CSV:
		return WriteCSV(w, res, opt)
	case JSON:
		return WriteJSON(w, res)
	case Markdown:
		return WriteMarkdown(w, res)
	case XLSX:
		return WriteXLSX(w, []Sheet{{Name: "result", Result: res}})
	}
	return fmt.Errorf("unknown format %q", f)
}

// WriteTable writes an aligned table, numbers right-aligned.
func WriteTable(w io.Writer, res *queries.Result, opt Options) error {
	right := make([]bool, len(res.Columns))
	for i := range right {
		right[i] = res.Numeric(i)
	}
	return Aligned(w, res.Columns, res.Strings(), right, !opt.NoFooter)
}

// Aligned writes cells as a table whose columns line up by display width:
// a header, a rule, the rows, and with footer "(N rows)". right marks
// right-aligned columns (nil: none).
func Aligned(w io.Writer, cols []string, rows [][]string, right []bool, footer bool) error {
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = runewidth.StringWidth(c)
	}
	clean := func(s string) string {
		if strings.ContainsAny(s, "\n\r\t") {
			s = strings.NewReplacer("\r\n", "↵", "\n", "↵", "\r", "↵", "\t", " ").Replace(s)
		}
		return s
	}
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = make([]string, len(cols))
		for i := range cols {
			if i < len(row) {
				cells[r][i] = clean(row[i])
				width[i] = max(width[i], runewidth.StringWidth(cells[r][i]))
			}
		}
	}
	var b strings.Builder
	line := func(cs []string) {
		b.Reset()
		for i, c := range cs {
			if i > 0 {
				b.WriteString(" │ ")
			}
			pad := strings.Repeat(" ", width[i]-runewidth.StringWidth(c))
			if right != nil && right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		b.WriteString("\n")
	}
	var out strings.Builder
	line(cols)
	out.WriteString(strings.TrimRight(b.String(), " \n") + "\n")
	sep := make([]string, len(cols))
	for i := range cols {
		sep[i] = strings.Repeat("─", width[i])
	}
	out.WriteString(strings.Join(sep, "─┼─") + "\n")
	for _, r := range cells {
		line(r)
		out.WriteString(strings.TrimRight(b.String(), " \n") + "\n")
	}
	if footer {
		if len(rows) == 1 {
			out.WriteString("(1 row)\n")
		} else {
			fmt.Fprintf(&out, "(%d rows)\n", len(rows))
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// WriteCSV writes a header and the rows; NULL is an empty field. A text
// value that a spreadsheet would take for a formula (=, +, -, @, tab or
// CR first) is written with a ' in front (internal/csvsafe); numbers are
// written as they are.
func WriteCSV(w io.Writer, res *queries.Result, opt Options) error {
	if opt.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return err
	}
	for r, row := range res.Strings() {
		for i, v := range res.Rows[r] {
			switch v.(type) {
			case nil:
				row[i] = ""
			case string, []byte:
				row[i] = csvsafe.Text(row[i])
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes an array of objects, keys in column order. Numbers are
// JSON numbers (decimals exactly as stored), NULL is null, dates and
// times are strings.
func WriteJSON(w io.Writer, res *queries.Result) error {
	var b strings.Builder
	b.WriteString("[")
	keys := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		k, _ := json.Marshal(c)
		keys[i] = string(k)
	}
	for r, row := range res.Rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(keys[i])
			b.WriteString(": ")
			b.WriteString(jsonValue(v, res.Types[i]))
		}
		b.WriteString("}")
	}
	if len(res.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonValue(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "null"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return jsonValue(float64(x), typ)
	case []any, map[string]any:
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	s := queries.FormatValue(v, typ)
	if queries.NumericType(typ) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// WriteMarkdown writes a GitHub-flavoured Markdown table.
func WriteMarkdown(w io.Writer, res *queries.Result) error {
	esc := strings.NewReplacer("|", `\|`, "\r\n", "<br>", "\n", "<br>")
	var b strings.Builder
	b.WriteString("|")
	for _, c := range res.Columns {
		b.WriteString(" " + esc.Replace(c) + " |")
	}
	b.WriteString("\n|")
	for i := range res.Columns {
		if res.Numeric(i) {
			b.WriteString("--:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range res.Strings() {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + esc.Replace(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteXLSX writes a workbook with a sheet per result: a bold header row,
// frozen, numbers as numbers, dates as dates, columns wide enough for
// their text.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	tsFmt := "yyyy-mm-dd hh:mm:ss"
	tsStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &tsFmt})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for n, s := range sheets {
		name := sheetName(s.Name, n, used)
		if n == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		res := s.Result
		strs := res.Strings()
		for i, c := range res.Columns {
			wd := runewidth.StringWidth(c)
			for r := range strs {
				if r > 1000 {
					break
				}
				wd = max(wd, runewidth.StringWidth(strs[r][i]))
			}
			if err := sw.SetColWidth(i+1, i+1, math.Min(float64(wd)+2, 60)); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(res.Columns))
		for i, c := range res.Columns {
			header[i] = excelize.Cell{StyleID: bold, Value: c}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		for r, row := range res.Rows {
			vals := make([]any, len(row))
			for i, v := range row {
				vals[i] = cellValue(v, res.Types[i], strs[r][i], dateStyle, tsStyle)
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, vals); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func cellValue(v any, typ, text string, dateStyle, tsStyle int) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return text
		}
		return x
	case float32:
		return float64(x)
	case time.Time:
		switch strings.ToUpper(typ) {
		case "DATE":
			return excelize.Cell{StyleID: dateStyle, Value: x}
		case "TIME":
			return text
		}
		return excelize.Cell{StyleID: tsStyle, Value: x}
	}
	if queries.NumericType(typ) {
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	}
	return text
}

// sheetName makes a valid, unique sheet name: at most 31 characters,
// none of []:*?/\.
func sheetName(name string, n int, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		name = fmt.Sprintf("result %d", n+1)
	}
	for utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	base := name
	for i := 2; used[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		r := []rune(base)
		if len(r)+len(suffix) > 31 {
			r = r[:31-len(suffix)]
		}
		name = string(r) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}
