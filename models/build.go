package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	// Incremental builds only the selected models whose inputs changed
	// since they were last built (see Plan): the others are left as they
	// are, with status StatusUnchanged. Without it every selected model is
	// built (the full rebuild).
	Incremental bool
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
	// StatusRolledBack: the model built, but another failed, and a build is
	// all or nothing: its table was not kept.
	StatusRolledBack Status = "rolled_back"
	// StatusUnchanged: an incremental build left the model as it was, its
	// inputs unchanged since it was built.
	StatusUnchanged Status = "unchanged"
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
	// Why an incremental build built the model (its changed inputs).
	Why string
}

// BuildResult is the outcome of a build.
type BuildResult struct {
	RunID   int64
	Started time.Time
	Ended   time.Time
	Policy  []PolicyVersion
	Models  []ModelResult // in dependency order
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
	ok, failed, skipped, unchanged := r.Count(StatusOK), r.Count(StatusFailed), r.Count(StatusSkipped), r.Count(StatusUnchanged)
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
	if unchanged > 0 {
		s += fmt.Sprintf(" (%d up to date, not rebuilt)", unchanged)
	}
	if failed > 0 || skipped > 0 {
		s += fmt.Sprintf(" (%d failed, %d skipped", failed, skipped)
		if rb := r.Count(StatusRolledBack); rb > 0 {
			s += fmt.Sprintf(", %d not kept: a build is all or nothing", rb)
		}
		s += ")"
	}
	if overrides > 0 {
		s += fmt.Sprintf(" with %d policy override(s)", overrides)
	}
	return s + fmt.Sprintf(" in %s", r.Ended.Sub(r.Started).Round(time.Millisecond))
}

// SummaryZh is Summary in Chinese.
func (r *BuildResult) SummaryZh() string {
	ok, failed, skipped, unchanged := r.Count(StatusOK), r.Count(StatusFailed), r.Count(StatusSkipped), r.Count(StatusUnchanged)
	mark := "✓"
	if failed > 0 {
		mark = "✗"
	}
	s := fmt.Sprintf("%s 构建：%d 个模型中构建了 %d 个", mark, len(r.Models), ok)
	if unchanged > 0 {
		s += fmt.Sprintf("（%d 个输入未变，无需重建）", unchanged)
	}
	if failed > 0 || skipped > 0 {
		s += fmt.Sprintf("，失败 %d 个、跳过 %d 个", failed, skipped)
		if rb := r.Count(StatusRolledBack); rb > 0 {
			s += fmt.Sprintf("，另有 %d 个已撤回（构建要么全部生效，要么全部不生效）", rb)
		}
	}
	return s + fmt.Sprintf("，用时 %s", r.Ended.Sub(r.Started).Round(time.Millisecond))
}

// Build loads the policy (defaults plus opt.PolicyFiles and
// opt.Overrides) and materialises the selected models in dependency order,
// all in ONE transaction: the marts of a build become visible together, and
// a build that fails, is cancelled or whose process is killed leaves every
// table and view as it was. When a model fails, the transaction is rolled
// back; the models left that do not depend on a failed one are still
// tried, each in a transaction rolled back at once, so every failure is
// reported in one go (each naming its file and line); the models downstream
// of a failure are skipped. Every model's run is recorded in
// ops.model_runs (after the commit or the rollback).
//
// Every build keeps the fingerprints of the models it built (Plan,
// ops.model_state) in the same transaction; an Incremental build builds
// only the models whose fingerprints changed.
//
// The error is nil when every model built; otherwise it wraps
// ErrBuildFailed and the result says which failed. The result is nil
// only when nothing was attempted (a bad selection or policy).
func (p *Project) Build(ctx context.Context, db *sql.DB, opt BuildOptions) (*BuildResult, error) {
	sel, pol, err := p.prepare(opt)
	if err != nil {
		return nil, err
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
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	defer conn.Close()
	b := &builder{p: p, conn: conn, opt: opt, plans: plans, selected: map[string]int{}}
	for i, m := range sel {
		b.selected[m.Name] = i
	}
	res.Models = make([]ModelResult, len(sel))
	for i, m := range sel {
		res.Models[i] = ModelResult{Model: m, Rows: -1}
	}
	b.results = res.Models
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := pol.loadIn(ctx, conn, opt.RunID); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, fmt.Errorf("load policy: %w", err)
	}
	if b.plan, err = p.plan(ctx, conn, sel, pol); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, fmt.Errorf("fingerprint the inputs: %w", err)
	}
	b.run(ctx, sel)
	res.Ended = time.Now()
	if f := res.Count(StatusFailed); f > 0 {
		var names []string
		for _, m := range res.Failed() {
			names = append(names, m.Err.Error())
		}
		return res, fmt.Errorf("%w: %d model(s) failed, %d skipped, nothing kept:\n  %s", ErrBuildFailed, f, res.Count(StatusSkipped), strings.Join(names, "\n  "))
	}
	return res, nil
}

// prepare selects the models and loads the policy of a build.
func (p *Project) prepare(opt BuildOptions) ([]*Model, *Policy, error) {
	sel, err := p.Select(opt.Select)
	if err != nil {
		return nil, nil, err
	}
	pol, err := p.PolicyWith(opt.PolicyFiles...)
	if err != nil {
		return nil, nil, fmt.Errorf("policy: %w", err)
	}
	for _, o := range opt.Overrides {
		if err := pol.ApplyOverride(o.Name, o.Data); err != nil {
			return nil, nil, fmt.Errorf("policy: %w", err)
		}
	}
	return sel, pol, nil
}

type builder struct {
	plan     *Plan // the selection's fingerprints, in the order of results
	p        *Project
	conn     *sql.Conn
	opt      BuildOptions
	plans    map[string]Materialization
	selected map[string]int // name -> index in results
	results  []ModelResult
}

func (b *builder) emit(e Event) {
	if b.opt.Progress != nil {
		b.opt.Progress(e)
	}
}

// run builds the models in order inside the build's transaction, then
// commits it, or rolls it back when one failed (or the context ended) and
// goes on checking the rest, each in a transaction of its own rolled back
// at once. The runs are recorded once the outcome is known.
func (b *builder) run(ctx context.Context, sel []*Model) {
	failed := map[int]bool{} // models failed, and those downstream of them
	inBuild := true          // the build's transaction is open
	for i, m := range sel {
		r := &b.results[i]
		if failed[i] {
			continue
		}
		if b.opt.Incremental && !b.plan.Models[i].Stale {
			now := time.Now()
			r.Status, r.Started, r.Ended = StatusUnchanged, now, now
			b.emit(Event{Model: m, Status: StatusUnchanged, Rows: -1})
			continue
		}
		if b.opt.Incremental {
			r.Why = b.plan.Models[i].Why
		}
		if !inBuild {
			if _, err := b.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
				r.Status, r.Err = StatusFailed, &ModelError{Model: m.Name, File: m.Path, Err: err}
				continue
			}
		}
		b.buildOne(ctx, i)
		if r.Status == StatusOK && inBuild {
			continue
		}
		if r.Status == StatusOK { // checked only: the build is already lost
			_, _ = b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			r.Status = StatusRolledBack
			continue
		}
		// Failed: the build's transaction (or the check's) is gone.
		_, _ = b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		if inBuild {
			inBuild = false
			for k := range sel[:i] {
				if b.results[k].Status == StatusOK {
					b.results[k].Status = StatusRolledBack
				}
			}
		}
		for _, j := range b.downstreamOf(m) {
			if failed[j] {
				continue
			}
			failed[j] = true
			now := time.Now()
			s := &b.results[j]
			s.Status = StatusSkipped
			s.Started, s.Ended = now, now
			s.Err = fmt.Errorf("skipped: upstream model %s failed", m.Name)
			b.emit(Event{Model: s.Model, Status: StatusSkipped, Rows: -1, Err: s.Err})
		}
		if ctx.Err() != nil {
			break
		}
	}
	if inBuild {
		err := b.recordAll(ctx)
		if err == nil {
			err = b.saveState(ctx)
		}
		if err == nil {
			if _, err = b.conn.ExecContext(ctx, "COMMIT"); err == nil {
				return
			}
			// The commit failed (a full disk, say): nothing was kept.
			for k := range b.results {
				if b.results[k].Status == StatusOK {
					r := &b.results[k]
					r.Status, r.Err = StatusFailed, &ModelError{Model: r.Model.Name, File: r.Model.Path, Err: fmt.Errorf("commit the build: %w", err)}
				}
			}
		} else {
			r := &b.results[len(b.results)-1]
			r.Status, r.Err = StatusFailed, &ModelError{Model: r.Model.Name, File: r.Model.Path, Err: fmt.Errorf("record the build: %w", err)}
		}
		_, _ = b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		for k := range b.results {
			if b.results[k].Status == StatusOK {
				b.results[k].Status = StatusRolledBack
			}
		}
	}
	for k := range b.results {
		if b.results[k].Status == "" {
			b.results[k].Status, b.results[k].Err = StatusSkipped, context.Cause(ctx)
		}
	}
	_ = b.recordAll(context.WithoutCancel(ctx))
}

// saveState records the fingerprints of the models built, in the build's
// transaction.
func (b *builder) saveState(ctx context.Context) error {
	var built []PlannedModel
	for k, r := range b.results {
		if r.Status == StatusOK {
			built = append(built, b.plan.Models[k])
		}
	}
	return saveState(ctx, b.conn, built, b.opt.RunID)
}

// recordAll writes every model's run to ops.model_runs.
func (b *builder) recordAll(ctx context.Context) error {
	for k := range b.results {
		if err := b.insertRun(ctx, b.conn, &b.results[k]); err != nil {
			return err
		}
	}
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

// buildOne runs a model's statements in the open transaction.
func (b *builder) buildOne(ctx context.Context, i int) {
	r := &b.results[i]
	m := r.Model
	r.Status = StatusRunning
	r.Started = time.Now()
	b.emit(Event{Model: m, Status: StatusRunning, Rows: -1})
	mz := b.plans[m.Name]
	rows, err := execMaterialization(ctx, b.conn, mz)
	if err == nil {
		err = ctx.Err()
	}
	r.Ended = time.Now()
	if err != nil {
		r.Status = StatusFailed
		r.Rows = -1
		r.Err = modelError(m, mz, err)
	} else {
		r.Status = StatusOK
		r.Rows = rows
		if m.Materialized != "table" {
			r.Rows = -1
		}
	}
	b.emit(Event{Model: m, Status: r.Status, Rows: r.Rows, Elapsed: r.Ended.Sub(r.Started), Err: r.Err})
}

// execMaterialization runs a model's statements on conn, inside the
// transaction the caller holds, and counts a table's rows (-1 for a view).
func execMaterialization(ctx context.Context, conn *sql.Conn, mz Materialization) (int64, error) {
	var rows int64 = -1
	for k, q := range mz.Statements {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			if k != mz.Body {
				return rows, fmt.Errorf("%s: %w", strings.SplitN(q, "\n", 2)[0], err)
			}
			return rows, err
		}
		if k == mz.Body && mz.Count != "" {
			if err := conn.QueryRowContext(ctx, mz.Count).Scan(&rows); err != nil {
				return rows, fmt.Errorf("count rows: %w", err)
			}
		}
	}
	return rows, nil
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
