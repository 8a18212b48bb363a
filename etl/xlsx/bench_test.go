package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
)

// The benchmarks share one generated workbook: 200 000 rows × 8 columns,
// written by excelize's stream writer (inline strings), with the district
// column merged down every 20 rows (10 000 merged ranges) and a title
// merged across the top.
const benchRows = 200000

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchWorkbook(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "shequ-xlsx-bench-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "big.xlsx")
		benchErr = writeBenchWorkbook(benchPath)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func writeBenchWorkbook(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"2014年社区服务项目人员名册"}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", "H1"); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{"年度", "项目编号", "区", "社区代码", "姓名", "岗位", "年度人力成本(元)", "入职日期"}); err != nil {
		return err
	}
	streets := []string{"临江区", "青山区", "白沙镇", "黄田镇"}
	row := make([]any, 8)
	for i := 0; i < benchRows-2; i++ {
		r := i + 3
		row[0] = 2014
		row[1] = fmt.Sprintf("LJ2014-%06d", i/8)
		row[2] = nil
		if i%20 == 0 {
			row[2] = streets[(i/20)%len(streets)]
		}
		row[3] = fmt.Sprintf("5199020%05d", i%100000)
		row[4] = "社工" + fmt.Sprint(i%997)
		row[5] = "专职社工"
		row[6] = 60000 + float64(i%5000)*3.17
		row[7] = 41275 + i%700
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
		if i%20 == 0 {
			if err := sw.MergeCell(fmt.Sprintf("C%d", r), fmt.Sprintf("C%d", min(r+19, benchRows))); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// sheetPart opens the benchmark's worksheet part with archive/zip.
func sheetPart(b *testing.B, path string) (*zip.ReadCloser, *zip.File) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			return zr, zf
		}
	}
	b.Fatal("no sheet1.xml")
	return nil, nil
}

func report(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRead200k compares reading the whole sheet, from opening the file
// to the last row: excelize's own streaming reader, this package's Book
// (zip checks, merge pre-scan, fill and row numbering included), and the
// floor of just inflating the sheet's XML.
func BenchmarkRead200k(b *testing.B) {
	path := benchWorkbook(b)
	_, zf := sheetPart(b, path)
	xmlSize := int64(zf.UncompressedSize64)
	fi, _ := os.Stat(path)
	b.Logf("workbook %d bytes, sheet XML %d bytes", fi.Size(), xmlSize)

	b.Run("excelize-bare", func(b *testing.B) {
		b.SetBytes(xmlSize)
		for b.Loop() {
			f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipXMLSizeLimit: etl.DefaultLimits.MaxXMLInMemory})
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := rows.Columns(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
			if n != benchRows {
				b.Fatalf("%d rows", n)
			}
		}
		report(b, benchRows)
	})

	for _, mode := range []struct {
		name         string
		excelizeOnly bool
	}{{"book", false}, {"book-excelize-rows", true}} {
		b.Run(mode.name, func(b *testing.B) {
			defer func(v bool) { excelizeOnly = v }(excelizeOnly)
			excelizeOnly = mode.excelizeOnly
			benchBook(b, path, xmlSize)
		})
	}

	b.Run("unzip-floor", func(b *testing.B) {
		b.SetBytes(xmlSize)
		for b.Loop() {
			zr, zf := sheetPart(b, path)
			rc, err := zf.Open()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
			zr.Close()
		}
		report(b, benchRows)
	})
}

// benchBook reads the bench sheet through Book: the fast sheet reader, or
// excelize's iterator when excelizeOnly is set.
func benchBook(b *testing.B, path string, xmlSize int64) {
	b.SetBytes(xmlSize)
	for b.Loop() {
		bk, err := Open(path, etl.DefaultLimits)
		if err != nil {
			b.Fatal(err)
		}
		rr, err := bk.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			r, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if r.Cells[2] == "" {
				b.Fatalf("row %d: district not filled", r.Num)
			}
			n++
		}
		rr.Close()
		bk.Close()
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	report(b, benchRows)
}

// BenchmarkMergeScan measures the merge pre-scan alone: the byte scanner
// and the encoding/xml alternative, each from the zip (inflating included)
// and from the XML already in memory (the scanner's own cost).
func BenchmarkMergeScan(b *testing.B) {
	path := benchWorkbook(b)
	zr, zf := sheetPart(b, path)
	defer zr.Close()
	rc, _ := zf.Open()
	xmlData, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		b.Fatal(err)
	}
	check := func(b *testing.B, s *sheetScan, err error) {
		if err != nil {
			b.Fatal(err)
		}
		if len(s.merges) != benchRows/20+1 || s.lastRow != benchRows {
			b.Fatalf("%d merges, last row %d", len(s.merges), s.lastRow)
		}
	}
	scanners := []struct {
		name string
		scan func(io.Reader) (*sheetScan, error)
	}{{"bytes", scanSheet}, {"xml", scanSheetXML}}
	for _, sc := range scanners {
		b.Run(sc.name+"/from-zip", func(b *testing.B) {
			b.SetBytes(int64(len(xmlData)))
			for b.Loop() {
				rc, err := zf.Open()
				if err != nil {
					b.Fatal(err)
				}
				s, err := sc.scan(rc)
				rc.Close()
				check(b, s, err)
			}
			report(b, benchRows)
		})
		b.Run(sc.name+"/in-memory", func(b *testing.B) {
			b.SetBytes(int64(len(xmlData)))
			for b.Loop() {
				s, err := sc.scan(bytes.NewReader(xmlData))
				check(b, s, err)
			}
			report(b, benchRows)
		})
	}
}
