// Package ingest takes every new file under the inbox into the raw layer of
// the warehouse: it hashes and archives each file, skips what was already
// received, reads every sheet, validates every row, checks references and
// loads the file in one transaction, with latest-wins supersession by the
// partitions of DOMAIN.md §3 and every rejected row kept with its reason.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"shequ/etl"
	"shequ/etl/receipt"
	"shequ/internal/atomic"
	"shequ/warehouse"
)

// Options configure an ingest run.
type Options struct {
	Inbox string
	// Archive is the directory of byte-for-byte copies of received files.
	Archive string
	Limits  etl.Limits
	// Catalogue holds the service item codes (from the policy data).
	Catalogue map[string]bool
	// IDKey keys the HMAC of ID numbers.
	IDKey []byte
	// RunID is recorded on each submission.
	RunID int64
	// Receipts is the directory of the receipts (回执) written for the
	// districts; empty writes none.
	Receipts string
	// Progress, when set, is called after each file and every few
	// thousand rows.
	Progress func(Progress)
	Log      *slog.Logger
}

// Progress reports how far an ingest has got.
type Progress struct {
	File      string
	FileIndex int // 1-based
	Files     int
	Rows      int64 // rows read so far in this run
	Done      bool  // the file is finished
	// Releasing says the rows are those of an earlier submission read
	// again to release the rows that waited for a parent.
	Releasing bool
	Elapsed   time.Duration
}

// Status of a received file.
const (
	StatusLoaded      = "loaded"
	StatusDuplicate   = "duplicate"
	StatusQuarantined = "quarantined"
	StatusSkipped     = "skipped" // an inbox entry that is not a submission
)

// FileResult is what became of one file.
type FileResult struct {
	Submission int64
	File       string
	SHA256     string
	Status     string // loaded | duplicate | quarantined; "" when already received
	Kinds      []string
	District   string
	Read       int
	Loaded     int
	Rejected   int
	Warned     int
	Reason     string
	ReasonZh   string
	// Unrecorded counts the problems beyond the most one file records.
	Unrecorded int
	// Sheets lists the sheets with no recognised header (left alone).
	Unrecognised []string
	// Receipt is the path of the receipt written for the district; a file
	// of several districts' rows gets one each (and one for its rows of no
	// district), all in Receipts, the first in Receipt.
	Receipt  string
	Receipts []string
}

// Summary is the result of one ingest run.
type Summary struct {
	Files       []FileResult
	Seen        int // files found in the inbox
	New         int // files not received before
	Loaded      int
	Duplicates  int
	Quarantined int
	Rows        int
	Rejected    int
	Warned      int
	// Released lists the submissions, of this run or earlier ones, whose
	// waiting rows loaded because this run brought their parents.
	Released     []Released
	ReleasedRows int
	// Deferred lists the files that could not be read whole (being
	// written, deleted or unreadable while the run read them): they are
	// taken by a later run.
	Deferred []Deferred
	// Skipped lists the inbox entries that are not submissions, recorded
	// for the first time by this run.
	Skipped []Skipped
	// RankTime is the time spent reading the files' headers to order the
	// batch (summed over the workers that check files in parallel);
	// ReleaseTime the time spent releasing waiting rows. Both are part of
	// Elapsed.
	RankTime, ReleaseTime time.Duration
	Elapsed               time.Duration
}

// A Deferred file waits for a later run.
type Deferred struct {
	File string
	Err  error
}

// Run ingests every new file of the inbox. A file that cannot be read is
// quarantined and the run goes on; an error is returned only when the
// warehouse itself fails, or the context is cancelled (between files, so a
// file is never left half loaded).
func Run(ctx context.Context, w *warehouse.Warehouse, opt Options) (*Summary, error) {
	start := time.Now()
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.Limits = opt.Limits.OrDefault()
	if opt.Archive == "" {
		opt.Archive = w.Files().Archive
	}
	// The archive and the receipts hold the districts' own rows, names and
	// ID numbers among them: readable by the owner and group only, also
	// when an older version made their folders for everyone.
	for _, dir := range []string{opt.Archive, opt.Receipts} {
		if dir == "" {
			continue
		}
		if err := atomic.MkdirAll(dir, atomic.PrivateDir); err != nil {
			return nil, err
		}
		if err := os.Chmod(dir, atomic.PrivateDir); err != nil {
			return nil, err
		}
	}
	found, skipped, err := Discover(opt.Inbox)
	if err != nil {
		return nil, err
	}
	refs, err := loadRefs(ctx, w.DB)
	if err != nil {
		return nil, fmt.Errorf("read references: %w", err)
	}
	defer checkpointLess(ctx, w)()
	// What the ingest's heap grew to goes back to the system when it
	// ends (deferred first: after GOGC and the memory limit are put
	// back), instead of staying resident beside DuckDB's memory through
	// the build that follows: one collection, ~0.1-0.3 s at the province.
	defer debug.FreeOSMemory()
	// An ingest allocates fast and keeps little alive (the rows in
	// flight, one file's keys and problems): collecting garbage less often
	// costs some memory and saves about a tenth of the time. A GOGC the
	// user set is left alone.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(ingestGCPercent))
	}
	// … but not without bound: GOGC 300 lets the heap grow to four
	// times what is alive (450 MB for the 110 MB of a province's first
	// load), which the process holds beside DuckDB's memory. A soft limit
	// collects sooner once the heap nears it (and goes back to the
	// process's own after, pipeline.GoMemoryLimit when it opened the
	// warehouse). A limit the user set (GOMEMLIMIT) is left alone.
	if os.Getenv("GOMEMLIMIT") == "" && debug.SetMemoryLimit(-1) > ingestMemoryLimit {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(ingestMemoryLimit))
	}
	received, seen, err := loadReceived(ctx, w.DB)
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	s := &Summary{Seen: len(found)}
	st := &runState{parts: newPartitions(w.DB)}
	if s.Skipped, err = recordSkipped(ctx, w, st, skipped, received, opt.RunID); err != nil {
		return s, fmt.Errorf("record the entries skipped: %w", err)
	}
	var rows int64
	files, rankTime := order(ctx, found, seen, &opt, runtime.GOMAXPROCS(0))
	s.RankTime = rankTime
	if err := ctx.Err(); err != nil {
		s.Elapsed = time.Since(start)
		return s, err
	}
	preps, stop := prefetch(ctx, files, received, &opt)
	defer stop()
	rw := newReceiptWriter(max(1, runtime.GOMAXPROCS(0)))
	defer func() {
		rw.finish(s)
		s.Elapsed = time.Since(start)
	}()
	for i, c := range files {
		f := c.f
		if err := ctx.Err(); err != nil {
			s.Elapsed = time.Since(start)
			return s, err
		}
		p, ok := <-preps
		if !ok {
			s.Elapsed = time.Since(start)
			if err := ctx.Err(); err != nil {
				return s, err
			}
			return s, fmt.Errorf("ingest %s: the file was not prepared", f.Rel)
		}
		if p.err != nil {
			// A file being written or removed while the run read it is
			// taken by a later run; the rest of the run goes on.
			s.Deferred = append(s.Deferred, Deferred{File: f.Rel, Err: p.err})
			opt.Log.Warn("file left for the next run", "file", f.Rel, "err", p.err)
			continue
		}
		l := &loader{w: w, opt: &opt, refs: refs, st: st, file: f, progress: func(n int) {
			if opt.Progress != nil {
				opt.Progress(Progress{File: f.Rel, FileIndex: i + 1, Files: len(files), Rows: rows + int64(n), Elapsed: time.Since(start)})
			}
		}}
		res, err := l.run(ctx, p)
		if err != nil {
			s.Elapsed = time.Since(start)
			return s, fmt.Errorf("ingest %s: %w", f.Rel, err)
		}
		rows += int64(res.Read)
		if opt.Progress != nil {
			opt.Progress(Progress{File: f.Rel, FileIndex: i + 1, Files: len(files), Rows: rows, Done: true, Elapsed: time.Since(start)})
		}
		if res.Status == "" {
			continue
		}
		s.New++
		s.Files = append(s.Files, *res)
		if l.receipt != nil {
			rw.jobs <- receiptJob{index: len(s.Files) - 1, write: l.receipt}
		}
		switch res.Status {
		case StatusLoaded:
			s.Loaded++
		case StatusDuplicate:
			s.Duplicates++
		case StatusQuarantined:
			s.Quarantined++
		}
		s.Rows += res.Loaded
		s.Rejected += res.Rejected
		s.Warned += res.Warned
		opt.Log.Info("file ingested", "file", res.File, "status", res.Status, "kinds", res.Kinds,
			"loaded", res.Loaded, "rejected", res.Rejected, "warned", res.Warned, "reason", res.Reason)
	}
	// The receipts of this run's files are on disk before any is written
	// again for a release.
	rw.finish(s)
	relStart := time.Now()
	released, err := release(ctx, w, &opt, st)
	s.Released = released
	for _, r := range released {
		s.ReleasedRows += r.Rows
		for i := range s.Files {
			if s.Files[i].Submission == r.Submission {
				s.Files[i].Loaded += r.Rows
				s.Files[i].Rejected -= r.Rows
				s.Rows += r.Rows
				s.Rejected -= r.Rows
			}
		}
		opt.Log.Info("waiting rows released", "submission", r.Submission, "file", r.File, "rows", r.Rows, "by", r.By)
	}
	if err != nil {
		s.Elapsed = time.Since(start)
		return s, err
	}
	s.ReleaseTime = time.Since(relStart)
	if opt.Receipts != "" {
		for i := range s.Released {
			r := &s.Released[i]
			paths, err := rewriteReceipt(ctx, w.DB, &opt, r.Submission)
			if err != nil {
				opt.Log.Warn("receipt not written again", "submission", r.Submission, "err", err)
				if len(paths) == 0 {
					continue
				}
			}
			r.Receipt, r.Receipts = paths[0], paths
			// The receipts the release did not write again are gone: a
			// district's folder the file's rows are no longer of.
			written := map[string]bool{}
			for _, p := range paths {
				written[p] = true
			}
			olds := receipt.Paths(opt.Receipts, receipt.Info{File: r.File, District: r.oldDistrict, Submission: r.Submission})
			olds = append(olds, receipt.Path(opt.Receipts, receipt.Info{File: r.File, Submission: r.Submission}))
			for j := range s.Files {
				if s.Files[j].Submission == r.Submission {
					olds = append(olds, s.Files[j].Receipts...)
					s.Files[j].Receipt, s.Files[j].Receipts = paths[0], paths
				}
			}
			for _, old := range olds {
				if !written[old] {
					_ = os.Remove(old)
				}
			}
		}
	}
	s.Elapsed = time.Since(start)
	return s, nil
}

// recordSkipped records each skipped entry of the inbox once (by path and
// reason), as a submission with status skipped.
func recordSkipped(ctx context.Context, w *warehouse.Warehouse, st *runState, skipped []Skipped, received map[string]bool, runID int64) ([]Skipped, error) {
	var fresh []Skipped
	for _, sk := range skipped {
		if !received[receivedKey(sk.Rel, "")] {
			fresh = append(fresh, sk)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	tx, err := w.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(submission_id), 0) + 1 FROM raw.submissions`).Scan(&next); err != nil {
		return nil, err
	}
	for _, sk := range fresh {
		if _, err := tx.Exec(ctx, `INSERT INTO raw.submissions (submission_id, file, sha256, size_bytes, received_at, status, reason, reason_zh, run_id)
			VALUES (?, ?, '', 0, now()::TIMESTAMP, ?, ?, ?, ?)`, next, sk.Rel, StatusSkipped, sk.Reason, sk.ReasonZh, nullInt(runID)); err != nil {
			return nil, err
		}
		next++
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	st.nextSub = next
	return fresh, nil
}

// ErrInterrupted is returned when a run is cancelled between files.
var ErrInterrupted = errors.New("ingest interrupted")

// ingestCheckpoint is the write-ahead log size at which DuckDB writes it
// into the file during an ingest. DuckDB's default (16 MiB) makes a run of
// many small files checkpoint every few dozen files, rewriting the same
// row groups of the big tables each time; checkpointing less often does
// the same work once.
const ingestCheckpoint = "256MB"

// ingestGCPercent is the GOGC of an ingest.
const ingestGCPercent = 300

// ingestMemoryLimit is the Go runtime's soft memory limit during an
// ingest (when none is set): the heap is collected when it nears it,
// whatever GOGC says, so the Go side of an ingest stays near it while
// what is alive fits well under it.
const ingestMemoryLimit = 256 << 20

// checkpointLess raises the checkpoint threshold for the ingest and
// returns what puts it back. It only changes when the log is written into
// the file, never what a committed file holds.
func checkpointLess(ctx context.Context, w *warehouse.Warehouse) func() {
	var prev string
	if err := w.DB.QueryRowContext(ctx, `SELECT current_setting('checkpoint_threshold')`).Scan(&prev); err != nil {
		return func() {}
	}
	if _, err := w.DB.ExecContext(ctx, "SET GLOBAL checkpoint_threshold = '"+ingestCheckpoint+"'"); err != nil {
		return func() {}
	}
	return func() {
		_, _ = w.DB.ExecContext(context.WithoutCancel(ctx), "SET GLOBAL checkpoint_threshold = '"+strings.ReplaceAll(prev, "'", "")+"'")
	}
}
