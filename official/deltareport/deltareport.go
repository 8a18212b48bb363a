// Package deltareport writes the delta report of a restatement (更正差异表)
// for people, in Chinese: an Excel workbook and the same content as one
// printable HTML page. It says why the year was restated and by whom, the
// yuan that move per district in the city reward allocation, every mart
// row that changed with its old and new values and the submissions
// behind it, and those submissions with their SHA-256.
package deltareport

import (
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/internal/atomic"
	"shequ/official"
	"shequ/reports"
)

// Meta is what the report says besides the delta.
type Meta struct {
	City   string // 江州市; "" when the profile has none
	Issuer string // 江州市民政局
	By     string // who restates
	At     time.Time
	Reason string
	// Preview marks a dry run: nothing is committed yet.
	Preview bool
	// Headings are the columns' Chinese names (Headings); a column
	// without one is shown by its name.
	Headings map[string]string
	Now      time.Time
}

// Title is the report's title.
func Title(d *official.Delta, m Meta) string {
	return fmt.Sprintf("%s%d年度正式数据更正差异表（第%d版→第%d版）", m.City, d.Year, d.From, d.To)
}

// FileBase is the report's file name without extension:
// 更正差异表_2014_v1-v2, or 更正预览_2014_v1-v2 for a dry run.
func FileBase(d *official.Delta, preview bool) string {
	name := "更正差异表"
	if preview {
		name = "更正预览"
	}
	return fmt.Sprintf("%s_%d_v%d-v%d", name, d.Year, d.From, d.To)
}

// Headings collects the Chinese headings of the columns of every report
// definition, by column name (the first definition's wins).
func Headings(set *reports.Set) map[string]string {
	out := map[string]string{}
	if set == nil {
		return out
	}
	for _, d := range set.Definitions {
		var sheets []*reports.Sheet
		if d.Cover != nil {
			sheets = append(sheets, d.Cover.Tables...)
		}
		sheets = append(sheets, d.Sheets...)
		for _, sh := range sheets {
			for _, c := range sh.Columns {
				if _, ok := out[c.Name]; !ok {
					out[c.Name] = c.Heading
				}
			}
		}
	}
	for k, v := range map[string]string{"year": "年度", "district": "区", "project_code": "项目编号", "community_code": "社区代码",
		"urban_rural": "城乡", "stage": "评估阶段", "tranche": "拨付批次", "provider_credit_code": "承接机构统一社会信用代码",
		"overspent": "超支", "passed": "通过", "stars": "星级", "total_score": "总分", "allocation": "分配金额（元）",
		"share": "占比", "scale": "调整系数", "entitlement": "应得奖励（元）", "eligible_projects": "合格项目数",
		"eligible_spending": "计奖支出（元）", "budget": "预算（元）", "reward_rate": "奖励比例"} {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func (m Meta) heading(col string) string {
	if h, ok := m.Headings[col]; ok && h != "" {
		return h + "（" + col + "）"
	}
	return col
}

// kindsZh names the kinds of submission in Chinese (社区名册, 服务项目…).
func kindsZh(kinds string) string {
	names := map[string]string{"communities": "社区名册", "projects": "服务项目", "staff": "人员名册", "expenditures": "经费支出",
		"activities": "服务记录", "evaluations": "评估结果", "facilities": "功能室"}
	parts := strings.FieldsFunc(kinds, func(r rune) bool { return r == ',' || r == ' ' })
	for i, k := range parts {
		if n, ok := names[k]; ok {
			parts[i] = n
		}
	}
	return strings.Join(parts, "、")
}

// value shows a value for people.
func value(v string) string {
	switch v {
	case "NULL", "":
		return "—"
	case "true":
		return "是"
	case "false":
		return "否"
	}
	return v
}

var changeZh = map[string]string{"changed": "修改", "added": "新增", "removed": "删除"}

// line is one line of the detail: a column of a changed row.
type line struct {
	Mart, Key, Change, Column, Old, New, Submissions string
	Direct                                           bool
}

func lines(d *official.Delta, m Meta) []line {
	var out []line
	for _, r := range d.Rows {
		subs := make([]string, len(r.Submissions))
		for i, id := range r.Submissions {
			s := d.Submission(id)
			subs[i] = fmt.Sprintf("#%d %s", s.ID, s.File)
		}
		sub := strings.Join(subs, "；")
		if !r.Direct {
			sub = "（间接：本年度新报送）" + sub
		}
		keyParts := make([]string, len(r.Key))
		for i, k := range r.Key {
			keyParts[i] = m.heading(k) + "=" + r.KeyVals[i]
		}
		for i, c := range r.Columns {
			out = append(out, line{Mart: official.MartLabel(r.Mart) + "（" + r.Mart + "）", Key: strings.Join(keyParts, "，"),
				Change: changeZh[r.Change], Column: m.heading(c), Old: value(r.Old[i]), New: value(r.New[i]), Submissions: sub, Direct: r.Direct})
		}
	}
	return out
}

// summary is the report's opening lines.
func summary(d *official.Delta, m Meta) []string {
	var out []string
	if m.Issuer != "" {
		out = append(out, "编制单位："+m.Issuer)
	}
	if m.Preview {
		out = append(out, "预览（未提交）：以下为按当前工作数据更正后将产生的差异，正式数据尚未改变。")
	} else {
		out = append(out, fmt.Sprintf("更正：第%d版由 %s 于 %s 签发，替代第%d版；第%d版保留不变，可随时调阅。", d.To, m.By, m.At.In(official.Zone).Format("2006年1月2日 15:04"), d.From, d.From))
	}
	out = append(out, "更正原因："+m.Reason)
	counts := d.ChangeCounts()
	var marts []string
	for k := range counts {
		marts = append(marts, k)
	}
	sort.Strings(marts)
	var parts []string
	for _, k := range marts {
		parts = append(parts, fmt.Sprintf("%s %d 行", official.MartLabel(k), counts[k]))
	}
	if len(parts) == 0 {
		parts = []string{"无"}
	}
	out = append(out, fmt.Sprintf("变动数据行：共 %d 行（%s）。", len(d.Rows), strings.Join(parts, "，")))
	moved, net := d.MovedTotal()
	out = append(out, fmt.Sprintf("市级奖励资金分配：各区变动金额绝对值合计 %s 元，净变动 %s 元。", yuan(moved), yuan(net)))
	out = append(out, fmt.Sprintf("新增或更正的报送文件 %d 个；不再计入的报送文件 %d 个。", len(d.NewSubmissions), len(d.Dropped)))
	return out
}

// yuan writes a decimal text with thousands separators: 1,234,567.89.
func yuan(s string) string {
	if s == "" {
		return "—"
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

func totalOf(moves []official.Move, pick func(official.Move) string) string {
	t := new(big.Rat)
	for _, mv := range moves {
		if x, ok := new(big.Rat).SetString(pick(mv)); ok {
			t.Add(t, x)
		}
	}
	return t.FloatString(2)
}

// Write writes the workbook and the page into dir as FileBase.xlsx and
// .html and returns their paths.
func Write(dir string, d *official.Delta, m Meta) ([]string, error) {
	base := filepath.Join(dir, FileBase(d, m.Preview))
	if err := atomic.WriteFile(base+".xlsx", func(w io.Writer) error { return WriteXLSX(w, d, m) }); err != nil {
		return nil, fmt.Errorf("write %s.xlsx: %w", base, err)
	}
	if err := atomic.WriteFile(base+".html", func(w io.Writer) error { return WriteHTML(w, d, m) }); err != nil {
		return nil, fmt.Errorf("write %s.html: %w", base, err)
	}
	return []string{base + ".xlsx", base + ".html"}, nil
}

// WriteXLSX writes the workbook: 说明, 分配变动, 变动明细, 报送文件.
func WriteXLSX(w io.Writer, d *official.Delta, m Meta) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &book{f: f}
	title := Title(d, m)
	x.styles()

	// 说明.
	s := "说明"
	f.SetSheetName("Sheet1", s)
	x.widths(s, 110)
	x.put(s, 1, 1, title, x.title)
	row := 2
	if m.Preview {
		x.put(s, 1, row, "预览（未提交）：正式数据尚未改变", x.warn)
		row++
	}
	for _, l := range summary(d, m) {
		row++
		x.put(s, 1, row, l, x.wrap)
	}
	x.page(s, "portrait", "", title)

	// 分配变动.
	s = "分配变动"
	f.NewSheet(s)
	x.widths(s, 16, 22, 22, 18)
	x.put(s, 1, 1, fmt.Sprintf("%s%d年度市级奖励资金分配变动（元）", m.City, d.Year), x.title)
	hdr := []string{"区", fmt.Sprintf("第%d版分配金额", d.From), fmt.Sprintf("第%d版分配金额", d.To), "变动金额"}
	for j, h := range hdr {
		x.put(s, j+1, 3, h, x.head)
	}
	row = 4
	for _, mv := range d.Allocation {
		x.put(s, 1, row, mv.District, x.cell)
		x.money(s, 2, row, mv.Old)
		x.money(s, 3, row, mv.New)
		x.money(s, 4, row, mv.Delta)
		row++
	}
	x.put(s, 1, row, "合计", x.head)
	x.money(s, 2, row, totalOf(d.Allocation, func(mv official.Move) string { return mv.Old }))
	x.money(s, 3, row, totalOf(d.Allocation, func(mv official.Move) string { return mv.New }))
	x.money(s, 4, row, totalOf(d.Allocation, func(mv official.Move) string { return mv.Delta }))
	x.page(s, "portrait", "$3:$3", title)

	// 变动明细.
	s = "变动明细"
	f.NewSheet(s)
	x.widths(s, 20, 34, 8, 26, 18, 18, 50)
	x.put(s, 1, 1, "变动的数据行（原值与新值，及其依据的报送）", x.title)
	for j, h := range []string{"数据表", "行", "变动", "字段", fmt.Sprintf("第%d版", d.From), fmt.Sprintf("第%d版", d.To), "依据的报送"} {
		x.put(s, j+1, 3, h, x.head)
	}
	row = 4
	for _, l := range lines(d, m) {
		for j, v := range []string{l.Mart, l.Key, l.Change, l.Column, l.Old, l.New, l.Submissions} {
			st := x.wrap
			if j == 4 || j == 5 {
				st = x.cell
			}
			x.put(s, j+1, row, v, st)
		}
		row++
	}
	if len(d.Rows) == 0 {
		x.put(s, 1, row, "（无变动）", x.cell)
	}
	x.page(s, "landscape", "$3:$3", title)

	// 报送文件.
	s = "报送文件"
	f.NewSheet(s)
	x.widths(s, 8, 46, 10, 22, 18, 66)
	x.put(s, 1, 1, "新增或更正的报送文件，及不再计入的报送文件", x.title)
	for j, h := range []string{"编号", "文件", "区", "数据类型", "接收时间", "SHA-256"} {
		x.put(s, j+1, 3, h, x.head)
	}
	row = 4
	for _, grp := range []struct {
		label string
		subs  []official.Submission
	}{{"新增或更正", d.NewSubmissions}, {"不再计入", d.Dropped}} {
		for _, sub := range grp.subs {
			x.put(s, 1, row, fmt.Sprint(sub.ID), x.cell)
			x.put(s, 2, row, sub.File+"（"+grp.label+"）", x.wrap)
			x.put(s, 3, row, sub.District, x.cell)
			x.put(s, 4, row, kindsZh(sub.Kinds), x.wrap)
			x.put(s, 5, row, sub.ReceivedAt.In(official.Zone).Format("2006-01-02 15:04"), x.cell)
			x.put(s, 6, row, sub.SHA256, x.small)
			row++
		}
	}
	x.page(s, "landscape", "$3:$3", title)

	f.SetActiveSheet(0)
	now := m.Now
	if now.IsZero() {
		now = time.Now()
	}
	f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "shequ", Language: "zh-CN",
		Created: now.UTC().Format(time.RFC3339), Modified: now.UTC().Format(time.RFC3339)})
	if x.err != nil {
		return x.err
	}
	_, err := f.WriteTo(w)
	return err
}

type book struct {
	f                                         *excelize.File
	err                                       error
	title, head, cell, wrap, warn, num, small int
}

func (x *book) check(err error) {
	if err != nil && x.err == nil {
		x.err = err
	}
}

func (x *book) style(s *excelize.Style) int {
	id, err := x.f.NewStyle(s)
	x.check(err)
	return id
}

func (x *book) styles() {
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	x.title = x.style(&excelize.Style{Font: &excelize.Font{Size: 14, Bold: true}})
	x.head = x.style(&excelize.Style{Font: &excelize.Font{Size: 10, Bold: true}, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	x.cell = x.style(&excelize.Style{Font: &excelize.Font{Size: 10}, Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	x.wrap = x.style(&excelize.Style{Font: &excelize.Font{Size: 10}, Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	x.warn = x.style(&excelize.Style{Font: &excelize.Font{Size: 11, Bold: true, Color: "C00000"}})
	numFmt := "#,##0.00"
	x.num = x.style(&excelize.Style{Font: &excelize.Font{Size: 10}, Border: border, CustomNumFmt: &numFmt})
	x.small = x.style(&excelize.Style{Font: &excelize.Font{Size: 8}, Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func (x *book) widths(sheet string, ws ...float64) {
	for i, w := range ws {
		c, _ := excelize.ColumnNumberToName(i + 1)
		x.check(x.f.SetColWidth(sheet, c, c, w))
	}
}

func (x *book) put(sheet string, col, row int, v string, style int) {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	x.check(x.f.SetCellStr(sheet, ref, v))
	x.check(x.f.SetCellStyle(sheet, ref, ref, style))
}

// money writes a decimal text as a number shown to the fen (the text has
// at most two decimals, so the number written is that decimal).
func (x *book) money(sheet string, col, row int, v string) {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	if v == "" {
		x.put(sheet, col, row, "—", x.cell)
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		x.put(sheet, col, row, v, x.cell)
		return
	}
	x.check(x.f.SetCellFloat(sheet, ref, f, 2, 64))
	x.check(x.f.SetCellStyle(sheet, ref, ref, x.num))
}

func ptr[T any](v T) *T { return &v }

// page prepares a sheet for A4 printing, fitted to the page width, with
// header rows repeated and the title and page numbers in the margins.
func (x *book) page(sheet, orientation, titleRows, title string) {
	x.check(x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: ptr(true)}))
	x.check(x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: ptr(orientation), FitToWidth: ptr(1), FitToHeight: ptr(0)}))
	x.check(x.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: ptr(0.5), Right: ptr(0.5), Top: ptr(0.7), Bottom: ptr(0.7),
		Header: ptr(0.3), Footer: ptr(0.3), Horizontally: ptr(true)}))
	if titleRows != "" {
		x.check(x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!" + titleRows, Scope: sheet}))
	}
	esc := strings.NewReplacer("&", "&&")
	x.check(x.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L&8" + esc.Replace(title) + "&R&8" + esc.Replace(sheet),
		OddFooter: "&R&8第 &P 页，共 &N 页",
	}))
}
