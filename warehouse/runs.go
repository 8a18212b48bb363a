package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"syscall"
	"time"

	"shequ/internal/sqlrows"
)

// Run is one row of ops.runs: a command, a scheduled job or a step.
type Run struct {
	ID           int64
	Parent       int64
	Job          string
	Step         string
	Trigger      string
	Started      time.Time
	Ended        time.Time
	Status       string
	Files        int
	RowsLoaded   int64
	RowsRejected int64
	ModelsBuilt  int
	TestsFailed  int
	Error        string
}

// Run statuses.
const (
	RunRunning     = "running"
	RunOK          = "ok"
	RunFailed      = "failed"
	RunSkipped     = "skipped"
	RunInterrupted = "interrupted"
)

// StartRun records the start of a run and returns its id.
func (w *Warehouse) StartRun(ctx context.Context, r *Run) error {
	if r.Started.IsZero() {
		r.Started = time.Now()
	}
	if r.Status == "" {
		r.Status = RunRunning
	}
	if r.Trigger == "" {
		r.Trigger = "manual"
	}
	err := w.DB.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM ops.runs`).Scan(&r.ID)
	if err != nil {
		return err
	}
	_, err = w.DB.ExecContext(ctx, `INSERT INTO ops.runs (run_id, parent_run_id, job, step, trigger, started_at, status, pid, command)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, nullID(r.Parent), r.Job, nullString(r.Step), r.Trigger, r.Started.UTC(), r.Status,
		os.Getpid(), strings.Join(os.Args, " "))
	return err
}

// FinishRun records the end of a run with its counts.
func (w *Warehouse) FinishRun(ctx context.Context, r *Run) error {
	if r.Ended.IsZero() {
		r.Ended = time.Now()
	}
	_, err := w.DB.ExecContext(ctx, `UPDATE ops.runs SET ended_at = ?, status = ?, files = ?, rows_loaded = ?, rows_rejected = ?,
		models_built = ?, tests_failed = ?, error = ? WHERE run_id = ?`,
		r.Ended.UTC(), r.Status, r.Files, r.RowsLoaded, r.RowsRejected, r.ModelsBuilt, r.TestsFailed, nullString(r.Error), r.ID)
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(i int64) any {
	if i == 0 {
		return nil
	}
	return i
}

// Runs lists recorded runs, newest first.
func (w *Warehouse) Runs(ctx context.Context, job string, failedOnly bool, limit int) ([]Run, error) {
	return ListRuns(ctx, w.DB, job, failedOnly, limit)
}

// ListRuns reads ops.runs from any connection (a read-only snapshot too).
func ListRuns(ctx context.Context, db *sql.DB, job string, failedOnly bool, limit int) ([]Run, error) {
	q := `SELECT run_id, coalesce(parent_run_id, 0), job, coalesce(step, ''), trigger, started_at, coalesce(ended_at, started_at), status,
		coalesce(files, 0), coalesce(rows_loaded, 0), coalesce(rows_rejected, 0), coalesce(models_built, 0), coalesce(tests_failed, 0), coalesce(error, '')
		FROM ops.runs WHERE (? = '' OR job = ?) AND (NOT ? OR status IN ('failed', 'interrupted')) ORDER BY run_id DESC LIMIT ?`
	rows, err := db.QueryContext(ctx, q, job, job, failedOnly, limit)
	if err != nil {
		return nil, err
	}
	return sqlrows.All(rows, func(r *Run) []any {
		return []any{&r.ID, &r.Parent, &r.Job, &r.Step, &r.Trigger, &r.Started, &r.Ended, &r.Status,
			&r.Files, &r.RowsLoaded, &r.RowsRejected, &r.ModelsBuilt, &r.TestsFailed, &r.Error}
	})
}

// markAbandoned records as interrupted every run still "running" whose
// process is gone when a writer opens the file: it ended without
// finishing the run (killed, crashed, or the machine stopped), and nothing
// it had not committed was kept. A run of this process, or of a process
// still alive (a daemon between the steps of a job), is left alone.
func markAbandoned(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT run_id, coalesce(pid, 0) FROM ops.runs WHERE status = ?`, RunRunning)
	if err != nil {
		return err
	}
	var dead []int64
	for rows.Next() {
		var id int64
		var pid int
		if err := rows.Scan(&id, &pid); err != nil {
			rows.Close()
			return err
		}
		if pid != os.Getpid() && !processAlive(pid) {
			dead = append(dead, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range dead {
		if _, err := db.ExecContext(ctx, `UPDATE ops.runs SET status = ?, ended_at = now()::TIMESTAMP,
			error = 'abandoned: the process stopped before the run finished (pid ' || coalesce(pid::VARCHAR, '?') || '); what it had not committed was not kept'
			WHERE run_id = ? AND status = ?`, RunInterrupted, id, RunRunning); err != nil {
			return err
		}
	}
	return nil
}

// LastBuild returns the latest build run (a build of its own or a step of
// a run or job); ok is false when there was none.
func LastBuild(ctx context.Context, db *sql.DB) (r Run, ok bool, err error) {
	var errText sql.NullString
	err = db.QueryRowContext(ctx, `SELECT run_id, status, coalesce(error, '') FROM ops.runs
		WHERE (job = 'build' AND step IS NULL) OR step = 'build' ORDER BY run_id DESC LIMIT 1`).Scan(&r.ID, &r.Status, &errText)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	r.Error = errText.String
	return r, err == nil, err
}

// processAlive reports whether a process with that id runs on this
// machine (0 never does).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
