// Package etltest holds what the readers' tests share: reading a whole
// sheet, finding rows, and checking the errors a district is shown.
package etltest

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
