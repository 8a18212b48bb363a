package xlsx

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
	"shequ/etl/etltest"
)

// A workbook a program wrote with formulas, never opened in Excel, holds no
// result for them: the cells read "" and the row lists them in Uncached, so
// that validation can say the formula has no saved result instead of that
// the cell is empty.
func TestUncachedFormulas(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"年度", "项目编号", "市级", "区级", "合同金额(万元)"},
		{2014, "LJ2014-001", 10, 20},
		{2014, "LJ2014-002", 1.5, 2.5},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range []error{
		f.SetCellFormula("Sheet1", "E2", "SUM(C2:D2)"),
		f.SetCellFormula("Sheet1", "E3", "C3+D3"),
		f.SetCellFormula("Sheet1", "A5", "E2*2"), // a row of formulas only
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "program.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got := etltest.ReadAll(t, open(t, path), "Sheet1")
	want := []etl.Row{
		{Num: 1, Cells: []string{"年度", "项目编号", "市级", "区级", "合同金额(万元)"}},
		{Num: 2, Cells: []string{"2014", "LJ2014-001", "10", "20", ""}, Uncached: []etl.Formula{{Col: 4, Text: "SUM(C2:D2)"}}},
		{Num: 3, Cells: []string{"2014", "LJ2014-002", "1.5", "2.5", ""}, Uncached: []etl.Formula{{Col: 4, Text: "C3+D3"}}},
		{Num: 5, Cells: []string{""}, Uncached: []etl.Formula{{Col: 0, Text: "E2*2"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
	if fm, ok := got[1].UncachedAt(4); !ok || fm.Text != "SUM(C2:D2)" {
		t.Errorf("UncachedAt(4) = %+v, %v", fm, ok)
	}
	if _, ok := got[1].UncachedAt(3); ok {
		t.Error("UncachedAt(3): a plain number is no formula")
	}
}

// A result saved with the formula, even an empty text, is a result.
func TestCachedFormulas(t *testing.T) {
	path := oneSheet(t, `<sheetData><row r="1">`+
		`<c r="A1"><f>1+1</f><v>2</v></c>`+
		`<c r="B1" t="str"><f>IF(A1&gt;5,"x","")</f><v></v></c>`+
		`<c r="C1" t="str"><f>"a"</f><v>a</v></c>`+
		`<c r="D1"><f>1/0</f><v></v></c>`+ // an empty number is no result (openpyxl writes this)
		`<c r="E1" t="str"><f>"a"</f></c>`+
		`</row></sheetData>`)
	got := etltest.ReadAll(t, open(t, path), "S")
	want := []etl.Row{{Num: 1, Cells: []string{"2", "", "a", "", ""}, Uncached: []etl.Formula{{Col: 3, Text: "1/0"}, {Col: 4, Text: `"a"`}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got, want)
	}
	// Workbooks Excel saved have results: the samples list no formula.
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.xlsx"))
	for _, p := range files {
		b := open(t, p)
		for _, s := range b.Sheets() {
			for _, r := range etltest.ReadAll(t, b, s.Name) {
				if r.Uncached != nil {
					t.Errorf("%s %s row %d: %+v", p, s.Name, r.Num, r.Uncached)
				}
			}
		}
	}
}
