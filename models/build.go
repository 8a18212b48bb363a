package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"shequ/internal/sqltext"
)

// BuildOptions say what Build does.
type BuildOptions struct {
	// Select chooses the models (see Project.Select); empty builds all.
	// Models outside the selection are read as they are in the warehouse.
	Select string
	// PolicyFiles are override files applied to the default policy
	// before it is loaded (see Project.PolicyWith).
	PolicyFiles []string
	// Overrides are override files given by content, applied after
	// PolicyFiles in order (see Policy.ApplyOverride): the policy changes
	// a warehouse keeps as rows.
	Overrides []Override
	// RunID is recorded with every model run (ops.model_runs.run_id);
	// 0 records NULL.
	RunID int64
	// Concurrency is how many models may build at once, each on its own
	// connection; 0 means min(4, GOMAXPROCS).
	Concurrency int
	// Progress, when set, is called as each model starts and ends. Calls
	// are serialised.
	Progress func(Event)
}

// Override is one policy override file by content: Name (its file name
// recognises its table, as for PolicyFiles, and is recorded in
// policy.versions) and Data (CSV).
type Override struct {
	Name string
	Data []byte
}

// Status of a model in a build.
type Status string

// Statuses of a model run (ops.model_runs.status).
const (
	StatusRunning Status = "running"
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// Event reports a model starting or ending.
type Event struct {
	Model   *Model
	Status  Status
	Rows    int64 // rows of a built table; -1 for views and unknown
	Elapsed time.Duration
	Err     error
}

// ModelResult is the outcome of one model in a build.
type ModelResult struct {
	Model   *Model
	Status  Status
	Rows    int64 // rows of the table; -1 for views and models not built
	Started time.Time
	Ended   time.Time
	Err     error // a *ModelError when failed; why when skipped
	Retries int   // times rerun after a transaction conflict
}

// BuildResult is the outcome of a build.
type BuildResult struct {
	RunID       int64
	Started     time.Time
	Ended       time.Time
	Policy      []PolicyVersion
	Models      []ModelResult // in dependency order
	Concurrency int
}

// Count returns how many models ended with status s.
func (r *BuildResult) Count(s Status) int {
	n := 0
	for _, m := range r.Models {
		if m.Status == s {
			n++
		}
	}
	return n
}

// Failed returns the results of failed models.
func (r *BuildResult) Failed() []ModelResult {
	var out []ModelResult
	for _, m := range r.Models {
		if m.Status == StatusFailed {
			out = append(out, m)
		}
	}
	return out
}

// Summary is the one line a command prints at the end of a build.
func (r *BuildResult) Summary() string {
	ok, failed, skipped := r.Count(StatusOK), r.Count(StatusFailed), r.Count(StatusSkipped)
	mark := "✓"
	if failed > 0 {
		mark = "✗"
	}
	overrides := 0
	for _, v := range r.Policy {
		if v.Origin == "override" {
			overrides++
		}
	}
	s := fmt.Sprintf("%s built %d of %d models", mark, ok, len(r.Models))
	if failed > 0 || skipped > 0 {
		s += fmt.Sprintf(" (%d failed, %d skipped)", failed, skipped)
	}
	if overrides > 0 {
		s += fmt.Sprintf(" with %d policy override(s)", overrides)
	}
	return s + fmt.Sprintf(" in %s", r.Ended.Sub(r.Started).Round(time.Millisecond))
}

// Build loads the policy (defaults plus opt.PolicyFiles) into the policy
// schema in one transaction, then materialises the selected models in
// dependency order, independent ones concurrently. Each model is built in
// its own transaction: a failed model leaves its previous table or view
// in place, its error names its file and line, and the models downstream
// of it are skipped. Every model's run is recorded in ops.model_runs.
//
// The error is nil when every model built; otherwise it wraps
// ErrBuildFailed and the result says which failed. The result is nil
// only when nothing was attempted (a bad selection or policy).
func (p *Project) Build(ctx context.Context, db *sql.DB, opt BuildOptions) (*BuildResult, error) {
	sel, err := p.Select(opt.Select)
	if err != nil {
		return nil, err
	}
	pol, err := p.PolicyWith(opt.PolicyFiles...)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	for _, o := range opt.Overrides {
		if err := pol.ApplyOverride(o.Name, o.Data); err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
	}
	plans := make(map[string]Materialization, len(sel))
	for _, m := range sel {
		mz, err := Materialize(m)
		if err != nil {
			return nil, err
		}
		plans[m.Name] = mz
	}
	res := &BuildResult{RunID: opt.RunID, Started: time.Now(), Policy: pol.Versions()}
	if err := pol.Load(ctx, db, opt.RunID); err != nil {
		return nil, err
	}
	n := opt.Concurrency
	if n <= 0 {
		n = min(4, runtime.GOMAXPROCS(0))
	}
	n = max(1, min(n, len(sel)))
	res.Concurrency = n

	b := &builder{p: p, db: db, opt: opt, plans: plans, selected: map[string]int{}}
	for i, m := range sel {
		b.selected[m.Name] = i
	}
	res.Models = make([]ModelResult, len(sel))
	for i, m := range sel {
		res.Models[i] = ModelResult{Model: m, Rows: -1}
	}
	b.results = res.Models
	if err := b.run(ctx, sel, n); err != nil {
		return res, err
	}
	res.Ended = time.Now()
	if f := res.Count(StatusFailed); f > 0 {
		var names []string
		for _, m := range res.Failed() {
			names = append(names, m.Err.Error())
		}
		return res, fmt.Errorf("%w: %d model(s) failed, %d skipped:\n  %s", ErrBuildFailed, f, res.Count(StatusSkipped), strings.Join(names, "\n  "))
	}
	return res, nil
}

type builder struct {
	p        *Project
	db       *sql.DB
	opt      BuildOptions
	plans    map[string]Materialization
	selected map[string]int // name -> index in results
	results  []ModelResult
	progress sync.Mutex
}

func (b *builder) emit(e Event) {
	if b.opt.Progress == nil {
		return
	}
	b.progress.Lock()
	defer b.progress.Unlock()
	b.opt.Progress(e)
}

// run schedules the models: a model is handed to a worker once every
// selected model upstream of it (directly or through models not selected)
// has built; when one fails, everything downstream of it in the selection
// is skipped.
func (b *builder) run(ctx context.Context, sel []*Model, workers int) error {
	desc := make([][]int, len(sel))
	remaining := make([]int, len(sel))
	for i, m := range sel {
		desc[i] = b.downstreamOf(m)
		for _, j := range desc[i] {
			remaining[j]++
		}
	}
	conns := make([]*sql.Conn, workers)
	for i := range conns {
		c, err := b.db.Conn(ctx)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return fmt.Errorf("build: %w", err)
		}
		conns[i] = c
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	jobs := make(chan int, len(sel))
	dones := make(chan int, len(sel))
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func(c *sql.Conn) {
			defer wg.Done()
			for i := range jobs {
				b.buildOne(ctx, c, i)
				dones <- i
			}
		}(c)
	}
	for i := range sel {
		if remaining[i] == 0 {
			jobs <- i
		}
	}
	for finished := 0; finished < len(sel); {
		i := <-dones
		finished++
		r := &b.results[i]
		if r.Status == StatusOK {
			for _, j := range desc[i] {
				remaining[j]--
				if remaining[j] == 0 && b.results[j].Status == "" {
					jobs <- j
				}
			}
			continue
		}
		for _, j := range desc[i] {
			if b.results[j].Status != "" {
				continue
			}
			now := time.Now()
			s := &b.results[j]
			s.Status = StatusSkipped
			s.Started, s.Ended = now, now
			s.Err = fmt.Errorf("skipped: upstream model %s failed", r.Model.Name)
			b.record(ctx, b.db, s)
			b.emit(Event{Model: s.Model, Status: StatusSkipped, Rows: -1, Err: s.Err})
			finished++
		}
	}
	close(jobs)
	wg.Wait()
	return nil
}

// downstreamOf lists the selected models downstream of m, directly or
// through models not selected.
func (b *builder) downstreamOf(m *Model) []int {
	var out []int
	seen := map[string]bool{}
	var rec func(*Model)
	rec = func(x *Model) {
		for _, d := range x.Downstream {
			if seen[d] {
				continue
			}
			seen[d] = true
			if j, ok := b.selected[d]; ok {
				out = append(out, j)
			}
			rec(b.p.byName[d])
		}
	}
	rec(m)
	return out
}

// conflictRetries is how often a model is rerun after DuckDB reports a
// transaction conflict with a concurrent build.
const conflictRetries = 3

func (b *builder) buildOne(ctx context.Context, conn *sql.Conn, i int) {
	r := &b.results[i]
	m := r.Model
	r.Status = StatusRunning
	r.Started = time.Now()
	b.emit(Event{Model: m, Status: StatusRunning, Rows: -1})
	mz := b.plans[m.Name]
	// A model's run is recorded inside its own transaction, just before
	// COMMIT, so the table and its record appear together (and cost no
	// extra commit); a failed model's record is written after the rollback.
	recordOK := func(rows int64) error {
		r.Ended = time.Now()
		r.Status = StatusOK
		r.Rows = rows
		if m.Materialized != "table" {
			r.Rows = -1
		}
		return b.insertRun(ctx, conn, r)
	}
	var err error
	for attempt := 0; ; attempt++ {
		if err = ctx.Err(); err != nil {
			break
		}
		err = execMaterialization(ctx, conn, mz, recordOK)
		if err == nil || !isConflict(err) || attempt >= conflictRetries {
			break
		}
		r.Retries++
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	if err != nil {
		r.Ended = time.Now()
		r.Status = StatusFailed
		r.Rows = -1
		r.Err = modelError(m, mz, err)
		b.record(ctx, conn, r)
	}
	b.emit(Event{Model: m, Status: r.Status, Rows: r.Rows, Elapsed: r.Ended.Sub(r.Started), Err: r.Err})
}

// execMaterialization runs a model's statements on conn, rolling back
// when one fails. Before the last statement (COMMIT) it counts the rows of
// a table and calls beforeCommit with them (-1 for a view).
func execMaterialization(ctx context.Context, conn *sql.Conn, mz Materialization, beforeCommit func(rows int64) error) error {
	rollback := func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }
	var rows int64 = -1
	last := len(mz.Statements) - 1
	for k, q := range mz.Statements {
		if k == last && beforeCommit != nil {
			if err := beforeCommit(rows); err != nil {
				rollback()
				return fmt.Errorf("record model run: %w", err)
			}
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			rollback()
			if k != mz.Body {
				return fmt.Errorf("%s: %w", strings.SplitN(q, "\n", 2)[0], err)
			}
			return err
		}
		if k == mz.Body && mz.Count != "" {
			if err := conn.QueryRowContext(ctx, mz.Count).Scan(&rows); err != nil {
				rollback()
				return fmt.Errorf("count rows: %w", err)
			}
		}
	}
	return nil
}

func isConflict(err error) bool {
	s := err.Error()
	return strings.Contains(s, "onflict") && strings.Contains(s, "ransaction")
}

// modelError locates a database error in the model's file: DuckDB's
// "LINE n:" counts lines of the statement sent, which starts with the
// CREATE line materialisation adds.
func modelError(m *Model, mz Materialization, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &ModelError{Model: m.Name, File: m.Path, Err: err}
	}
	line := mz.FileLine(sqltext.ErrorLine(err.Error()))
	msg := sqltext.MapErrorLines(err.Error(), func(n int) string {
		if fl := mz.FileLine(n); fl > 0 {
			return fmt.Sprintf("line %d:", fl)
		}
		return ""
	})
	if line == 0 {
		line = m.BodyLine
	}
	return &ModelError{Model: m.Name, File: m.Path, Line: line, Err: errors.New(strings.TrimSpace(msg))}
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// record writes the run of a model that failed or was skipped to
// ops.model_runs. A failure to record does not fail the build.
func (b *builder) record(ctx context.Context, ex execer, r *ModelResult) {
	_ = b.insertRun(context.WithoutCancel(ctx), ex, r)
}

func (b *builder) insertRun(ctx context.Context, ex execer, r *ModelResult) error {
	var run, rows, msg any
	if b.opt.RunID != 0 {
		run = b.opt.RunID
	}
	if r.Rows >= 0 {
		rows = r.Rows
	}
	if r.Err != nil {
		msg = r.Err.Error()
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO ops.model_runs (run_id, model, file, started_at, ended_at, rows, status, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, run, r.Model.Name, r.Model.Path, r.Started.UTC(), r.Ended.UTC(), rows, string(r.Status), msg)
	return err
}
