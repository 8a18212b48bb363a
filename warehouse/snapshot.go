package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// DuckDB lets one process open a file for writing or many open it for
// reading, never both at once. So readers never open the warehouse file:
// after each successful build the writer publishes a read-only snapshot, a
// byte copy of the checkpointed file, renamed into place atomically beside
// the warehouse. Readers open the newest snapshot. A reader that opened an
// older one keeps reading that file's data (the rename replaces the name,
// not the file) until it closes, so every session sees one consistent
// build, and no reader ever holds a lock the writer needs. (Within one
// process duckdb-go shares one database per path: a reader opened while
// another reader of the same process still has the old snapshot open
// shares it, one build behind but consistent.)

// SnapshotPath is where the snapshot of the warehouse at path is published
// (FilesOf(path).Snapshot): shequ.duckdb → shequ.snapshot.duckdb.
func SnapshotPath(path string) string { return FilesOf(path).Snapshot }

// Snapshot describes a published snapshot.
type Snapshot struct {
	Path      string
	Size      int64
	Published time.Time
	Took      time.Duration
}

// PublishSnapshot checkpoints the warehouse and publishes a copy of it as
// its snapshot, atomically: readers see the old snapshot or the new one,
// never a part. The caller holds the write lock (it opened the warehouse
// for writing) and has no write in flight; a write that lands during the
// copy is detected and the copy made again.
func (w *Warehouse) PublishSnapshot(ctx context.Context) (*Snapshot, error) {
	if w.readOnly {
		return nil, fmt.Errorf("publish snapshot: warehouse %s is open read-only", w.Path)
	}
	start := time.Now()
	dst := SnapshotPath(w.Path)
	removeStaleTemps(dst)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := w.Checkpoint(ctx); err != nil {
			return nil, fmt.Errorf("publish snapshot: checkpoint: %w", err)
		}
		before, err := fileState(w.Path)
		if err != nil {
			return nil, fmt.Errorf("publish snapshot: %w", err)
		}
		if before.wal > 0 {
			lastErr = fmt.Errorf("the write-ahead log is not empty after a checkpoint: a write is in flight")
			continue
		}
		tmp, err := copyToTemp(w.Path, dst, before.mode)
		if err != nil {
			return nil, fmt.Errorf("publish snapshot: %w", err)
		}
		after, err := fileState(w.Path)
		if err != nil || after != before {
			os.Remove(tmp)
			lastErr = fmt.Errorf("the warehouse changed while it was being copied")
			continue
		}
		if err := w.checkCopy(ctx, tmp); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("publish snapshot: the copy does not open: %w", err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("publish snapshot: %w", err)
		}
		syncDir(filepath.Dir(dst))
		// A snapshot has no write-ahead log; one left by a client that
		// opened the old snapshot for writing would not belong to the new.
		os.Remove(dst + ".wal")
		return &Snapshot{Path: dst, Size: before.size, Published: time.Now(), Took: time.Since(start)}, nil
	}
	return nil, fmt.Errorf("publish snapshot: %w; nothing was published, the previous snapshot stays", lastErr)
}

type state struct {
	size  int64
	mtime time.Time
	mode  os.FileMode
	wal   int64
}

func fileState(path string) (state, error) {
	st, err := os.Stat(path)
	if err != nil {
		return state{}, err
	}
	s := state{size: st.Size(), mtime: st.ModTime(), mode: st.Mode().Perm()}
	if wst, err := os.Stat(path + ".wal"); err == nil {
		s.wal = wst.Size()
	}
	return s, nil
}

const tempInfix = ".tmp-"

// copyToTemp copies src to a new temporary file beside dst, synced, with
// mode's read bits only: the snapshot is never to be written.
func copyToTemp(src, dst string, mode os.FileMode) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+tempInfix+"*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(out.Name(), mode&0o444|0o400)
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// checkCopy opens the copy read-only and compares its tables with the
// warehouse's.
func (w *Warehouse) checkCopy(ctx context.Context, path string) error {
	const q = `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()`
	var want int
	if err := w.DB.QueryRowContext(ctx, q).Scan(&want); err != nil {
		return err
	}
	c, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	db := sql.OpenDB(c)
	defer db.Close()
	var got int
	if err := db.QueryRowContext(ctx, q).Scan(&got); err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("it has %d tables, the warehouse %d", got, want)
	}
	return nil
}

// removeStaleTemps removes copies left by a publisher that died midway.
// Only the write-lock holder publishes, so none is in progress.
func removeStaleTemps(dst string) {
	matches, _ := filepath.Glob(dst + tempInfix + "*")
	for _, m := range matches {
		os.Remove(m)
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Source says what a reader opened.
type Source struct {
	// Path is the file opened.
	Path string
	// Snapshot is true for the published snapshot, false when no snapshot
	// has been published yet and the warehouse file itself was opened.
	Snapshot bool
	// Published is when the snapshot was published.
	Published time.Time
	// WriterBusy says the live file was not read because a writer holds
	// it (OpenLatest).
	WriterBusy bool
}

func (s Source) String() string {
	if !s.Snapshot {
		return fmt.Sprintf("%s itself (no snapshot published yet)", s.Path)
	}
	return fmt.Sprintf("the snapshot %s published %s", s.Path, s.Published.Local().Format("2006-01-02 15:04:05"))
}

// NotPublishedError is returned by OpenReader when no snapshot has been
// published yet and a writer holds the warehouse file.
type NotPublishedError struct {
	Path   string
	Holder Holder
	Err    error
}

func (e *NotPublishedError) Error() string {
	who := "another process"
	if e.Holder.PID != 0 {
		who = fmt.Sprintf("pid %d (%s) since %s", e.Holder.PID, e.Holder.Command, e.Holder.Since.Local().Format("2006-01-02 15:04:05"))
	}
	return fmt.Sprintf("no read-only snapshot of %s has been published yet, and the warehouse is being written by %s; "+
		"the snapshot appears when that build finishes: try again then (只读快照尚未发布，仓库正在写入，请稍后再试)", e.Path, who)
}

func (e *NotPublishedError) Unwrap() error { return e.Err }

// OpenReader opens the warehouse at path for reading: its newest snapshot,
// or, when none has been published yet, the warehouse file itself
// read-only. The second keeps writers out while it is open; it fails with
// a *NotPublishedError naming the writer while one holds the file.
func OpenReader(ctx context.Context, path string, opt Options) (*Warehouse, Source, error) {
	opt.ReadOnly = true
	snap := SnapshotPath(path)
	if st, err := os.Stat(snap); err == nil && snap != path {
		w, err := Open(ctx, snap, opt)
		if err != nil {
			return nil, Source{}, err
		}
		return w, Source{Path: w.Path, Snapshot: true, Published: st.ModTime()}, nil
	}
	w, err := Open(ctx, path, opt)
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock") {
			abs, _ := filepath.Abs(path)
			h := Holder{}
			if f, ferr := os.Open(FilesOf(abs).Lock); ferr == nil {
				h = readHolder(f)
				f.Close()
			}
			return nil, Source{}, &NotPublishedError{Path: path, Holder: h, Err: err}
		}
		return nil, Source{}, err
	}
	return w, Source{Path: w.Path}, nil
}

// OpenLatest opens the freshest consistent state a reader can have without
// keeping a writer waiting: the warehouse file itself, read-only, when no
// writer holds it (a writer that starts meanwhile is told the file is
// being read), else the published snapshot. For short reads of the run
// history, where a snapshot one build old would hide the latest runs.
func OpenLatest(ctx context.Context, path string) (*Warehouse, Source, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, Source{}, err
	}
	busy := false
	if _, err := os.Stat(abs); err == nil {
		var l *writeLock
		if l, busy = tryReadLock(abs); l != nil {
			w, err := Open(ctx, abs, Options{ReadOnly: true})
			if err == nil {
				w.lock = l
				return w, Source{Path: w.Path}, nil
			}
			l.release()
		}
	}
	w, src, err := OpenReader(ctx, path, Options{})
	src.WriterBusy = busy
	return w, src, err
}
