package receipt

import (
	"archive/zip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl/validate"
)

// problemsAcross puts problems in every sheet of a workbook: on its first,
// second, middle and last rows, in column A, in column C and in a column
// right of the data, alternately errors and warnings.
func problemsAcross(t *testing.T, path string) []Problem {
	t.Helper()
	f := open(t, path)
	var ps []Problem
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil || len(rows) == 0 {
			continue
		}
		for i, r := range []int{1, 2, len(rows) / 2, len(rows)} {
			if r < 1 {
				continue
			}
			sev := validate.Error
			if i%2 == 1 {
				sev = validate.Warning
			}
			for _, col := range []string{"A", "C", "Q"} {
				ps = append(ps, Problem{Sheet: s, Problem: validate.Problem{Row: r, Letter: col, Value: "x",
					Severity: sev, Code: validate.InvalidCode, Column: "community_code"}})
			}
		}
	}
	return ps
}

// writeBoth writes the receipt of src with the stripped copy and with the
// whole workbook edited.
func writeBoth(t *testing.T, src string, ps []Problem) (stripped, whole string) {
	t.Helper()
	info := Info{File: filepath.Base(src), District: "临江区", Submission: 9, Status: Loaded, Kinds: []string{"activities"},
		Read: 100, Loaded: 90, Rejected: 10, ReceivedAt: received}
	dir := t.TempDir()
	stripped, whole = filepath.Join(dir, "stripped.xlsx"), filepath.Join(dir, "whole.xlsx")
	defer func(o []bool) { stripOrder = o }(stripOrder)
	stripOrder = []bool{true} // no second try: a failed splice leaves the receipt without its copy
	if err := Write(stripped, src, "xlsx", "", info, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	if sheets := open(t, stripped).GetSheetList(); len(sheets) < 2 {
		t.Fatalf("the stripped receipt has no copy: sheets %q", sheets)
	}
	stripOrder = []bool{false}
	if err := Write(whole, src, "xlsx", "", info, ps, Limits{}); err != nil {
		t.Fatal(err)
	}
	return stripped, whole
}

// sameWorkbook compares two workbooks as a person sees them: sheets,
// every cell's value and style, merged ranges and comments.
func sameWorkbook(t *testing.T, gotPath, wantPath string) {
	t.Helper()
	got, want := open(t, gotPath), open(t, wantPath)
	if g, w := got.GetSheetList(), want.GetSheetList(); !reflect.DeepEqual(g, w) {
		t.Fatalf("sheets %q, want %q", g, w)
	}
	for _, s := range want.GetSheetList() {
		gr, err1 := got.GetRows(s, excelize.Options{RawCellValue: true})
		wr, err2 := want.GetRows(s, excelize.Options{RawCellValue: true})
		if err1 != nil || err2 != nil {
			t.Fatalf("sheet %s: %v %v", s, err1, err2)
		}
		if !reflect.DeepEqual(gr, wr) {
			t.Errorf("sheet %s: the values differ", s)
			continue
		}
		for r, row := range wr {
			for c := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if g, w := style(t, got, s, cell), style(t, want, s, cell); !reflect.DeepEqual(g, w) {
					t.Errorf("sheet %s %s: style %+v, want %+v", s, cell, g, w)
				}
			}
		}
		gm, _ := got.GetMergeCells(s)
		wm, _ := want.GetMergeCells(s)
		if !reflect.DeepEqual(gm, wm) {
			t.Errorf("sheet %s: merged %v, want %v", s, gm, wm)
		}
		gc, wc := comments(t, got, s), comments(t, want, s)
		if len(gc) != len(wc) {
			t.Errorf("sheet %s: %d comments, want %d", s, len(gc), len(wc))
		}
		for cell, c := range wc {
			if commentText(gc[cell]) != commentText(c) {
				t.Errorf("sheet %s %s: comment %q, want %q", s, cell, commentText(gc[cell]), commentText(c))
			}
		}
	}
}

func style(t *testing.T, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The copy edited stripped to the rows with problems and spliced back is
// the copy of the whole workbook edited, for every sample workbook.
func TestStrippedCopySamples(t *testing.T) {
	files, _ := filepath.Glob(inbox + "*/*.xlsx")
	if len(files) < 9 {
		t.Fatalf("%d sample workbooks", len(files))
	}
	for _, src := range files {
		t.Run(filepath.Base(src), func(t *testing.T) {
			ps := problemsAcross(t, src)
			f, _, _, sp := annotatedCopy(src, "xlsx", "", ps, Limits{}.OrDefault(), true)
			if f == nil || sp == nil {
				t.Fatalf("the copy was not made stripped (workbook %v)", f != nil)
			}
			f.Close()
			sp.remove()
			stripped, whole := writeBoth(t, src, ps)
			sameWorkbook(t, stripped, whole)
		})
	}
}

// bigWorkbook writes n rows of service records with the district merged
// down every 20 rows, a title merged across the top, a number format and a
// second sheet.
func bigWorkbook(t *testing.T, n int) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"2015年服务台账"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A2", []any{"区", "项目编号", "日期", "人次"}); err != nil {
		t.Fatal(err)
	}
	for i := 3; i <= n; i++ {
		district := any(nil)
		if (i-3)%20 == 0 {
			district = "临江区" + strconv.Itoa(i/20)
		}
		row := []any{district, fmt.Sprintf("LJ2015-%03d", i%300), excelize.Cell{StyleID: date, Value: 42005 + i%365}, i % 50}
		if err := sw.SetRow("A"+strconv.Itoa(i), row); err != nil {
			t.Fatal(err)
		}
		if (i-3)%20 == 0 && i+19 <= n {
			if err := sw.MergeCell("A"+strconv.Itoa(i), "A"+strconv.Itoa(i+19)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := sw.MergeCell("A1", "D1"); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("说明", "A1", "报送说明"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "big.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// On a workbook of merged districts, with problems inside merged ranges,
// on missing cells and on the title: the same copy either way.
func TestStrippedCopyMerged(t *testing.T) {
	src := bigWorkbook(t, 2000)
	var ps []Problem
	for _, at := range []struct {
		row int
		col string
	}{{1, "C"}, {5, "A"}, {44, "A"}, {45, "D"}, {1000, "F"}, {1999, "B"}, {2000, "A"}} {
		ps = append(ps, Problem{Sheet: "Sheet1", Problem: validate.Problem{Row: at.row, Letter: at.col, Value: "x",
			Severity: validate.Error, Code: validate.InvalidCode, Column: "community_code"}})
	}
	stripped, whole := writeBoth(t, src, ps)
	sameWorkbook(t, stripped, whole)
}

// LibreOffice opens the spliced copy and reads every value of it as the
// original holds them.
func TestStrippedCopyInLibreOffice(t *testing.T) {
	soffice := libreOffice(t)
	src := bigWorkbook(t, 3000)
	ps := []Problem{{Sheet: "Sheet1", Problem: validate.Problem{Row: 100, Letter: "B", Value: "x",
		Severity: validate.Error, Code: validate.InvalidCode, Column: "community_code"}}}
	stripped, _ := writeBoth(t, src, ps)
	dir := t.TempDir()
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "xlsx", "--outdir", dir, stripped)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	conv := open(t, filepath.Join(dir, filepath.Base(stripped)))
	orig := open(t, src)
	want, _ := orig.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	got, err := conv.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("LibreOffice reads %d rows, the original has %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d: LibreOffice reads %q, the original holds %q", i+1, got[i], want[i])
		}
	}
}

// libreOffice finds LibreOffice: missing, the test fails in CI and is
// skipped elsewhere (./scripts/test-deps installs it).
func libreOffice(t *testing.T) string {
	for _, n := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("libreoffice is not installed; run ./scripts/test-deps")
	}
	t.Skip("libreoffice is not installed; run ./scripts/test-deps")
	return ""
}

// oneSheetBook writes a workbook of one sheet "S" with the given worksheet
// XML, as hand-written parts.
func oneSheetBook(t *testing.T, sheet string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "s.xlsx")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	add := func(name, data string) {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(data))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`)
	// excelize needs the fonts of a styles part to size a comment.
	add("xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
		`<fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font></fonts>`+
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>`+
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`+
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`+
		`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>`+
		`<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>`)
	add("xl/worksheets/sheet1.xml", sheet)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return src
}

var problemB2 = []Problem{{Sheet: "S", Problem: validate.Problem{Row: 2, Letter: "B", Value: "x", Severity: validate.Error, Code: validate.InvalidCode}}}

// A workbook as Excel writes it — markup-compatibility namespaces on the
// sheet, x14ac attributes on every row — is stripped and spliced (the
// rows' prefixes are declared in what excelize writes), with the same copy
// as editing it whole.
func TestStrippedCopyExcelNamespaces(t *testing.T) {
	src := oneSheetBook(t, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" xr:uid="{00000000-0001-0000-0000-000000000000}"><dimension ref="A1:B3"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData><row r="1" spans="1:2" x14ac:dyDescent="0.25"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></c></row><row r="2" spans="1:2" x14ac:dyDescent="0.25"><c r="A2" t="inlineStr"><is><t>b</t></is></c><c r="B2"><v>2</v></c></row><row r="3" spans="1:2" x14ac:dyDescent="0.25"><c r="A3" t="inlineStr"><is><t>c</t></is></c><c r="B3"><v>3</v></c></row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	stripped, whole := writeBoth(t, src, problemB2)
	sameWorkbook(t, stripped, whole)
}

// A sheet the strip does not rewrite (here, one with an XML comment among
// its rows) is edited whole: the receipt still carries its copy, marked.
func TestUnstrippableWorkbookIsEditedWhole(t *testing.T) {
	src := oneSheetBook(t, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><!-- 以下为数据 -->`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>b</t></is></c><c r="B2"><v>2</v></c></row>`+
		`</sheetData></worksheet>`)
	if sp := stripCopy(src, problemB2, Limits{}.OrDefault()); sp != nil {
		sp.remove()
		t.Fatal("a sheet of prefixed elements was stripped")
	}
	dst := filepath.Join(t.TempDir(), "r.xlsx")
	info := Info{File: "s.xlsx", District: "临江区", Submission: 1, Status: Loaded, Read: 2, Loaded: 1, Rejected: 1, ReceivedAt: received}
	if err := Write(dst, src, "xlsx", "", info, problemB2, Limits{}); err != nil {
		t.Fatal(err)
	}
	f := open(t, dst)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{Sheet, "S"}) {
		t.Fatalf("sheets %q: the copy is missing", got)
	}
	if c := comments(t, f, "S")["B2"]; !strings.Contains(commentText(c), problemB2[0].MessageZh()) {
		t.Errorf("B2's comment %q, want the problem's message", commentText(c))
	}
	if st := style(t, f, "S", "B2"); st.Fill.Pattern != 1 {
		t.Errorf("B2 not filled: %+v", st.Fill)
	}
	if v, _ := f.GetCellValue("S", "A2"); v != "b" {
		t.Errorf("A2 = %q in the copy", v)
	}
}
