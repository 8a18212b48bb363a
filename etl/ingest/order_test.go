package ingest

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shequ/etl/clean"
	"shequ/etl/receipt"
	"shequ/warehouse"
)

// An arrival is one sample file copied into the inbox: its path in the
// sample inbox, its path in the test's inbox and its modification time.
type arrival struct {
	src, dst string
	mtime    time.Time
}

// sampleFiles lists the sample inbox's files of a batch, by name.
func sampleFiles(t testing.TB, batch string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(samplesDir, "inbox", batch))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, batch+"/"+e.Name())
	}
	sort.Strings(out)
	return out
}

func copyArrivals(t testing.TB, inbox string, as []arrival) {
	t.Helper()
	for _, a := range as {
		b, err := os.ReadFile(filepath.Join(samplesDir, "inbox", a.src))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(inbox, a.dst)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(dst, a.mtime, a.mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// checkExpected compares the warehouse with the sample's expected files
// and rejects and its truth: raw.submissions with expected_files.csv (a
// file moved to another path is named by moved), the problems that still
// stand with expected_rejects.csv, and every current row with truth/.
func checkExpected(t *testing.T, w *warehouse.Warehouse, moved map[string]string) {
	t.Helper()
	_, want := readCSV(t, filepath.Join(samplesDir, "expected/expected_files.csv"))
	var wl []string
	for _, r := range want {
		if to, ok := moved[r[0]]; ok {
			r[0] = to
		}
		wl = append(wl, strings.Join(r, ","))
	}
	got := queryStrings(t, w.DB, `SELECT concat_ws(',', file, status, rows_loaded, rows_rejected) FROM raw.submissions`)
	diffLines(t, "submissions", got, wl)

	_, want = readCSV(t, filepath.Join(samplesDir, "expected/expected_rejects.csv"))
	wl = nil
	for _, r := range want {
		if r[3] == "id_number" {
			r[6] = clean.MaskID(r[6])
		}
		if to, ok := moved[r[0]]; ok {
			r[0] = to
		}
		wl = append(wl, strings.Join(r[:9], "|"))
	}
	got = queryStrings(t, w.DB, `SELECT concat_ws('|', file, sheet, "row", "column", code, severity, value, header, letter)
		FROM raw.rejects WHERE released_by IS NULL`)
	diffLines(t, "standing rejects", got, wl)
	for _, table := range []string{"communities", "projects", "project_communities", "staff", "expenditures", "activities", "evaluations", "facilities"} {
		compareTruth(t, w.DB, table)
	}
}

func openTemp(t *testing.T) (*warehouse.Warehouse, string) {
	t.Helper()
	dir := t.TempDir()
	w, err := warehouse.Open(context.Background(), filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, dir
}

// TestReversedModificationTimes copies batch1 with its modification times
// reversed (the last file by name the oldest), as a copy that resets
// times may leave them, then batch2: every outcome is as expected.
func TestReversedModificationTimes(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	base := time.Now().Add(-2 * time.Hour)
	var as []arrival
	b1 := sampleFiles(t, "batch1")
	for i, f := range b1 {
		as = append(as, arrival{f, f, base.Add(time.Duration(len(b1)-i) * time.Second)})
	}
	copyArrivals(t, inbox, as)
	s1 := ingestWith(t, w, Options{Inbox: inbox, Receipts: filepath.Join(dir, "receipts")})
	if s1.Loaded != 14 {
		t.Errorf("batch1: %d loaded, want 14", s1.Loaded)
	}
	// Rosters and projects loaded first: no row had to wait for its parent.
	if s1.ReleasedRows != 0 {
		t.Errorf("batch1 released %d rows: the batch was not loaded rosters and projects first", s1.ReleasedRows)
	}
	as = nil
	for i, f := range sampleFiles(t, "batch2") {
		as = append(as, arrival{f, f, base.Add(time.Hour + time.Duration(i)*time.Second)})
	}
	copyArrivals(t, inbox, as)
	ingestWith(t, w, Options{Inbox: inbox, Receipts: filepath.Join(dir, "receipts")})
	checkExpected(t, w, nil)
}

// TestLateParentReleasesOrphans holds back 青山区's projects file from
// batch1 and sends it with batch2: after batch1 its staff, expenditures,
// activities and evaluations wait for their projects (and their receipts
// say so); after batch2 they are released and everything is as expected.
func TestLateParentReleasesOrphans(t *testing.T) {
	w, dir := openTemp(t)
	inbox := filepath.Join(dir, "inbox")
	receipts := filepath.Join(dir, "receipts")
	const held = "batch1/05_青山区服务项目2013-2014.csv"
	const late = "batch2/05_青山区服务项目2013-2014.csv"
	base := time.Now().Add(-2 * time.Hour)
	var as []arrival
	for i, f := range sampleFiles(t, "batch1") {
		if f != held {
			as = append(as, arrival{f, f, base.Add(time.Duration(i) * time.Second)})
		}
	}
	copyArrivals(t, inbox, as)
	s1 := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	waiting := queryStrings(t, w.DB, `SELECT DISTINCT s.file FROM raw.orphans o JOIN raw.submissions s USING (submission_id)
		WHERE o.released_by IS NULL ORDER BY 1`)
	wantWaiting := []string{
		"batch1/03_临江区2013年度项目及人员.xlsx", // 519902001005 is in no roster: it waits for good
		"batch1/06_青山区人员名册2013-2014.csv",
		"batch1/08_青山区经费支出2013-2014.csv",
		"batch1/09_服务记录2013年.csv",
		"batch1/10_服务记录2014年1-9月.xlsx",
		"batch1/11_2013年度评估结果.xlsx",
		"batch1/12_2014年度评估结果.csv",
	}
	if strings.Join(waiting, "\n") != strings.Join(wantWaiting, "\n") {
		t.Errorf("files with waiting rows after batch1:\n%s\nwant\n%s", strings.Join(waiting, "\n"), strings.Join(wantWaiting, "\n"))
	}
	receiptOf := func(s *Summary, file string) string {
		for _, f := range s.Files {
			if f.File == file {
				return f.Receipt
			}
		}
		t.Fatalf("no result for %s", file)
		return ""
	}
	staffReceipt := receiptOf(s1, "batch1/06_青山区人员名册2013-2014.csv")
	if got := receiptStates(t, staffReceipt); got[receipt.StateWaiting] == 0 || got[receipt.StateReleased] != 0 {
		t.Errorf("staff receipt after batch1: states %v, want rows 错误（待关联） and none 已关联入库", got)
	}

	as = []arrival{{held, late, base.Add(time.Hour)}}
	for i, f := range sampleFiles(t, "batch2") {
		as = append(as, arrival{f, f, base.Add(time.Hour + time.Duration(i+1)*time.Second)})
	}
	copyArrivals(t, inbox, as)
	s2 := ingestWith(t, w, Options{Inbox: inbox, Receipts: receipts})
	if s2.ReleasedRows == 0 || len(s2.Released) != len(wantWaiting)-1 {
		t.Errorf("batch2 released %d rows of %d submissions, want rows of %d", s2.ReleasedRows, len(s2.Released), len(wantWaiting)-1)
	}
	checkExpected(t, w, map[string]string{held: late})

	var projectsSub string
	for _, f := range s2.Files {
		if f.File == late {
			projectsSub = strconv.FormatInt(f.Submission, 10)
		}
	}
	if by := queryStrings(t, w.DB, `SELECT DISTINCT released_by::VARCHAR FROM raw.rejects WHERE released_by IS NOT NULL`); len(by) != 1 || by[0] != projectsSub {
		t.Errorf("released by %v, want only the late projects file's submission %s", by, projectsSub)
	}
	for _, r := range s2.Released {
		if r.File == "batch1/06_青山区人员名册2013-2014.csv" {
			got := receiptStates(t, r.Receipt)
			// 96 rows released; row 59 has its project now but a bad ID
			// number; row 99's project 2014519903088 was never sent.
			want := map[string]int{receipt.StateReleased: 96, receipt.StateResolved: 1, "错误": 1, receipt.StateWaiting: 1}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("staff receipt after batch2: states %v, want %v", got, want)
			}
			if _, err := os.Stat(staffReceipt); staffReceipt != r.Receipt && err == nil {
				t.Errorf("the receipt of batch1 stays at %s beside its new %s", staffReceipt, r.Receipt)
			}
		}
	}
}

// receiptStates counts the problem lines of a receipt by their state
// column (错误, 警告, 错误（待关联）, 已关联入库).
func receiptStates(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("receipt %s: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(receipt.Sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		if len(r) > 6 && strings.Contains(r[6], "_") {
			out[r[5]]++
		}
	}
	return out
}

// TestArrivalOrderProperty ingests the sample's files in random orders of
// modification time, split at random into two or three runs in which
// every file keeps its batch or a later run (a correction still arrives
// after what it corrects): every order ends the same.
func TestArrivalOrderProperty(t *testing.T) {
	n := 6
	if testing.Short() {
		n = 2
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	b1, b2 := sampleFiles(t, "batch1"), sampleFiles(t, "batch2")
	for trial := 0; trial < n; trial++ {
		runs := 2 + rng.Intn(2)
		// batch1's files go to run 0 or later; batch2's to a run after
		// every run of batch1 that a file of batch1 went to (at least 1).
		plan := make([][]string, runs)
		last1 := 0
		for _, f := range b1 {
			r := rng.Intn(runs - 1)
			if rng.Intn(3) > 0 {
				r = 0
			}
			plan[r] = append(plan[r], f)
			last1 = max(last1, r)
		}
		for _, f := range b2 {
			r := last1 + 1 + rng.Intn(runs-last1-1)
			if r >= runs {
				r = runs - 1
			}
			plan[r] = append(plan[r], f)
		}
		t.Run("trial", func(t *testing.T) {
			w, dir := openTemp(t)
			inbox := filepath.Join(dir, "inbox")
			base := time.Now().Add(-3 * time.Hour)
			for r, files := range plan {
				rng.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
				var as []arrival
				for i, f := range files {
					as = append(as, arrival{f, f, base.Add(time.Duration(r)*time.Hour + time.Duration(i)*time.Second)})
				}
				copyArrivals(t, inbox, as)
				ingestWith(t, w, Options{Inbox: inbox})
			}
			t.Logf("runs %q", plan)
			checkExpected(t, w, nil)
		})
	}
}
