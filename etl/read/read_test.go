package read

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"shequ/etl"
	"shequ/etl/etltest"
)

const (
	samples = "../../samples/inbox"
	corpus  = "../testdata/corpus"
)

// sheetRows is what one sheet yields.
type sheetRows struct {
	sheet etl.SheetInfo
	rows  []etl.Row
}

func r(n int, cells ...string) etl.Row { return etl.Row{Num: n, Cells: cells} }

func uncached(row etl.Row, f ...etl.Formula) etl.Row {
	row.Uncached = f
	return row
}

// TestCorpus opens every file of the corpus through Open and checks either
// the reason it cannot be read or every row of every sheet.
func TestCorpus(t *testing.T) {
	abc := []string{"a", "b", "c"}
	tests := map[string]struct {
		reason string
		format string
		enc    string
		sheets []sheetRows
	}{
		"xlsx/BadWorkbook.xlsx":   {reason: etl.ReasonCorrupt}, // a workbook without sheets
		"xlsx/encryptAES.xlsx":    {reason: etl.ReasonEncrypted},
		"xlsx/encryptSHA1.xlsx":   {reason: etl.ReasonEncrypted},
		"xlsx/encryptSHA512.xlsx": {reason: etl.ReasonEncrypted},
		"xlsx/Book1.xlsx": {format: "xlsx", sheets: []sheetRows{
			{etl.SheetInfo{Name: "Sheet1"}, []etl.Row{r(19, "Total:", "237"), r(21, "", "", "Column1", "Column2"), r(22, "GitHub")}},
			{etl.SheetInfo{Name: "Sheet2"}, []etl.Row{
				r(1, "Monitor", "", "Brand", "", "inlineStr"), r(2, "> 23 Inch", "19", "HP", "200"), r(3, "20-23 Inch", "24", "DELL", "450"),
				r(4, "17-20 Inch", "56", "Lenove", "200"), r(5, "< 17 Inch", "21", "SONY", "510"), r(6, "", "", "Acer", "315"),
				r(7, "", "", "IBM", "127"), r(8, "", "", "ASUS", "89"), r(9, "", "", "Apple", "348"), r(10, "", "", "SAMSUNG", "53"),
				// Formulas without cached values (the last two share the one before).
				uncached(r(11, "", "", "Other", "37", "", "", "", "", ""), etl.Formula{Col: 4, Text: "B2+B3"},
					etl.Formula{Col: 5, Text: "IF(B2>0, (D2/B2)*100, 0)"}, etl.Formula{Col: 6, Text: "IF(B2>0, (D2/B2)*100, 0)"}, etl.Formula{Col: 7}, etl.Formula{Col: 8}),
			}},
		}},
		"xlsx/CalcChain.xlsx": {format: "xlsx", sheets: []sheetRows{{etl.SheetInfo{Name: "Sheet1"}, []etl.Row{r(1, "0", "1")}}}},
		// A1:B1, A2:A3, A4:B5 and A7:C10 are merged.
		"xlsx/MergeCell.xlsx": {format: "xlsx", sheets: []sheetRows{{etl.SheetInfo{Name: "Sheet1"}, []etl.Row{
			r(1, "A1", "A1", "C1", "D1"), r(2, "A2", "B2", "C2", "D2"), r(3, "A2", "B3", "C3", "D3"),
			r(4, "A4", "A4", "C4", "D4"), r(5, "A4", "A4", "C5", "D5"), r(6, "A6", "B6", "C6", "D6"),
			r(7, "A7", "A7", "A7", "D7"), r(8, "A7", "A7", "A7", "D8"), r(9, "A7", "A7", "A7", "D9"), r(10, "A7", "A7", "A7", "D10"),
			r(11, "A11", "B11", "C11", "D11"), r(12, "A12", "B12", "C12", "D12"),
		}}}},
		"xlsx/OverflowNumericCell.xlsx": {format: "xlsx", sheets: []sheetRows{{etl.SheetInfo{Name: "Sheet1"}, []etl.Row{r(1, "8595602512225")}}}},
		"xlsx/SharedStrings.xlsx": {format: "xlsx", sheets: []sheetRows{
			{etl.SheetInfo{Name: "Sheet1"}, []etl.Row{r(1, "A")}},
			{etl.SheetInfo{Name: "Sheet2"}, []etl.Row{r(1, "Test Weight (Kgs)")}},
		}},
		"csv/spectrum_comma_in_quotes.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, "first", "last", "address", "city", "zip"), r(2, "John", "Doe", "120 any st.", "Anytown, WW", "08123")}}}},
		"csv/spectrum_empty.csv":      {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{r(1, abc...), r(2, "1", "", ""), r(3, "2", "3", "4")}}}},
		"csv/spectrum_empty_crlf.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{r(1, abc...), r(2, "1", "", ""), r(3, "2", "3", "4")}}}},
		"csv/spectrum_escaped_quotes.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, "a", "b"), r(2, "1", `ha "ha" ha`), r(3, "3", "4")}}}},
		"csv/spectrum_json.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, "key", "val"), r(2, "1", `{"type": "Point", "coordinates": [102.0, 0.5]}`)}}}},
		"csv/spectrum_location_coordinates.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, "Contact Phone Number", "Location Coordinates", "Cities", "Counties"),
			r(2, "2095257564", "37\uFFFD36'37.8\"N 121\uFFFD2'17.9\"W", "Modesto", "Stanislaus")}}}},
		"csv/spectrum_newlines.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, abc...), r(2, "1", "2", "3"), r(3, "Once upon \na time", "5", "6"), r(5, "7", "8", "9")}}}},
		"csv/spectrum_newlines_crlf.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, abc...), r(2, "1", "2", "3"), r(3, "Once upon \na time", "5", "6"), r(5, "7", "8", "9")}}}},
		"csv/spectrum_quotes_and_newlines.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, "a", "b"), r(2, "1", "ha \n\"ha\" \nha"), r(5, "3", "4")}}}},
		"csv/spectrum_simple.csv":      {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{r(1, abc...), r(2, "1", "2", "3")}}}},
		"csv/spectrum_simple_crlf.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{r(1, abc...), r(2, "1", "2", "3")}}}},
		"csv/spectrum_utf8.csv": {format: "csv", enc: "utf-8", sheets: []sheetRows{{etl.SheetInfo{}, []etl.Row{
			r(1, abc...), r(2, "1", "2", "3"), r(3, "4", "5", "ʤ")}}}},
	}
	files, _ := filepath.Glob(filepath.Join(corpus, "*/*"))
	if len(files) != len(tests) {
		t.Errorf("%d corpus files, %d cases", len(files), len(tests))
	}
	for _, path := range files {
		name, _ := filepath.Rel(corpus, path)
		name = filepath.ToSlash(name)
		tc, ok := tests[name]
		if !ok {
			t.Errorf("%s: no case", name)
			continue
		}
		b, err := Open(path, etl.DefaultLimits)
		if tc.reason != "" {
			fe, ok := etl.AsFileError(err)
			if !ok || fe.Reason != tc.reason || fe.File != path || fe.Zh == "" {
				t.Errorf("%s: err %v, want reason %s", name, err, tc.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if b.Format() != tc.format || b.Encoding() != tc.enc {
			t.Errorf("%s: format %q encoding %q", name, b.Format(), b.Encoding())
		}
		var got []sheetRows
		for _, s := range b.Sheets() {
			rows, err := etltest.ReadRows(b, s.Name)
			if err != nil {
				t.Errorf("%s %s: %v", name, s.Name, err)
			}
			got = append(got, sheetRows{s, rows})
		}
		if !reflect.DeepEqual(got, tc.sheets) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, tc.sheets)
		}
		b.Close()
	}
}

// Every sample opens as what it is, whatever its name says.
func TestSamplesRouted(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samples, "*/*"))
	if len(files) != 22 {
		t.Fatalf("%d samples", len(files))
	}
	for _, p := range files {
		b, err := Open(p, etl.DefaultLimits)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		want := strings.TrimPrefix(filepath.Ext(p), ".")
		if b.Format() != want {
			t.Errorf("%s: Format %q", p, b.Format())
		}
		b.Close()
	}
}

func TestSniffNotExtension(t *testing.T) {
	dir := t.TempDir()
	copyAs := func(src, name string) string {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		return etltest.WriteFile(t, dir, name, data)
	}
	// A workbook named .csv is a workbook; a CSV named .xlsx or .dat is text.
	b, err := Open(copyAs(filepath.Join(samples, "batch1/11_2013年度评估结果.xlsx"), "评估.csv"), etl.DefaultLimits)
	if err != nil || b.Format() != "xlsx" {
		t.Fatalf("xlsx named .csv: %v", err)
	}
	b.Close()
	for _, name := range []string{"名册.xlsx", "名册.dat", "名册"} {
		b, err = Open(copyAs(filepath.Join(samples, "batch1/02_青山区社区名册.csv"), name), etl.DefaultLimits)
		if err != nil || b.Format() != "csv" || b.Encoding() != "gb18030" {
			t.Fatalf("%s: %v", name, err)
		}
		rows, _ := etltest.ReadRows(b, "")
		if len(rows) != 47 || rows[0].Cells[0] != "青山区2013-2014年社区（村）基本情况统计表" {
			t.Errorf("%s: %d rows", name, len(rows))
		}
		b.Close()
	}
	// An encrypted workbook named .csv is still encrypted.
	p := copyAs(filepath.Join(corpus, "xlsx/encryptAES.xlsx"), "加密.CSV")
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonEncrypted)

	p = etltest.WriteFile(t, dir, "empty.csv", nil)
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonEmpty)

	p = etltest.WriteFile(t, dir, "photo.jpg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01"))
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	p = etltest.WriteFile(t, dir, "导出.xls", []byte("<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>年度</td></tr></table></body></html>"))
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	p = etltest.WriteFile(t, dir, "2003.xls", []byte("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"></Workbook>"))
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	// A .txt file is read as CSV, also UTF-16 "Unicode text" (tab-separated),
	// which is routed to the CSV reader by its byte-order mark whatever its
	// name.
	for _, name := range []string{"unicode.txt", "unicode.xls", "unicode"} {
		p = etltest.WriteFile(t, dir, name, []byte("\xFF\xFEa\x00\t\x00b\x00\r\x00\n\x00\x02\x5E\t\x00\x3A\x53\r\x00\n\x00"))
		b, err = Open(p, etl.DefaultLimits)
		if err != nil || b.Format() != "csv" || b.Encoding() != "utf-16le" {
			t.Fatalf("%s: %v", name, err)
		}
		rows, err := etltest.ReadRows(b, "")
		if err != nil || !reflect.DeepEqual(rows, []etl.Row{r(1, "a", "b"), r(2, "市", "区")}) {
			t.Errorf("%s: %v %v", name, err, rows)
		}
		b.Close()
	}
	p = etltest.WriteFile(t, dir, "plain.TXT", []byte("年度,区\r\n2014,临江区\r\n"))
	b, err = Open(p, etl.DefaultLimits)
	if err != nil || b.Format() != "csv" {
		t.Fatalf("plain.TXT: %v", err)
	}
	b.Close()

	// A zip that is not a workbook.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	p = etltest.WriteFile(t, dir, "archive.xlsx", zbuf.Bytes())
	_, err = Open(p, etl.DefaultLimits)
	etltest.WantReason(t, err, p, etl.ReasonFormat)

	if _, err := Open(filepath.Join(dir, "missing.xlsx"), etl.DefaultLimits); err == nil || etltest.IsFileError(err) {
		t.Errorf("missing file: %v, want a plain error", err)
	}
	if _, err := Open(dir, etl.DefaultLimits); err == nil || etltest.IsFileError(err) {
		t.Errorf("directory: %v, want a plain error", err)
	}
}

// FuzzXLSX: any bytes, written to a file, open through Open and read in
// every sheet without a panic; every error is a *etl.FileError; row
// numbers increase.
func FuzzXLSX(f *testing.F) {
	etltest.AddFiles(f, filepath.Join(corpus, "*/*"), filepath.Join(samples, "*/*"))
	f.Add(etltest.OLEFile("Workbook", []byte("\x09\x08\x10\x00\x00\x06\x05\x00")))
	f.Add(etltest.OLEFile("WordDocument", nil))
	f.Add([]byte("\xFF\xFEa\x00\t\x00b\x00\r\x00"))
	// What etl/xlsx refuses as .xls or .ods is not converted here: a
	// LibreOffice run for each input would be all the fuzzing did.
	defer func(old func() string) { libreOffice = old }(libreOffice)
	libreOffice = func() string { return "" }
	dir := f.TempDir()
	lim := etl.Limits{MaxFileBytes: 1 << 20, MaxUnzipBytes: 64 << 20, MaxXMLInMemory: 1 << 20, MaxCells: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := Open(path, lim)
		if err != nil {
			if !etltest.IsFileError(err) {
				t.Fatalf("Open: %v (%T) is not a FileError", err, err)
			}
			return
		}
		defer b.Close()
		for _, s := range b.Sheets() {
			rr, err := b.Rows(s.Name)
			if err != nil {
				if !etltest.IsFileError(err) {
					t.Fatalf("Rows(%q): %v (%T) is not a FileError", s.Name, err, err)
				}
				continue
			}
			last := 0
			for {
				row, err := rr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					if !etltest.IsFileError(err) {
						t.Fatalf("Next: %v (%T) is not a FileError", err, err)
					}
					break
				}
				if row.Num <= last || len(row.Cells) > lim.MaxCells {
					t.Fatalf("row %d after %d with %d cells", row.Num, last, len(row.Cells))
				}
				last = row.Num
			}
			rr.Close()
		}
	})
}

// A failed Open returns a nil interface, not a nil pointer inside one.
func TestNilBookOnError(t *testing.T) {
	for _, p := range []string{filepath.Join(corpus, "xlsx/encryptAES.xlsx"), filepath.Join(corpus, "xlsx/BadWorkbook.xlsx")} {
		b, err := Open(p, etl.DefaultLimits)
		if err == nil || b != nil {
			t.Errorf("%s: book %v, err %v", p, b, err)
		}
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	b, err := Open(p, etl.Limits{MaxFileBytes: 3})
	if err == nil || b != nil {
		t.Errorf("csv: book %v, err %v", b, err)
	}
}
