package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"shequ/warehouse"
)

const (
	bigFile   = "50_大量服务记录.csv"
	smallFile = "51_补报服务记录.csv"
	bigRows   = 200000
)

// activities writes a valid activity log of n rows for a project of the
// sample city, modified at mt.
func activities(t *testing.T, path string, n, offset int, mt time.Time) {
	t.Helper()
	var b strings.Builder
	b.WriteString("项目编号,服务日期,服务细项编号,活动名称,服务人次,义工人次\n")
	for i := offset; i < offset+n; i++ {
		fmt.Fprintf(&b, "LJ2013-001,2013-%02d-%02d,1.1.%d,活动%d,%d,%d\n", 1+i%12, 1+i%28, 1+i%5, i, i%90, i%7)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// serveSetup stages the sample city's first batch, then a big activity
// log, then a small one, and a schedule that ingests every second.
func serveSetup(t *testing.T) (dir string, args []string) {
	t.Helper()
	dir = t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	src := filepath.Join("..", "..", "samples", "inbox", "batch1")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour)
	for i, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(inbox, e.Name())
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Second)
		os.Chtimes(dst, mt, mt)
	}
	activities(t, filepath.Join(inbox, bigFile), bigRows, 0, base.Add(time.Minute))
	activities(t, filepath.Join(inbox, smallFile), 10, bigRows, base.Add(2*time.Minute))
	sched := filepath.Join(dir, "schedules")
	os.MkdirAll(sched, 0o755)
	def := "name: ingest\ncron: '@every 1s'\nsteps: [ingest]\nretry: {attempts: 2, backoff: 1s}\n"
	if err := os.WriteFile(filepath.Join(sched, "ingest.yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, []string{"--schedules", sched, "--inbox", inbox, "--warehouse", filepath.Join(dir, "shequ.duckdb")}
}

// TestServeEndToEnd starts `shequ serve`, asks /healthz and /runs, sends
// SIGTERM while a big file is loading, and checks that the daemon exits
// in time, that the file is in the warehouse whole or not at all, that
// the interruption is recorded, and that `serve --once ingest` finishes
// the work.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon")
	}
	for _, tt := range []struct {
		name  string
		grace string
		want  int // rows of the big file after the interruption
	}{
		{"the current file finishes", "60s", bigRows},
		{"the grace period ends mid-file", "1ms", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, paths := serveSetup(t)
			wpath := filepath.Join(dir, "shequ.duckdb")
			cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "-v", "--grace", tt.grace}, paths...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CI=true")
			stdout, _ := cmd.StdoutPipe()
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var logs, out syncBuffer
			addr := make(chan string, 1)
			stdoutDone := make(chan struct{})
			go func() {
				defer close(stdoutDone)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					out.WriteString(sc.Text() + "\n")
					if m := regexp.MustCompile(`listening on http://(\S+)`).FindStringSubmatch(sc.Text()); m != nil {
						addr <- m[1]
					}
				}
			}()
			midFile := make(chan struct{})
			stderrDone := make(chan struct{})
			go func() {
				defer close(stderrDone)
				sc := bufio.NewScanner(stderr)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				signalled := false
				for sc.Scan() {
					logs.WriteString(sc.Text() + "\n")
					var l struct {
						Msg  string `json:"msg"`
						File string `json:"file"`
					}
					if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "ingest progress" && l.File == bigFile && !signalled {
						signalled = true
						close(midFile)
					}
				}
			}()
			var base string
			select {
			case base = <-addr:
			case <-time.After(30 * time.Second):
				t.Fatalf("serve never said where it listens:\n%s", logs.String())
			}

			var h struct {
				Status string `json:"status"`
				Jobs   []struct {
					Name string `json:"name"`
					Next string `json:"next"`
				} `json:"jobs"`
			}
			getJSON(t, "http://"+base+"/healthz", &h)
			if h.Status != "ok" || len(h.Jobs) != 1 || h.Jobs[0].Name != "ingest" || h.Jobs[0].Next == "" {
				t.Errorf("/healthz: %+v", h)
			}

			select {
			case <-midFile:
			case <-time.After(60 * time.Second):
				t.Fatalf("the ingest never reached the big file:\n%s", logs.String())
			}
			var runs []struct {
				Job    string `json:"job"`
				Status string `json:"status"`
			}
			getJSON(t, "http://"+base+"/runs?job=ingest", &runs)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			exited := make(chan error, 1)
			go func() { <-stderrDone; <-stdoutDone; exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("serve exited with %v after SIGTERM:\n%s", err, logs.String())
				}
			case <-time.After(45 * time.Second):
				t.Fatalf("serve still running 45s after SIGTERM:\n%s", logs.String())
			}
			t.Logf("serve exited %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
			if !strings.Contains(out.String(), "serve: stopped in") {
				t.Errorf("stdout lacks the stop line:\n%s", out.String())
			}

			big, small := fileRows(t, wpath)
			if big != tt.want || small != 0 {
				t.Fatalf("after SIGTERM: the big file has %d rows (want %d: all or none), the next file %d (want 0)\n%s", big, tt.want, small, logs.String())
			}
			job, step := lastIngest(t, wpath)
			if job.Status != "interrupted" || job.Trigger != "schedule" || step.Status != "interrupted" {
				t.Errorf("recorded: job %s (%s) %q, step %s %q; want interrupted, schedule", job.Status, job.Trigger, job.Error, step.Status, step.Error)
			}

			// The restart takes the rest.
			stdoutOnce, stderrOnce, code := shequ(t, dir, append([]string{"serve", "--once", "ingest"}, paths...)...)
			if code != 0 || !strings.Contains(stdoutOnce, "✓ job ingest") {
				t.Fatalf("serve --once ingest exited %d:\n%s\n%s", code, stdoutOnce, stderrOnce)
			}
			big, small = fileRows(t, wpath)
			if big != bigRows || small != 10 {
				t.Errorf("after the restart: %d and %d rows, want %d and 10", big, small, bigRows)
			}
			job, step = lastIngest(t, wpath)
			if job.Status != "ok" || job.Trigger != "manual" || step.Status != "ok" || job.Files == 0 {
				t.Errorf("the restart: job %+v step %+v", job, step)
			}
			runsOut, _, code := shequ(t, dir, "runs", "--job", "ingest", "--warehouse", wpath)
			if code != 0 || !strings.Contains(runsOut, "interrupted") || !strings.Contains(runsOut, "manual") {
				t.Errorf("shequ runs --job ingest:\n%s", runsOut)
			}
		})
	}
}

// fileRows counts the loaded rows of the big and the small file.
func fileRows(t *testing.T, wpath string) (big, small int) {
	t.Helper()
	w, err := warehouse.Open(context.Background(), wpath, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	q := `SELECT count(*) FILTER (WHERE source_file = ?), count(*) FILTER (WHERE source_file = ?) FROM raw.activities`
	if err := w.DB.QueryRow(q, bigFile, smallFile).Scan(&big, &small); err != nil {
		t.Fatal(err)
	}
	return big, small
}

// lastIngest reads the newest run of the ingest job and its step.
func lastIngest(t *testing.T, wpath string) (job, step warehouse.Run) {
	t.Helper()
	w, err := warehouse.Open(context.Background(), wpath, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	runs, err := w.Runs(context.Background(), "ingest", false, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Parent == 0 && r.Status != "skipped" && job.ID == 0 {
			job = r
		}
	}
	for _, r := range runs {
		if r.Parent == job.ID && job.ID != 0 {
			step = r
		}
	}
	return job, step
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, b)
	}
}

// TestSchedulesCommand: shequ schedules lists the shipped schedules with
// their next runs; a bad definition stops serve before anything runs, with
// every problem's file, line, field and reason.
func TestSchedulesCommand(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := shequ(t, dir, "schedules")
	if code != 0 {
		t.Fatalf("shequ schedules exited %d: %s", code, errOut)
	}
	for _, want := range []string{"ingest ", "*/10 * * * *", "nightly ", "0 2 * * *", "build, test", "report ", "Asia/Shanghai"} {
		if !strings.Contains(out, want) {
			t.Errorf("shequ schedules lacks %q:\n%s", want, out)
		}
	}
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "x.yaml"), []byte("name: x\ncron: CRON_TZ=Asia/Shanghai\nzone: Mars/Base\nsteps: [ingest, deploy]\n"), 0o644)
	_, errOut, code = shequ(t, dir, "serve", "--schedules", bad, "--warehouse", filepath.Join(dir, "w.duckdb"), "--addr", "127.0.0.1:0")
	if code != 1 {
		t.Errorf("serve with a bad definition exited %d, want 1", code)
	}
	for _, want := range []string{"3 problems", "x.yaml:2: cron:", "x.yaml:3: zone: \"Mars/Base\" is not a time zone", "x.yaml:4: steps[1]: \"deploy\" is not a step"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("serve's refusal lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "w.duckdb")); err == nil {
		t.Error("serve opened the warehouse despite a bad definition")
	}
	if _, errOut, code := shequ(t, dir, "serve", "--once", "deploy", "--warehouse", filepath.Join(dir, "w.duckdb")); code != 2 || !strings.Contains(errOut, "no such schedule") {
		t.Errorf("serve --once deploy exited %d: %s", code, errOut)
	}
}
