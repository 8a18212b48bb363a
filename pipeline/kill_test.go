package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shequ/internal/crashtest"
	"shequ/internal/files"
	"shequ/official"
)

// TestKillClose kills a real close (shequ close in a child process) with
// SIGKILL at moments of its work — while building, in the middle of the
// transaction, just before COMMIT, just after it — and shows the year
// either still open with nothing of the close left, or closed with its
// version complete (its fingerprints verify); never a mix. The next close
// or report finishes the job.
func TestKillClose(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	ctx := context.Background()
	base, _ := newCity(t)
	w, err := base.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	setSample(t, w)
	ingestBatch(t, base, w, "batch1")
	w.Close()
	for _, tc := range []struct {
		at     string // a progress line containing this
		closed bool   // the close was committed
	}{
		{"build  ", false},
		{": marts.staffing", false},
		{": commit", false},
		{"committed", true},
	} {
		t.Run(strings.Trim(tc.at, ": "), func(t *testing.T) {
			dir := t.TempDir()
			wpath := filepath.Join(dir, "shequ.duckdb")
			if err := files.Copy(base.Config().Warehouse, wpath); err != nil {
				t.Fatal(err)
			}
			marker := filepath.Join(dir, "here")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKillCloseHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "SHEQU_KILL_CLOSE="+dir, "SHEQU_KILL_AT="+tc.at)
			crashtest.KillAt(t, cmd, dir, marker)

			p := New(Resolve(Config{Warehouse: wpath, Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out")}, func(string) string { return "" }))
			w, err := p.Open(ctx, "test")
			if err != nil {
				t.Fatalf("reopen after the kill: %v", err)
			}
			defer w.Close()
			vs, err := official.Versions(ctx, w.DB, 2014)
			if err != nil {
				t.Fatal(err)
			}
			if closed := len(vs) == 1; closed != tc.closed {
				t.Fatalf("killed at %q: %d versions of 2014, want closed=%v", tc.at, len(vs), tc.closed)
			}
			if tc.closed {
				pr, _ := p.Project()
				if _, err := official.Verify(ctx, w.DB, pr, 2014, 1); err != nil {
					t.Errorf("the version a killed close committed: %v", err)
				}
			} else {
				for _, q := range []string{"inputs", "policy", "files", "changes"} {
					var n int
					w.DB.QueryRow(`SELECT count(*) FROM closed.` + q + ` WHERE year = 2014`).Scan(&n)
					if n != 0 {
						t.Errorf("closed.%s holds %d rows of a close that was not committed", q, n)
					}
				}
				marts, _ := official.YearMarts(ctx, w.DB, nil)
				for _, m := range marts {
					var n int
					if err := w.DB.QueryRow(`SELECT count(*) FROM closed.` + m.Name + ` WHERE year = 2014`).Scan(&n); err == nil && n != 0 {
						t.Errorf("closed.%s holds %d rows of a close that was not committed", m.Name, n)
					}
				}
			}
			left, _ := filepath.Glob(wpath + closingSuffix + "*")
			// The next close (or, when it was committed, the next report)
			// finishes the job, and leaves nothing behind.
			if tc.closed {
				if _, err := p.Report(ctx, w, ReportOptions{Year: 2014}); err != nil {
					t.Fatal(err)
				}
			} else if _, err := p.Close(ctx, w, CloseOptions{Year: 2014, By: "张三", Note: "重新关账"}); err != nil {
				t.Fatal(err)
			}
			kept, err := official.Files(ctx, w.DB, 2014, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range kept {
				b, err := os.ReadFile(filepath.Join(dir, "out", filepath.FromSlash(f.Path)))
				if err != nil || string(b) != string(f.Data) {
					t.Errorf("%s is not the official file (%v)", f.Path, err)
				}
			}
			if after, _ := filepath.Glob(wpath + closingSuffix + "*"); len(after) != 0 {
				t.Errorf("left behind: %v (after the kill: %v)", after, left)
			}
		})
	}
}

// TestKillCloseHelper is the child of TestKillClose: it closes 2014 and
// stops, to be killed, where SHEQU_KILL_AT says.
func TestKillCloseHelper(t *testing.T) {
	dir := os.Getenv("SHEQU_KILL_CLOSE")
	if dir == "" {
		t.Skip("run by TestKillClose")
	}
	at := os.Getenv("SHEQU_KILL_AT")
	p := New(Resolve(Config{Warehouse: filepath.Join(dir, "shequ.duckdb"), Inbox: filepath.Join(dir, "inbox"), Out: filepath.Join(dir, "out"),
		OnEvent: func(ev Event) {
			if ev.Kind == Progress && strings.Contains(ev.Line, at) {
				os.WriteFile(filepath.Join(dir, "here"), []byte(ev.Line), 0o644)
				time.Sleep(time.Hour)
			}
		}}, func(string) string { return "" }))
	ctx := context.Background()
	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Close(ctx, w, CloseOptions{Year: 2014, By: "张三", Note: "2014年度数据经局务会审定"})
	t.Fatalf("the close finished (%v) before it was killed", err)
}
