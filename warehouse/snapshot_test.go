package warehouse

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func count(t *testing.T, w *Warehouse) int {
	t.Helper()
	var n int
	if err := w.DB.QueryRow(`SELECT count(*) FROM raw.t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSnapshotPath(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/shequ.duckdb": "/srv/shequ.snapshot.duckdb",
		"w.db":              "w.db.snapshot.duckdb",
	} {
		if got := SnapshotPath(in); got != want {
			t.Errorf("SnapshotPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPublishSnapshotAndRead(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	w, err := Open(ctx, path, Options{Command: "shequ build"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB.Exec(`CREATE TABLE raw.t AS SELECT range AS i, '社区' || range AS name FROM range(1000)`); err != nil {
		t.Fatal(err)
	}
	// A leftover of a publisher that died midway is cleaned up.
	stale := SnapshotPath(path) + tempInfix + "123"
	os.WriteFile(stale, []byte("half"), 0o600)

	snap, err := w.PublishSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Path != SnapshotPath(w.Path) || snap.Size == 0 {
		t.Errorf("snapshot = %+v", snap)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temporary copy left behind")
	}
	st, err := os.Stat(snap.Path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o222 != 0 {
		t.Errorf("snapshot mode %v: it must not be writable", st.Mode())
	}

	// A reader opens the snapshot, while the writer still holds the file.
	r1, src, err := OpenReader(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	if !src.Snapshot || src.Path != snap.Path || !strings.Contains(src.String(), "snapshot") {
		t.Errorf("source = %+v", src)
	}
	if n := count(t, r1); n != 1000 {
		t.Errorf("snapshot has %d rows, want 1000", n)
	}
	if _, err := r1.DB.Exec(`DELETE FROM raw.t`); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("delete on the snapshot: err = %v, want a read-only refusal", err)
	}

	// The writer goes on and publishes again while r1 is open: r1 keeps
	// the snapshot it opened, and once it is closed a new reader gets the
	// new one. (Within one process duckdb-go shares a database per path,
	// so a reader opened while r1 is still open would share r1's.)
	if _, err := w.DB.Exec(`INSERT INTO raw.t SELECT range, 'x' FROM range(500)`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PublishSnapshot(ctx); err != nil {
		t.Fatalf("publish while a reader has the old snapshot open: %v", err)
	}
	if n := count(t, r1); n != 1000 {
		t.Errorf("old reader sees %d rows after the new publish, want its 1000", n)
	}
	r1.Close()
	r2, _, err := OpenReader(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if n := count(t, r2); n != 1500 {
		t.Errorf("new reader sees %d rows, want 1500", n)
	}

	// Readers never keep a writer out: with both readers open, the writer
	// closes and a new writer opens the file.
	w.Close()
	w2, err := Open(ctx, path, Options{Command: "shequ ingest"})
	if err != nil {
		t.Fatalf("a writer with readers open: %v", err)
	}
	w2.Close()

	// Read-only warehouses do not publish.
	if _, err := r2.PublishSnapshot(ctx); err == nil {
		t.Error("a read-only warehouse published a snapshot")
	}
}

func TestReaderWithoutSnapshot(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	w, err := Open(ctx, path, Options{Command: "shequ ingest"})
	if err != nil {
		t.Fatal(err)
	}
	w.DB.Exec(`CREATE TABLE raw.t AS SELECT 1 AS i`)
	w.Close()

	// No snapshot and no writer: the file itself, read-only.
	r, src, err := OpenReader(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Snapshot || count(t, r) != 1 || !strings.Contains(src.String(), "no snapshot") {
		t.Errorf("source = %+v (%s)", src, src)
	}
	r.Close()

	// No snapshot and a writer in another process: told who is writing.
	hold := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWarehouse$")
	hold.Env = append(os.Environ(), "SHEQU_TEST_HOLD="+path)
	stdin, _ := hold.StdinPipe()
	stdout, _ := hold.StdoutPipe()
	hold.Stderr = os.Stderr
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer hold.Wait()
	defer stdin.Close()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.HasPrefix(line, "holding") {
		t.Fatalf("helper said %q", line)
	}
	_, _, err = OpenReader(ctx, path, Options{})
	var npe *NotPublishedError
	if !errors.As(err, &npe) {
		t.Fatalf("err = %v, want *NotPublishedError", err)
	}
	for _, want := range []string{"no read-only snapshot", "pid", "shequ run --helper", "快照尚未发布"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
}

// TestHelperHoldWarehouse is run by TestReaderWithoutSnapshot in another
// process: it holds the warehouse open for writing until stdin closes.
func TestHelperHoldWarehouse(t *testing.T) {
	path := os.Getenv("SHEQU_TEST_HOLD")
	if path == "" {
		t.Skip("helper process")
	}
	w, err := Open(context.Background(), path, Options{Command: "shequ run --helper"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.Stdout.WriteString("holding " + filepath.Base(path) + "\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

func TestOpenLatestReadsTheLiveFileWhenNoWriterHoldsIt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	run := &Run{Job: "ingest"}
	if err := w.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PublishSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	run.Status = RunOK
	w.FinishRun(ctx, run)
	// While the writer holds the file, a reader gets the snapshot, where
	// the run is still running.
	r, src, err := OpenLatest(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !src.Snapshot {
		t.Errorf("with a writer holding the file, OpenLatest opened %s, want the snapshot", src.Path)
	}
	runs, _ := ListRuns(ctx, r.DB, "", false, 10)
	if len(runs) != 1 || runs[0].Status != RunRunning {
		t.Errorf("snapshot runs = %+v, want the one running run", runs)
	}
	r.Close()
	w.Close()
	// With the writer gone, the live file: the run is finished.
	r, src, err = OpenLatest(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if src.Snapshot {
		t.Errorf("with no writer, OpenLatest opened the snapshot, want the live file")
	}
	runs, _ = ListRuns(ctx, r.DB, "", false, 10)
	if len(runs) != 1 || runs[0].Status != RunOK {
		t.Errorf("live runs = %+v, want the finished run", runs)
	}
	// A writer that starts while the reader reads is told so, plainly.
	if _, err := Open(ctx, path, Options{}); err == nil {
		t.Error("a writer opened the file while a reader held it")
	}
	r.Close()
	w2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("writer after the reader closed: %v", err)
	}
	w2.Close()
}
