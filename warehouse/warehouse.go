// Package warehouse owns the DuckDB file: opening it, the single-writer
// lock, the numbered migrations that create and upgrade its schemas, and
// bulk loading through DuckDB's Appender. It is the only package that
// imports duckdb-go; everything else talks to it through database/sql.
package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"shequ/internal/say"
)

// Options say how to open a warehouse.
type Options struct {
	// ReadOnly opens the file without the write lock and without applying
	// migrations. DuckDB refuses a read-only open while another process
	// has the file open for writing; analysts read the published snapshot.
	ReadOnly bool
	// Command names the opener in the lock file ("shequ ingest").
	Command string
	// Threads caps DuckDB's worker threads; 0 leaves DuckDB's default.
	Threads int
	// MemoryLimit is DuckDB's memory_limit setting ("4GB"); empty leaves
	// the default (80 % of the machine's memory). What a writer's queries
	// need beyond it DuckDB spills to Files.Temp, beside the warehouse,
	// which Close removes.
	MemoryLimit string
	// Sandbox opens a session for analysts' own SQL (with ReadOnly): DuckDB
	// may touch no file but the database itself (no read_csv, read_text,
	// COPY … TO, ATTACH, EXPORT), installs and loads no extension, and its
	// configuration is locked so that no SET can undo any of it. What
	// analysts keep, shequ writes itself (--format … --out FILE). See
	// SandboxSettings.
	Sandbox bool
}

// SandboxSettings are the DuckDB settings of a Sandbox session, given in
// the database's configuration when it is opened (DuckDB takes them before
// any statement runs, and lock_configuration then refuses every SET of a
// setting).
var SandboxSettings = []string{
	"enable_external_access=false",
	"autoinstall_known_extensions=false",
	"autoload_known_extensions=false",
	"lock_configuration=true",
}

// Warehouse is an open warehouse file.
type Warehouse struct {
	// DB is a pool of connections to the file.
	DB   *sql.DB
	Path string

	connector *duckdb.Connector
	lock      *writeLock
	readOnly  bool
	temp      string   // the spill folder a writer removes when it closes
	scales    sync.Map // "schema.table" → []int32: see Tx.scales
}

// Open opens (creating if needed) the warehouse at path. A writer takes the
// write lock first, so a second writer gets a *LockedError naming the
// holder, and then applies any pending migrations.
func Open(ctx context.Context, path string, opt Options) (*Warehouse, error) {
	if path == "" {
		return nil, errors.New("no warehouse path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	w := &Warehouse{Path: abs, readOnly: opt.ReadOnly}
	dsn := abs
	if opt.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, say.Wrap(err, "warehouse_missing", fmt.Sprintf("找不到数据仓库 %s：请检查 --warehouse，或先运行 shequ ingest（或 shequ demo）", path),
				fmt.Sprintf("open warehouse %s: %v (run `shequ ingest` or `shequ demo` first)", path, err))
		}
		dsn += "?access_mode=read_only"
		if opt.Sandbox {
			// No SET can run once the configuration is locked: the
			// session's settings go in the configuration too.
			if opt.Threads > 0 {
				dsn += fmt.Sprintf("&threads=%d", opt.Threads)
			}
			if opt.MemoryLimit != "" {
				dsn += "&memory_limit=" + url.QueryEscape(opt.MemoryLimit)
			}
			opt.Threads, opt.MemoryLimit = 0, ""
			dsn += "&" + strings.Join(SandboxSettings, "&")
		}
	} else {
		if opt.Sandbox {
			return nil, errors.New("a sandboxed session is read-only: open it with ReadOnly")
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, err
		}
		cmd := opt.Command
		if cmd == "" {
			cmd = strings.Join(os.Args, " ")
		}
		if w.lock, err = acquireWriteLock(abs, cmd); err != nil {
			return nil, err
		}
		// DuckDB spills beside the warehouse (its default too, said so
		// here, in the configuration: DuckDB refuses to move the folder
		// once used); what a writer that died left there is scratch.
		w.temp = FilesOf(abs).Temp
		os.RemoveAll(w.temp)
		dsn += "?temp_directory=" + url.QueryEscape(w.temp)
	}
	w.connector, err = duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		var stmts []string
		if opt.Threads > 0 {
			stmts = append(stmts, fmt.Sprintf("SET threads = %d", opt.Threads))
		}
		if opt.MemoryLimit != "" {
			stmts = append(stmts, fmt.Sprintf("SET memory_limit = '%s'", strings.ReplaceAll(opt.MemoryLimit, "'", "")))
		}
		for _, s := range stmts {
			if _, err := execer.ExecContext(ctx, s, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.lock.release()
		return nil, fmt.Errorf("open warehouse %s: %w", path, explainOpenError(err))
	}
	w.DB = sql.OpenDB(w.connector)
	if err := w.DB.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open warehouse %s: %w", path, explainOpenError(err))
	}
	if !opt.ReadOnly {
		if err := Migrate(ctx, w.DB); err != nil {
			w.Close()
			return nil, err
		}
		if err := markAbandoned(ctx, w.DB); err != nil {
			w.Close()
			return nil, err
		}
		writers.Store(abs, w)
	}
	return w, nil
}

// writers are the warehouses this process holds open for writing, by
// absolute path.
var writers sync.Map

// Writing returns the warehouse at path that this process holds open for
// writing, or nil. The write lock is the process's: what runs in it while
// a command holds the warehouse (the ID key's check against the
// fingerprint the warehouse keeps, for one) finds the open warehouse here
// rather than opening the file a second time.
func Writing(path string) *Warehouse {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if w, ok := writers.Load(abs); ok {
		return w.(*Warehouse)
	}
	return nil
}

// explainOpenError turns DuckDB's file-lock conflict into plain words.
func explainOpenError(err error) error {
	if err != nil && strings.Contains(err.Error(), "Could not set lock") {
		return fmt.Errorf("the file is open for writing by another process (DuckDB allows one writer or many readers, never both); read the published snapshot instead, or wait: %w", err)
	}
	return err
}

// ReadOnly reports whether the warehouse was opened read-only.
func (w *Warehouse) ReadOnly() bool { return w.readOnly }

// Close closes the database and releases the write lock.
func (w *Warehouse) Close() error {
	writers.CompareAndDelete(w.Path, w)
	var err error
	if w.DB != nil {
		err = w.DB.Close()
	}
	if w.connector != nil {
		if cerr := w.connector.Close(); err == nil {
			err = cerr
		}
	}
	if w.temp != "" {
		// DuckDB removes its own spill files; the folder goes too.
		os.RemoveAll(w.temp)
	}
	if lerr := w.lock.release(); err == nil {
		err = lerr
	}
	return err
}

// Checkpoint writes the write-ahead log into the file.
func (w *Warehouse) Checkpoint(ctx context.Context) error {
	_, err := w.DB.ExecContext(ctx, "CHECKPOINT")
	return err
}
