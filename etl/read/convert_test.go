package read

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"shequ/etl"
	"shequ/etl/etltest"
)

// soffice finds LibreOffice for a test: missing, the test fails in CI and
// is skipped elsewhere (./scripts/test-deps installs it).
func soffice(t *testing.T) string {
	t.Helper()
	if p := libreOffice(); p != "" {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("libreoffice is not installed; run ./scripts/test-deps")
	}
	t.Skip("libreoffice is not installed; run ./scripts/test-deps")
	return ""
}

// saveAs converts the workbooks srcs to format with LibreOffice, as a
// district saving them in an older program would, and returns the new
// files' paths.
func saveAs(t *testing.T, format string, srcs ...string) []string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", format, "--outdir", dir}
	var out []string
	for i, src := range srcs {
		in := filepath.Join(dir, fmt.Sprintf("src%d.xlsx", i))
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
		out = append(out, strings.TrimSuffix(in, ".xlsx")+"."+format)
	}
	if b, err := exec.Command(soffice(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, b)
	}
	return out
}

// readBook reads every sheet of a book.
func readBook(t *testing.T, b etl.Book) []sheetRows {
	t.Helper()
	var out []sheetRows
	for _, s := range b.Sheets() {
		rows, err := etltest.ReadRows(b, s.Name)
		if err != nil {
			t.Fatalf("sheet %s: %v", s.Name, err)
		}
		out = append(out, sheetRows{s, rows})
	}
	return out
}

// Sample workbooks saved as .xls, as WPS .et (the same format under WPS's
// name) and as .ods read through Open as the same sheets and rows as the
// .xlsx originals, and leave no temporary file behind.
func TestConvertedWorkbooks(t *testing.T) {
	soffice(t)
	names := []string{"batch1/11_2013年度评估结果.xlsx", "batch1/01_临江区社区名册2013-2014.xlsx"}
	var srcs []string
	for _, n := range names {
		srcs = append(srcs, filepath.Join(samples, n))
	}
	xlss, odss := saveAs(t, "xls", srcs...), saveAs(t, "ods", srcs...)
	for i, src := range srcs {
		name := names[i]
		orig, err := Open(src, etl.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		want := readBook(t, orig)
		orig.Close()
		xls := xlss[i]
		et := filepath.Join(filepath.Dir(xls), fmt.Sprintf("wps%d.et", i))
		if err := os.Link(xls, et); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ path, format string }{{xls, "xls"}, {et, "et"}, {odss[i], "ods"}} {
			before, _ := filepath.Glob(filepath.Join(os.TempDir(), "shequ-convert-*"))
			b, err := Open(c.path, etl.DefaultLimits)
			if err != nil {
				t.Fatalf("%s as %s: %v", name, c.format, err)
			}
			if b.Format() != c.format || b.Encoding() != "" {
				t.Errorf("%s as %s: Format %q, Encoding %q", name, c.format, b.Format(), b.Encoding())
			}
			got := readBook(t, b)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s as %s:\n got %+v\nwant %+v", name, c.format, got, want)
			}
			dir := filepath.Dir(filepath.Dir(b.(*Converted).Copy()))
			if err := b.Close(); err != nil {
				t.Error(err)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s as %s: %s left after Close", name, c.format, dir)
			}
			after, _ := filepath.Glob(filepath.Join(os.TempDir(), "shequ-convert-*"))
			if len(after) > len(before) {
				t.Errorf("temporary directories left: %v", after)
			}
		}
	}
}

// odsFile is the start of an OpenDocument spreadsheet: enough for etl/xlsx
// to tell it.
func odsFile(t *testing.T, dir string) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>"} {
		w, _ := zw.Create(name)
		w.Write([]byte(data))
	}
	zw.Close()
	return etltest.WriteFile(t, dir, "表.ods", buf.Bytes())
}

// Without LibreOffice, an .xls or .ods workbook is quarantined as before,
// saying what to do; a conversion that fails or takes too long quarantines
// the file, named as the district sent it, and leaves nothing behind.
func TestConvertFails(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("stands in for LibreOffice with shell scripts")
	}
	dir := t.TempDir()
	xls := etltest.WriteFile(t, dir, "表.xls", etltest.OLEFile("Workbook", []byte("not BIFF")))
	ods := odsFile(t, dir)
	defer func(old func() string, timeout time.Duration) { libreOffice, ConvertTimeout = old, timeout }(libreOffice, ConvertTimeout)

	libreOffice = func() string { return "" }
	for _, p := range []string{xls, ods} {
		_, err := Open(p, etl.DefaultLimits)
		fe := etltest.WantReason(t, err, p, etl.ReasonFormat)
		if !strings.Contains(fe.Zh, "另存为 .xlsx") {
			t.Errorf("%s: Zh %q", p, fe.Zh)
		}
	}

	fail := etltest.WriteFile(t, dir, "fail.sh", []byte("#!/bin/sh\necho cannot load >&2\nexit 1\n"))
	silent := etltest.WriteFile(t, dir, "silent.sh", []byte("#!/bin/sh\necho 'Error: source file could not be loaded'\n"))
	slow := etltest.WriteFile(t, dir, "slow.sh", []byte("#!/bin/sh\nsleep 60 &\nsleep 60\n"))
	for _, p := range []string{fail, silent, slow} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ConvertTimeout = time.Second
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "shequ-convert-*"))
	for _, c := range []struct{ prog, reason string }{{fail, etl.ReasonCorrupt}, {silent, etl.ReasonCorrupt}, {slow, etl.ReasonTooLarge}} {
		libreOffice = func() string { return c.prog }
		for _, p := range []string{xls, ods} {
			start := time.Now()
			_, err := Open(p, etl.DefaultLimits)
			fe := etltest.WantReason(t, err, p, c.reason)
			if !strings.Contains(fe.Zh, filepath.Ext(p)) {
				t.Errorf("%s %s: Zh %q", filepath.Base(c.prog), p, fe.Zh)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("%s: %s", c.prog, d)
			}
		}
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "shequ-convert-*"))
	if len(after) > len(before) {
		t.Errorf("temporary directories left: %v", after)
	}
}

// LibreOffice refuses a damaged .xls (it does not read it as text).
func TestConvertDamaged(t *testing.T) {
	soffice(t)
	xls := etltest.WriteFile(t, t.TempDir(), "坏.xls", etltest.OLEFile("Workbook", bytes.Repeat([]byte("年度,区\n"), 100)))
	_, err := Open(xls, etl.DefaultLimits)
	etltest.WantReason(t, err, xls, etl.ReasonCorrupt)
}

// A Word document in an OLE file is no workbook to convert.
func TestOLEWordDocument(t *testing.T) {
	defer func(old func() string) { libreOffice = old }(libreOffice)
	libreOffice = func() string {
		t.Error("LibreOffice asked to convert a Word document")
		return ""
	}
	p := etltest.WriteFile(t, t.TempDir(), "note.xls", etltest.OLEFile("WordDocument", []byte("说明")))
	_, err := Open(p, etl.DefaultLimits)
	fe := etltest.WantReason(t, err, p, etl.ReasonFormat)
	if !strings.Contains(fe.Zh, "不是 Excel 工作簿") {
		t.Errorf("Zh %q", fe.Zh)
	}
}
