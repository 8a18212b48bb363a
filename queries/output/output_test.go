package output

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/queries"
)

// decimal stands in for duckdb-go's Decimal: a Stringer that drops
// trailing zeros.
type decimal string

func (d decimal) String() string { return string(d) }

func sample() *queries.Result {
	return &queries.Result{
		Columns: []string{"district", "communities", "rate", "amount", "since", "note"},
		Types:   []string{"VARCHAR", "BIGINT", "DOUBLE", "DECIMAL(18,2)", "DATE", "VARCHAR"},
		Rows: [][]any{
			{"临江区", int64(11), 0.8181818181818182, decimal("821000"), time.Date(2015, 1, 10, 0, 0, 0, 0, time.UTC), "a|b"},
			{"Qingshan", int64(9), 1.0, decimal("-0.5"), nil, "两行\n说明"},
		},
	}
}

func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sample(), Options{}); err != nil {
		t.Fatal(err)
	}
	want := `district │ communities │               rate │    amount │ since      │ note
─────────┼─────────────┼────────────────────┼───────────┼────────────┼──────────
临江区   │          11 │ 0.8181818181818182 │ 821000.00 │ 2015-01-10 │ a|b
Qingshan │           9 │                  1 │     -0.50 │ NULL       │ 两行↵说明
(2 rows)
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sample(), Options{BOM: true}); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffdistrict,communities,rate,amount,since,note\n临江区,11,0.8181818181818182,821000.00,2015-01-10,a|b\nQingshan,9,1,-0.50,,\"两行\n说明\"\n"
	if b.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", b.String(), want)
	}
}

// TestCSVEscapesFormulas: text a spreadsheet would evaluate is written with
// a ' in front; numbers, negative ones too, are left alone.
func TestCSVEscapesFormulas(t *testing.T) {
	res := &queries.Result{
		Columns: []string{"file", "delta", "amount", "note"},
		Types:   []string{"VARCHAR", "INTEGER", "DECIMAL(18,2)", "VARCHAR"},
		Rows: [][]any{
			{`=HYPERLINK("http://example.com/x","点击")`, int32(-3), decimal("-12.5"), "=2+5"},
			{"@P3", int32(4), decimal("1"), "+1"},
			{"-1", int32(-1), decimal("-1"), "\t=1"},
			{"\r=1", nil, nil, "青山区 = 2"},
		},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, res, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "file,delta,amount,note\n" +
		`"'=HYPERLINK(""http://example.com/x"",""点击"")",-3,-12.50,'=2+5` + "\n" +
		"'@P3,4,1.00,'+1\n" +
		"'-1,-1,-1.00,'\t=1\n" +
		"\"'\r=1\",,,青山区 = 2\n"
	if b.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	res := sample()
	res.Columns = append(res.Columns, "big")
	res.Types = append(res.Types, "HUGEINT")
	res.Rows[0] = append(res.Rows[0], big.NewInt(12345678901234))
	res.Rows[1] = append(res.Rows[1], nil)
	if err := WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	want := `[
  {"district": "临江区", "communities": 11, "rate": 0.8181818181818182, "amount": 821000.00, "since": "2015-01-10", "note": "a|b", "big": 12345678901234},
  {"district": "Qingshan", "communities": 9, "rate": 1, "amount": -0.50, "since": null, "note": "两行\n说明", "big": null}
]
`
	if b.String() != want {
		t.Errorf("json:\n%s\nwant\n%s", b.String(), want)
	}
	var v []map[string]any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil || len(v) != 2 {
		t.Errorf("not valid JSON: %v", err)
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := "| district | communities | rate | amount | since | note |\n|---|--:|--:|--:|---|---|\n" +
		"| 临江区 | 11 | 0.8181818181818182 | 821000.00 | 2015-01-10 | a\\|b |\n" +
		"| Qingshan | 9 | 1 | -0.50 | NULL | 两行<br>说明 |\n"
	if b.String() != want {
		t.Errorf("markdown:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, []Sheet{{Name: "coverage: 2014", Result: sample()}, {Name: "coverage: 2014", Result: sample()}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "coverage_ 2014,coverage_ 2014 (2)" {
		t.Errorf("sheets %q", got)
	}
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "district" || rows[1][0] != "临江区" || rows[1][4] != "2015-01-10" {
		t.Errorf("rows %q", rows)
	}
	if typ, _ := f.GetCellType(sheet, "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("amount cell type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue(sheet, "D2", excelize.Options{RawCellValue: true}); v != "821000" {
		t.Errorf("amount raw value %q", v)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v: want the header row frozen", panes, err)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Format{"csv": CSV, "MD": Markdown, "xlsx": XLSX} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := Parse("pdf"); err == nil {
		t.Error("pdf accepted")
	}
	if f, ok := FromFileName("out/cov.xlsx"); !ok || f != XLSX {
		t.Errorf("FromFileName = %v %v", f, ok)
	}
}
