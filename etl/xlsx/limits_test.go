package xlsx

import (
	"fmt"
	"strings"
	"testing"

	"shequ/etl"
	"shequ/etl/etltest"
)

// numberRows is sheet data of rows 1..n with two numbers each.
func numberRows(n int) string {
	var b strings.Builder
	b.WriteString("<sheetData>")
	for r := 1; r <= n; r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>`, r, r, r, r, r*10)
	}
	b.WriteString("</sheetData>")
	return b.String()
}

// bookOf writes a workbook whose sheets S1..Sn hold the given sheet data,
// with the shared strings sst if it is not empty.
func bookOf(t testing.TB, sst string, sheets ...string) string {
	t.Helper()
	names := make([]string, len(sheets))
	for i := range sheets {
		names[i] = fmt.Sprintf("S%d", i+1)
	}
	parts := minimalParts(names...)
	for i, data := range sheets {
		parts = append(parts, part{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), data: sheetXML(data)})
	}
	if sst != "" {
		parts = append(parts, part{name: "xl/sharedStrings.xml", data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="` + nsMain + `">` + sst + `</sst>`})
	}
	return writeZip(t, t.TempDir(), "b.xlsx", parts)
}

func TestMaxSheets(t *testing.T) {
	path := bookOf(t, "", numberRows(1), numberRows(1), numberRows(1), numberRows(1), numberRows(1))
	_, err := Open(path, etl.Limits{MaxSheets: 4})
	fe := etltest.WantReason(t, err, path, etl.ReasonTooLarge)
	if !strings.Contains(fe.Zh, "5 个") {
		t.Errorf("Zh %q", fe.Zh)
	}
	b, err := Open(path, etl.Limits{MaxSheets: 5})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}

// The parts excelize holds in memory are bounded together; the sheets it
// spools to disk do not count.
func TestMaxInMemoryBytes(t *testing.T) {
	data := numberRows(20) // about 1 300 bytes of XML
	path := bookOf(t, "", data, data, data)
	_, err := Open(path, etl.Limits{MaxInMemoryBytes: 3000})
	etltest.WantReason(t, err, path, etl.ReasonTooLarge)
	b, err := Open(path, etl.Limits{MaxInMemoryBytes: 3000, MaxXMLInMemory: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rows := etltest.ReadAll(t, b, "S3"); len(rows) != 20 {
		t.Errorf("%d rows", len(rows))
	}
	b.Close()
}

// A cell longer than Excel's 32 767 characters is refused with its place,
// whether it is an inline string or a shared one, read by the fast reader
// or by excelize.
func TestMaxCellChars(t *testing.T) {
	defer func(old bool) { excelizeOnly = old }(excelizeOnly)
	ok, long := strings.Repeat("长", 32767), strings.Repeat("长", 32768)
	astral := strings.Repeat("a", 32766) + "😀" // 32 768 UTF-16 units
	inline := func(s string) string {
		return `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="C2" t="inlineStr"><is><t>` + s + `</t></is></c></row></sheetData>`
	}
	shared := `<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="C2" t="s"><v>1</v></c></row></sheetData>`
	cases := []struct {
		name, sst, sheet string
		lim              etl.Limits
		cell             string // "" when the cell is read
	}{
		{"inline, at the limit", "", inline(ok), etl.Limits{}, ""},
		{"inline", "", inline(long), etl.Limits{}, long},
		{"inline, astral", "", inline(astral), etl.Limits{}, astral},
		{"shared, at the limit", `<si><t>x</t></si><si><t>` + ok + `</t></si>`, shared, etl.Limits{}, ""},
		{"shared", `<si><t>x</t></si><si><t>` + long + `</t></si>`, shared, etl.Limits{}, long},
		// The shared strings too large for memory are read by excelize.
		{"shared, spooled", `<si><t>x</t></si><si><t>` + long + `</t></si>`, shared, etl.Limits{MaxXMLInMemory: 1000}, long},
		{"lower limit", "", inline("12345"), etl.Limits{MaxCellChars: 4}, "12345"},
	}
	for _, slow := range []bool{false, true} {
		excelizeOnly = slow
		for _, c := range cases {
			path := bookOf(t, c.sst, c.sheet)
			b, err := Open(path, c.lim)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			rows, err := etltest.ReadRows(b, "S1")
			b.Close()
			if c.cell == "" {
				if err != nil || len(rows) != 2 || rows[1].Cells[2] != ok {
					t.Errorf("%s (excelize %v): %v, %d rows", c.name, slow, err, len(rows))
				}
				continue
			}
			fe := etltest.WantReason(t, err, path, etl.ReasonTooLarge)
			if len(rows) != 1 || !strings.Contains(fe.Zh, "“S1”第 2 行 C 列") || !strings.Contains(fe.Zh, "个字符") {
				t.Errorf("%s (excelize %v): %d rows, Zh %q", c.name, slow, len(rows), fe.Zh)
			}
		}
	}
}

// The cells of all sheets count together; reading a sheet again does not
// count it twice.
func TestMaxBookCells(t *testing.T) {
	path := bookOf(t, "", numberRows(3), numberRows(3))
	b, err := Open(path, etl.Limits{MaxBookCells: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for range 2 {
		if rows := etltest.ReadAll(t, b, "S1"); len(rows) != 3 {
			t.Fatalf("%d rows", len(rows))
		}
	}
	rows, err := etltest.ReadRows(b, "S2")
	fe := etltest.WantReason(t, err, path, etl.ReasonTooLarge)
	if len(rows) != 2 || !strings.Contains(fe.Zh, "“S2”第 3 行") {
		t.Errorf("%d rows, Zh %q", len(rows), fe.Zh)
	}
}
