package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "ingest",
		summary: "load every new district file of the inbox into the warehouse",
		usage: `Usage: shequ ingest [--inbox DIR] [--warehouse FILE]

Takes every file under the inbox (recursively) that was not received
before, keeps a byte-for-byte copy, reads every sheet, validates every row
and loads each file in one transaction. Rows with errors are rejected with
a reason (see marts.rejects); unreadable files are quarantined; the run
goes on. A file received again unchanged is skipped.

Example:
  shequ ingest --inbox /srv/districts/2015Q1`,
		run: runIngest,
	})
}

func runIngest(ctx context.Context, e *env, args []string) error {
	fs, err := e.parse(lookup("ingest"), args, flagWarehouse|flagInbox, nil)
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	w, err := e.openWarehouse(ctx, "shequ ingest")
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err = e.ingest(ctx, w, 0, "manual"); err != nil {
		return err
	}
	// What the ingest did is visible at once: the marts of submissions,
	// rejects and data quality are built from the raw rows and the
	// snapshot that sql, query and receipts read is published again.
	_, err = e.build(ctx, w, 0, buildOptions{selectExpr: ingestMarts})
	return err
}

// ingestMarts are the marts that describe what ingest received, built
// after every ingest with everything they read.
const ingestMarts = "+marts.submissions +marts.rejects +marts.data_quality"

// receiptsDir is where the districts' receipts go: receipts/ beside the
// warehouse file, or $SHEQU_RECEIPTS.
func (e *env) receiptsDir() string {
	return getenv("SHEQU_RECEIPTS", filepath.Join(filepath.Dir(e.warehouse), "receipts"))
}

func (e *env) openWarehouse(ctx context.Context, command string) (*warehouse.Warehouse, error) {
	return warehouse.Open(ctx, e.warehouse, warehouse.Options{Command: command})
}

// ingest runs the ingest stage and records it in ops.runs.
func (e *env) ingest(ctx context.Context, w *warehouse.Warehouse, parent int64, trigger string) (*ingest.Summary, error) {
	run := &warehouse.Run{Job: "ingest", Parent: parent, Trigger: trigger}
	if parent != 0 {
		run.Job, run.Step = "run", "ingest"
	}
	return e.ingestRun(ctx, w, run, nil)
}

// ingestRun is the ingest stage recorded as run. When stopping is closed
// (the daemon is asked to stop) it stops at the next file boundary: the
// file being loaded finishes, the next is left for the next run. Only when
// ctx ends is a file cut short, and its transaction rolled back.
func (e *env) ingestRun(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run, stopping <-chan struct{}) (*ingest.Summary, error) {
	if st, err := os.Stat(e.inbox); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("inbox %s is not a directory: put the districts' files there or pass --inbox DIR", e.inbox)
	}
	if err := w.StartRun(ctx, run); err != nil {
		return nil, err
	}
	key, err := ingest.IDKey(w.Path)
	if err != nil {
		return nil, e.failRun(ctx, w, run, fmt.Errorf("ID number key: %w", err))
	}
	cat, err := models.ServiceCatalogue()
	if err != nil {
		return nil, e.failRun(ctx, w, run, err)
	}
	lg := e.log
	if e.daemonLog != nil {
		lg = e.daemonLog
	}
	ictx, stop := context.WithCancel(ctx)
	defer stop()
	p := e.progress()
	s, err := ingest.Run(ictx, w, ingest.Options{
		Inbox: e.inbox, Catalogue: cat, IDKey: key, RunID: run.ID, Log: lg, Receipts: e.receiptsDir(),
		Progress: func(pr ingest.Progress) {
			if pr.Done && isClosed(stopping) {
				stop() // between files: the next one is not begun
			}
			lg.Debug("ingest progress", "file", pr.File, "file_index", pr.FileIndex, "files", pr.Files, "rows", pr.Rows)
			p.show(pr.Done, "ingest  file %d/%d  %s  %d rows  %s", pr.FileIndex, pr.Files, filepath.Base(pr.File), pr.Rows, pr.Elapsed.Round(time.Second))
		},
	})
	p.done()
	if s != nil {
		run.Files, run.RowsLoaded, run.RowsRejected = s.New, int64(s.Rows), int64(s.Rejected)
	}
	if err != nil {
		if ictx.Err() == nil {
			return s, e.failRun(ctx, w, run, err)
		}
		run.Status = warehouse.RunInterrupted
		run.Error = "interrupted between files: every file loaded is complete; the next run takes the rest"
		if ctx.Err() != nil {
			run.Error = "cancelled in the middle of a file: that file was rolled back; the next run loads it again"
		}
		_ = w.FinishRun(context.WithoutCancel(ctx), run)
		n := 0
		if s != nil {
			n = s.New
		}
		fmt.Fprintf(e.stdout, "- ingest interrupted after %d new files: the next run takes the rest\n", n)
		return s, fmt.Errorf("ingest %s", run.Error)
	}
	run.Status = warehouse.RunOK
	if err := w.FinishRun(ctx, run); err != nil {
		return s, err
	}
	for _, f := range s.Files {
		if f.Status == ingest.StatusQuarantined {
			lg.Warn("file quarantined", "file", f.File, "reason", f.Reason, "reason_zh", f.ReasonZh)
			fmt.Fprintf(e.stderr, "  quarantined %s: %s\n              %s\n", f.File, f.Reason, f.ReasonZh)
		} else if e.verbose {
			fmt.Fprintf(e.stderr, "  %-11s %s  %v  loaded %d, rejected %d, warned %d\n", f.Status, f.File, f.Kinds, f.Loaded, f.Rejected, f.Warned)
		}
	}
	mark := "✓"
	if s.Quarantined > 0 {
		mark = "!"
	}
	fmt.Fprintf(e.stdout, "%s ingest: %d new files of %d (%d loaded, %d duplicate, %d quarantined); %d rows loaded, %d rejected, %d warned in %s\n",
		mark, s.New, s.Seen, s.Loaded, s.Duplicates, s.Quarantined, s.Rows, s.Rejected, s.Warned, s.Elapsed.Round(time.Millisecond))
	if s.ReleasedRows > 0 {
		fmt.Fprintf(e.stdout, "  %d rows that waited for their project or community loaded (已关联入库), from %d earlier submissions; their receipts are written again\n",
			s.ReleasedRows, len(s.Released))
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(e.stderr, "  skipped %s: %s\n          %s\n", sk.Rel, sk.Reason, sk.ReasonZh)
	}
	for _, d := range s.Deferred {
		fmt.Fprintf(e.stderr, "  left for the next run: %s: %v\n", d.File, d.Err)
	}
	if s.Rejected > 0 || s.Warned > 0 {
		fmt.Fprintf(e.stdout, "  rejected and warned rows: shequ sql -c \"SELECT * FROM marts.rejects\"\n")
	}
	return s, nil
}

// isClosed reports whether c is closed; a nil channel never is.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (e *env) failRun(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run, err error) error {
	run.Status = warehouse.RunFailed
	run.Error = err.Error()
	_ = w.FinishRun(context.WithoutCancel(ctx), run)
	return err
}

var _ = flag.ErrHelp
