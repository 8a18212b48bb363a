package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"shequ/etl"
	"shequ/etl/etltest"
)

const samples = "../../samples/inbox"

func open(t testing.TB, path string) *Book {
	t.Helper()
	b, err := Open(path, etl.DefaultLimits)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// --- the sample submissions ---

func TestSample02GBKWithBlankLines(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/02_青山区社区名册.csv"))
	if b.Format() != "csv" || b.Encoding() != GB18030 {
		t.Fatalf("Format, Encoding = %q, %q", b.Format(), b.Encoding())
	}
	if got := b.Sheets(); !reflect.DeepEqual(got, []etl.SheetInfo{{Name: ""}}) {
		t.Errorf("Sheets = %+v", got)
	}
	rows := etltest.ReadAll(t, b, "")
	// 51 CRLF lines, of which 8, 37, 41 and 48 are blank.
	if len(rows) != 47 {
		t.Errorf("%d rows, want 47", len(rows))
	}
	if got := etltest.Nums(rows)[:9]; !reflect.DeepEqual(got, []int{1, 2, 3, 4, 5, 6, 7, 9, 10}) {
		t.Errorf("first row numbers %v", got)
	}
	etltest.WantCells(t, "line 1 (title)", etltest.RowByNum(t, rows, 1), []string{"青山区2013-2014年社区（村）基本情况统计表", "", "", "", "", "", "", "", "", "", ""})
	etltest.WantCells(t, "line 2 (header)", etltest.RowByNum(t, rows, 2), []string{"序号", "年份", "所属区", "街道(镇)", "社区编码", "社区(村)名称", "城乡分类", "常住人口", "户籍人口", "辖区面积(平方米)", "备注"})
	etltest.WantCells(t, "line 4", etltest.RowByNum(t, rows, 4), []string{"2", "２０１３", "青山区", "广德街道", "519903001002", "老街社区", "居委会", "３０８４", "1,788", "2599902", "撤村建居"})
	// The manifest's planted rejects sit at lines 24 and 35.
	etltest.WantCells(t, "line 24", etltest.RowByNum(t, rows, 24), []string{"21", "2013", "青山区", "黄田镇", "51990311290", "新丰村", "农村", "1200", "", "3100000", ""})
	etltest.WantCells(t, "line 35", etltest.RowByNum(t, rows, 35), []string{"32", "2014", "青山区", "黄田镇", "519903101202", "上村村", "rural", "-2146", "1931", "13905468", ""})
	etltest.WantCells(t, "line 38 (after a blank line)", etltest.RowByNum(t, rows, 38), []string{"34", "2014", "青山区", "黄田镇", "519903101204", "冷水村", "农村", "1,200", "1140", "9143039", ""})
	etltest.WantCells(t, "line 51", etltest.RowByNum(t, rows, 51), []string{"填表日期：2014年9月9日", "", "", "", "", "", "", "", "", "", ""})
}

func TestSample08GB18030CRLF(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/08_青山区经费支出2013-2014.csv"))
	if b.Encoding() != GB18030 {
		t.Fatalf("Encoding = %q", b.Encoding())
	}
	rows := etltest.ReadAll(t, b, "")
	if len(rows) != 217 || rows[216].Num != 217 {
		t.Errorf("%d rows, last numbered %d; want 217", len(rows), rows[len(rows)-1].Num)
	}
	etltest.WantCells(t, "line 1", etltest.RowByNum(t, rows, 1), []string{"年度", "项目编号", "季度", "支出类别", "金额(元)", "说明"})
	etltest.WantCells(t, "line 6", etltest.RowByNum(t, rows, 6), []string{"2013", "2013519903001", "Q3", "税费", "11,384", ""})
	// 䶮 (U+4DAE) is a four-byte GB18030 sequence, not in GBK.
	etltest.WantCells(t, "line 18", etltest.RowByNum(t, rows, 18), []string{"2013", "2013519903002", "Q1", "税金", "5073", "经手人：刘䶮"})
	for _, r := range rows {
		for _, c := range r.Cells {
			if strings.ContainsAny(c, "\r\n\uFFFD") {
				t.Fatalf("line %d: cell %q", r.Num, c)
			}
		}
	}
}

func TestSampleUTF8AndBOM(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/05_青山区服务项目2013-2014.csv"))
	if b.Encoding() != UTF8BOM {
		t.Fatalf("Encoding = %q", b.Encoding())
	}
	rows := etltest.ReadAll(t, b, "")
	// The mark is gone from the first cell; the second header row is mostly empty.
	etltest.WantCells(t, "line 1", etltest.RowByNum(t, rows, 1), []string{"序号", "年度", "项目编号", "区县", "项目名称", "项目类型", "承接机构", "统一社会信用代码",
		"覆盖社区代码", "合同结束日期", "合同开始日期", "合同金额(万元)", "资金来源", "", "", "项目负责人联系电话", "备注"})
	etltest.WantCells(t, "line 2", etltest.RowByNum(t, rows, 2), []string{"", "", "", "", "", "", "", "", "", "", "", "", "市级资金(万元)", "区级资金(万元)", "街道资金(万元)", "", ""})
	etltest.WantCells(t, "line 8 (commas inside quotes)", etltest.RowByNum(t, rows, 8), []string{"6", "2013", "2013519903006", "青山区", "广德街道社区服务社会化项目", "社区服务社会化",
		"青山恒爱社工服务社", "52519903N53556587K", "519903001004,519903002004,519903002005,519903101204,519903101210", "2013-12-31", "2013.1.1", "47.43", "13.2804", "19.9206", "14.229", "14128005280", ""})

	b = open(t, filepath.Join(samples, "batch1/06_青山区人员名册2013-2014.csv"))
	if b.Encoding() != UTF8 {
		t.Fatalf("Encoding = %q", b.Encoding())
	}
	rows = etltest.ReadAll(t, b, "")
	// Zero-width and no-break spaces are data; the cleaner trims them.
	etltest.WantCells(t, "line 2", etltest.RowByNum(t, rows, 2), []string{"1", "2013", "\u200b2013519903001", "邓佳", "519903197805199247", "\u200b负责人", "1", "助理社工师", "否", "全职", "", "女", "16637859231", "2008-06"})
	etltest.WantCells(t, "line 4", etltest.RowByNum(t, rows, 4), []string{"3", "2013", "2013519903001 ", "谭梓轩", "519903199602129184", "后勤\u00a0", "否", "", "无", "全职", "65048.26", "女", "14159944019", "2011-02"})
	etltest.WantCells(t, "line 59", etltest.RowByNum(t, rows, 59), []string{"58", "2014", "2013519903001", "钱多多", "519903198003151230", "辅助人员", "否", "无", "0", "专职", "", "男", "14022793504", "2013-09"})
	etltest.WantCells(t, "line 99", etltest.RowByNum(t, rows, 99), []string{"98", "2014", "2014519903088", "赵明", "", "专职社工", "是", "助理社工师", "0", "全职", "", "男", "14534861664", "2010-09"})

	rows = etltest.ReadAll(t, open(t, filepath.Join(samples, "batch1/09_服务记录2013年.csv")), "")
	etltest.WantCells(t, "09 line 1 (header noise)", etltest.RowByNum(t, rows, 1), []string{" 项目编号 ", "服务日期", "服务细项编号", "活动 名称", "服务人次", "义工人次", "服务地点", "记录人"})
	etltest.WantCells(t, "09 line 193", etltest.RowByNum(t, rows, 193), []string{"LJ2013-004", "2013-01-15", "7.1.1", "社区文艺汇演", "40", "5", "小区会所", "李社工"})

	rows = etltest.ReadAll(t, open(t, filepath.Join(samples, "batch1/12_2014年度评估结果.csv")), "")
	etltest.WantCells(t, "12 line 3", etltest.RowByNum(t, rows, 3), []string{"2014", "LJ2013-004", "中期", "３１．９", "16.4", "15.2", "15.8", "12299", "0.978", "社会组织评估研究院"})
}

func TestSample19GBKCRLFBlankLines(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch2/19_2014年10-12月服务记录.csv"))
	if b.Encoding() != GB18030 {
		t.Fatalf("Encoding = %q", b.Encoding())
	}
	rows := etltest.ReadAll(t, b, "")
	if got := etltest.Nums(rows)[:8]; !reflect.DeepEqual(got, []int{1, 2, 3, 4, 5, 7, 8, 9}) {
		t.Errorf("row numbers %v", got)
	}
	etltest.WantCells(t, "line 2", etltest.RowByNum(t, rows, 2), []string{"LJ2014-001", "2014年10月1日", "1．1．5", "为有需要的对象链接资源提供相探访", "27", "0"})
	etltest.WantCells(t, "line 5", etltest.RowByNum(t, rows, 5), []string{"LJ2014-001", "2014年10月3日", "6．1．1", "开设党的建设宣传栏，开展政策探访", "19", "2"})
}

func TestAllSampleCSV(t *testing.T) {
	want := map[string]string{
		"batch1/02_青山区社区名册.csv":          GB18030,
		"batch1/05_青山区服务项目2013-2014.csv": UTF8BOM,
		"batch1/06_青山区人员名册2013-2014.csv": UTF8,
		"batch1/08_青山区经费支出2013-2014.csv": GB18030,
		"batch1/09_服务记录2013年.csv":        UTF8,
		"batch1/12_2014年度评估结果.csv":       UTF8BOM,
		"batch1/14_2014年功能室情况.csv":       UTF8,
		"batch2/06_青山区人员名册2013-2014.csv": UTF8,
		"batch2/17_临江区2014年第四季度经费支出.csv": UTF8BOM,
		"batch2/19_2014年10-12月服务记录.csv":  GB18030,
		"batch2/20_2014年度评估结果（年度）.csv":   GB18030,
		"batch2/21_评估结果更正.csv":           GB18030,
	}
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.csv"))
	if len(files) != len(want) {
		t.Fatalf("%d sample CSV files, want %d", len(files), len(want))
	}
	for name, enc := range want {
		b := open(t, filepath.Join(samples, name))
		if b.Encoding() != enc {
			t.Errorf("%s: Encoding %q, want %q", name, b.Encoding(), enc)
		}
		rows := etltest.ReadAll(t, b, "")
		for i, r := range rows {
			if i > 0 && r.Num <= rows[i-1].Num {
				t.Errorf("%s: row numbers not increasing at %d", name, r.Num)
			}
			for _, c := range r.Cells {
				if strings.ContainsRune(c, utf8.RuneError) {
					t.Errorf("%s line %d: replacement character in %q", name, r.Num, c)
				}
			}
		}
	}
}

// --- the csv-spectrum corpus ---

func TestSpectrum(t *testing.T) {
	header := []string{"a", "b", "c"}
	empty := []etl.Row{{Num: 1, Cells: header}, {Num: 2, Cells: []string{"1", "", ""}}, {Num: 3, Cells: []string{"2", "3", "4"}}}
	newlines := []etl.Row{{Num: 1, Cells: header}, {Num: 2, Cells: []string{"1", "2", "3"}}, {Num: 3, Cells: []string{"Once upon \na time", "5", "6"}}, {Num: 5, Cells: []string{"7", "8", "9"}}}
	simple := []etl.Row{{Num: 1, Cells: header}, {Num: 2, Cells: []string{"1", "2", "3"}}}
	tests := map[string][]etl.Row{
		"spectrum_comma_in_quotes.csv": {{Num: 1, Cells: []string{"first", "last", "address", "city", "zip"}}, {Num: 2, Cells: []string{"John", "Doe", "120 any st.", "Anytown, WW", "08123"}}},
		"spectrum_empty.csv":           empty,
		"spectrum_empty_crlf.csv":      empty,
		"spectrum_escaped_quotes.csv":  {{Num: 1, Cells: []string{"a", "b"}}, {Num: 2, Cells: []string{"1", `ha "ha" ha`}}, {Num: 3, Cells: []string{"3", "4"}}},
		"spectrum_json.csv":            {{Num: 1, Cells: []string{"key", "val"}}, {Num: 2, Cells: []string{"1", `{"type": "Point", "coordinates": [102.0, 0.5]}`}}},
		// A bare quote inside an unquoted field is data (LazyQuotes).
		"spectrum_location_coordinates.csv": {{Num: 1, Cells: []string{"Contact Phone Number", "Location Coordinates", "Cities", "Counties"}},
			{Num: 2, Cells: []string{"2095257564", "37\uFFFD36'37.8\"N 121\uFFFD2'17.9\"W", "Modesto", "Stanislaus"}}},
		"spectrum_newlines.csv":            newlines,
		"spectrum_newlines_crlf.csv":       newlines,
		"spectrum_quotes_and_newlines.csv": {{Num: 1, Cells: []string{"a", "b"}}, {Num: 2, Cells: []string{"1", "ha \n\"ha\" \nha"}}, {Num: 5, Cells: []string{"3", "4"}}},
		"spectrum_simple.csv":              simple,
		"spectrum_simple_crlf.csv":         simple,
		"spectrum_utf8.csv":                {{Num: 1, Cells: header}, {Num: 2, Cells: []string{"1", "2", "3"}}, {Num: 3, Cells: []string{"4", "5", "ʤ"}}},
	}
	files, _ := filepath.Glob("../testdata/corpus/csv/*.csv")
	if len(files) != len(tests) {
		t.Fatalf("%d corpus files, %d cases", len(files), len(tests))
	}
	for name, want := range tests {
		b := open(t, filepath.Join("../testdata/corpus/csv", name))
		if b.Encoding() != UTF8 {
			t.Errorf("%s: Encoding %q", name, b.Encoding())
		}
		if got := etltest.ReadAll(t, b, ""); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

// --- synthetic files ---

func openBytes(t testing.TB, data []byte) *Book {
	t.Helper()
	b, err := OpenBytes("mem.csv", data, etl.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLineEndingsAndBlankLines(t *testing.T) {
	cases := []struct {
		in   string
		want []etl.Row
	}{
		{"a,\"x\r\ny\"\r\nb,c\r\n", []etl.Row{{Num: 1, Cells: []string{"a", "x\ny"}}, {Num: 3, Cells: []string{"b", "c"}}}},
		{"\n\r\n年度,区\n\n\n2014,临江区", []etl.Row{{Num: 3, Cells: []string{"年度", "区"}}, {Num: 6, Cells: []string{"2014", "临江区"}}}},
		{",,\n", []etl.Row{{Num: 1, Cells: []string{"", "", ""}}}},
		{"a,b\nc", []etl.Row{{Num: 1, Cells: []string{"a", "b"}}, {Num: 2, Cells: []string{"c"}}}},
		// An unclosed quote runs to the end of the file (LazyQuotes).
		{"a,\"b\nc,d\n", []etl.Row{{Num: 1, Cells: []string{"a", "b\nc,d\n"}}}},
		{"x\"y,\"z\"w\n", []etl.Row{{Num: 1, Cells: []string{`x"y`, "z\"w\n"}}}},
	}
	for _, c := range cases {
		if got := etltest.ReadAll(t, openBytes(t, []byte(c.in)), ""); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
}

func TestDetectEncoding(t *testing.T) {
	ascii := bytes.Repeat([]byte("2014,LJ2014-001,100\n"), 5000) // 100 000 bytes of ASCII
	cases := []struct {
		name string
		data []byte
		enc  string
		last []string
	}{
		{"ascii", []byte("a,b\n1,2\n"), UTF8, []string{"1", "2"}},
		{"utf-8", []byte("年度,区\n2014,临江区\n"), UTF8, []string{"2014", "临江区"}},
		{"bom", []byte("\xEF\xBB\xBF年度,区\n2014,临江区\n"), UTF8BOM, []string{"2014", "临江区"}},
		{"gbk", gbk(t, "年度,区\n2014,临江区\n"), GB18030, []string{"2014", "临江区"}},
		{"gb18030 four-byte", gbk(t, "经手人\n刘䶮,€\n"), GB18030, []string{"刘䶮", "€"}},
		// The first 64 KiB are ASCII: the decision waits for the first other byte.
		{"gbk after 100 KB of ascii", append(append([]byte{}, ascii...), gbk(t, "2014,青山区\n")...), GB18030, []string{"2014", "青山区"}},
		{"utf-8 after 100 KB of ascii", append(append([]byte{}, ascii...), "2014,青山区\n"...), UTF8, []string{"2014", "青山区"}},
		// 64 KiB of three-byte characters cut one in two at the window's end.
		{"utf-8 rune cut at 64 KiB", []byte(strings.Repeat("中", 30000) + "\n1,2\n"), UTF8, []string{"1", "2"}},
	}
	for _, c := range cases {
		b := openBytes(t, c.data)
		if b.Encoding() != c.enc {
			t.Errorf("%s: Encoding %q, want %q", c.name, b.Encoding(), c.enc)
			continue
		}
		rows := etltest.ReadAll(t, b, "")
		etltest.WantCells(t, c.name, rows[len(rows)-1].Cells, c.last)
	}
	if len(strings.Repeat("中", 30000)) <= SniffBytes || SniffBytes%3 == 0 {
		t.Fatal("the rune-cut case does not cut a rune")
	}
}

// Invalid UTF-8 past the detection window becomes U+FFFD: cells are always
// valid UTF-8.
func TestInvalidUTF8Replaced(t *testing.T) {
	data := []byte(strings.Repeat("社区,1\n", 20000) + "坏\xff\xfe字,2\n")
	b := openBytes(t, data)
	if b.Encoding() != UTF8 {
		t.Fatalf("Encoding %q", b.Encoding())
	}
	rows := etltest.ReadAll(t, b, "")
	last := rows[len(rows)-1]
	if last.Num != 20001 || !reflect.DeepEqual(last.Cells, []string{"坏\uFFFD字", "2"}) {
		t.Errorf("last row %d %q", last.Num, last.Cells)
	}
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	p := etltest.WriteFile(t, dir, "empty.csv", nil)
	_, err := Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonEmpty)

	// UTF-16 text (Excel's "Unicode text") is read, no longer refused.
	p = etltest.WriteFile(t, dir, "unicode.txt", []byte("\xFF\xFEa\x00,\x00b\x00"))
	u, err := Open(p, etl.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	etltest.WantCells(t, "unicode.txt", etltest.ReadAll(t, u, "")[0].Cells, []string{"a", "b"})
	u.Close()

	p = etltest.WriteFile(t, dir, "big.csv", bytes.Repeat([]byte("1,2\n"), 1000))
	_, err = Open(p, etl.Limits{MaxFileBytes: 3999})
	etltest.WantReason(t, err, p, etl.ReasonTooLarge)

	p = etltest.WriteFile(t, dir, "wide.csv", []byte("a,b\n1,2,3,4\n"))
	b, err := Open(p, etl.Limits{MaxCells: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rows, err := etltest.ReadRows(b, "")
	fe := etltest.WantReason(t, err, p, etl.ReasonTooLarge)
	if len(rows) != 1 || !strings.Contains(fe.Zh, "第 2 行") {
		t.Errorf("rows %+v, Zh %q", rows, fe.Zh)
	}

	if _, err := Open(filepath.Join(dir, "missing.csv"), etl.DefaultLimits); err == nil || etltest.IsFileError(err) {
		t.Errorf("missing file: %v, want a plain os error", err)
	}
	if _, err := b.Rows("Sheet1"); err == nil {
		t.Error("Rows(\"Sheet1\") of a CSV file succeeded")
	}
}

// A quote that is never closed would swallow the rest of the file into one
// record; past the record limit that is an error, not unbounded memory.
func TestRecordLimit(t *testing.T) {
	defer func(old int64) { recordLimit = old }(recordLimit)
	recordLimit = 1 << 20
	data := []byte("年度,区\n2014,\"临江区\n" + strings.Repeat("2014,青山区,1\n", 200000))
	b := openBytes(t, data)
	rows, err := etltest.ReadRows(b, "")
	fe := etltest.WantReason(t, err, "mem.csv", etl.ReasonTooLarge)
	if len(rows) != 1 || !strings.Contains(fe.Zh, "第 1 行之后") {
		t.Errorf("rows %+v, Zh %q", rows, fe.Zh)
	}
	// A long record under the limit is fine, if its cells are.
	long := strings.Repeat("长", 200000)
	lb, err := OpenBytes("mem.csv", []byte("a,\""+long+"\"\n"), etl.Limits{MaxCellChars: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rows = etltest.ReadAll(t, lb, "")
	if len(rows) != 1 || rows[0].Cells[1] != long {
		t.Error("long record not read whole")
	}
}

// A cell longer than Excel's 32 767 characters is refused, counted in
// UTF-16 units as Excel counts them; the book's cells are bounded.
func TestCellLimits(t *testing.T) {
	ok := strings.Repeat("长", 32767)
	rows := etltest.ReadAll(t, openBytes(t, []byte("a,"+ok+"\n")), "")
	if len(rows) != 1 || rows[0].Cells[1] != ok {
		t.Error("a cell of 32 767 characters not read")
	}
	for _, long := range []string{strings.Repeat("长", 32768), strings.Repeat("a", 32766) + "😀"} {
		rows, err := etltest.ReadRows(openBytes(t, []byte("年度,区\n2014,"+long+"\n")), "")
		fe := etltest.WantReason(t, err, "mem.csv", etl.ReasonTooLarge)
		if len(rows) != 1 || !strings.Contains(fe.Zh, "第 2 行第 2 列") || !strings.Contains(fe.Zh, "32767 个字符") {
			t.Errorf("rows %v, Zh %q", rows, fe.Zh)
		}
	}
	b, err := OpenBytes("mem.csv", []byte(strings.Repeat("1,2,3\n", 10)), etl.Limits{MaxBookCells: 20})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // each pass counts on its own
		rows, err = etltest.ReadRows(b, "")
		fe := etltest.WantReason(t, err, "mem.csv", etl.ReasonTooLarge)
		if len(rows) != 6 || !strings.Contains(fe.Zh, "第 7 行") {
			t.Errorf("rows %v, Zh %q", rows, fe.Zh)
		}
	}
}

// Each call of Rows reads the file from its start, independently.
func TestRowsTwice(t *testing.T) {
	b := open(t, filepath.Join(samples, "batch1/02_青山区社区名册.csv"))
	r1, _ := b.Rows("")
	r2, _ := b.Rows("")
	a, err1 := r1.Next()
	a = etl.Row{Num: a.Num, Cells: append([]string(nil), a.Cells...)}
	c, err2 := r2.Next()
	if err1 != nil || err2 != nil || a.Num != 1 || c.Num != 1 || !reflect.DeepEqual(a.Cells, c.Cells) {
		t.Errorf("%v %v %+v %+v", err1, err2, a, c)
	}
	r1.Close()
	if _, err := r1.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}
	if n, _ := r2.Next(); n.Num != 2 {
		t.Errorf("second reader at %d", n.Num)
	}
}

// FuzzCSV: any bytes either open with a FileError or read to the end (or a
// FileError) without panicking; row numbers increase; cells are valid UTF-8
// and equal what encoding/csv reads from the decoded text.
func FuzzCSV(f *testing.F) {
	etltest.AddFiles(f, "../testdata/corpus/csv/*.csv", filepath.Join(samples, "*/*.csv"))
	f.Add([]byte("\xEF\xBB\xBF"))
	f.Add([]byte("a,\"b\r\n\"\"c\"\n\n\n\"d"))
	f.Add([]byte("a;b\r\"c;\rd\";e\r\r"))
	f.Add([]byte("\xFF\xFEa\x00\t\x00b\x00\r\x00\n\x00"))
	f.Add([]byte("\xFE\xFF\x00a\x00;\x00b\x00\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := OpenBytes("fuzz.csv", data, etl.Limits{MaxCells: 1000})
		if err != nil {
			if !etltest.IsFileError(err) {
				t.Fatalf("Open: %v is not a FileError", err)
			}
			return
		}
		rows, err := etltest.ReadRows(b, "")
		if err != nil {
			if !etltest.IsFileError(err) {
				t.Fatalf("Next: %v is not a FileError", err)
			}
			return
		}
		for i, r := range rows {
			if i > 0 && r.Num <= rows[i-1].Num {
				t.Fatalf("row %d numbered %d after %d", i, r.Num, rows[i-1].Num)
			}
			for _, c := range r.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("invalid UTF-8 in %q", c)
				}
			}
		}
		// Reference: decode the whole input at once, turn lone CR line
		// ends into LF, then encoding/csv with the sniffed delimiter.
		text := data
		switch b.Encoding() {
		case UTF8BOM:
			text = data[3:]
		case GB18030:
			text, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		case UTF16LE:
			text, _ = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		case UTF16BE:
			text, _ = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		}
		if b.LineEnd() == "\r" {
			lines := bytes.Split(text, []byte("\r\n"))
			for i, l := range lines {
				lines[i] = bytes.ReplaceAll(l, []byte("\r"), []byte("\n"))
			}
			text = bytes.Join(lines, []byte("\r\n"))
		}
		cr := stdcsv.NewReader(bytes.NewReader(text))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		cr.Comma = b.Delimiter()
		var want []etl.Row
		for {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			line, _ := cr.FieldPos(0)
			for i, c := range rec {
				rec[i] = strings.ToValidUTF8(c, "\uFFFD")
			}
			want = append(want, etl.Row{Num: line, Cells: rec})
		}
		if !reflect.DeepEqual(rows, want) && !(len(rows) == 0 && len(want) == 0) {
			t.Fatalf("rows differ from encoding/csv on the decoded text:\n got %+v\nwant %+v", rows, want)
		}
	})
}
