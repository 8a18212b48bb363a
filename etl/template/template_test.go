package template

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl/clean"
	"shequ/etl/dict"
)

// writeTemplate writes the template for kinds to a temporary file and
// reopens it.
func writeTemplate(t *testing.T, kinds []*dict.Kind) *excelize.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "模板.xlsx")
	if err := WriteFile(path, kinds); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestSheetsInOrder(t *testing.T) {
	f := writeTemplate(t, nil)
	want := []string{"填报说明", "社区名册", "服务项目", "人员名册", "经费支出", "服务记录", "评估结果", "功能室"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	// The dictionary drives the names: same order as dict.Kinds.
	for i, k := range dict.Kinds {
		if want[i+1] != k.Zh {
			t.Errorf("sheet %d = %s, dictionary says %s", i+1, want[i+1], k.Zh)
		}
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet = %d, want 0 (填报说明)", f.GetActiveSheetIndex())
	}
}

func TestHeaderRows(t *testing.T) {
	f := writeTemplate(t, nil)
	for _, k := range dict.Kinds {
		rows, err := f.GetRows(k.Zh)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Errorf("%s: %d rows, want only the header", k.Zh, len(rows))
			continue
		}
		var want []string
		for i := range k.Columns {
			c := &k.Columns[i]
			if c.Check || (k.Name == "expenditures" && (c.Name == "category" || c.Name == "amount")) {
				continue
			}
			want = append(want, c.Header)
		}
		if !reflect.DeepEqual(rows[0], want) {
			t.Errorf("%s header = %q, want %q", k.Zh, rows[0], want)
		}
	}
	// The wide expenditure form, spelled out.
	rows, _ := f.GetRows("经费支出")
	want := []string{"年度", "项目编号", "季度", "人员薪酬福利(元)", "办公设施及场地运作(元)", "服务项目运作(元)", "机构管理费(元)", "税费(元)"}
	if !reflect.DeepEqual(rows[0], want) {
		t.Errorf("经费支出 header = %q, want %q", rows[0], want)
	}
}

// TestRoundTrip proves one dictionary drives both the template and header
// recognition: every header row written is recognised back as its kind,
// with every cell mapped to the column it was written for.
func TestRoundTrip(t *testing.T) {
	f := writeTemplate(t, nil)
	for _, k := range dict.Kinds {
		rows, err := f.GetRows(k.Zh)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v", k.Zh, err)
		}
		l := dict.Recognise(rows[0])
		if l == nil {
			t.Errorf("%s: header not recognised", k.Zh)
			continue
		}
		if l.Kind != k {
			t.Errorf("%s: recognised as %s", k.Zh, l.Kind.Name)
			continue
		}
		cols := Columns(k)
		if len(l.Fields) != len(cols) || l.Score != len(cols) {
			t.Errorf("%s: %d fields, score %d, want %d", k.Zh, len(l.Fields), l.Score, len(cols))
		}
		for i, fd := range l.Fields {
			if fd.Column == nil {
				t.Errorf("%s: header %q not mapped", k.Zh, fd.Header)
				continue
			}
			if fd.Column.Name != cols[i].Name || fd.Index != i || fd.Pow10 != 0 || fd.Percent {
				t.Errorf("%s: header %q → %s (index %d, pow10 %d), want %s at %d", k.Zh, fd.Header,
					fd.Column.Name, fd.Index, fd.Pow10, cols[i].Name, i)
			}
		}
	}
}

func TestHeaderStyleAndComment(t *testing.T) {
	f := writeTemplate(t, nil)
	comments, err := f.GetComments("社区名册")
	if err != nil {
		t.Fatal(err)
	}
	byCell := map[string]string{}
	for _, c := range comments {
		var s strings.Builder
		s.WriteString(c.Text)
		for _, r := range c.Paragraph {
			s.WriteString(r.Text)
		}
		byCell[c.Cell] = s.String()
		if c.Author != Author {
			t.Errorf("comment %s author %q", c.Cell, c.Author)
		}
	}
	if len(byCell) != len(Columns(dict.ByName("communities"))) {
		t.Errorf("%d header comments, want one per column: %v", len(byCell), byCell)
	}
	// D1 is 社区代码: its note and type; F1 城乡类型: its words.
	if s := byCell["D1"]; !strings.Contains(s, "社区代码") || !strings.Contains(s, "代码") ||
		!strings.Contains(s, "必填") || !strings.Contains(s, "12 位统计用区划代码") {
		t.Errorf("D1 comment = %q", s)
	}
	if s := byCell["A1"]; !strings.Contains(s, "整数") || !strings.Contains(s, "2000–2100") {
		t.Errorf("A1 comment = %q", s)
	}
	if s := byCell["F1"]; !strings.Contains(s, "选项") || !strings.Contains(s, "城市、城镇") || !strings.Contains(s, "村委会") {
		t.Errorf("F1 comment = %q", s)
	}
	// Bold and filled header; frozen first row.
	id, _ := f.GetCellStyle("社区名册", "A1")
	st, _ := f.GetStyle(id)
	if st.Font == nil || !st.Font.Bold || st.Fill.Pattern != 1 || len(st.Fill.Color) == 0 {
		t.Errorf("header style = %+v", st)
	}
	panes, err := f.GetPanes("社区名册")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v", panes, err)
	}
	// The header width fits the header.
	w, _ := f.GetColWidth("社区名册", "I") // 面积(平方公里)
	if w < 14 {
		t.Errorf("width of 面积(平方公里) = %v", w)
	}
}

func TestDataValidation(t *testing.T) {
	f := writeTemplate(t, nil)
	dvs, err := f.GetDataValidations("社区名册")
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	dv := bySqref["F2:F5000"] // 城乡类型
	if dv == nil {
		t.Fatalf("no validation on 城乡类型: %+v", bySqref)
	}
	if dv.Type != "list" {
		t.Errorf("城乡类型 validation type = %s", dv.Type)
	}
	list := strings.Split(strings.Trim(dv.Formula1, `"`), ",")
	urban := dict.ByName("communities").Column("urban_rural")
	var want []string
	for w := range urban.Values {
		if hasHan(w) {
			want = append(want, w)
		}
	}
	if len(list) != len(want) {
		t.Errorf("城乡类型 list = %q, want the %d Chinese words %q", list, len(want), want)
	}
	for _, w := range list {
		if urban.Values[w] == "" || !hasHan(w) {
			t.Errorf("list word %q is not a Chinese word of the dictionary", w)
		}
		// The cleaner accepts every word the drop-down offers.
		if v, err := clean.Enum(w, urban.Values); err != nil || v != urban.Values[w] {
			t.Errorf("clean.Enum(%q) = %q, %v", w, v, err)
		}
	}
	if list[0] != "城市" || list[4] != "农村" {
		t.Errorf("list order = %q, want the note's order (城市 … 农村 …)", list)
	}
	// Year: whole number between the dictionary's bounds.
	if y := bySqref["A2:A5000"]; y == nil || y.Type != "whole" || y.Operator != "between" || y.Formula1 != "2000" || y.Formula2 != "2100" {
		t.Errorf("year validation = %+v", y)
	}
	// Population: whole ≥ 0.
	if p := bySqref["G2:G5000"]; p == nil || p.Type != "whole" || p.Operator != "greaterThanOrEqual" || p.Formula1 != "0" {
		t.Errorf("population validation = %+v", p)
	}
	// Area: decimal ≥ 0.
	if a := bySqref["I2:I5000"]; a == nil || a.Type != "decimal" || a.Operator != "greaterThanOrEqual" {
		t.Errorf("area validation = %+v", a)
	}

	// Staff: the bool column 是否注册社工 offers 是/否, which clean.Bool reads.
	staff := dict.ByName("staff")
	dvs, _ = f.GetDataValidations("人员名册")
	bySqref = map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	col := letterOf(t, staff, "registered_sw")
	b := bySqref[col+"2:"+col+"5000"]
	if b == nil || b.Type != "list" || b.Formula1 != `"是,否"` {
		t.Fatalf("是否注册社工 validation = %+v", b)
	}
	if v, err := clean.Bool(Yes, nil); err != nil || !v {
		t.Errorf("clean.Bool(%s) = %v, %v", Yes, v, err)
	}
	if v, err := clean.Bool(No, nil); err != nil || v {
		t.Errorf("clean.Bool(%s) = %v, %v", No, v, err)
	}

	// Projects: dates and a money column > 0.
	proj := dict.ByName("projects")
	dvs, _ = f.GetDataValidations("服务项目")
	bySqref = map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	col = letterOf(t, proj, "contract_start")
	if d := bySqref[col+"2:"+col+"5000"]; d == nil || d.Type != "date" {
		t.Errorf("contract_start validation = %+v", d)
	}
	col = letterOf(t, proj, "contract_amount")
	if d := bySqref[col+"2:"+col+"5000"]; d == nil || d.Type != "decimal" || d.Operator != "greaterThan" || d.Formula1 != "0" {
		t.Errorf("contract_amount validation = %+v", d)
	}

	// Expenditures: quarter 1–4, which clean.Quarter reads.
	dvs, _ = f.GetDataValidations("经费支出")
	var q *excelize.DataValidation
	for _, dv := range dvs {
		if dv.Sqref == "C2:C5000" {
			q = dv
		}
	}
	if q == nil || q.Type != "whole" || q.Formula1 != "1" || q.Formula2 != "4" {
		t.Errorf("quarter validation = %+v", q)
	}
	for _, s := range []string{"1", "4"} {
		if _, err := clean.Quarter(s); err != nil {
			t.Errorf("clean.Quarter(%s): %v", s, err)
		}
	}

	// Every list of every kind fits Excel's 255-character limit.
	for _, k := range dict.Kinds {
		dvs, _ := f.GetDataValidations(k.Zh)
		for _, dv := range dvs {
			if dv.Type == "list" && utf16Len(strings.Trim(dv.Formula1, `"`)) > maxListChars {
				t.Errorf("%s %s: list of %d characters", k.Zh, dv.Sqref, utf16Len(dv.Formula1))
			}
		}
	}
}

func letterOf(t *testing.T, k *dict.Kind, name string) string {
	t.Helper()
	for i, c := range Columns(k) {
		if c.Name == name {
			l, _ := excelize.ColumnNumberToName(i + 1)
			return l
		}
	}
	t.Fatalf("%s has no template column %s", k.Name, name)
	return ""
}

func TestNumberFormats(t *testing.T) {
	f := writeTemplate(t, nil)
	for _, k := range dict.Kinds {
		for i, c := range Columns(k) {
			col, _ := excelize.ColumnNumberToName(i + 1)
			id, err := f.GetColStyle(k.Zh, col)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := f.GetStyle(id)
			var want int
			switch c.Type {
			case dict.Code, dict.CommunityCode, dict.CreditCode, dict.IDNumber, dict.CodeList, dict.ServiceItem:
				want = 49 // @
			}
			if want != 0 && st.NumFmt != want {
				t.Errorf("%s %s (%s): number format %d, want text", k.Zh, c.Header, col, st.NumFmt)
			}
			if c.Type == dict.Date && (st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd") {
				t.Errorf("%s %s: date format %+v", k.Zh, c.Header, st.CustomNumFmt)
			}
			if c.Unit == "元" && st.NumFmt != 4 {
				t.Errorf("%s %s: money format %d", k.Zh, c.Header, st.NumFmt)
			}
		}
	}
	// An empty data cell of a code column takes the column's text format.
	id, _ := f.GetCellStyle("社区名册", "D2")
	st, _ := f.GetStyle(id)
	if st.NumFmt != 49 {
		t.Errorf("社区名册 D2 number format = %d, want 49 (@)", st.NumFmt)
	}
}

func TestInstructions(t *testing.T) {
	f := writeTemplate(t, nil)
	rows, err := f.GetRows(InstructionsSheet)
	if err != nil {
		t.Fatal(err)
	}
	type line struct{ sheet, header, typ, req, unit, values, note string }
	var lines []line
	hdr := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == "工作表" {
			hdr = i
			continue
		}
		if hdr < 0 || len(r) == 0 {
			continue
		}
		for len(r) < 7 {
			r = append(r, "")
		}
		lines = append(lines, line{r[0], r[1], r[2], r[3], r[4], r[5], r[6]})
	}
	if hdr < 0 {
		t.Fatalf("no table header on %s: %q", InstructionsSheet, rows)
	}
	want := 0
	for _, k := range dict.Kinds {
		want += 1 + len(Columns(k))
	}
	if len(lines) != want {
		t.Fatalf("%d lines, want one per kind and per column (%d)", len(lines), want)
	}
	find := func(sheet, header string) line {
		for _, l := range lines {
			if l.sheet == sheet && l.header == header {
				return l
			}
		}
		t.Fatalf("no line for %s %s", sheet, header)
		return line{}
	}
	if l := find("社区名册", "城乡类型"); l.typ != "选项" || l.req != "必填" || !strings.HasPrefix(l.values, "城市、城镇、社区、居委会、农村") {
		t.Errorf("城乡类型 line = %+v", l)
	}
	if l := find("服务项目", "合同金额(元)"); l.typ != "数字" || l.unit != "元" || !strings.Contains(l.note, "> 0") {
		t.Errorf("合同金额 line = %+v", l)
	}
	if l := find("人员名册", "是否党员"); l.typ != "是否" || l.req != "选填" || !strings.HasPrefix(l.values, "是、否") || !strings.Contains(l.values, "中共党员") {
		t.Errorf("是否党员 line = %+v", l)
	}
	if l := find("服务项目", "合同开始日期"); l.typ != "日期" {
		t.Errorf("合同开始日期 line = %+v", l)
	}
	if l := find("社区名册", "社区代码"); l.typ != "代码" || !strings.Contains(l.note, "12 位") {
		t.Errorf("社区代码 line = %+v", l)
	}
	if l := find("经费支出", "（工作表）"); !strings.Contains(l.note, "支出类别") || !strings.Contains(l.note, "金额(元)") {
		t.Errorf("经费支出 kind line = %+v", l)
	}
}

func TestOneKind(t *testing.T) {
	for _, name := range []string{"staff", "人员名册"} {
		kinds, err := Select(name)
		if err != nil || len(kinds) != 1 || kinds[0].Name != "staff" {
			t.Fatalf("Select(%s) = %v, %v", name, kinds, err)
		}
		f := writeTemplate(t, kinds)
		if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"填报说明", "人员名册"}) {
			t.Errorf("sheets = %v", got)
		}
	}
	if _, err := Select("nope"); err == nil {
		t.Error("Select(nope): no error")
	}
	if kinds, err := Select(""); err != nil || len(kinds) != len(dict.Kinds) {
		t.Errorf("Select(\"\") = %d kinds, %v", len(kinds), err)
	}
}

func TestWriteDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, nil); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, nil); err != nil {
		t.Fatal(err)
	}
	fa, err := excelize.OpenReader(&a)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := excelize.OpenReader(&b)
	ra, _ := fa.GetRows(InstructionsSheet)
	rb, _ := fb.GetRows(InstructionsSheet)
	if !reflect.DeepEqual(ra, rb) {
		t.Error("two writes differ")
	}
}

func TestEnumWordsFit(t *testing.T) {
	long := &dict.Column{Type: dict.Enum, Values: map[string]string{}}
	for i := 0; i < 100; i++ {
		long.Values[strings.Repeat("字", 5)+string(rune('甲'+i))] = "v"
	}
	list, all := dropList(EnumWords(long))
	if all || len(list) == 0 || utf16Len(strings.Join(list, ",")) > maxListChars {
		t.Errorf("dropList: %d words, all=%v, %d chars", len(list), all, utf16Len(strings.Join(list, ",")))
	}
}
