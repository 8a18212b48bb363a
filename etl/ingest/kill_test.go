package ingest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shequ/internal/crashtest"
	"shequ/warehouse"
)

// bigActivities writes a valid activity log of n rows for a project of
// the sample city.
func bigActivities(t *testing.T, path string, n int) {
	bigActivitiesOf(t, path, "LJ2013-001", n)
}

// bigActivitiesOf writes a valid activity log of n rows of 2013 for a
// project.
func bigActivitiesOf(t *testing.T, path, project string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("项目编号,服务日期,服务细项编号,活动名称,服务人次,义工人次\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s,2013-%02d-%02d,1.1.%d,活动%d,%d,%d\n", project, 1+i%12, 1+i%28, 1+i%5, i, i%90, i%7)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestKillMidFile kills a real ingest process with SIGKILL while it is
// loading a file, then shows the warehouse is exactly as before that file
// and that the next run loads the file completely.
func TestKillMidFile(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	wpath := filepath.Join(dir, "w.duckdb")
	stage(t, inbox, "batch1")
	w, err := warehouse.Open(ctx, wpath, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ingestOnce(t, w, inbox)
	before := fingerprint(t, w.DB)
	w.Close()

	const rows = 40000
	bigActivities(t, filepath.Join(inbox, "99_大量服务记录.csv"), rows)
	marker := filepath.Join(dir, "loading")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "SHEQU_KILL_HELPER="+dir)
	crashtest.KillAt(t, cmd, dir, marker)

	w, err = warehouse.Open(ctx, wpath, warehouse.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer w.Close()
	if after := fingerprint(t, w.DB); after != before {
		t.Fatalf("warehouse changed by a killed ingest:\nbefore %s\nafter  %s", before, after)
	}
	s := ingestOnce(t, w, inbox)
	if s.New != 1 || s.Loaded != 1 || s.Rows != rows {
		t.Fatalf("rerun: %d new, %d loaded, %d rows; want 1, 1, %d", s.New, s.Loaded, s.Rows, rows)
	}
	var n int
	w.DB.QueryRow(`SELECT count(*) FROM raw.activities WHERE source_file = '99_大量服务记录.csv' AND superseded_by IS NULL`).Scan(&n)
	if n != rows {
		t.Errorf("current rows of the file = %d, want %d", n, rows)
	}
}

// TestKillMidRelease kills a real ingest while it releases the 40 000
// waiting rows of an activity log whose project arrived late: the release
// is all or nothing, and the next run completes it.
func TestKillMidRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	wpath := filepath.Join(dir, "w.duckdb")
	const held = "batch1/05_青山区服务项目2013-2014.csv"
	base := time.Now().Add(-2 * time.Hour)
	var as []arrival
	for i, f := range sampleFiles(t, "batch1") {
		if f != held {
			as = append(as, arrival{f, f, base.Add(time.Duration(i) * time.Second)})
		}
	}
	copyArrivals(t, inbox, as)
	const rows = 40000
	big := filepath.Join(inbox, "batch1", "99_大量服务记录.csv")
	bigActivitiesOf(t, big, "2013519903001", rows)
	os.Chtimes(big, base.Add(time.Minute), base.Add(time.Minute))
	w, err := warehouse.Open(ctx, wpath, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ingestOnce(t, w, inbox)
	const bigWaiting = `SELECT count(*) FROM raw.orphans o JOIN raw.submissions s USING (submission_id)
		WHERE s.file = 'batch1/99_大量服务记录.csv' AND o.released_by IS NULL`
	var waiting int
	w.DB.QueryRow(bigWaiting).Scan(&waiting)
	if waiting != rows {
		t.Fatalf("%d rows of the big log wait for their project, want %d", waiting, rows)
	}
	w.Close()

	copyArrivals(t, inbox, []arrival{{held, "batch2/05_青山区服务项目2013-2014.csv", base.Add(time.Hour)}})
	marker := filepath.Join(dir, "loading")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "SHEQU_KILL_HELPER="+dir, "SHEQU_KILL_RELEASING=1")
	crashtest.KillAt(t, cmd, dir, marker)

	w, err = warehouse.Open(ctx, wpath, warehouse.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer w.Close()
	var current, loaded int
	w.DB.QueryRow(bigWaiting).Scan(&waiting)
	w.DB.QueryRow(`SELECT count(*) FROM raw.activities WHERE source_file = 'batch1/99_大量服务记录.csv'`).Scan(&current)
	w.DB.QueryRow(`SELECT rows_loaded FROM raw.submissions WHERE file = 'batch1/99_大量服务记录.csv'`).Scan(&loaded)
	if waiting != rows || current != 0 || loaded != 0 {
		t.Fatalf("after a kill mid-release: %d rows wait, %d loaded rows, %d counted loaded; want %d, 0, 0", waiting, current, loaded, rows)
	}
	s := ingestOnce(t, w, inbox)
	if s.New != 0 || s.ReleasedRows == 0 {
		t.Errorf("next run: %d new files, %d rows released; want 0 and the rest of the release", s.New, s.ReleasedRows)
	}
	w.DB.QueryRow(bigWaiting).Scan(&waiting)
	w.DB.QueryRow(`SELECT count(*) FROM raw.activities WHERE source_file = 'batch1/99_大量服务记录.csv' AND superseded_by IS NULL`).Scan(&current)
	w.DB.QueryRow(`SELECT rows_loaded FROM raw.submissions WHERE file = 'batch1/99_大量服务记录.csv'`).Scan(&loaded)
	if waiting != 0 || current != rows || loaded != rows {
		t.Errorf("after the next run: %d rows wait, %d current, %d counted; want 0, %d, %d", waiting, current, loaded, rows, rows)
	}
}

// TestKillHelper is the child of TestKillMidFile: it ingests until it is
// in the middle of the big file, says so, and waits to be killed.
func TestKillHelper(t *testing.T) {
	dir := os.Getenv("SHEQU_KILL_HELPER")
	if dir == "" {
		t.Skip("run by TestKillMidFile")
	}
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	releasing := os.Getenv("SHEQU_KILL_RELEASING") != ""
	_, err = Run(ctx, w, Options{Inbox: filepath.Join(dir, "inbox"), Catalogue: catalogue(t), IDKey: []byte("test key"),
		Progress: func(p Progress) {
			if strings.HasPrefix(filepath.Base(p.File), "99_") && !p.Done && p.Rows > 0 && p.Releasing == releasing {
				os.WriteFile(filepath.Join(dir, "loading"), nil, 0o644)
				time.Sleep(time.Hour)
			}
		}})
	t.Fatalf("ingest finished (%v) before it was killed", err)
}
