// Package etltest holds what the readers' tests share: reading a whole
// sheet, finding rows, and checking the errors a district is shown.
package etltest

import (
	"archive/zip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"shequ/etl"
)

// ReadRows reads every row of a sheet ("" for a CSV file), each with its
// own copy of the cells and of the formulas without a result (a reader
// reuses them).
func ReadRows(b etl.Book, sheet string) ([]etl.Row, error) {
	rr, err := b.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	var rows []etl.Row
	for {
		r, err := rr.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		row := etl.Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)}
		if r.Uncached != nil {
			row.Uncached = append([]etl.Formula(nil), r.Uncached...)
		}
		rows = append(rows, row)
	}
}

// ReadAll is ReadRows, failing the test on an error.
func ReadAll(t testing.TB, b etl.Book, sheet string) []etl.Row {
	t.Helper()
	rows, err := ReadRows(b, sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v", sheet, err)
	}
	return rows
}

// RowByNum finds the cells of the row numbered n.
func RowByNum(t testing.TB, rows []etl.Row, n int) []string {
	t.Helper()
	for _, r := range rows {
		if r.Num == n {
			return r.Cells
		}
	}
	t.Fatalf("no row %d", n)
	return nil
}

// WantCells compares cells.
func WantCells(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// Nums lists the rows' numbers.
func Nums(rows []etl.Row) []int {
	var n []int
	for _, r := range rows {
		n = append(n, r.Num)
	}
	return n
}

// WantReason checks that err is a *etl.FileError for file with the reason
// and a Chinese explanation for the district.
func WantReason(t testing.TB, err error, file, reason string) *etl.FileError {
	t.Helper()
	fe, ok := etl.AsFileError(err)
	if !ok {
		t.Fatalf("err = %v (%T), want a *etl.FileError with reason %s", err, err, reason)
	}
	if fe.Reason != reason || fe.File != file {
		t.Fatalf("FileError %q %q (%v), want %q %q", fe.File, fe.Reason, err, file, reason)
	}
	if !strings.ContainsFunc(fe.Zh, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) {
		t.Errorf("Zh = %q, want a Chinese sentence", fe.Zh)
	}
	return fe
}

// IsFileError reports whether err is a *etl.FileError.
func IsFileError(err error) bool {
	_, ok := etl.AsFileError(err)
	return ok
}

// WriteFile writes data to dir/name and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// AddFiles seeds a fuzz target with the bytes of every file the patterns
// match.
func AddFiles(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// OLEFile is a minimal OLE compound file (the container of .xls, .et and
// .doc files) holding one stream of the given name; data is padded to
// 4 096 bytes, so that it lies in the file's regular sectors.
func OLEFile(stream string, data []byte) []byte {
	const (
		sector     = 512
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	body := make([]byte, max(4096, (len(data)+sector-1)/sector*sector))
	copy(body, data)
	nData := len(body) / sector
	le := binary.LittleEndian
	// The header, then sector 0 (the FAT), sector 1 (the directory), the
	// stream's sectors from 2.
	out := make([]byte, sector*(3+nData))
	copy(out, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(out[24:], 0x3E)
	le.PutUint16(out[26:], 3)
	le.PutUint16(out[28:], 0xFFFE)
	le.PutUint16(out[30:], 9)
	le.PutUint16(out[32:], 6)
	le.PutUint32(out[44:], 1) // FAT sectors
	le.PutUint32(out[48:], 1) // first directory sector
	le.PutUint32(out[56:], 4096)
	le.PutUint32(out[60:], endOfChain) // no mini FAT
	le.PutUint32(out[68:], endOfChain) // no DIFAT sectors
	for i := range 109 {
		le.PutUint32(out[76+4*i:], freeSect)
	}
	le.PutUint32(out[76:], 0) // the FAT is sector 0
	fat := out[sector : 2*sector]
	for i := range sector / 4 {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	for i := range nData {
		next := uint32(3 + i)
		if i == nData-1 {
			next = endOfChain
		}
		le.PutUint32(fat[4*(2+i):], next)
	}
	dir := out[2*sector : 3*sector]
	entry := func(i int, name string, typ byte, child, start uint32, size int) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint32(e[120:], uint32(size))
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, noStream, 2, len(body))
	for i := 2; i < 4; i++ {
		e := dir[128*i:]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
	}
	copy(out[3*sector:], body)
	return out
}

// PackageText is every part of a workbook as stored (cells, shared
// strings, comments, names): a district's receipt must not hold another
// district's value anywhere in it, seen or not.
func PackageText(t testing.TB, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(r)
		r.Close()
		b.Write(x)
	}
	return b.String()
}
