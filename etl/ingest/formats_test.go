package ingest

import (
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// recode writes CSV text again with another delimiter and line end, as
// another program would save the same table (blank lines kept, so the line
// numbers stay those of the original).
func recode(t *testing.T, text string, comma rune, eol string) string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	var b strings.Builder
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		start, _ := r.FieldPos(0)
		for ; line < start; line++ {
			b.WriteString(eol)
		}
		var cw strings.Builder
		w := csv.NewWriter(&cw)
		w.Comma = comma
		w.Write(rec)
		w.Flush()
		out := strings.TrimSuffix(cw.String(), "\n")
		b.WriteString(out + eol)
		line += 1 + strings.Count(out, "\n")
	}
	return b.String()
}

// TestFormatsDistrictsSend ingests the sample city with some of batch1's
// files in the forms districts really send — a workbook saved as Excel
// 97–2003 (.xls) and one as .ods (read through LibreOffice), a roster as
// Excel's "Unicode text" (UTF-16, tab-separated), a facility list with
// semicolons and an activity log with lone-CR line ends — and gets exactly
// the expected files, rejects and rows.
func TestFormatsDistrictsSend(t *testing.T) {
	soffice, _ := exec.LookPath("libreoffice")
	if soffice == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("libreoffice is not installed; run ./scripts/test-deps")
		}
		t.Skip("libreoffice is not installed")
	}
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	src := filepath.Join(samplesDir, "inbox")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gbk := func(name string) string {
		b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(read(name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	moved := map[string]string{}
	as := map[string][]byte{}
	// Excel 97–2003 and OpenDocument, converted by LibreOffice as an
	// older office program would save them.
	conv := filepath.Join(dir, "conv")
	os.MkdirAll(conv, 0o755)
	for _, c := range []struct{ name, format string }{
		{"batch1/03_临江区2013年度项目及人员.xlsx", "xls"},
		{"batch1/13_2013年功能室情况.xlsx", "ods"},
	} {
		in := filepath.Join(conv, filepath.Base(c.name))
		os.WriteFile(in, read(c.name), 0o644)
		out, err := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(conv, "profile")),
			"--headless", "--convert-to", c.format, "--outdir", conv, in).CombinedOutput()
		if err != nil {
			t.Fatalf("libreoffice: %v\n%s", err, out)
		}
		to := strings.TrimSuffix(c.name, ".xlsx") + "." + c.format
		b, err := os.ReadFile(strings.TrimSuffix(in, ".xlsx") + "." + c.format)
		if err != nil {
			t.Fatal(err)
		}
		as[to], moved[c.name] = b, to
	}
	// Excel's "Unicode text": UTF-16LE with a byte-order mark, tabs.
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(
		recode(t, gbk("batch1/02_青山区社区名册.csv"), '\t', "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	as["batch1/02_青山区社区名册.txt"], moved["batch1/02_青山区社区名册.csv"] = []byte(u16), "batch1/02_青山区社区名册.txt"
	as["batch1/14_2014年功能室情况.csv"] = []byte(recode(t, string(read("batch1/14_2014年功能室情况.csv")), ';', "\n"))
	as["batch1/09_服务记录2013年.csv"] = []byte(recode(t, string(read("batch1/09_服务记录2013年.csv")), ',', "\r"))

	base := time.Now().Add(-2 * time.Hour)
	var arrivals []arrival
	for i, f := range sampleFiles(t, "batch1") {
		if _, changed := moved[f]; changed {
			continue
		}
		if _, changed := as[f]; changed {
			continue
		}
		arrivals = append(arrivals, arrival{f, f, base.Add(time.Duration(i) * time.Second)})
	}
	copyArrivals(t, inbox, arrivals)
	for name, b := range as {
		p := filepath.Join(inbox, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, base, base)
	}
	s := ingestOnce(t, w, inbox)
	if s.Loaded != 14 || s.Quarantined != 0 {
		for _, f := range s.Files {
			t.Logf("%s %s %s", f.File, f.Status, f.Reason)
		}
		t.Fatalf("batch1: %d loaded, %d quarantined; want 14 and 0", s.Loaded, s.Quarantined)
	}
	arrivals = nil
	for i, f := range sampleFiles(t, "batch2") {
		arrivals = append(arrivals, arrival{f, f, base.Add(time.Hour + time.Duration(i)*time.Second)})
	}
	copyArrivals(t, inbox, arrivals)
	ingestOnce(t, w, inbox)
	checkExpected(t, w, moved)
}
