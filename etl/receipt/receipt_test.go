package receipt

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shequ/etl/etltest"
	"shequ/etl/validate"
)

const inbox = "../../samples/inbox/"

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// summary reads the labelled lines of the receipt sheet (label → value)
// and the rows of its problem table.
func summary(t *testing.T, f *excelize.File) (map[string]string, [][]string) {
	t.Helper()
	if got := f.GetSheetName(0); got != Sheet {
		t.Fatalf("first sheet = %q, want %s", got, Sheet)
	}
	rows, err := f.GetRows(Sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0][0] != Title {
		t.Fatalf("receipt title: %q", rows)
	}
	lines := map[string]string{}
	for i, r := range rows[1:] {
		if len(r) > 0 && r[0] == "工作表" {
			if !reflect.DeepEqual(r, tableHeader) {
				t.Errorf("table header = %q", r)
			}
			var table [][]string
			for _, tr := range rows[i+2:] {
				for len(tr) < len(tableHeader) {
					tr = append(tr, "")
				}
				table = append(table, tr)
			}
			return lines, table
		}
		if len(r) >= 2 {
			lines[r[0]] = r[1]
		} else if len(r) == 1 {
			lines[r[0]] = ""
		}
	}
	t.Fatal("no problem table")
	return nil, nil
}

func fill(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	st := style(t, f, sheet, cell)
	if st.Fill.Pattern != 1 || len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

func comments(t *testing.T, f *excelize.File, sheet string) map[string]excelize.Comment {
	t.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]excelize.Comment{}
	for _, c := range cs {
		m[c.Cell] = c
	}
	return m
}

func commentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

var received = time.Date(2015, 4, 3, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func csvProblems() []Problem {
	return []Problem{
		{Sheet: "", Problem: validate.Problem{Row: 24, Column: "community_code", Header: "社区编码", Letter: "E", Value: "51990311290",
			Severity: validate.Error, Code: validate.InvalidCode}},
		{Sheet: "", Problem: validate.Problem{Row: 35, Column: "resident_population", Header: "常住人口", Letter: "H", Value: "-2146",
			Severity: validate.Error, Code: validate.NegativeValue}},
	}
}

func TestCSVReceipt(t *testing.T) {
	info := Info{
		File: "batch1/02_青山区社区名册.csv", District: "青山区", Submission: 2, Status: Loaded,
		SHA256: "0d4f6b", Kinds: []string{"communities"}, Read: 41, Loaded: 39, Rejected: 2, ReceivedAt: received,
	}
	dst := Path(t.TempDir(), info)
	if filepath.Base(dst) != "2_02_青山区社区名册_回执.xlsx" || filepath.Base(filepath.Dir(dst)) != "青山区" {
		t.Fatalf("Path = %s", dst)
	}
	ps := csvProblems()
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "csv", "gb18030", info, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet, DataSheet}) {
		t.Fatalf("sheets = %q", got)
	}
	// The receipt opens first, and only its tab is selected.
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d", f.GetActiveSheetIndex())
	}
	if got := selectedTabs(t, dst); !reflect.DeepEqual(got, []string{"xl/worksheets/sheet1.xml"}) {
		t.Errorf("selected tabs in %q, want the receipt's alone", got)
	}
	lines, table := summary(t, f)
	want := map[string]string{
		LabelFile: info.File, LabelDistrict: "青山区", LabelSHA256: "0d4f6b", LabelSubmission: "2",
		LabelReceived: "2015-04-03 09:30:00", LabelKinds: "社区名册",
		LabelRead: "41", LabelLoaded: "39", LabelRejected: "2", LabelWarned: "0",
	}
	for k, v := range want {
		if lines[k] != v {
			t.Errorf("%s = %q, want %q", k, lines[k], v)
		}
	}
	if !strings.HasPrefix(lines[LabelStatus], "已入库") {
		t.Errorf("status = %q", lines[LabelStatus])
	}
	if len(table) != 2 {
		t.Fatalf("table = %q", table)
	}
	wantRows := [][]string{
		{"", "24", "E", "社区编码", "51990311290", "错误", "invalid_code", ps[0].MessageZh()},
		{"", "35", "H", "常住人口", "-2146", "错误", "negative_value", ps[1].MessageZh()},
	}
	if !reflect.DeepEqual(table, wantRows) {
		t.Errorf("table =\n%q\nwant\n%q", table, wantRows)
	}
	// The row cell links to the marked cell of the copy.
	if ok, link, _ := f.GetCellHyperLink(Sheet, "B"+strconv.Itoa(rowOf(t, f, "24"))); !ok || link != "'数据'!E24" {
		t.Errorf("link = %v %q", ok, link)
	}

	// The copy: the district's rows where they were, decoded, codes as text.
	if v, _ := f.GetCellValue(DataSheet, "E24"); v != "51990311290" {
		t.Errorf("数据!E24 = %q", v)
	}
	if typ, _ := f.GetCellType(DataSheet, "E24"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("数据!E24 type = %v, want a string", typ)
	}
	if v, _ := f.GetCellValue(DataSheet, "F24"); v != "新丰村" {
		t.Errorf("数据!F24 = %q (GB18030 decoding)", v)
	}
	if v, _ := f.GetCellValue(DataSheet, "H35"); v != "-2146" {
		t.Errorf("数据!H35 = %q", v)
	}
	// Full-width digits and thousands separators stay exactly as written.
	if v, _ := f.GetCellValue(DataSheet, "H22"); v != "２９８１" {
		t.Errorf("数据!H22 = %q", v)
	}
	if v, _ := f.GetCellValue(DataSheet, "I26"); v != "2,393" {
		t.Errorf("数据!I26 = %q", v)
	}
	rows, _ := f.GetRows(DataSheet)
	if len(rows) != 51 {
		t.Errorf("数据 has %d rows, the file 51 lines", len(rows))
	}

	cs := comments(t, f, DataSheet)
	for _, p := range ps {
		cell := p.Letter + strconv.Itoa(p.Row)
		c, ok := cs[cell]
		if !ok {
			t.Errorf("no comment on %s", cell)
			continue
		}
		if c.Author != Author || !strings.Contains(commentText(c), p.MessageZh()) {
			t.Errorf("comment on %s = %q by %q", cell, commentText(c), c.Author)
		}
		if got := fill(t, f, DataSheet, cell); got != ErrorFill {
			t.Errorf("fill of %s = %q, want red", cell, got)
		}
	}
	if len(cs) != 2 {
		t.Errorf("%d comments, want 2", len(cs))
	}
	// A neighbour keeps its value and style.
	if v, _ := f.GetCellValue(DataSheet, "F24"); v != "新丰村" {
		t.Errorf("F24 = %q", v)
	}
	a, _ := f.GetCellStyle(DataSheet, "F24")
	b, _ := f.GetCellStyle(DataSheet, "E23")
	if a != b || fill(t, f, DataSheet, "F24") != "" {
		t.Errorf("neighbour style %d, unmarked cell %d", a, b)
	}
}

// rowOf is the receipt row whose 行 column holds r.
func rowOf(t *testing.T, f *excelize.File, r string) int {
	rows, _ := f.GetRows(Sheet)
	for i, row := range rows {
		if len(row) > 1 && row[1] == r && row[0] != LabelSubmission {
			return i + 1
		}
	}
	t.Fatalf("no receipt row for %s", r)
	return 0
}

// selectedTabs lists the worksheet parts of the workbook at path that
// mark their tab selected.
func selectedTabs(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []string
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(`tabSelected="1"`)) || bytes.Contains(data, []byte(`tabSelected="true"`)) {
			out = append(out, zf.Name)
		}
	}
	return out
}

func xlsxProblems() []Problem {
	return []Problem{
		{Sheet: "项目情况", Problem: validate.Problem{Row: 3, Column: "community_codes", Header: "覆盖社区代码", Letter: "I",
			Value: "519902101203、519902001005", Severity: validate.Error, Code: validate.CommunityNotInRoster, Detail: "519902001005"}},
		{Sheet: "项目情况", Problem: validate.Problem{Row: 11, Column: "provider_credit_code", Header: "统一社会信用代码", Letter: "H",
			Value: "52519902M938948230", Severity: validate.Error, Code: validate.BadCheckCharacter}},
	}
}

func TestXLSXReceipt(t *testing.T) {
	src := inbox + "batch1/03_临江区2013年度项目及人员.xlsx"
	info := Info{
		File: "batch1/03_临江区2013年度项目及人员.xlsx", District: "临江区", Submission: 3, Status: Loaded,
		Kinds: []string{"projects", "staff"}, Read: 59, Loaded: 57, Rejected: 2, ReceivedAt: received,
	}
	dir := t.TempDir()
	dst := Path(dir, info)
	ps := xlsxProblems()
	if err := Write(dst, src, "xlsx", "", info, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	orig := open(t, src)
	f := open(t, dst)
	want := append([]string{Sheet}, orig.GetSheetList()...)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d", f.GetActiveSheetIndex())
	}
	if got := selectedTabs(t, dst); len(got) != 1 {
		t.Errorf("selected tabs in %q, want the receipt's alone", got)
	}
	lines, table := summary(t, f)
	if lines[LabelKinds] != "服务项目、人员名册" || lines[LabelRead] != "59" || lines[LabelLoaded] != "57" ||
		lines[LabelRejected] != "2" || lines[LabelWarned] != "0" || lines[LabelSubmission] != "3" {
		t.Errorf("lines = %q", lines)
	}
	if len(table) != 2 || table[0][0] != "项目情况" || table[0][1] != "3" || table[0][2] != "I" ||
		table[0][6] != "community_not_in_roster" || table[1][1] != "11" || table[1][2] != "H" ||
		table[1][4] != "52519902M938948230" || table[1][5] != "错误" || table[1][7] != ps[1].MessageZh() {
		t.Errorf("table = %q", table)
	}

	cs := comments(t, f, "项目情况")
	for _, p := range ps {
		cell := p.Letter + strconv.Itoa(p.Row)
		if c := cs[cell]; c.Author != Author || !strings.Contains(commentText(c), p.MessageZh()) {
			t.Errorf("comment on %s = %+v", cell, c)
		}
		if got := fill(t, f, "项目情况", cell); got != ErrorFill {
			t.Errorf("fill of %s = %q, want red", cell, got)
		}
		// The marked cell keeps its value.
		a, _ := orig.GetCellValue("项目情况", cell)
		b, _ := f.GetCellValue("项目情况", cell)
		if a != b {
			t.Errorf("%s = %q, was %q", cell, b, a)
		}
	}
	// Untouched neighbours keep value and style, every sheet's data too.
	for _, sheet := range orig.GetSheetList() {
		a, _ := orig.GetRows(sheet)
		b, _ := f.GetRows(sheet)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("sheet %s differs from the original", sheet)
		}
	}
	for _, cell := range []string{"H10", "G11", "I4", "J3", "J4"} {
		a, _ := orig.GetCellStyle("项目情况", cell)
		b, _ := f.GetCellStyle("项目情况", cell)
		va, _ := orig.GetCellValue("项目情况", cell)
		vb, _ := f.GetCellValue("项目情况", cell)
		if a != b || va != vb {
			t.Errorf("%s: style %d → %d, value %q → %q", cell, a, b, va, vb)
		}
	}
	// Merges of the two-row header are kept.
	ma, _ := orig.GetMergeCells("项目情况")
	mb, _ := f.GetMergeCells("项目情况")
	if len(ma) != len(mb) || len(mb) == 0 {
		t.Errorf("merges %d → %d", len(ma), len(mb))
	}
}

// TestKeepsStyle marks cells of a sample with dates, numbers and text and
// checks every style property but the fill survives, and the value shown.
func TestKeepsStyle(t *testing.T) {
	for _, name := range []string{"batch1/03_临江区2013年度项目及人员.xlsx", "batch1/07_临江区经费支出2013-2014.xlsx",
		"batch1/11_2013年度评估结果.xlsx", "batch2/15_青山区2014年社区名册（更正）.xlsx"} {
		t.Run(name, func(t *testing.T) {
			src := inbox + name
			orig := open(t, src)
			sheet := orig.GetSheetName(0)
			var ps []Problem
			for r := 1; r <= 6; r++ {
				for c := 1; c <= 12; c++ {
					l, _ := excelize.ColumnNumberToName(c)
					sev := validate.Error
					if c%2 == 0 {
						sev = validate.Warning
					}
					ps = append(ps, Problem{Sheet: sheet, Problem: validate.Problem{Row: r, Letter: l, Severity: sev, Code: validate.InvalidNumber, Column: "x"}})
				}
			}
			dst := filepath.Join(t.TempDir(), "r.xlsx")
			if err := Write(dst, src, "xlsx", "", Info{Status: Loaded}, ps, Limits{}); err != nil {
				t.Fatal(err)
			}
			f := open(t, dst)
			merged := map[string]bool{} // cells hidden under a merge
			mc, _ := orig.GetMergeCells(sheet)
			for _, m := range mc {
				c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
				c2, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
				for r := r1; r <= r2; r++ {
					for c := c1; c <= c2; c++ {
						if r != r1 || c != c1 {
							n, _ := excelize.CoordinatesToCellName(c, r)
							merged[n] = true
						}
					}
				}
			}
			for _, p := range ps {
				cell := p.Letter + strconv.Itoa(p.Row)
				va, _ := orig.GetCellValue(sheet, cell)
				vb, _ := f.GetCellValue(sheet, cell)
				if va != vb {
					t.Errorf("%s shows %q, was %q", cell, vb, va)
				}
				if merged[cell] {
					continue
				}
				ia, _ := orig.GetCellStyle(sheet, cell)
				ib, _ := f.GetCellStyle(sheet, cell)
				sa, _ := orig.GetStyle(ia)
				sb, _ := f.GetStyle(ib)
				if fill := sb.Fill; fill.Pattern != 1 || len(fill.Color) != 1 {
					t.Errorf("%s fill = %+v", cell, fill)
				}
				sa.Fill, sb.Fill = excelize.Fill{}, excelize.Fill{}
				if !reflect.DeepEqual(sa, sb) {
					t.Errorf("%s style changed beyond the fill:\n%+v\n%+v", cell, sa, sb)
				}
			}
		})
	}
}

// TestHiddenSheetAndWarning: a workbook with a hidden sheet and a warning.
func TestHiddenSheetAndWarning(t *testing.T) {
	src := inbox + "batch1/04_临江区2014年度项目及人员.xlsx"
	ps := []Problem{{Sheet: "项目", Problem: validate.Problem{Row: 5, Column: "contract_amount", Header: " 年度经费 ", Letter: "K", Value: "821000",
		Severity: validate.Warning, Code: validate.FundingMismatch}}}
	info := Info{File: "batch1/04_临江区2014年度项目及人员.xlsx", District: "临江区", Submission: 4, Status: Loaded,
		Kinds: []string{"projects", "staff"}, Read: 69, Loaded: 69, Warned: 1}
	dst := Path(t.TempDir(), info)
	if err := Write(dst, src, "xlsx", "", info, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	orig := open(t, src)
	f := open(t, dst)
	if got, want := f.GetSheetList(), append([]string{Sheet}, orig.GetSheetList()...); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	for _, s := range orig.GetSheetList() {
		a, _ := orig.GetSheetVisible(s)
		b, _ := f.GetSheetVisible(s)
		if a != b {
			t.Errorf("sheet %s visible %v → %v", s, a, b)
		}
	}
	if v, _ := f.GetSheetVisible("下拉列表"); v {
		t.Error("hidden sheet 下拉列表 is visible")
	}
	if v, _ := f.GetSheetVisible(Sheet); !v {
		t.Error("receipt sheet hidden")
	}
	if got := fill(t, f, "项目", "K5"); got != WarningFill {
		t.Errorf("K5 fill = %q, want orange", got)
	}
	if c := comments(t, f, "项目")["K5"]; !strings.Contains(commentText(c), "该行已入库，请核实") {
		t.Errorf("K5 comment = %q", commentText(c))
	}
	_, table := summary(t, f)
	if len(table) != 1 || table[0][5] != "警告" || table[0][3] != "年度经费" {
		t.Errorf("table = %q", table)
	}
}

// TestMarksOnOneCell: several problems on one cell make one comment; a
// problem without a column marks the row's first cell; a problem inside a
// merged range marks the range's top-left cell.
func TestMarksOnOneCell(t *testing.T) {
	src := inbox + "batch1/01_临江区社区名册2013-2014.xlsx"
	ps := []Problem{
		{Sheet: "2013年", Problem: validate.Problem{Row: 10, Letter: "H", Value: "x", Severity: validate.Warning, Code: validate.TotalMismatch}},
		{Sheet: "2013年", Problem: validate.Problem{Row: 10, Letter: "H", Value: "x", Severity: validate.Error, Code: validate.InvalidNumber}},
		{Sheet: "2013年", Problem: validate.Problem{Row: 10, Letter: "H", Value: "x", Severity: validate.Error, Code: validate.InvalidNumber}}, // repeated
		{Sheet: "2013年", Problem: validate.Problem{Row: 12, Severity: validate.Error, Code: validate.DuplicateKey}},
		{Sheet: "2013年", Problem: validate.Problem{Row: 6, Letter: "D", Severity: validate.Error, Code: validate.MissingRequired}}, // D4:D7
		{Sheet: "2013年", Problem: validate.Problem{Row: 0, Severity: validate.Error, Code: validate.MissingColumn}},                // no cell
		{Sheet: "无此表", Problem: validate.Problem{Row: 3, Letter: "A", Severity: validate.Error, Code: validate.InvalidDate}},       // no sheet
	}
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	if err := Write(dst, src, "xlsx", "", Info{Status: Loaded}, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	cs := comments(t, f, "2013年")
	if len(cs) != 3 {
		t.Errorf("comments on %v, want H10, A12, D4", keys(cs))
	}
	h := commentText(cs["H10"])
	if strings.Count(h, "第10行") != 2 || !strings.Contains(h, ps[0].MessageZh()) || !strings.Contains(h, ps[1].MessageZh()) {
		t.Errorf("H10 comment = %q", h)
	}
	if got := fill(t, f, "2013年", "H10"); got != ErrorFill {
		t.Errorf("H10 fill = %q: an error and a warning make red", got)
	}
	if !strings.Contains(commentText(cs["A12"]), ps[3].MessageZh()) || fill(t, f, "2013年", "A12") != ErrorFill {
		t.Errorf("A12 comment = %q", commentText(cs["A12"]))
	}
	if !strings.Contains(commentText(cs["D4"]), "第6行") || fill(t, f, "2013年", "D4") != ErrorFill {
		t.Errorf("D4 comment = %q", commentText(cs["D4"]))
	}
	_, table := summary(t, f)
	if len(table) != len(ps) {
		t.Errorf("table lists %d problems, want all %d", len(table), len(ps))
	}
}

func keys[V any](m map[string]V) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return s
}

// TestWorkbookParts: the district's own comment, a sheet-scoped defined
// name and a sheet named 回执 all survive the receipt.
func TestWorkbookParts(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.xlsx")
	w := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.SetSheetName("Sheet1", "回执"))
	_, err := w.NewSheet("名册")
	must(err)
	must(w.SetSheetRow("名册", "A1", &[]any{"年度", "社区代码", "常住人口", "日期"}))
	must(w.SetSheetRow("名册", "A2", &[]any{2014, "519903001001", 1200, 41640}))
	must(w.SetSheetRow("名册", "A3", &[]any{2014, "51990300100", -5, 41641}))
	date := "yyyy\"年\"m\"月\"d\"日\""
	styled, err := w.NewStyle(&excelize.Style{
		Font:         &excelize.Font{Bold: true, Italic: true, Color: "1F4E78", Size: 13, Family: "宋体"},
		Border:       []excelize.Border{{Type: "bottom", Color: "000000", Style: 2}},
		Alignment:    &excelize.Alignment{Horizontal: "right"},
		CustomNumFmt: &date,
	})
	must(err)
	must(w.SetCellStyle("名册", "D2", "D3", styled))
	must(w.AddComment("名册", excelize.Comment{Cell: "C3", Author: "张三", Text: "待核实"}))
	must(w.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: "'名册'!$A$1:$D$3", Scope: "名册"}))
	must(w.SetDefinedName(&excelize.DefinedName{Name: "范围", RefersTo: "'名册'!$A$1:$A$3"}))
	must(w.SaveAs(src))
	w.Close()

	ps := []Problem{
		{Sheet: "名册", Problem: validate.Problem{Row: 3, Letter: "C", Value: "-5", Severity: validate.Error, Code: validate.NegativeValue}},
		{Sheet: "名册", Problem: validate.Problem{Row: 3, Letter: "D", Value: "41641", Severity: validate.Warning, Code: validate.OutOfRange}},
		{Sheet: "名册", Problem: validate.Problem{Row: 3, Letter: "B", Value: "51990300100", Severity: validate.Error, Code: validate.InvalidCode, Column: "community_code"}},
	}
	dst := filepath.Join(dir, "out", "r.xlsx")
	if err := Write(dst, src, "xlsx", "", Info{Status: Loaded, Rejected: 1, Read: 2, Loaded: 1}, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"报送回执", "回执", "名册"}) {
		t.Fatalf("sheets = %q", got)
	}
	// The district's sheet 回执 is theirs, untouched.
	if v, _ := f.GetCellValue("回执", "A1"); v != "" {
		t.Errorf("district's 回执 A1 = %q", v)
	}
	if v, _ := f.GetCellValue("报送回执", "A1"); v != Title {
		t.Errorf("receipt A1 = %q", v)
	}
	// The comment C3 keeps the district's words before ours.
	c := comments(t, f, "名册")["C3"]
	if txt := commentText(c); !strings.HasPrefix(txt, "原批注（张三）：待核实") || !strings.Contains(txt, ps[0].MessageZh()) {
		t.Errorf("C3 comment = %q", txt)
	}
	// The date cell keeps font, border, alignment and format; only the fill is new.
	id, _ := f.GetCellStyle("名册", "D3")
	st, _ := f.GetStyle(id)
	if st.Font == nil || !st.Font.Bold || !st.Font.Italic || st.Font.Size != 13 || st.Font.Family != "宋体" ||
		!strings.EqualFold(st.Font.Color, "1F4E78") || len(st.Border) != 1 || st.Border[0].Style != 2 ||
		st.Alignment == nil || st.Alignment.Horizontal != "right" || st.CustomNumFmt == nil || *st.CustomNumFmt != date {
		t.Errorf("D3 style = %+v font %+v", st, st.Font)
	}
	if fill(t, f, "名册", "D3") != WarningFill {
		t.Errorf("D3 fill = %q", fill(t, f, "名册", "D3"))
	}
	if v, _ := f.GetCellValue("名册", "D3"); v != "2014年1月2日" {
		t.Errorf("D3 shows %q", v)
	}
	if v, _ := f.GetCellValue("名册", "D2"); v != "2014年1月1日" {
		t.Errorf("D2 shows %q", v)
	}
	id2, _ := f.GetCellStyle("名册", "D2")
	if id2 == id || fill(t, f, "名册", "D2") != "" {
		t.Errorf("D2 style changed")
	}
	// The defined names still point at their sheets.
	names := map[string]excelize.DefinedName{}
	for _, dn := range f.GetDefinedName() {
		names[dn.Name+"@"+dn.Scope] = dn
	}
	if dn, ok := names["_xlnm.Print_Area@名册"]; !ok || dn.RefersTo != "'名册'!$A$1:$D$3" {
		t.Errorf("print area: %+v", f.GetDefinedName())
	}
	if _, ok := names["范围@Workbook"]; !ok {
		t.Errorf("workbook name lost: %+v", f.GetDefinedName())
	}
	if _, ok := names["_xlnm._FilterDatabase@报送回执"]; !ok {
		t.Errorf("receipt filter: %+v", f.GetDefinedName())
	}
}

func TestQuarantined(t *testing.T) {
	info := Info{File: "batch1/坏文件.xlsx", Submission: 9, Status: Quarantined, SHA256: "ff00",
		Reason: "corrupt", ReasonZh: "文件已损坏，无法打开，请重新导出后报送。", ReceivedAt: received}
	dst := Path(t.TempDir(), info)
	if filepath.Base(filepath.Dir(dst)) != "unknown" || filepath.Base(dst) != "9_坏文件_回执.xlsx" {
		t.Errorf("Path = %s", dst)
	}
	// The original may be anything, even missing.
	if err := Write(dst, "/nonexistent/坏文件.xlsx", "xlsx", "", info, nil, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet}) {
		t.Fatalf("sheets = %q", got)
	}
	lines, table := summary(t, f)
	if lines[LabelStatus] != "已隔离" || lines[LabelReason] != info.ReasonZh || lines[LabelDistrict] != "（未识别）" ||
		lines[LabelKinds] != "（未识别）" || lines[LabelRead] != "0" {
		t.Errorf("lines = %q", lines)
	}
	if len(table) != 1 || table[0][0] != "未发现问题。" {
		t.Errorf("table = %q", table)
	}
}

func TestDuplicate(t *testing.T) {
	info := Info{File: "batch2/06_青山区人员名册2013-2014.csv", District: "青山区", Submission: 16, Status: Duplicate,
		Kinds: []string{"staff"}}
	dst := Path(t.TempDir(), info)
	if err := Write(dst, inbox+"batch2/06_青山区人员名册2013-2014.csv", "csv", "utf-8", info, nil, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet}) {
		t.Fatalf("sheets = %q", got)
	}
	lines, _ := summary(t, f)
	if lines[LabelStatus] != "重复报送" || !strings.Contains(lines[LabelReason], "完全相同") {
		t.Errorf("lines = %q", lines)
	}
}

func TestTooLarge(t *testing.T) {
	for name, lim := range map[string]Limits{
		"bytes": {MaxAnnotateBytes: 1000},
		"rows":  {MaxAnnotateRows: 30},
	} {
		for _, c := range []struct{ src, format, enc string }{
			{"batch1/02_青山区社区名册.csv", "csv", "gb18030"},
			{"batch1/03_临江区2013年度项目及人员.xlsx", "xlsx", ""},
		} {
			t.Run(name+"/"+c.format, func(t *testing.T) {
				dst := filepath.Join(t.TempDir(), "r.xlsx")
				ps := csvProblems()
				if c.format == "xlsx" {
					ps = xlsxProblems()
				}
				if err := Write(dst, inbox+c.src, c.format, c.enc, Info{Status: Loaded}, ps, lim); err != nil {
					t.Fatal(err)
				}
				f := open(t, dst)
				if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet}) {
					t.Fatalf("sheets = %q", got)
				}
				lines, table := summary(t, f)
				if lines[LabelNote] != NoteTooLarge {
					t.Errorf("note = %q", lines[LabelNote])
				}
				if _, ok := lines[LabelHint]; ok {
					t.Error("hint about a copy that is not there")
				}
				if len(table) != 2 {
					t.Errorf("table = %q", table)
				}
			})
		}
	}
}

func TestUnreadableOriginal(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	// A CSV named as a workbook: no copy, but a receipt.
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "xlsx", "", Info{Status: Loaded}, xlsxProblems(), Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	lines, _ := summary(t, f)
	if len(f.GetSheetList()) != 1 || lines[LabelNote] != NoteNoCopy {
		t.Errorf("sheets %q, note %q", f.GetSheetList(), lines[LabelNote])
	}
	if err := Write(dst, "x.csv", "pdf", "", Info{Status: Loaded}, nil, Limits{}); err == nil {
		t.Error("unknown format: no error")
	}
	if err := Write(dst, "x.csv", "csv", "latin1", Info{Status: Loaded}, nil, Limits{}); err == nil {
		t.Error("unknown encoding: no error")
	}
}

func TestEncodings(t *testing.T) {
	// UTF-8 with a byte-order mark, given and detected.
	for _, enc := range []string{"utf-8-bom", ""} {
		dst := filepath.Join(t.TempDir(), "r.xlsx")
		if err := Write(dst, inbox+"batch1/05_青山区服务项目2013-2014.csv", "csv", enc, Info{Status: Loaded}, nil, Limits{}); err != nil {
			t.Fatal(err)
		}
		f := open(t, dst)
		rows, _ := f.GetRows(DataSheet)
		data, _ := os.ReadFile(inbox + "batch1/05_青山区服务项目2013-2014.csv")
		first := strings.SplitN(strings.TrimPrefix(string(data), "\ufeff"), ",", 2)[0]
		if len(rows) == 0 || rows[0][0] != first {
			t.Errorf("%q: A1 = %q, want %q", enc, rows[0][0], first)
		}
	}
	// GB18030 detected.
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "csv", "", Info{Status: Loaded}, nil, Limits{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := open(t, dst).GetCellValue(DataSheet, "F24"); v != "新丰村" {
		t.Errorf("detected GB18030: F24 = %q", v)
	}
}

func TestListedLimit(t *testing.T) {
	var ps []Problem
	for i := 0; i < 30; i++ {
		ps = append(ps, Problem{Sheet: "", Problem: validate.Problem{Row: 3 + i, Letter: "B", Severity: validate.Error, Code: validate.InvalidNumber}})
	}
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "csv", "gb18030", Info{Status: Loaded},
		ps, Limits{MaxListed: 10, MaxComments: 4}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	lines, table := summary(t, f)
	if len(table) != 10 || !strings.Contains(lines[LabelNote], "共 30 条问题") {
		t.Errorf("%d rows listed, note %q", len(table), lines[LabelNote])
	}
	if n := len(comments(t, f, DataSheet)); n != 4 {
		t.Errorf("%d comments, want 4", n)
	}
	if fill(t, f, DataSheet, "B12") != ErrorFill || fill(t, f, DataSheet, "B13") != "" {
		t.Error("the listed problems are filled, the others not")
	}
}

func TestPath(t *testing.T) {
	for _, c := range []struct {
		info Info
		want string
	}{
		{Info{File: "batch1/02_青山区社区名册.csv", District: "青山区", Submission: 2}, "r/青山区/2_02_青山区社区名册_回执.xlsx"},
		{Info{File: `a\b\名册.v2.xlsx`, District: "", Submission: 10}, "r/unknown/10_名册.v2_回执.xlsx"},
		{Info{File: "x/..", District: "../..", Submission: 1}, "r/unknown/1_file_回执.xlsx"},
		{Info{File: "a:b*c?.csv", District: "临江/区", Submission: 3}, "r/临江_区/3_a_b_c__回执.xlsx"},
	} {
		if got := Path("r", c.info); got != filepath.FromSlash(c.want) {
			t.Errorf("Path(%+v) = %s, want %s", c.info, got, c.want)
		}
	}
}

func TestNoTempLeft(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "r.xlsx")
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "csv", "gb18030", Info{Status: Loaded}, csvProblems(), Limits{}); err != nil {
		t.Fatal(err)
	}
	// Writing again replaces the receipt.
	if err := Write(dst, inbox+"batch1/02_青山区社区名册.csv", "csv", "gb18030", Info{Status: Loaded}, nil, Limits{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "r.xlsx" {
		t.Errorf("dir holds %v", entries)
	}
	// dst in a directory that cannot be created.
	if err := Write(filepath.Join(dst, "x", "r.xlsx"), "", "csv", "", Info{Status: Quarantined}, nil, Limits{}); err == nil {
		t.Error("no error writing under a file")
	}
}

func FuzzWriteCSVReceipt(f *testing.F) {
	seed, _ := os.ReadFile(inbox + "batch1/02_青山区社区名册.csv")
	f.Add(seed, 24, "E", true)
	f.Add([]byte("a,b\n1,\"2\n3\"\n\n,,,\r\n"), 2, "", false)
	f.Add([]byte("\xef\xbb\xbf\"unclosed,\x00\x01\xff\xfe"), 1, "A", true)
	f.Add([]byte{}, 0, "ZZZZ", false)
	f.Add([]byte("=1+1,'x,\"\"\"\n"), 1048577, "XFE", true)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, row int, letter string, isErr bool) {
		src := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(src, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sev := validate.Warning
		if isErr {
			sev = validate.Error
		}
		ps := []Problem{{Sheet: "", Problem: validate.Problem{Row: row, Letter: letter, Value: string(data[:min(len(data), 40)]),
			Severity: sev, Code: validate.InvalidCode, Column: "community_code"}}}
		dst := filepath.Join(dir, "out", "r.xlsx")
		for _, enc := range []string{"", "utf-8", "gb18030"} {
			if err := Write(dst, src, "csv", enc, Info{Status: Loaded, File: string(data[:min(len(data), 20)])}, ps, Limits{}); err != nil {
				t.Fatalf("Write(%q): %v", enc, err)
			}
			out, err := excelize.OpenFile(dst)
			if err != nil {
				t.Fatalf("receipt does not open: %v", err)
			}
			if out.GetSheetName(0) != Sheet {
				t.Fatalf("first sheet %q", out.GetSheetName(0))
			}
			out.Close()
		}
	})
}

// TestCSVDialectsCopy: a CSV file the ingest reads with another dialect
// (semicolons, lone-CR line ends) gets its copy read the same way: the
// problems' cells are marked where the district sees them.
func TestCSVDialectsCopy(t *testing.T) {
	orig, err := os.ReadFile(inbox + "batch1/02_青山区社区名册.csv")
	if err != nil {
		t.Fatal(err)
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(orig)
	if err != nil {
		t.Fatal(err)
	}
	semi := strings.ReplaceAll(strings.ReplaceAll(string(text), ",", ";"), "\r\n", "\r")
	src := filepath.Join(t.TempDir(), "semi.csv")
	if err := os.WriteFile(src, []byte(semi), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	if err := Write(dst, src, "csv", "utf-8", Info{Status: Loaded}, csvProblems(), Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	for _, cell := range []string{"E24", "H35"} {
		if got := fill(t, f, DataSheet, cell); got != ErrorFill {
			t.Errorf("%s of the copy: fill %q, want the error fill", cell, got)
		}
	}
	if v, _ := f.GetCellValue(DataSheet, "E24"); v != "51990311290" {
		t.Errorf("E24 of the copy = %q, want the district's value", v)
	}
}

// TestWideCSVReceipt: a CSV of 16 384 columns gets its receipt and copy
// (a width per column made it take minutes).
func TestWideCSVReceipt(t *testing.T) {
	var b strings.Builder
	for r := 0; r < 3; r++ {
		for c := 0; c < 16384; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d", r*c)
		}
		b.WriteByte('\n')
	}
	src := filepath.Join(t.TempDir(), "wide.csv")
	os.WriteFile(src, []byte(b.String()), 0o644)
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	ps := []Problem{{Problem: validate.Problem{Row: 2, Letter: "XFD", Column: "x", Severity: validate.Error, Code: validate.InvalidNumber}}}
	if err := Write(dst, src, "csv", "", Info{Status: Loaded}, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := fill(t, f, DataSheet, "XFD2"); got != ErrorFill {
		t.Errorf("XFD2 fill %q, want the error fill", got)
	}
}

// TestSummary: the receipt of a file without problems is the 回执 sheet
// alone, with the counts and the note that no copy follows; a file with
// any problem, released or beyond the listed ones, is not Clean.
func TestSummary(t *testing.T) {
	info := Info{File: "2015Q1/东晖区/records.csv", District: "东晖区", SHA256: strings.Repeat("ab", 32), Submission: 7,
		Status: Loaded, Kinds: []string{"activities"}, Read: 120, Loaded: 120}
	if !Clean(info, nil) {
		t.Fatal("a loaded file without problems is not Clean")
	}
	for name, c := range map[string]struct {
		info Info
		ps   []Problem
	}{
		"rejected":   {Info{Status: Loaded, Rejected: 1}, nil},
		"warned":     {Info{Status: Loaded, Warned: 1}, nil},
		"released":   {Info{Status: Loaded, Released: 1}, nil},
		"unrecorded": {Info{Status: Loaded, Unrecorded: 3}, nil},
		"listed":     {Info{Status: Loaded}, csvProblems()},
		"duplicate":  {Info{Status: Duplicate}, nil},
		"quarantine": {Info{Status: Quarantined}, nil},
	} {
		if Clean(c.info, c.ps) {
			t.Errorf("%s: Clean", name)
		}
	}
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteSummary(dst, info); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); len(got) != 1 || got[0] != Sheet {
		t.Errorf("sheets %v, want the receipt alone", got)
	}
	rows, _ := f.GetRows(Sheet)
	got := map[string]string{}
	for _, r := range rows {
		if len(r) > 1 {
			got[r[0]] = r[1]
		}
	}
	for label, want := range map[string]string{LabelFile: info.File, LabelSHA256: info.SHA256, LabelSubmission: "7",
		LabelRead: "120", LabelLoaded: "120", LabelRejected: "0", LabelStatus: "已入库", LabelNote: NoteClean} {
		if got[label] != want {
			t.Errorf("%s = %q, want %q", label, got[label], want)
		}
	}
}

// TestWriteShared writes the receipts of a file holding the rows of three
// districts and of none (a 合计 row), as a CSV file and as a workbook:
// 甲区's copy holds the title, the header and its rows only, at their
// numbers, its problem marked; 乙区's rows are more than a copy holds, so
// its receipt lists its problem without a copy; 丙区's rows have no
// problem, so its receipt is the summary. The file is read once: owner is
// asked once per row, not once per district.
func TestWriteShared(t *testing.T) {
	type line struct {
		district string
		cells    []string
	}
	lines := []line{{"", []string{"2015年服务记录"}}, {"", []string{"项目编号", "活动日期", "参与人次"}}}
	for i := 0; i < 12; i++ {
		d := []string{"甲区", "乙区", "乙区", "丙区"}[i%4]
		lines = append(lines, line{d, []string{fmt.Sprintf("%s-%02d", map[string]string{"甲区": "JA", "乙区": "YI", "丙区": "BI"}[d], i), "2015-03-01", strconv.Itoa(10 + i)}})
	}
	lines = append(lines, line{"合计", []string{"合计", "", "999"}})
	parts := map[string]int{"甲区": 0, "乙区": 1, "丙区": 2}
	problem := func(row int) Problem {
		return Problem{Problem: validate.Problem{Row: row, Column: "participants", Header: "参与人次", Letter: "C", Value: lines[row-1].cells[2],
			Severity: validate.Error, Code: validate.NegativeValue}}
	}
	dir := t.TempDir()
	var sb strings.Builder
	book := excelize.NewFile()
	for i, l := range lines {
		sb.WriteString(strings.Join(l.cells, ",") + "\n")
		for j, c := range l.cells {
			book.SetCellStr("Sheet1", fmt.Sprintf("%c%d", 'A'+j, i+1), c)
		}
	}
	csvPath, xlsxPath := filepath.Join(dir, "records.csv"), filepath.Join(dir, "records.xlsx")
	if err := os.WriteFile(csvPath, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := book.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	book.Close()
	for _, c := range []struct{ format, src, sheet, copySheet string }{{"csv", csvPath, "", DataSheet}, {"xlsx", xlsxPath, "Sheet1", "Sheet1"}} {
		t.Run(c.format, func(t *testing.T) {
			asked := 0
			owner := func(sheet string, row int) int {
				asked++
				if sheet != c.sheet || row < 1 || row > len(lines) {
					t.Errorf("owner asked of %q row %d", sheet, row)
					return -2
				}
				switch d := lines[row-1].district; d {
				case "":
					return Every
				case "合计":
					return -2
				default:
					return parts[d]
				}
			}
			var ps []Part
			for _, d := range []string{"甲区", "乙区", "丙区"} {
				info := Info{File: "2015年/全市/records", District: d, Districts: []string{"甲区", "乙区", "丙区"}, Submission: 9, Status: Loaded,
					Kinds: []string{"activities"}, Read: 3, Loaded: 3, ReceivedAt: received}
				var problems []Problem
				if d != "丙区" {
					row := 3 + parts[d]*1 // 甲区's first row is row 3, 乙区's row 4
					p := problem(row)
					p.Sheet = c.sheet
					problems = []Problem{p}
					info.Loaded, info.Rejected = 2, 1
				}
				ps = append(ps, Part{Dst: filepath.Join(dir, c.format, d, "回执.xlsx"), Info: info, Problems: problems})
			}
			// 甲区's copy holds 2 + 3 rows, 乙区's would hold 2 + 6.
			errs := WriteShared(c.src, c.format, "", ps, owner, Limits{MaxAnnotateRows: 6})
			for i, err := range errs {
				if err != nil {
					t.Fatalf("%s: %v", ps[i].Info.District, err)
				}
			}
			if asked != len(lines) {
				t.Errorf("owner asked %d times of a file of %d rows: read more than once", asked, len(lines))
			}
			notesOf := func(f *excelize.File) []string {
				rows, _ := f.GetRows(Sheet)
				var out []string
				for _, r := range rows {
					if len(r) > 1 && r[0] == LabelNote {
						out = append(out, r[1])
					}
				}
				return out
			}

			f := open(t, ps[0].Dst)
			if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet, c.copySheet}) {
				t.Fatalf("甲区's sheets %q", got)
			}
			rows, err := f.GetRows(c.copySheet)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]string{{"2015年服务记录"}, {"项目编号", "活动日期", "参与人次"}, {"JA-00", "2015-03-01", "10"}}
			for i := 3; i < 14; i++ {
				want = append(want, nil)
			}
			want[6] = []string{"JA-04", "2015-03-01", "14"}
			want[10] = []string{"JA-08", "2015-03-01", "18"}
			for len(rows) < len(want) {
				rows = append(rows, nil)
			}
			for i := range want {
				if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
					t.Errorf("甲区's copy row %d = %q, want %q", i+1, rows[i], want[i])
				}
			}
			if len(rows) > len(want) {
				t.Errorf("甲区's copy has %d rows, want %d", len(rows), len(want))
			}
			if fill(t, f, c.copySheet, "C3") == "" || len(comments(t, f, c.copySheet)) != 1 {
				t.Errorf("甲区's problem in C3 not marked: fill %q, comments %v", fill(t, f, c.copySheet, "C3"), comments(t, f, c.copySheet))
			}
			text := etltest.PackageText(t, ps[0].Dst)
			for _, other := range []string{"YI-", "BI-", "999"} {
				if strings.Contains(text, other) {
					t.Errorf("甲区's receipt holds %q", other)
				}
			}

			f = open(t, ps[1].Dst)
			facts, table := summary(t, f)
			if got := f.GetSheetList(); len(got) != 1 || len(table) != 1 || facts[LabelRejected] != "1" {
				t.Errorf("乙区's receipt: sheets %q, %d problems listed, rejected %q; want the list alone, one problem", got, len(table), facts[LabelRejected])
			}
			if got := notesOf(f); !slices.Contains(got, NoteSharedTooLarge) {
				t.Errorf("乙区's notes %q, want %q", got, NoteSharedTooLarge)
			}

			f = open(t, ps[2].Dst)
			if got := notesOf(f); len(f.GetSheetList()) != 1 || !slices.Contains(got, NoteClean) {
				t.Errorf("丙区's receipt: sheets %q, notes %q; want the summary", f.GetSheetList(), got)
			}
		})
	}
}

// FuzzSpoolRecord: a row spooled for a shared file's copies decodes to
// itself, and damaged bytes decode to an error, never a panic.
func FuzzSpoolRecord(f *testing.F) {
	f.Add(0, 3, "项目编号", "", "2015-03-01", []byte{0x01, 0x02, 0xff})
	f.Add(7, 1048576, "", "a,b", "\x00", []byte{})
	f.Fuzz(func(t *testing.T, sheet, num int, a, b, c string, junk []byte) {
		if sheet < 0 || num < 0 || sheet > math.MaxInt32 || num > math.MaxInt32 {
			return
		}
		cells := []string{a, b, c}
		gs, gn, gc, err := decodeRecord(appendRecord(nil, sheet, num, cells))
		if err != nil || gs != sheet || gn != num || !slices.Equal(gc, cells) {
			t.Errorf("decode(encode(%d, %d, %q)) = %d, %d, %q, %v", sheet, num, cells, gs, gn, gc, err)
		}
		decodeRecord(junk)
	})
}
