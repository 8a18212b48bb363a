package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/warehouse"
)

// TestCorpusBesideGoodFile drops every real-world file nobody here wrote
// (excelize's own test workbooks, encrypted and corrupt ones included, and
// the csv-spectrum cases) into an inbox beside a good roster: each gets an
// outcome, none crashes the run, and the good file still loads.
func TestCorpusBesideGoodFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	var names []string
	for _, sub := range []string{"xlsx", "csv"} {
		src := filepath.Join("../testdata/corpus", sub)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(inbox, sub), 0o755)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(inbox, sub, e.Name()), b, 0o644)
			names = append(names, sub+"/"+e.Name())
		}
	}
	good, _ := os.ReadFile(filepath.Join(samplesDir, "inbox/batch1/01_临江区社区名册2013-2014.xlsx"))
	os.WriteFile(filepath.Join(inbox, "roster.xlsx"), good, 0o644)

	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s := ingestOnce(t, w, inbox)
	if s.New != len(names)+1 {
		t.Errorf("%d files got an outcome, want %d", s.New, len(names)+1)
	}
	outcome := map[string]FileResult{}
	for _, f := range s.Files {
		outcome[f.File] = f
	}
	if r := outcome["roster.xlsx"]; r.Status != StatusLoaded || r.Loaded != 41 || r.Rejected != 0 {
		t.Errorf("good roster: %+v, want loaded 41/0", r)
	}
	want := map[string]string{ // reason code for files that cannot be read
		"xlsx/encryptAES.xlsx":    "encrypted",
		"xlsx/encryptSHA1.xlsx":   "encrypted",
		"xlsx/encryptSHA512.xlsx": "encrypted",
		"xlsx/BadWorkbook.xlsx":   "corrupt",
	}
	for _, n := range names {
		r, ok := outcome[n]
		if !ok {
			t.Errorf("%s: no outcome", n)
			continue
		}
		if r.Status == StatusQuarantined && (r.Reason == "" || r.ReasonZh == "") {
			t.Errorf("%s quarantined without a reason in English and Chinese: %+v", n, r)
		}
		code, ok := want[n]
		if !ok {
			code = "unknown_kind" // readable, but no header of a submission kind
		}
		if r.Status != StatusQuarantined || !strings.HasPrefix(r.Reason, code) {
			t.Errorf("%s: %s %q, want quarantined %s", n, r.Status, r.Reason, code)
		}
		// None of these is a district submission: nothing may load from them.
		if r.Loaded != 0 {
			t.Errorf("%s: loaded %d rows from a file that is not a submission", n, r.Loaded)
		}
		t.Logf("%-40s %s %s", n, r.Status, r.Reason)
	}
}
