package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shequ/internal/files"
	"shequ/samples/gen"
	"shequ/warehouse"
)

// Proc is one run of the shequ binary as a child process.
type Proc struct {
	Args   []string
	Wall   time.Duration
	MaxRSS int64 // peak resident set, bytes (0 when unknown)
	Output string
}

// Command is the command line, for the record.
func (p Proc) Command() string { return "shequ " + strings.Join(p.Args, " ") }

// Exec runs bin with args and measures its wall time and peak RSS. A run
// that fails is an error carrying its output.
func Exec(ctx context.Context, bin string, env []string, args ...string) (Proc, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Proc{Args: args}, err
	}
	// The peak RSS is the child's own high-water mark, read while it
	// runs: its rusage would count the parent's pages too (Go starts a
	// child with vfork, sharing the parent's memory until exec).
	hwm := make(chan int64)
	stop := make(chan struct{})
	go func() {
		var peak int64
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v := highWater(cmd.Process.Pid); v > peak {
				peak = v
			}
			select {
			case <-stop:
				hwm <- peak
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	p := Proc{Args: args, Wall: time.Since(start), Output: out.String(), MaxRSS: <-hwm}
	if p.MaxRSS == 0 && cmd.ProcessState != nil {
		p.MaxRSS = maxRSS(cmd.ProcessState)
	}
	if err != nil {
		return p, fmt.Errorf("shequ %s: %w\n%s", strings.Join(args, " "), err, p.Output)
	}
	return p, nil
}

// E2E is the nightly run measured end to end: a full run of the inbox
// (ingest, build, test, report) into an empty warehouse, then a second
// run after one district's new quarterly file arrives.
type E2E struct {
	Full, Incremental Proc
	// Unchanged is a third run with nothing new; Written lists what it
	// changed of the reports folder, the snapshot and the warehouse file
	// (which keeps the run's own record).
	Unchanged Proc
	Written   []string
	New       gen.FileInfo // the file of the second run
	Warehouse string
	Receipts  string
	// Baseline is DuckDB alone on the clean rows of the full run,
	// measured right after it (nil unless asked for).
	Baseline *Baseline
}

// Ratio is the second run's time over the first's.
func (e *E2E) Ratio() float64 { return e.Incremental.Wall.Seconds() / e.Full.Wall.Seconds() }

// BaselineRatio is the full run's time over the baseline's (0 without
// one).
func (e *E2E) BaselineRatio() float64 {
	if e.Baseline == nil || e.Baseline.Total() <= 0 {
		return 0
	}
	return e.Full.Wall.Seconds() / e.Baseline.Total().Seconds()
}

// UnchangedRatio is the third run's time over the first's.
func (e *E2E) UnchangedRatio() float64 { return e.Unchanged.Wall.Seconds() / e.Full.Wall.Seconds() }

// fileStates lists the files under each path (a file or a folder) with
// their sizes and modification times.
func fileStates(paths ...string) map[string]string {
	out := map[string]string{}
	for _, root := range paths {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				out[p] = fmt.Sprintf("%d bytes, modified %s", info.Size(), info.ModTime().Format(time.RFC3339Nano))
			}
			return nil
		})
	}
	return out
}

// changed lists what differs between two fileStates.
func changed(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, before[k], v))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k+": removed")
		}
	}
	slices.Sort(out)
	return out
}

// RunE2E stages the generated inbox at src without one district's last
// quarterly file under work, runs `shequ run` on it, then adds the file
// and runs again. With baseline, DuckDB alone on the full run's clean
// rows is measured between the first two runs (MeasureBaseline).
func RunE2E(ctx context.Context, bin, src string, m *gen.Manifest, work string, baseline bool) (*E2E, error) {
	late, err := LastQuarterFile(m)
	if err != nil {
		return nil, err
	}
	first, _ := Files(m, func(f gen.FileInfo) bool { return f.Path != late.Path })
	inbox := filepath.Join(work, "inbox")
	if err := Stage(src, inbox, first); err != nil {
		return nil, err
	}
	e := &E2E{New: late, Warehouse: filepath.Join(work, "w.duckdb"), Receipts: filepath.Join(work, "receipts")}
	for _, p := range []string{e.Warehouse, e.Warehouse + ".wal", e.Warehouse + ".archive", e.Receipts, filepath.Join(work, "out")} {
		if err := os.RemoveAll(p); err != nil {
			return nil, err
		}
	}
	env := []string{"SHEQU_RECEIPTS=" + e.Receipts, "SHEQU_ID_KEY=" + string(benchKey)}
	args := []string{"run", "--inbox", inbox, "--warehouse", e.Warehouse, "--out", filepath.Join(work, "out"), "--quiet"}
	if e.Full, err = Exec(ctx, bin, env, args...); err != nil {
		return e, err
	}
	if baseline {
		if e.Baseline, err = MeasureBaseline(ctx, e.Warehouse, filepath.Join(work, "baseline")); err != nil {
			return e, err
		}
		// The CSV files and the baseline's warehouse are scratch.
		os.RemoveAll(filepath.Join(work, "baseline"))
	}
	// The district's new file arrives.
	to := filepath.Join(inbox, late.Path)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return e, err
	}
	if err := files.Copy(filepath.Join(src, late.Path), to); err != nil {
		return e, err
	}
	now := time.Now()
	if err := os.Chtimes(to, now, now); err != nil {
		return e, err
	}
	if e.Incremental, err = Exec(ctx, bin, env, args...); err != nil {
		return e, err
	}
	// Nothing new: the run must write nothing but its record.
	watched := []string{filepath.Join(work, "out"), warehouse.FilesOf(e.Warehouse).Snapshot, e.Warehouse}
	before := fileStates(watched...)
	if e.Unchanged, err = Exec(ctx, bin, env, args...); err != nil {
		return e, err
	}
	e.Written = changed(before, fileStates(watched...))
	return e, nil
}

// SheetRSS ingests the Sheet1M inbox at src (a roster, projects and one
// workbook of a million service records) with `shequ ingest` and reports
// its peak RSS.
func SheetRSS(ctx context.Context, bin, src, work string) (Proc, error) {
	w := filepath.Join(work, "sheet1m.duckdb")
	for _, p := range []string{w, w + ".wal", w + ".archive", filepath.Join(work, "sheet1m-receipts")} {
		if err := os.RemoveAll(p); err != nil {
			return Proc{}, err
		}
	}
	env := []string{"SHEQU_RECEIPTS=" + filepath.Join(work, "sheet1m-receipts"), "SHEQU_ID_KEY=" + string(benchKey)}
	return Exec(ctx, bin, env, "ingest", "--inbox", src, "--warehouse", w, "--quiet")
}

// highWater reads VmHWM, the peak resident set of a running process, from
// /proc; 0 when it cannot.
func highWater(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
