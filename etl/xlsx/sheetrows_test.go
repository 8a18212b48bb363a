package xlsx

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"shequ/etl"
	"shequ/etl/etltest"
)

// step is one call of Next (and Columns when Next said yes) on a rowSource.
type step struct {
	Next  bool
	Cells []string
	Err   bool
	// Bad says how the formulas without a result that sheetRows lists
	// break its rules (each an empty cell of the row, left to right).
	Bad string
}

// badUncached checks the formulas without a result listed for a row.
func badUncached(rs rowSource, cells []string) string {
	u, ok := rs.(interface{ Uncached() []etl.Formula })
	if !ok {
		return ""
	}
	last := -1
	for _, f := range u.Uncached() {
		if f.Col <= last || f.Col >= len(cells) || cells[f.Col] != "" {
			return fmt.Sprintf("formula %+v after column %d in %q", f, last, cells)
		}
		last = f.Col
	}
	return ""
}

// maxSteps bounds a walk (a sheet may jump to row 1 000 000).
const maxSteps = 3000

// walk drives a rowSource as rowReader does and records every answer.
func walk(rs rowSource) []step {
	var out []step
	for len(out) < maxSteps {
		if !rs.Next() {
			out = append(out, step{Err: rs.Error() != nil})
			break
		}
		cells, err := rs.Columns()
		if len(cells) == 0 {
			cells = nil
		}
		out = append(out, step{Next: true, Cells: append([]string(nil), cells...), Err: err != nil, Bad: badUncached(rs, cells)})
		if err != nil {
			break
		}
	}
	return out
}

// compareSheet reads sheet of the workbook at path with excelize's iterator
// and with sheetRows and fails on any difference. It reports whether
// sheetRows handed over to excelize.
func compareSheet(t testing.TB, path, sheet string, lim etl.Limits) (fellBack bool) {
	t.Helper()
	b, err := Open(path, lim)
	if err != nil {
		if !etltest.IsFileError(err) {
			t.Fatalf("Open: %v", err)
		}
		return true
	}
	defer b.Close()
	ex, err := b.excelizeRows(sheet)
	if err != nil {
		return true
	}
	want := walk(ex)
	ex.Close()
	zf := b.parts[sheet]
	if zf == nil || !b.fast {
		return true
	}
	rc, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	fast := newSheetRows(rc, b.sharedStrings, func() (rowSource, error) { return b.excelizeRows(sheet) })
	got := walk(fast)
	fellBack = fast.ex != nil
	if fellBack && testing.Verbose() {
		t.Logf("%s %q: handed over at …%s…", filepath.Base(path), sheet, fast.handedAt)
	}
	fast.Close()
	if !reflect.DeepEqual(got, want) {
		n := 0
		for n < len(got) && n < len(want) && reflect.DeepEqual(got[n], want[n]) {
			n++
		}
		show := func(s []step) string {
			if n < len(s) {
				return fmt.Sprintf("%+v", s[n])
			}
			return "(nothing)"
		}
		t.Fatalf("%s %q: sheetRows differs from excelize at step %d (fell back: %v; %d and %d steps):\n got  %s\n want %s",
			filepath.Base(path), sheet, n+1, fellBack, len(got), len(want), show(got), show(want))
	}
	return fellBack
}

// Every sheet of every sample workbook reads the same through sheetRows as
// through excelize, without handing over.
func TestSheetRowsSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.xlsx"))
	if len(files) < 9 {
		t.Fatalf("%d sample workbooks", len(files))
	}
	for _, p := range files {
		b := open(t, p)
		sheets := b.Sheets()
		b.Close()
		for _, s := range sheets {
			if compareSheet(t, p, s.Name, etl.DefaultLimits) {
				t.Errorf("%s %q: handed over to excelize", filepath.Base(p), s.Name)
			}
		}
	}
}

const sstXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">` +
	`<si><t>临江区</t></si>` +
	`<si><t xml:space="preserve"> 东晖街道 </t><phoneticPr fontId="1" type="noConversion"/></si>` +
	`<si><r><rPr><b/><sz val="11"/><color theme="1"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr><t>合</t></r><r><t>计</t></r></si>` +
	`<si><t>A_x000D_B_x005F_x0041_C_xD800_D</t></si>` +
	`<si><t>&lt;1&amp;2&gt; &#x4E00;&#20108; a&#13;b` + "\r\n" + `c</t><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>` +
	`<si><t/></si>` +
	`</sst>`

// hand-written sheets: what each holds, whether sheetRows should read it
// itself, and the sheet XML. The shared strings are sstXML.
var sheetCases = []struct {
	name     string
	fallback bool
	xml      string
}{
	{"kinds", false, `<sheetData><row r="1" spans="1:9"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="3"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>` +
		`<c r="G1" t="b"><v>1</v></c><c r="H1" t="e"><v>#N/A</v></c><c r="I1" t="str"><f>A1&amp;"x"</f><v>临江区x</v></c></row>` +
		`<row r="3"><c r="B3"><v>1.5E-3</v></c><c r="D3" s="2"><v>41640</v></c><c r="E3"><f>1/0</f></c><c r="F3" t="d"><v>2014-01-02T00:00:00</v></c><c r="G3"/><c r="H3" t="n"><v> 12 </v></c></row>` +
		`<row r="4"/><row r="5"><c r="A5" t="inlineStr"><is><t>内联</t></is></c><c r="B5" t="inlineStr"><is><r><t>富</t></r><r><rPr><i val="1"/></rPr><t xml:space="preserve"> 文本</t></r></is></c><c r="C5" t="inlineStr"><v>7</v></c><c r="D5" t="inlineStr"><is/></c><c r="E5" t="str"><v></v></c><c r="F5" t="s"><v/></c></row>` +
		`</sheetData><mergeCells count="1"><mergeCell ref="A3:A4"/></mergeCells>`},
	{"numbering", false, `<sheetData><row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row><row><c r="B2"><v>x</v></c></row><row r="7"><c r="A7"><v>7</v></c></row><row><c r="C8"><v>8</v></c></row></sheetData>`},
	{"cells out of order", false, `<sheetData><row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="C1"><v>again</v></c><c r="B1"/><c r="B1"><f>x</f></c></row></sheetData>`},
	{"prefixes and quotes", false, `<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:row r='1' x14ac:dyDescent="0.25"><x:c r='A1' t='s'><x:v>0</x:v></x:c><x:c r="B1" note="a>b"><x:v>2</x:v></x:c></x:row></x:sheetData>`},
	{"spaces in tags", false, "<sheetData >\n <row r=\"1\" >\n  <c r = \"A1\" t=\"inlineStr\" ><is ><t >a\tb\nc</t ></is ></c >\n </row >\n</sheetData >"},
	{"entities in values", false, `<sheetData><row r="1"><c r="A1" t="str"><v>&quot;x&apos; &#65;&#x42;` + "\r" + `</v></c><c r="B1" t="inlineStr"><is><t>_x0041__x005f_</t></is></c></row></sheetData>`},
	{"empty sheetData", false, `<sheetData/>`},
	{"nothing at all", false, `<sheetData></sheetData>`},
	{"a formula over a row", false, `<sheetData><row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">B2+1</f><v>3</v></c><c r="B2"><f t="array" ref="B2">SUM(A1:A2)</f></c></row></sheetData>`},
	// what sheetRows leaves to excelize
	{"comment", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><!-- note --><row r="2"><c r="A2"><v>2</v></c></row></sheetData>`},
	{"CDATA", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="str"><v><![CDATA[<x>]]></v></c></row></sheetData>`},
	{"unknown element in a cell", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><extLst><v>9</v></extLst><v>2</v></c></row></sheetData>`},
	{"unknown cell kind", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="A3" t="x"><v>2</v></c></row><row r="4"><c r="A4"><v>4</v></c></row></sheetData>`},
	{"lower-case reference", true, `<sheetData><row r="1"><c r="a1"><v>1</v></c></row></sheetData>`},
	{"shared string out of range", true, `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>99</v></c></row></sheetData>`},
	{"shared string index with spaces", true, `<sheetData><row r="1"><c r="A1" t="s"><v> 1</v></c></row></sheetData>`},
	{"bad style number", true, `<sheetData><row r="1"><c r="A1" s="x"><v>1</v></c></row></sheetData>`},
	{"unknown entity", true, `<sheetData><row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row></sheetData>`},
	{"bad rich-text property", true, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b val="maybe"/></rPr><t>x</t></r></is></c></row></sheetData>`},
	{"text before row", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><c r="A2"><v>2</v></c><row r="3"><c r="A3"><v>3</v></c></row></sheetData>`},
	{"mismatched end", true, `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></row></c></sheetData>`},
}

func caseBook(t testing.TB, dir, name, sheet, sst string) string {
	parts := append(minimalParts("S"), part{name: "xl/worksheets/sheet1.xml", data: sheet})
	if sst != "" {
		parts = append(parts, part{name: "xl/sharedStrings.xml", data: sst})
	}
	return writeZip(t, dir, name, parts)
}

func TestSheetRowsMatchExcelize(t *testing.T) {
	dir := t.TempDir()
	for i, c := range sheetCases {
		t.Run(c.name, func(t *testing.T) {
			path := caseBook(t, dir, fmt.Sprintf("c%d.xlsx", i), sheetXML(c.xml), sstXML)
			if fell := compareSheet(t, path, "S", etl.DefaultLimits); fell != c.fallback {
				t.Errorf("handed over to excelize: %v, want %v", fell, c.fallback)
			}
		})
	}
}

// The values sheetRows gives for the hand-written kinds, spelled out (the
// comparison above only says they equal excelize's).
func TestSheetRowsValues(t *testing.T) {
	path := caseBook(t, t.TempDir(), "kinds.xlsx", sheetXML(sheetCases[0].xml), sstXML)
	b := open(t, path)
	got := etltest.ReadAll(t, b, "S")
	want := []etl.Row{
		{Num: 1, Cells: []string{"临江区", " 东晖街道 ", "合计", "A\rB_x0041_CD", "<1&2> 一二 a\rb\nc", "", "1", "#N/A", "临江区x"}},
		{Num: 3, Cells: []string{"", "1.5E-3", "", "41640", "", "2014-01-02T00:00:00", "", " 12 "}, Uncached: []etl.Formula{{Col: 4, Text: "1/0"}}},
		{Num: 5, Cells: []string{"内联", "富 文本", "7"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got  %#v\n want %#v", got, want)
	}
}

// A shared-string table sheetRows does not read as excelize does sends
// every sheet that uses it to excelize, with the same result.
func TestSheetRowsSharedStringFallback(t *testing.T) {
	dir := t.TempDir()
	sheet := sheetXML(`<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row></sheetData>`)
	for name, sst := range map[string]string{
		"no namespace":   `<sst count="1"><si><t>a</t></si></sst>`,
		"strict":         `<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>a</t></si></sst>`,
		"bad count":      `<sst xmlns="` + nsMain + `" count="many"><si><t>a</t></si></sst>`,
		"phonetic range": `<sst xmlns="` + nsMain + `"><si><t>a</t><rPh sb="-1" eb="1"><t>x</t></rPh></si></sst>`,
	} {
		path := caseBook(t, dir, strings.ReplaceAll(name, " ", "_")+".xlsx", sheet, sst)
		if !compareSheet(t, path, "S", etl.DefaultLimits) {
			t.Errorf("%s: sheetRows read the table itself", name)
		}
	}
	// Too large for excelize to hold: left to excelize.
	var big strings.Builder
	big.WriteString(`<sst xmlns="` + nsMain + `">`)
	for i := 0; i < 400; i++ {
		big.WriteString(`<si><t>一段相当长的共享字符串</t></si>`)
	}
	big.WriteString(`</sst>`)
	path := caseBook(t, dir, "big.xlsx", sheet, big.String())
	if !compareSheet(t, path, "S", etl.Limits{MaxXMLInMemory: 4096}) {
		t.Errorf("a shared-string part above MaxXMLInMemory was read by sheetRows")
	}
}

// FuzzSheetRowsMatchExcelize: for any worksheet XML and shared-string XML,
// sheetRows answers every Next and Columns as excelize's iterator does.
func FuzzSheetRowsMatchExcelize(f *testing.F) {
	for _, c := range sheetCases {
		f.Add([]byte(sheetXML(c.xml)), []byte(sstXML))
	}
	sheets, ssts := map[string][]byte{}, map[string][]byte{}
	for _, p := range sampleParts(f, "xl/worksheets/sheet", sharedString) {
		if p.name == sharedString {
			ssts[p.book] = p.data
		} else if sheets[p.book] == nil {
			sheets[p.book] = p.data
		}
	}
	for book, sheet := range sheets {
		f.Add(sheet, ssts[book])
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		path := caseBook(t, dir, "f.xlsx", string(sheet), string(sst))
		compareSheet(t, path, "S", etl.Limits{MaxXMLInMemory: 1 << 20})
	})
}

// LastRows counts each sheet's rows as excelize's iterator does.
func TestLastRows(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.xlsx"))
	for _, p := range files {
		got, err := LastRows(p)
		if err != nil {
			t.Fatal(err)
		}
		b := open(t, p)
		want := map[string]int{}
		for _, s := range b.Sheets() {
			rows, err := b.f.Rows(s.Name)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			want[s.Name] = n
		}
		b.Close()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: LastRows = %v, excelize counts %v", filepath.Base(p), got, want)
		}
	}
}
