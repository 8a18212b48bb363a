// Package template writes the blank submission workbook districts fill in:
// a sheet 填报说明 (instructions), then one sheet per submission kind whose
// first row holds the kind's template headers. Everything it writes —
// sheet names, headers, types, units, allowed values and notes — comes from
// the column dictionary (etl/dict), the same one that recognises headers
// and validates rows on ingest, so a filled template is always read back
// as the kind it was written for.
package template

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"

	"shequ/etl/dict"
	"shequ/internal/atomic"
)

// InstructionsSheet is the name of the first sheet.
const InstructionsSheet = "填报说明"

// LastRow is the last row that gets data validation on a kind sheet.
const LastRow = 5000

// Yes and No are the words of the drop-down of a Bool column; the cleaner
// (clean.Bool) reads them as true and false.
const (
	Yes = "是"
	No  = "否"
)

// maxListChars is Excel's limit on a typed drop-down list, separators
// included (UTF-16 units).
const maxListChars = 255

// Excel's limits on the texts of a data validation.
const (
	maxPromptTitle = 32
	maxPrompt      = 255
	maxErrorMsg    = 225
)

// Colours of the header cells.
const (
	requiredFill = "F8CBAD" // required column
	optionalFill = "DDEBF7" // optional column
	sectionFill  = "E2EFDA" // a kind's line on the instructions sheet
)

// Author is the author of the header comments.
const Author = "shequ"

// longForm names the expenditure columns of the long form (支出类别 +
// 金额); the template writes the wide form, one column per category.
var longForm = map[string]bool{"category": true, "amount": true}

// Select returns the kinds named by name (the English name such as
// "communities" or the Chinese name such as 社区名册); an empty name selects
// every kind.
func Select(name string) ([]*dict.Kind, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return dict.Kinds, nil
	}
	for _, k := range dict.Kinds {
		if strings.EqualFold(k.Name, name) || k.Zh == name {
			return []*dict.Kind{k}, nil
		}
	}
	var names []string
	for _, k := range dict.Kinds {
		names = append(names, k.Name+" ("+k.Zh+")")
	}
	return nil, fmt.Errorf("unknown kind %q; kinds are %s", name, strings.Join(names, ", "))
}

// Columns returns the columns of k the template writes, in order: every
// column except Check columns (合计) and, for a kind with wide-form
// category columns (expenditures), the long-form columns.
func Columns(k *dict.Kind) []*dict.Column {
	wide := false
	for i := range k.Columns {
		if dict.IsWideCategory(k.Columns[i].Name) {
			wide = true
		}
	}
	var cols []*dict.Column
	for i := range k.Columns {
		c := &k.Columns[i]
		if c.Check || (wide && longForm[c.Name]) {
			continue
		}
		cols = append(cols, c)
	}
	return cols
}

// Headers returns the header row of k's template sheet.
func Headers(k *dict.Kind) []string {
	var hs []string
	for _, c := range Columns(k) {
		hs = append(hs, c.Header)
	}
	return hs
}

// WriteFile writes the template to path through a temporary file in the
// same directory, renamed into place once complete.
func WriteFile(path string, kinds []*dict.Kind) error {
	return atomic.WriteFile(path, func(w io.Writer) error { return Write(w, kinds) })
}

// Write writes the template workbook for kinds (every kind when empty).
func Write(w io.Writer, kinds []*dict.Kind) error {
	if len(kinds) == 0 {
		kinds = dict.Kinds
	}
	for _, k := range kinds {
		if k == nil {
			return fmt.Errorf("template: nil kind")
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &builder{f: f, styles: map[string]int{}}
	if err := b.instructions(kinds); err != nil {
		return err
	}
	for _, k := range kinds {
		if err := b.kindSheet(k); err != nil {
			return fmt.Errorf("template: sheet %s: %w", k.Zh, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:   "社区服务数据报送模板",
		Creator: Author,
	}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

type builder struct {
	f      *excelize.File
	styles map[string]int
}

// style returns a style id, created once per key.
func (b *builder) style(key string, s *excelize.Style) (int, error) {
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	id, err := b.f.NewStyle(s)
	if err != nil {
		return 0, err
	}
	b.styles[key] = id
	return id, nil
}

var thin = []excelize.Border{
	{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
	{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
}

func (b *builder) headerStyle(fill string) (int, error) {
	return b.style("header"+fill, &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
		Border:    thin,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
}

// TypeZh names a column's type for districts.
func TypeZh(t dict.Type) string {
	switch t {
	case dict.Int, dict.Quarter:
		return "整数"
	case dict.Dec, dict.Ratio:
		return "数字"
	case dict.Date:
		return "日期"
	case dict.Bool:
		return "是否"
	case dict.Enum:
		return "选项"
	case dict.Code, dict.CommunityCode, dict.CodeList, dict.CreditCode, dict.IDNumber, dict.ServiceItem:
		return "代码"
	}
	return "文本"
}

// isCode reports whether a column holds codes kept as text.
func isCode(t dict.Type) bool { return TypeZh(t) == "代码" }

func isMoney(c *dict.Column) bool { return c.Type == dict.Dec && c.Unit == "元" }

func isArea(c *dict.Column) bool { return c.Type == dict.Dec && strings.HasPrefix(c.Unit, "平方") }

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// EnumWords returns the Chinese words of an Enum column: first those the
// column's note names, in the note's order, then the others grouped by the
// value they stand for.
func EnumWords(c *dict.Column) []string {
	seen := map[string]bool{}
	var words []string
	valueRank := map[string]int{}
	tokens := noteTokens(c)
	for _, t := range tokens {
		if v, ok := c.Values[t]; ok && hasHan(t) && !seen[t] {
			seen[t] = true
			words = append(words, t)
			if _, ok := valueRank[v]; !ok {
				valueRank[v] = len(valueRank)
			}
		}
	}
	var rest []string
	for w := range c.Values {
		if hasHan(w) && !seen[w] {
			rest = append(rest, w)
		}
	}
	rank := func(w string) int {
		if r, ok := valueRank[c.Values[w]]; ok {
			return r
		}
		return len(valueRank)
	}
	sort.Slice(rest, func(i, j int) bool {
		a, b := rest[i], rest[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if va, vb := c.Values[a], c.Values[b]; va != vb {
			return va < vb
		}
		if la, lb := len([]rune(a)), len([]rune(b)); la != lb {
			return la < lb
		}
		return a < b
	})
	return append(words, rest...)
}

// boolExtras returns the Chinese extra words of a Bool column, true words
// first.
func boolExtras(c *dict.Column) (yes, no []string) {
	for w, v := range c.BoolWords {
		if !hasHan(w) {
			continue
		}
		if v {
			yes = append(yes, w)
		} else {
			no = append(no, w)
		}
	}
	sort.Strings(yes)
	sort.Strings(no)
	return yes, no
}

// dropList returns the words of a drop-down list that fit Excel's limit,
// and whether all fitted.
func dropList(words []string) ([]string, bool) {
	var out []string
	n := 0
	for _, w := range words {
		add := utf16Len(w)
		if len(out) > 0 {
			add++ // the comma
		}
		if n+add > maxListChars {
			return out, false
		}
		n += add
		out = append(out, w)
	}
	return out, true
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// truncate cuts s to at most n UTF-16 units, ending with … when cut.
func truncate(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	var b strings.Builder
	k := 0
	for _, r := range s {
		u := utf16.RuneLen(r)
		if k+u > n-1 {
			break
		}
		b.WriteRune(r)
		k += u
	}
	return b.String() + "…"
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// RangeZh words the bounds of a numeric column ("2000–2100", "≥ 0",
// "> 0"); empty when unbounded.
func RangeZh(c *dict.Column) string {
	switch {
	case c.Min != nil && c.Max != nil:
		return num(*c.Min) + "–" + num(*c.Max)
	case c.Min != nil && c.MinExclusive:
		return "> " + num(*c.Min)
	case c.Min != nil:
		return "≥ " + num(*c.Min)
	case c.Max != nil:
		return "≤ " + num(*c.Max)
	}
	return ""
}

// RequiredZh is 必填 or 选填.
func RequiredZh(c *dict.Column) string {
	if c.Required {
		return "必填"
	}
	return "选填"
}

// ValuesZh lists what may be written in an Enum or Bool column.
func ValuesZh(c *dict.Column) string {
	switch c.Type {
	case dict.Enum:
		return strings.Join(EnumWords(c), "、")
	case dict.Bool:
		s := Yes + "、" + No
		yes, no := boolExtras(c)
		if len(yes)+len(no) > 0 {
			s += "（也可写：" + strings.Join(append(yes, no...), "、") + "）"
		}
		return s
	}
	return ""
}

// Rule is the one-paragraph rule of a column shown in its header comment
// and on the instructions sheet.
func Rule(c *dict.Column) string {
	parts := []string{"类型：" + TypeZh(c.Type), RequiredZh(c)}
	if c.Unit != "" {
		parts = append(parts, "单位："+c.Unit)
	}
	if r := RangeZh(c); r != "" && c.Type != dict.Quarter {
		parts = append(parts, "范围："+r)
	}
	s := strings.Join(parts, "；")
	if v := ValuesZh(c); v != "" {
		s += "\n可填：" + v
	}
	if c.Note != "" && !(c.Type == dict.Enum && noteListsWords(c)) {
		s += "\n" + c.Note
	}
	return s
}

// noteTokens splits a column's note into the words it lists.
func noteTokens(c *dict.Column) []string {
	return strings.FieldsFunc(c.Note, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("/／、，,；;或", r)
	})
}

// noteListsWords reports whether an Enum column's note only lists some of
// its words (then the list of allowed values says it all).
func noteListsWords(c *dict.Column) bool {
	tokens := noteTokens(c)
	for _, t := range tokens {
		if _, ok := c.Values[t]; !ok {
			return false
		}
	}
	return len(tokens) > 0
}

// instructions writes the first sheet.
func (b *builder) instructions(kinds []*dict.Kind) error {
	f := b.f
	sh := InstructionsSheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	title, err := b.style("title", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	if err != nil {
		return err
	}
	wrap, err := b.style("wrap", &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: thin})
	if err != nil {
		return err
	}
	section, err := b.style("section", &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{sectionFill}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: thin,
	})
	if err != nil {
		return err
	}
	head, err := b.headerStyle(optionalFill)
	if err != nil {
		return err
	}
	reqCell, err := b.style("reqcell", &excelize.Style{
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{requiredFill}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: thin,
	})
	if err != nil {
		return err
	}
	if err := f.SetCellStr(sh, "A1", "社区服务数据报送模板 · 填报说明"); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A1", "A1", title); err != nil {
		return err
	}
	var names []string
	for _, k := range kinds {
		names = append(names, k.Zh)
	}
	var codeHeaders []string
	seenCode := map[string]bool{}
	for _, k := range kinds {
		for _, c := range Columns(k) {
			if isCode(c.Type) && !seenCode[c.Header] {
				seenCode[c.Header] = true
				codeHeaders = append(codeHeaders, c.Header)
			}
		}
	}
	general := []string{
		"1. 本模板包含以下工作表：" + strings.Join(names, "、") + "。每个工作表填报一类数据；不需要报送的工作表可以留空。",
		"2. 各工作表第 1 行是表头，请勿修改、删除或调换表头；数据从第 2 行开始填写，每行一条记录，中间不要留空行。",
		"3. 橙色表头为必填列，蓝色表头为选填列；把鼠标移到表头单元格上，可查看该列的填写要求。",
		"4. 代码类列（" + strings.Join(codeHeaders, "、") + "）已设为文本格式，请按原样填写全部位数，不要改成数字格式。",
		"5. 日期请写作 2015-01-01；是否类列填写“" + Yes + "”或“" + No + "”；选项类列请从下拉列表中选择。",
		"6. 以 CSV 文件报送时，每个文件只放一类数据，第 1 行为表头。",
	}
	row := 2
	for _, g := range general {
		cell := fmt.Sprintf("A%d", row)
		if err := f.SetCellStr(sh, cell, g); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell, fmt.Sprintf("G%d", row)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell, cell, b.mustPlainWrap()); err != nil {
			return err
		}
		if err := f.SetRowHeight(sh, row, 30); err != nil {
			return err
		}
		row++
	}
	row++
	header := []string{"工作表", "列名（表头）", "类型", "必填", "单位", "可填写的值", "说明"}
	hdrRow := row
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &header); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("G%d", row), head); err != nil {
		return err
	}
	row++
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = runewidth.StringWidth(h)
	}
	type written struct {
		row  int
		vals []string
	}
	var table []written // rows to give a height once the widths are known
	// measure records a row's values; the first n count for the widths.
	measure := func(vals []string, n int) {
		table = append(table, written{row, vals})
		for i, v := range vals[:n] {
			for _, line := range strings.Split(v, "\n") {
				if w := runewidth.StringWidth(line); w > widths[i] {
					widths[i] = w
				}
			}
		}
	}
	for _, k := range kinds {
		note := kindNote(k)
		vals := []string{k.Zh, "（工作表）", "", "", "", "", note}
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("G%d", row), section); err != nil {
			return err
		}
		measure(vals, 6) // the kind's note is long: it wraps
		row++
		for _, c := range Columns(k) {
			var rng string
			if c.Type != dict.Quarter {
				rng = RangeZh(c)
			}
			desc := c.Note
			if rng != "" && rng != c.Note {
				desc = "范围 " + rng
				if c.Note != "" {
					desc += "；" + c.Note
				}
			}
			vals := []string{k.Zh, c.Header, TypeZh(c.Type), RequiredZh(c), c.Unit, ValuesZh(c), desc}
			if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("G%d", row), wrap); err != nil {
				return err
			}
			if c.Required {
				cell := fmt.Sprintf("B%d", row)
				if err := f.SetCellStyle(sh, cell, cell, reqCell); err != nil {
					return err
				}
			}
			measure(vals, len(vals))
			row++
		}
	}
	maxW := []int{12, 22, 8, 6, 10, 50, 60}
	for i, w := range widths {
		widths[i] = min(w+2, maxW[i])
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, col, col, float64(widths[i])); err != nil {
			return err
		}
	}
	// Not every program grows a row to fit wrapped text: size the rows.
	for _, w := range table {
		n := 1
		for i, v := range w.vals {
			lines := 0
			for _, l := range strings.Split(v, "\n") {
				lines += max(1, (runewidth.StringWidth(l)+widths[i]-3)/max(widths[i]-2, 1))
			}
			n = max(n, lines)
		}
		if n > 1 {
			if err := f.SetRowHeight(sh, w.row, float64(15*n)); err != nil {
				return err
			}
		}
	}
	// Printed on landscape pages, one page wide.
	landscape, one, auto, fit := "landscape", 1, 0, true
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &auto}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	return f.SetPanes(sh, &excelize.Panes{
		Freeze: true, YSplit: hdrRow, TopLeftCell: fmt.Sprintf("A%d", hdrRow+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A1", ActiveCell: "A1", Pane: "bottomLeft"}},
	})
}

func (b *builder) mustPlainWrap() int {
	id, _ := b.style("plainwrap", &excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	return id
}

// kindNote is the instructions line of a kind: its unique key and, for
// the expenditures, the long form it also accepts.
func kindNote(k *dict.Kind) string {
	var parts []string
	if len(k.Key) > 0 {
		var hs []string
		for _, n := range k.Key {
			if c := k.Column(n); c != nil && !longForm[n] {
				hs = append(hs, "「"+c.Header+"」")
			}
		}
		if len(hs) > 0 {
			parts = append(parts, "同一文件中"+strings.Join(hs, "＋")+"相同的行只能有一行。")
		}
	}
	var long []string
	hasWide := false
	for i := range k.Columns {
		c := &k.Columns[i]
		if dict.IsWideCategory(c.Name) {
			hasWide = true
		}
		if longForm[c.Name] {
			long = append(long, "「"+c.Header+"」")
		}
	}
	if hasWide && len(long) > 0 {
		var cats []string
		for _, c := range dict.Categories {
			cats = append(cats, c.Header)
		}
		parts = append(parts, "模板为每类支出一列；也可改用长表格式，以"+strings.Join(long, "、")+
			"两列代替各类支出列，每类支出一行（类别："+strings.Join(cats, "、")+"）。")
	}
	return strings.Join(parts, "")
}

// columnStyle is the style of a data column: its number format.
func (b *builder) columnStyle(c *dict.Column) (int, bool, error) {
	switch {
	case isCode(c.Type):
		id, err := b.style("text", &excelize.Style{NumFmt: 49}) // @
		return id, true, err
	case c.Type == dict.Date:
		f := "yyyy-mm-dd"
		id, err := b.style("date", &excelize.Style{CustomNumFmt: &f})
		return id, true, err
	case isMoney(c):
		id, err := b.style("money", &excelize.Style{NumFmt: 4}) // #,##0.00
		return id, true, err
	case isArea(c):
		id, err := b.style("area", &excelize.Style{NumFmt: 2}) // 0.00
		return id, true, err
	case c.Type == dict.Ratio:
		id, err := b.style("pct", &excelize.Style{NumFmt: 10}) // 0.00%
		return id, true, err
	}
	return 0, false, nil
}

// minWidth is the width a column's values need, beyond its header.
func minWidth(c *dict.Column) int {
	switch c.Type {
	case dict.CommunityCode:
		return 15
	case dict.CreditCode, dict.IDNumber:
		return 21
	case dict.CodeList:
		return 28
	case dict.Code, dict.ServiceItem:
		return 14
	case dict.Date:
		return 12
	case dict.Text:
		return 14
	}
	if isMoney(c) {
		return 14
	}
	return 8
}

func (b *builder) kindSheet(k *dict.Kind) error {
	f := b.f
	sh := k.Zh
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	cols := Columns(k)
	for i, c := range cols {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		cell := col + "1"
		if err := f.SetCellStr(sh, cell, c.Header); err != nil {
			return err
		}
		fill := optionalFill
		if c.Required {
			fill = requiredFill
		}
		hs, err := b.headerStyle(fill)
		if err != nil {
			return err
		}
		rule := Rule(c)
		if err := f.AddComment(sh, excelize.Comment{
			Cell: cell, Author: Author,
			Paragraph: []excelize.RichTextRun{
				{Text: c.Header + "\n", Font: &excelize.Font{Bold: true}},
				{Text: rule},
			},
			Width: 260, Height: uint(60 + 18*strings.Count(rule, "\n")),
		}); err != nil {
			return err
		}
		// Column style first: the header cell keeps its own style.
		if id, ok, err := b.columnStyle(c); err != nil {
			return err
		} else if ok {
			if err := f.SetColStyle(sh, col, id); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sh, cell, cell, hs); err != nil {
			return err
		}
		w := runewidth.StringWidth(c.Header) + 4
		if m := minWidth(c); w < m {
			w = m
		}
		if err := f.SetColWidth(sh, col, col, float64(w)); err != nil {
			return err
		}
		if err := b.validation(sh, col, c); err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	if err := f.SetRowHeight(sh, 1, 30); err != nil {
		return err
	}
	return f.SetPanes(sh, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

// validation adds the data validation of column c on rows 2..LastRow.
func (b *builder) validation(sh, col string, c *dict.Column) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, LastRow)
	style := excelize.DataValidationErrorStyleStop
	var err error
	switch {
	case c.Type == dict.Enum:
		words := EnumWords(c)
		if len(words) == 0 {
			return nil
		}
		list, all := dropList(words)
		if !all {
			style = excelize.DataValidationErrorStyleWarning
		}
		err = dv.SetDropList(list)
	case c.Type == dict.Bool:
		err = dv.SetDropList([]string{Yes, No})
	case c.Type == dict.Quarter:
		err = dv.SetRange(1, 4, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
	case c.Type == dict.Int && (c.Min != nil || c.Max != nil):
		err = setRange(dv, c, excelize.DataValidationTypeWhole)
	case (c.Type == dict.Dec || c.Type == dict.Ratio) && (c.Min != nil || c.Max != nil):
		err = setRange(dv, c, excelize.DataValidationTypeDecimal)
	case c.Type == dict.Date:
		// Any date: a serial on or after 1900-01-01.
		err = dv.SetRange(1, "", excelize.DataValidationTypeDate, excelize.DataValidationOperatorGreaterThanOrEqual)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	rule := Rule(c)
	dv.SetError(style, truncate(c.Header, maxPromptTitle), truncate(strings.ReplaceAll(rule, "\n", "；"), maxErrorMsg))
	dv.SetInput(truncate(c.Header, maxPromptTitle), truncate(rule, maxPrompt))
	return b.f.AddDataValidation(sh, dv)
}

func setRange(dv *excelize.DataValidation, c *dict.Column, t excelize.DataValidationType) error {
	switch {
	case c.Min != nil && c.Max != nil:
		return dv.SetRange(*c.Min, *c.Max, t, excelize.DataValidationOperatorBetween)
	case c.Min != nil && c.MinExclusive:
		return dv.SetRange(*c.Min, "", t, excelize.DataValidationOperatorGreaterThan)
	case c.Min != nil:
		return dv.SetRange(*c.Min, "", t, excelize.DataValidationOperatorGreaterThanOrEqual)
	default:
		return dv.SetRange(*c.Max, "", t, excelize.DataValidationOperatorLessThanOrEqual)
	}
}
