package xlsx

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shequ/etl"
	"shequ/etl/etltest"
)

// --- the sample submissions ---

func TestSample01RosterMergedDownAndHiddenSheet(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/01_临江区社区名册2013-2014.xlsx"))
	if b.Format() != "xlsx" || b.Encoding() != "" {
		t.Errorf("Format, Encoding = %q, %q", b.Format(), b.Encoding())
	}
	want := []etl.SheetInfo{{Name: "2013年"}, {Name: "2014年"}, {Name: "下拉列表", Hidden: true}}
	if got := b.Sheets(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Sheets = %+v, want %+v", got, want)
	}

	rows := etltest.ReadAll(t, b, "2013年")
	wantNums := make([]int, 27)
	for i := range wantNums {
		wantNums[i] = i + 1
	}
	if got := etltest.Nums(rows); !reflect.DeepEqual(got, wantNums) {
		t.Errorf("row numbers = %v", got)
	}
	title := "临江区2013年社区（村）名册" // A1:K1
	etltest.WantCells(t, "row 1 (title merged across A:K)", etltest.RowByNum(t, rows, 1), strings.Split(strings.Repeat(title+"|", 11)[:len(title)*11+10], "|"))
	etltest.WantCells(t, "row 3 (header)", etltest.RowByNum(t, rows, 3),
		[]string{"序号", "年度", "区", "镇街", "社区代码", "社区名称", "城乡类型", "常住人口", "户籍人口", "面积(平方公里)", "备注"})
	etltest.WantCells(t, "row 4 (top of the merged district C4:C23 and street D4:D7)", etltest.RowByNum(t, rows, 4),
		[]string{"1", "2013", "临江区", "太平街道", "519902001001", "新村社区", "居委会", "30,000", "", "2"})
	etltest.WantCells(t, "row 5 (district and street filled down)", etltest.RowByNum(t, rows, 5),
		[]string{"2", "2013", "临江区", "太平街道", "519902001002", "东湖社区", "居委会", "６１０００", "7,578", "4.2"})
	etltest.WantCells(t, "row 12 (last row of street D8:D12)", etltest.RowByNum(t, rows, 12),
		[]string{"9", "2013", "临江区", "西城街道", "519902002005", "青年社区", "居委会", "7246", "4854"})
	etltest.WantCells(t, "row 23 (bottom of the district merge)", etltest.RowByNum(t, rows, 23),
		[]string{"20", "２０１３", "临江区", "白沙镇", "519902101211", "先锋村", "村委会", "3,714", "2,228", "11.382768"})
	etltest.WantCells(t, "row 24 (合计 merged A24:C24)", etltest.RowByNum(t, rows, 24),
		[]string{"合计", "合计", "合计", "", "", "", "", "270111", "112139"})
	etltest.WantCells(t, "row 25 (footer)", etltest.RowByNum(t, rows, 25),
		[]string{"填表人：李强", "", "", "审核人：李强", "", "", "", "", "", "联系电话：15222751577"})
	etltest.WantCells(t, "row 27", etltest.RowByNum(t, rows, 27), []string{"填表日期：2016年7月6日"})

	rows = etltest.ReadAll(t, b, "2014年")
	etltest.WantCells(t, "2014年 row 3 (header with 平方米)", etltest.RowByNum(t, rows, 3),
		[]string{"序号", "年度", "区", "镇街", "社区代码", "社区名称", "城乡类型", "常住人口", "户籍人口", "面积(平方米)", "备注"})
	etltest.WantCells(t, "2014年 row 15", etltest.RowByNum(t, rows, 15),
		[]string{"12", "2014", "临江区", "白沙镇", "519902101202", "金竹村", "rural", "1519", "", "５，３９６，８９１"})

	rows = etltest.ReadAll(t, b, "下拉列表")
	if len(rows) != 10 {
		t.Errorf("hidden sheet: %d rows, want 10", len(rows))
	}
	etltest.WantCells(t, "hidden sheet row 1", etltest.RowByNum(t, rows, 1), []string{"下拉选项", "取值"})
	etltest.WantCells(t, "hidden sheet row 10", etltest.RowByNum(t, rows, 10), []string{"岗位选项", "督导"})
}

func TestSample03TwoRowHeaderWithMergedParent(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/03_临江区2013年度项目及人员.xlsx"))
	want := []etl.SheetInfo{{Name: "项目情况"}, {Name: "工作人员"}, {Name: "Sheet3"}}
	if got := b.Sheets(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Sheets = %+v", got)
	}
	rows := etltest.ReadAll(t, b, "项目情况")
	if len(rows) != 11 {
		t.Errorf("%d rows, want 11", len(rows))
	}
	// A1:A2 ... L1:L2 are merged down, M1:O1 across (资金来源 over three columns).
	etltest.WantCells(t, "header row 1", etltest.RowByNum(t, rows, 1), []string{"序号", "年度", "项目编号", "区县", "项目名称", "项目类型", "承接机构",
		"统一社会信用代码", "覆盖社区代码", "合同开始日期", "合同结束日期", "合同金额(万元)", "资金来源", "资金来源", "资金来源", "项目负责人联系电话", "备注"})
	etltest.WantCells(t, "header row 2", etltest.RowByNum(t, rows, 2), []string{"序号", "年度", "项目编号", "区县", "项目名称", "项目类型", "承接机构",
		"统一社会信用代码", "覆盖社区代码", "合同开始日期", "合同结束日期", "合同金额(万元)", "市级资金(万元)", "区级资金(万元)", "街道资金(万元)", "项目负责人联系电话", "备注"})
	// Dates are Excel serials, amounts raw numbers.
	etltest.WantCells(t, "row 3", etltest.RowByNum(t, rows, 3), []string{"1", "2013", "LJ2013-093", "临江区", "冷水村等村居服务项目", "社区服务社会化",
		"临江启航社会工作服务中心", "52519902M93894823Q", "519902101203、519902001005", "41275", "41639", "38", "15", "13", "10", "18200564242"})
	// A line break inside a cell survives.
	if got := etltest.RowByNum(t, rows, 7)[8]; got != "519902001003\n519902002002" {
		t.Errorf("row 7 I = %q", got)
	}
	if got := etltest.RowByNum(t, rows, 9); got[12] != "" || got[16] != "合同一签三年" {
		t.Errorf("row 9 = %q", got)
	}
	rows = etltest.ReadAll(t, b, "工作人员")
	etltest.WantCells(t, "staff row 3", etltest.RowByNum(t, rows, 3), []string{"2", "2013", "LJ2013-001", "付立新", "", "后勤", "×", "", "群众", "是", "118801.59", "男", "17633029274", "2009-03"})
	if rows = etltest.ReadAll(t, b, "Sheet3"); len(rows) != 0 {
		t.Errorf("empty sheet gave %d rows", len(rows))
	}
}

func TestSample04InlineStringsFormulasBooleans(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/04_临江区2014年度项目及人员.xlsx"))
	want := []etl.SheetInfo{{Name: "项目"}, {Name: "人员"}, {Name: "下拉列表", Hidden: true}}
	if got := b.Sheets(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Sheets = %+v", got)
	}
	rows := etltest.ReadAll(t, b, "项目")
	// Inline strings (written by a stream writer), spaces kept (xml:space="preserve").
	etltest.WantCells(t, "header row 2", etltest.RowByNum(t, rows, 2), []string{"年度", " 项目 编号 ", "辖区", "项目名称", " 项目 类型 ", " 承接 机构 ",
		"统一社会信用代码", " 服务社区代码 ", " 合同起始日期 ", "合同截止日期", " 年度经费 ", "市级资金", "区级资金", "街道(社区)资金"})
	// K3 is =SUM(L3:N3) with cached value 1220000.
	etltest.WantCells(t, "row 3", etltest.RowByNum(t, rows, 3), []string{"2014", "LJ2013-004", "临江区", "永宁社区社区综合服务中心建设运营项目", "综合服务中心",
		"临江朝晖社工服务社", "52519902M1792623XB", "519902001003；519902002002", "2013-01-01", "2015/12/31", "1220000", "488000", "353800", "378200"})
	etltest.WantCells(t, "row 6 (blank city funding)", etltest.RowByNum(t, rows, 6), []string{"2014", "LJ2014-002", "临江区", "建设社区党群服务中心运营项目", "党群服务中心",
		"临江启航社会服务中心", "525199025493572184", "519902002001", "2014年1月1日", "2014/12/31", "415100", "", "161889", "253211"})

	rows = etltest.ReadAll(t, b, "人员")
	if len(rows) != 62 {
		t.Errorf("%d staff rows, want 62", len(rows))
	}
	// B2:B7 is merged; F3 and H3 are boolean cells (t="b"): raw 1 and 0.
	etltest.WantCells(t, "staff row 3", etltest.RowByNum(t, rows, 3), []string{"2014", "LJ2013-004", "熊明", "519902198404030932", "社工", "1", "助理社工师", "0", "全职", "116433.3"})
	etltest.WantCells(t, "staff row 7 (last of B2:B7)", etltest.RowByNum(t, rows, 7), []string{"2014", "LJ2013-004", "顾淑珍", "519902199309162173", "督导", "Y", "高级社会工作师", "1", "兼职", "25272.37"})
	if got := etltest.RowByNum(t, rows, 8)[1]; got != "LJ2013-006" {
		t.Errorf("row 8 B = %q", got)
	}
	if got := etltest.RowByNum(t, rows, 62)[1]; got != "LJ2014-006" {
		t.Errorf("row 62 B = %q (bottom of B55:B62)", got)
	}
}

func TestSample07ExpenditureHeaderAndTotals(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/07_临江区经费支出2013-2014.xlsx"))
	rows := etltest.ReadAll(t, b, "经费支出")
	if len(rows) != 57 {
		t.Errorf("%d rows, want 57", len(rows))
	}
	etltest.WantCells(t, "row 2", etltest.RowByNum(t, rows, 2), strings.Split("单位：元|单位：元|单位：元|单位：元|单位：元|单位：元|单位：元|单位：元|单位：元", "|"))
	etltest.WantCells(t, "row 3", etltest.RowByNum(t, rows, 3), []string{"年度", "项目编号", "季度", "支出明细", "支出明细", "支出明细", "支出明细", "支出明细", "合计"})
	etltest.WantCells(t, "row 4", etltest.RowByNum(t, rows, 4), []string{"年度", "项目编号", "季度", "人员薪酬福利", "办公设施及场地运作", "服务项目运作", "机构管理费", "税费", "合计"})
	etltest.WantCells(t, "row 10 (numbers stored as text keep their zeros)", etltest.RowByNum(t, rows, 10), []string{"2013", "LJ2013-002", "二季度", "97905", "2711.13", "6692.67", "2001.59", "3908.00", "113218.39"})
	// Row 57: A57:B57 merged, D57:I57 formulas with cached values.
	etltest.WantCells(t, "row 57", etltest.RowByNum(t, rows, 57), []string{"合计", "合计", "", "6923323.4", "494339.19", "507454.55", "187182.33", "359044", "8471343.47"})
}

func TestSampleRawNumbersAndSpaces(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/10_服务记录2014年1-9月.xlsx"))
	rows := etltest.ReadAll(t, b, "2014年1-9月服务台账")
	if len(rows) != 539 {
		t.Errorf("%d rows, want 539", len(rows))
	}
	etltest.WantCells(t, "row 2 (a date as serial)", etltest.RowByNum(t, rows, 2), []string{"2013519903001", "41640", "5. 3. 1", "与公益性社会组织及企业合作项小组", "4"})
	etltest.WantCells(t, "row 4", etltest.RowByNum(t, rows, 4), []string{"LJ2013-006", "41641", "3.1.4\u3000社区适应、融入和融合促进服务", "社区适应、融入和融合促进服务小组", "３７"})
	etltest.WantCells(t, "row 539", etltest.RowByNum(t, rows, 539), []string{"合计", "合计", "合计", "", "15413", "1460"})

	b = open(t, filepath.Join(samples, "batch1/11_2013年度评估结果.xlsx"))
	rows = etltest.ReadAll(t, b, "Sheet1")
	// I3 is the text "74.7%"; I7 is 0.848 in a 0.0% cell: the raw number.
	etltest.WantCells(t, "row 3", etltest.RowByNum(t, rows, 3), []string{"2013", "LJ2013-001", "中期", "32.4", "15.4", "17", "16.2", "20782", "74.7%", "民政评估事务所", "良好"})
	etltest.WantCells(t, "row 7", etltest.RowByNum(t, rows, 7), []string{"2013", "LJ2013-003", "中期", "22.3", "12.3", "9.7", "11", "32567", "0.848", "华南社会服务评估中心", "良好"})

	b = open(t, filepath.Join(samples, "batch1/13_2013年功能室情况.xlsx"))
	rows = etltest.ReadAll(t, b, "功能室")
	etltest.WantCells(t, "row 6 (filled from B3:B6)", etltest.RowByNum(t, rows, 6), []string{"2013", "519902001001", "青少年活动室 ", "140.7"})
	etltest.WantCells(t, "row 7 (not merged, zero-width space kept)", etltest.RowByNum(t, rows, 7), []string{"2013", "\u200b519902001001", "图书阅览室", "155.3"})
	etltest.WantCells(t, "row 11 (NBSP kept)", etltest.RowByNum(t, rows, 11), []string{"2013", "519902001001", "社区餐厅\u00a0", "142.5"})
	etltest.WantCells(t, "row 118", etltest.RowByNum(t, rows, 118), []string{"合计", "合计", "合计", "13085.3"})

	b = open(t, filepath.Join(samples, "batch2/18_青山区2014年第四季度经费支出.xlsx"))
	rows = etltest.ReadAll(t, b, "Q4")
	etltest.WantCells(t, "row 4 (B3:B8 and C3:C4 filled)", etltest.RowByNum(t, rows, 4), []string{"2014", "2014519903001", "4", "办公设施及场地运作", "10384.65"})
	etltest.WantCells(t, "row 8", etltest.RowByNum(t, rows, 8), []string{"2014", "2014519903001", "四季度", "合计", "166428.81"})
	etltest.WantCells(t, "row 15 (C15 not merged)", etltest.RowByNum(t, rows, 15), []string{"2014", "2014519903003", "四季度", "人员薪酬福利", "234615.57"})

	b = open(t, filepath.Join(samples, "batch2/15_青山区2014年社区名册（更正）.xlsx"))
	rows = etltest.ReadAll(t, b, "社区名册")
	etltest.WantCells(t, "row 3", etltest.RowByNum(t, rows, 3), []string{"2014", "青山区", "广德街道", "519903001001", "东湖社区", "社区", "30000", "8256", "3.5"})
	etltest.WantCells(t, "row 23 (合计 with formulas)", etltest.RowByNum(t, rows, 23), []string{"合计", "合计", "合计", "", "", "", "212088", "73817"})
}

// Every sample workbook opens and reads, and its temporary directory goes
// away on Close.
func TestAllSampleWorkbooks(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.xlsx"))
	if len(files) != 10 {
		t.Fatalf("found %d sample workbooks, want 10", len(files))
	}
	for _, p := range files {
		b, err := Open(p, etl.DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, s := range b.Sheets() {
			rows, err := etltest.ReadRows(b, s.Name)
			if err != nil {
				t.Errorf("%s %s: %v", p, s.Name, err)
			}
			for i := 1; i < len(rows); i++ {
				if rows[i].Num <= rows[i-1].Num {
					t.Errorf("%s %s: row numbers not increasing at %d", p, s.Name, rows[i].Num)
				}
			}
		}
		dir := b.tmpDir
		if err := b.Close(); err != nil {
			t.Errorf("%s: Close: %v", p, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: temporary directory %s left behind", p, dir)
		}
	}
}

// --- generated workbooks ---

func TestMergedRangesFilled(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	merge := func(a, b string) {
		if err := f.MergeCell("Sheet1", a, b); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "2014年社区名册")
	merge("A1", "E1") // a title across the table
	for i, h := range []string{"区", "街道", "社区", "人口", "备注"} {
		set(string(rune('A'+i))+"2", h)
	}
	set("A3", "临江区")
	merge("A3", "A6") // a district merged down
	for r := 3; r <= 6; r++ {
		set("B"+itoa(r), "街道"+itoa(r))
		set("D"+itoa(r), r*100)
	}
	// row 7 is missing from the sheet
	set("A8", "x8")
	set("C8", "矩形")
	set("E8", "e8")
	set("A9", "x9")
	set("D9", "hidden under the merge")
	set("E9", "e9")
	merge("C8", "D9") // a rectangle
	// B11:B13: the top-left is empty, a value hides under the merge in B12.
	set("A11", "a11")
	set("A12", "a12")
	set("B12", "hidden")
	set("A13", "a13")
	merge("B11", "B13")
	// A15:A17: a district merged two rows past the data.
	set("A15", "青山区")
	set("B15", "b15")
	merge("A15", "A17")
	path := filepath.Join(t.TempDir(), "merge.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}

	b := open(t, path)
	got := etltest.ReadAll(t, b, "Sheet1")
	want := []etl.Row{
		{Num: 1, Cells: []string{"2014年社区名册", "2014年社区名册", "2014年社区名册", "2014年社区名册", "2014年社区名册"}},
		{Num: 2, Cells: []string{"区", "街道", "社区", "人口", "备注"}},
		{Num: 3, Cells: []string{"临江区", "街道3", "", "300"}},
		{Num: 4, Cells: []string{"临江区", "街道4", "", "400"}},
		{Num: 5, Cells: []string{"临江区", "街道5", "", "500"}},
		{Num: 6, Cells: []string{"临江区", "街道6", "", "600"}},
		{Num: 8, Cells: []string{"x8", "", "矩形", "矩形", "e8"}},
		{Num: 9, Cells: []string{"x9", "", "矩形", "矩形", "e9"}},
		{Num: 11, Cells: []string{"a11", ""}},
		{Num: 12, Cells: []string{"a12", ""}},
		{Num: 13, Cells: []string{"a13", ""}},
		{Num: 15, Cells: []string{"青山区", "b15"}},
		// rows 16 and 17 hold nothing but the merge's continuation: blank, skipped
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
}

func TestStreamWriterInlineStringsAndMerges(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"项目经费表"},
		{"年度", "资金来源", nil, nil},
		{nil, "市级", "区级", "街道"},
		{2014, 821000.5, 0.85, true},
		{"2015", "  带空格  ", "第一行\n第二行", false},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"A1", "D1"}, {"B2", "D2"}, {"A2", "A3"}} {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stream.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	b := open(t, path)
	got := etltest.ReadAll(t, b, "Sheet1")
	want := []etl.Row{
		{Num: 1, Cells: []string{"项目经费表", "项目经费表", "项目经费表", "项目经费表"}},
		{Num: 2, Cells: []string{"年度", "资金来源", "资金来源", "资金来源"}},
		{Num: 3, Cells: []string{"年度", "市级", "区级", "街道"}},
		{Num: 4, Cells: []string{"2014", "821000.5", "0.85", "1"}},
		{Num: 5, Cells: []string{"2015", "  带空格  ", "第一行\n第二行", "0"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
}

func TestCellKinds(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue("Sheet1", "A1", "共享字符串"))                                     // shared string
	must(f.SetCellValue("Sheet1", "B1", 41275))                                       // number
	must(f.SetCellValue("Sheet1", "C1", time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC))) // date: a serial
	must(f.SetCellValue("Sheet1", "D1", 0.125))                                       // a fraction
	must(f.SetCellFormula("Sheet1", "E1", "B1*2"))                                    // formula, no cached value
	must(f.SetCellValue("Sheet1", "F1", true))                                        // boolean
	must(f.SetCellStr("Sheet1", "G1", "519902198404030932"))                          // digits as text
	must(f.SetCellRichText("Sheet1", "H1", []excelize.RichTextRun{{Text: "红"}, {Text: "字"}}))
	must(f.SetCellValue("Sheet1", "I1", "=not a formula"))
	path := filepath.Join(t.TempDir(), "kinds.xlsx")
	must(f.SaveAs(path))
	b := open(t, path)
	got := etltest.ReadAll(t, b, "Sheet1")
	want := []etl.Row{{Num: 1, Cells: []string{"共享字符串", "41275", "41275", "0.125", "", "1", "519902198404030932", "红字", "=not a formula"},
		Uncached: []etl.Formula{{Col: 4, Text: "B1*2"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
}

// Rows missing from the XML keep the numbering: data that starts at row 3,
// gaps, and a last row far down.
func TestGapRows(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]string{"B3": "b3", "A7": "a7", "C1000": "c1000"} {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "gaps.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got := etltest.ReadAll(t, open(t, path), "Sheet1")
	want := []etl.Row{{Num: 3, Cells: []string{"", "b3"}}, {Num: 7, Cells: []string{"a7"}}, {Num: 1000, Cells: []string{"", "", "c1000"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
	// Excel's last row, after a million missing ones.
	path = oneSheet(t, `<sheetData><row r="2"><c r="A2"><v>2</v></c></row><row r="1048576"><c r="B1048576" t="inlineStr"><is><t>last</t></is></c></row></sheetData>`)
	got = etltest.ReadAll(t, open(t, path), "S")
	want = []etl.Row{{Num: 2, Cells: []string{"2"}}, {Num: 1048576, Cells: []string{"", "last"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
	// A row past Excel's last is a damaged sheet.
	path = oneSheet(t, `<sheetData><row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData>`)
	_, err := etltest.ReadRows(open(t, path), "S")
	etltest.WantReason(t, err, path, etl.ReasonCorrupt)
	// The corpus workbook Book1.xlsx has data at rows 19, 21, 22 only.
	got = etltest.ReadAll(t, open(t, "../testdata/corpus/xlsx/Book1.xlsx"), "Sheet1")
	if n := etltest.Nums(got); !reflect.DeepEqual(n, []int{19, 21, 22}) {
		t.Errorf("Book1 Sheet1 rows %v", n)
	}
}

// Numbers come through as the file stores them, float noise included.
func TestRawNumbers(t *testing.T) {
	path := oneSheet(t, `<sheetData><row r="1"><c r="A1"><v>821000.0000000001</v></c><c r="B1" s="3"><v>0.85</v></c>`+
		`<c r="C1"><v>5.1990219840403E+17</v></c><c r="D1" t="e"><v>#DIV/0!</v></c><c r="E1" t="str"><f>A1&amp;""</f><v>821000.0000000001</v></c>`+
		`<c r="F1" t="b"><v>1</v></c><c r="G1" t="n"><v>41275</v></c></row></sheetData>`)
	got := etltest.ReadAll(t, open(t, path), "S")
	want := []etl.Row{{Num: 1, Cells: []string{"821000.0000000001", "0.85", "5.1990219840403E+17", "#DIV/0!", "821000.0000000001", "1", "41275"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
}

// Rows without an r attribute and cells without references.
func TestRowsWithoutNumbers(t *testing.T) {
	path := oneSheet(t, `<sheetData><row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row><row r="4"><c r="B4"><v>4</v></c></row>`+
		`<row><c t="inlineStr"><is><t>five</t></is></c></row></sheetData>`)
	got := etltest.ReadAll(t, open(t, path), "S")
	want := []etl.Row{{Num: 1, Cells: []string{"a", "1"}}, {Num: 4, Cells: []string{"", "4"}}, {Num: 5, Cells: []string{"five"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
}

func TestVeryHiddenSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for _, s := range []string{"隐藏", "深度隐藏"} {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetSheetVisible("隐藏", false); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetVisible("深度隐藏", false, true); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hidden.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got := open(t, path).Sheets()
	want := []etl.SheetInfo{{Name: "Sheet1"}, {Name: "隐藏", Hidden: true}, {Name: "深度隐藏", Hidden: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sheets = %+v", got)
	}
}

func TestUnknownSheet(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/11_2013年度评估结果.xlsx"))
	_, err := b.Rows("Sheet9")
	if err == nil || etltest.IsFileError(err) {
		t.Errorf("Rows(unknown sheet) = %v, want a plain error", err)
	}
}

// --- files that cannot be read ---

func TestZipBomb(t *testing.T) {
	dir := t.TempDir()
	const size = 200 << 20
	parts := append(minimalParts("S"), part{name: "xl/worksheets/sheet1.xml", body: func(w io.Writer) error {
		chunk := bytes.Repeat([]byte("A"), 1<<20)
		for i := 0; i < size>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	}})
	path := writeZip(t, dir, "bomb.xlsx", parts)
	fi, _ := os.Stat(path)
	t.Logf("bomb: %d bytes on disk, %d unpacked", fi.Size(), size)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Open(path, etl.DefaultLimits)
	runtime.ReadMemStats(&after)
	etltest.WantReason(t, err, path, etl.ReasonZipBomb)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", alloc)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left in %s: %d", dir, len(entries))
	}

	// Within a looser ratio, the same package is too large to unpack.
	_, err = Open(path, etl.Limits{MaxRatio: 1 << 20, MaxUnzipBytes: 100 << 20})
	etltest.WantReason(t, err, path, etl.ReasonTooLarge)
}

func TestTooLarge(t *testing.T) {
	path := filepath.Join(samples, "batch1/03_临江区2013年度项目及人员.xlsx")
	_, err := Open(path, etl.Limits{MaxFileBytes: 1000})
	etltest.WantReason(t, err, path, etl.ReasonTooLarge)
	// A plain workbook whose parts together unpack past the limit.
	_, err = Open(path, etl.Limits{MaxUnzipBytes: 20000})
	etltest.WantReason(t, err, path, etl.ReasonTooLarge)
}

func TestNotAWorkbook(t *testing.T) {
	dir := t.TempDir()
	p := etltest.WriteFile(t, dir, "empty.xlsx", nil)
	_, err := Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonEmpty)

	p = etltest.WriteFile(t, dir, "text.xlsx", []byte("年度,项目编号\n2014,LJ2014-001\n"))
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonCorrupt)

	full, err := os.ReadFile(filepath.Join(samples, "batch1/03_临江区2013年度项目及人员.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	p = etltest.WriteFile(t, dir, "truncated.xlsx", full[:len(full)/2])
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonCorrupt)

	// An OLE file without encryption streams: a legacy .xls. Made from an
	// encrypted package by renaming its two streams.
	enc, err := os.ReadFile("../testdata/corpus/xlsx/encryptSHA1.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	legacy := bytes.ReplaceAll(enc, utf16le("EncryptionInfo"), utf16le("WorkbookXxxxxx"))
	legacy = bytes.ReplaceAll(legacy, utf16le("EncryptedPackage"), utf16le("WorkbookXxxxxxxx"))
	p = etltest.WriteFile(t, dir, "legacy.xls", legacy)
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	// A damaged OLE file still naming EncryptionInfo is encrypted; one that
	// does not is corrupt.
	p = etltest.WriteFile(t, dir, "cut-encrypted.xlsx", enc[:4096])
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonEncrypted)
	p = etltest.WriteFile(t, dir, "cut-legacy.xls", legacy[:2048])
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonCorrupt)

	p = writeZip(t, dir, "calc.ods", []part{{name: "mimetype", data: "application/vnd.oasis.opendocument.spreadsheet"}, {name: "content.xml", data: "<office:document-content/>"}})
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)
	p = writeZip(t, dir, "report.xlsx", []part{{name: "[Content_Types].xml", data: "<Types/>"}, {name: "word/document.xml", data: "<w:document/>"}})
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)
	p = writeZip(t, dir, "binary.xlsx", []part{{name: "[Content_Types].xml", data: "<Types/>"}, {name: "xl/workbook.bin", data: "\x83\x01\x00"}})
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	if _, err := Open(filepath.Join(dir, "missing.xlsx"), etl.DefaultLimits); err == nil || etltest.IsFileError(err) {
		t.Errorf("missing file: %v, want a plain os error", err)
	}
}

// A sheet whose XML breaks off or is damaged half way is reported, not read
// short.
func TestDamagedSheetXML(t *testing.T) {
	var data strings.Builder
	for r := 1; r <= 100; r++ {
		v := "v" + itoa(r)
		if r == 50 {
			v = "bad\x01char" // not allowed in XML 1.0: encoding/xml stops here
		}
		data.WriteString(`<row r="` + itoa(r) + `"><c r="A` + itoa(r) + `" t="inlineStr"><is><t>` + v + `</t></is></c></row>`)
	}
	path := oneSheet(t, `<sheetData>`+data.String()+`</sheetData>`)
	rows, err := etltest.ReadRows(open(t, path), "S")
	fe := etltest.WantReason(t, err, path, etl.ReasonCorrupt)
	if len(rows) != 49 || !strings.Contains(fe.Zh, "第 50 行") {
		t.Errorf("read %d rows before the error; Zh %q", len(rows), fe.Zh)
	}

	path = oneSheet(t, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`)
	_, err = open(t, path).Rows("S")
	etltest.WantReason(t, err, path, etl.ReasonCorrupt)

	path = oneSheet(t, `<sheetData><row r="2"><c r="A2"><v>2</v></c></row><row r="1"><c r="A1"><v>1</v></c></row></sheetData>`)
	_, err = open(t, path).Rows("S")
	etltest.WantReason(t, err, path, etl.ReasonCorrupt)

	path = oneSheet(t, `<sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData>`)
	_, err = etltest.ReadRows(open(t, path), "S")
	etltest.WantReason(t, err, path, etl.ReasonCorrupt)

	// Ranges that overlap beyond any sheet's width.
	path = oneSheet(t, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:XFD2"/><mergeCell ref="A1:XFD3"/></mergeCells>`)
	_, err = etltest.ReadRows(open(t, path), "S")
	etltest.WantReason(t, err, path, etl.ReasonCorrupt)

	// A sheet listed in the workbook whose part is missing.
	parts := minimalParts("S", "T")
	parts = append(parts, part{name: "xl/worksheets/sheet1.xml", data: sheetXML(`<sheetData/>`)})
	path = writeZip(t, t.TempDir(), "missing-part.xlsx", parts)
	b, err := Open(path, etl.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Rows("T"); !etltest.IsFileError(err) {
		t.Errorf("Rows(T) = %v, want a FileError", err)
	}
}

func TestLimits(t *testing.T) {
	path := oneSheet(t, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>`+
		`<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c><c r="D2"><v>4</v></c></row></sheetData>`+
		`<mergeCells><mergeCell ref="A1:Z1"/></mergeCells>`)
	b, err := Open(path, etl.Limits{MaxCells: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rows, err := etltest.ReadRows(b, "S")
	etltest.WantReason(t, err, path, etl.ReasonTooLarge)
	// The title's fill stops at MaxCells; the 4-cell row is refused.
	if len(rows) != 1 || !reflect.DeepEqual(rows[0].Cells, []string{"标题", "标题", "标题"}) {
		t.Errorf("rows = %+v", rows)
	}
}

// A sheet larger than MaxXMLInMemory is spooled by excelize to a temporary
// file, in the Book's own directory, which Close removes.
func TestSpooledSheetTempFiles(t *testing.T) {
	var data strings.Builder
	for r := 1; r <= 2000; r++ {
		data.WriteString(`<row r="` + itoa(r) + `"><c r="A` + itoa(r) + `"><v>` + itoa(r) + `</v></c></row>`)
	}
	path := oneSheet(t, `<sheetData>`+data.String()+`</sheetData>`)
	b, err := Open(path, etl.Limits{MaxXMLInMemory: 4096})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(b.tmpDir)
	if len(entries) == 0 {
		t.Errorf("no spooled file in %s", b.tmpDir)
	}
	rows := etltest.ReadAll(t, b, "S")
	if len(rows) != 2000 || rows[1999].Num != 2000 || rows[1999].Cells[0] != "2000" {
		t.Errorf("read %d rows", len(rows))
	}
	dir := b.tmpDir
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Close", dir)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// FuzzSheetXML reads arbitrary worksheet XML inside a well-formed package:
// no panic, every error a FileError, rows in order within the limits, and
// no temporary files left.
func FuzzSheetXML(f *testing.F) {
	for _, p := range sampleParts(f, "xl/worksheets/sheet") {
		f.Add(p.data)
	}
	f.Add([]byte(sheetXML(`<sheetData><row r="3"><c r="B3" t="s"><v>0</v></c></row><row><c t="b"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B4"/></mergeCells>`)))
	dir := f.TempDir()
	lim := etl.Limits{MaxCells: 200, MaxXMLInMemory: 2048}
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := append(minimalParts("S"), part{name: "xl/worksheets/sheet1.xml", data: string(data)})
		path := writeZip(t, dir, "f.xlsx", parts)
		b, err := Open(path, lim)
		if err != nil {
			if !etltest.IsFileError(err) {
				t.Fatalf("Open: %v (%T)", err, err)
			}
			return
		}
		tmp := b.tmpDir
		rows, err := etltest.ReadRows(b, "S")
		if err != nil && !etltest.IsFileError(err) {
			t.Fatalf("reading: %v (%T)", err, err)
		}
		for i, r := range rows {
			if (i > 0 && r.Num <= rows[i-1].Num) || r.Num < 1 || r.Num > maxRows || len(r.Cells) > lim.MaxCells {
				t.Fatalf("row %d numbered %d with %d cells", i, r.Num, len(r.Cells))
			}
		}
		b.Close()
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Fatalf("temporary directory left: %v", err)
		}
	})
}

type panickyRows struct{ n int }

func (p *panickyRows) Next() bool { p.n++; return true }
func (p *panickyRows) Columns(...excelize.Options) ([]string, error) {
	if p.n == 3 {
		panic("index out of range in excelize")
	}
	return []string{"row"}, nil
}
func (p *panickyRows) Error() error { return nil }
func (p *panickyRows) Close() error { return nil }

// A panic inside excelize, opening the file or reading a row, becomes a
// corrupt-file error.
func TestPanicsRecovered(t *testing.T) {
	path := filepath.Join(samples, "batch1/11_2013年度评估结果.xlsx")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	defer func(f func(string, ...excelize.Options) (*excelize.File, error)) { openFile = f }(openFile)
	openFile = func(string, ...excelize.Options) (*excelize.File, error) { panic("nil map in excelize") }
	_, err := Open(path, etl.DefaultLimits)
	fe := etltest.WantReason(t, err, path, etl.ReasonCorrupt)
	if !strings.Contains(fe.Error(), "panicked") {
		t.Errorf("error %v", fe)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%d temporary files left after a failed Open", len(entries))
	}
	openFile = excelize.OpenFile

	b := open(t, path)
	rr := &rowReader{b: b, sheet: "Sheet1", rows: &panickyRows{}}
	for i := 1; i <= 2; i++ {
		if r, err := rr.Next(); err != nil || r.Num != i {
			t.Fatalf("row %d: %+v %v", i, r, err)
		}
	}
	_, err = rr.Next()
	fe = etltest.WantReason(t, err, path, etl.ReasonCorrupt)
	if !strings.Contains(fe.Zh, "第 3 行") {
		t.Errorf("Zh %q", fe.Zh)
	}
	if _, err2 := rr.Next(); err2 != err {
		t.Errorf("error not sticky: %v", err2)
	}
}

// A workbook part in a legacy encoding (declared in its XML header) is read
// as excelize reads it, and its sheets' parts are found.
func TestWorkbookInGBK(t *testing.T) {
	parts := minimalParts("社区名册")
	for i := range parts {
		if parts[i].name == "xl/workbook.xml" {
			s := strings.Replace(parts[i].data, `encoding="UTF-8"`, `encoding="GBK"`, 1)
			enc, err := simplifiedchinese.GBK.NewEncoder().String(s)
			if err != nil {
				t.Fatal(err)
			}
			parts[i].data = enc
		}
	}
	parts = append(parts, part{name: "xl/worksheets/sheet1.xml", data: sheetXML(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>临江区</t></is></c></row>` +
		`<row r="2"><c r="B2"><v>2</v></c></row></sheetData><mergeCells><mergeCell ref="A1:A2"/></mergeCells>`)})
	path := writeZip(t, t.TempDir(), "gbk.xlsx", parts)
	b := open(t, path)
	if got := b.Sheets(); !reflect.DeepEqual(got, []etl.SheetInfo{{Name: "社区名册"}}) {
		t.Fatalf("Sheets = %+v", got)
	}
	got := etltest.ReadAll(t, b, "社区名册")
	want := []etl.Row{{Num: 1, Cells: []string{"临江区"}}, {Num: 2, Cells: []string{"临江区", "2"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %+v", got)
	}
}
