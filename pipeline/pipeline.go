// Package pipeline runs the stages of the data's path — ingest, build,
// test, report, and the publishing of the read-only snapshot — as one
// library under every front end: the shequ command, the scheduler's jobs
// and the web server call the same functions. A Pipeline holds one typed
// Config, resolved once at start from defaults, the environment and flags
// (see Resolve); no stage reads the environment while it runs.
//
// Every stage records itself in ops.runs (as a step of its parent run when
// it has one) and reports what it did as Events: progress for terminals,
// and one line per finished stage for people. Front ends decide where the
// lines go.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"shequ/internal/say"
	"shequ/models"
	"shequ/reports"
	"shequ/warehouse"
)

// Config is where things are and how the stages run.
type Config struct {
	Warehouse string // the warehouse file
	Inbox     string // the folder of the districts' submissions
	Out       string // the reports folder
	// Receipts is the folder of the districts' receipts (回执).
	Receipts string
	// Models and Reports read the model and report definitions from these
	// folders instead of the built-in ones; empty: built in.
	Models, Reports string
	// City is the city's name in report titles.
	City string
	// Trigger is recorded on runs: manual, schedule or demo.
	Trigger string
	// MemoryLimit caps the memory DuckDB takes while shequ writes the
	// warehouse (its memory_limit, "1GB"); beyond it DuckDB spills to a
	// folder beside the warehouse. See DefaultMemoryLimit.
	MemoryLimit string
	// Program is how people run shequ here ("shequ", "./shequ", "go run
	// ./cmd/shequ"): the commands a stage suggests start with it, so they
	// run as printed. "shequ" when empty.
	Program string
	// Log receives the stages' details (every file and model at info).
	Log *slog.Logger
	// OnEvent receives progress and the line of each finished stage; nil
	// drops them.
	OnEvent func(Event)
}

// Defaults of the paths, relative to the working folder.
const (
	DefaultWarehouse = "shequ.duckdb"
	DefaultInbox     = "inbox"
	DefaultOut       = "out"
)

// Env names the environment variables Resolve reads.
var Env = struct {
	Warehouse, Inbox, Out, Receipts, Models, Reports, City, MemoryLimit string
}{"SHEQU_WAREHOUSE", "SHEQU_INBOX", "SHEQU_OUT", "SHEQU_RECEIPTS", "SHEQU_MODELS", "SHEQU_REPORTS", "SHEQU_CITY", "SHEQU_MEMORY_LIMIT"}

// Resolve fills the fields of c left empty from the environment (getenv,
// os.Getenv when nil) and then from the defaults. Flags a front end
// parsed are set in c before; what is set stays.
func Resolve(c Config, getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	pick := func(v *string, env, def string) {
		if *v == "" {
			*v = getenv(env)
		}
		if *v == "" {
			*v = def
		}
	}
	pick(&c.Warehouse, Env.Warehouse, DefaultWarehouse)
	pick(&c.Inbox, Env.Inbox, DefaultInbox)
	pick(&c.Out, Env.Out, DefaultOut)
	pick(&c.Receipts, Env.Receipts, warehouse.FilesOf(c.Warehouse).Receipts)
	pick(&c.Models, Env.Models, "")
	pick(&c.Reports, Env.Reports, "")
	pick(&c.City, Env.City, "")
	pick(&c.MemoryLimit, Env.MemoryLimit, DefaultMemoryLimit)
	pick(&c.Trigger, "", TriggerManual)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Triggers recorded in ops.runs.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerDemo     = "demo"
)

// A Pipeline runs the stages with one Config.
type Pipeline struct {
	cfg Config
}

// New returns the pipeline of a resolved Config.
func New(c Config) *Pipeline {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Trigger == "" {
		c.Trigger = TriggerManual
	}
	return &Pipeline{cfg: c}
}

// Config returns the pipeline's configuration.
func (p *Pipeline) Config() Config { return p.cfg }

// WithTrigger returns a copy of the pipeline that records its runs with
// another trigger (a scheduled job's).
func (p *Pipeline) WithTrigger(trigger string) *Pipeline {
	c := p.cfg
	c.Trigger = trigger
	return &Pipeline{cfg: c}
}

// Open opens the warehouse for writing, as command (named in its lock),
// creating it when there is none yet: the stages that take data in (an
// ingest, a run, the demo, the web server) start a warehouse, and say so.
func (p *Pipeline) Open(ctx context.Context, command string) (*warehouse.Warehouse, error) {
	_, err := os.Stat(p.cfg.Warehouse)
	fresh := errors.Is(err, fs.ErrNotExist)
	w, err := warehouse.Open(ctx, p.cfg.Warehouse, p.writerOptions(command))
	if err == nil && fresh {
		p.note("open", "新建数据仓库 %s (new warehouse)", p.cfg.Warehouse)
	}
	return w, err
}

// ErrNoWarehouse says there is no warehouse where one was expected.
var ErrNoWarehouse = errors.New("no warehouse")

// OpenExisting opens the warehouse for writing, as Open, but never creates
// one: a mistyped --warehouse must not leave an empty warehouse behind.
func (p *Pipeline) OpenExisting(ctx context.Context, command string) (*warehouse.Warehouse, error) {
	if _, err := os.Stat(p.cfg.Warehouse); errors.Is(err, fs.ErrNotExist) {
		return nil, say.Wrap(ErrNoWarehouse, "warehouse_missing",
			fmt.Sprintf("找不到数据仓库 %s：请检查 --warehouse，或先运行 shequ ingest 接收报送文件（或试试 shequ demo）", p.cfg.Warehouse),
			fmt.Sprintf("no warehouse at %s: check --warehouse, or take files in first with `shequ ingest` (or try `shequ demo`)", p.cfg.Warehouse))
	}
	return warehouse.Open(ctx, p.cfg.Warehouse, p.writerOptions(command))
}

// OpenForReport opens the warehouse to write reports: for writing, so
// that the report is recorded as a run; when another process writes it,
// or this user may not, the published snapshot, read-only (the report is
// then not recorded, and says so). readOnly tells which.
func (p *Pipeline) OpenForReport(ctx context.Context, command string) (w *warehouse.Warehouse, readOnly bool, err error) {
	w, err = p.OpenExisting(ctx, command)
	var le *warehouse.LockedError
	if err == nil || !(errors.As(err, &le) || errors.Is(err, fs.ErrPermission)) {
		return w, false, err
	}
	r, src, rerr := warehouse.OpenReader(ctx, p.cfg.Warehouse, warehouse.Options{})
	if rerr != nil {
		return nil, false, err
	}
	why := "another process is writing the warehouse"
	if le == nil {
		why = "this user may not write the warehouse"
	}
	p.note("report", "note: %s; reporting from %s, not recorded as a run (只读：根据已发布的快照生成报表)", why, src)
	return r, true, nil
}

// CheckInbox says, before anything is opened, when the inbox is not a
// folder.
func (p *Pipeline) CheckInbox() error {
	if st, err := os.Stat(p.cfg.Inbox); err != nil || !st.IsDir() {
		return say.New("inbox_missing", fmt.Sprintf("收件箱 %s 不是文件夹：请把各区报送文件放在那里，或用 --inbox 指定文件夹", p.cfg.Inbox),
			fmt.Sprintf("inbox %s is not a directory: put the districts' files there or pass --inbox DIR", p.cfg.Inbox))
	}
	return nil
}

// Project loads the model project: the built-in one or Config.Models.
func (p *Pipeline) Project() (*models.Project, error) {
	if p.cfg.Models != "" {
		return models.LoadDir(p.cfg.Models)
	}
	return models.LoadEmbedded()
}

// ReportSet loads the report definitions: built in or Config.Reports.
func (p *Pipeline) ReportSet() (*reports.Set, error) {
	if p.cfg.Reports != "" {
		return reports.LoadDir(p.cfg.Reports)
	}
	return reports.LoadEmbedded()
}

// An Event is what a stage tells its front end.
type Event struct {
	Stage string // ingest, build, test, report, publish, run
	Kind  EventKind
	// Line is one line for people (Done, Note, Warn); for Progress a short
	// status that rewrites itself on a terminal.
	Line string
	// Result is the stage's result with Done: *ingest.Summary,
	// *models.BuildResult, *models.TestResult, *bundle.Result,
	// *warehouse.Snapshot or *RunResult.
	Result any
	// Force asks a terminal to show a Progress event now.
	Force bool
}

// EventKind tells what an Event is.
type EventKind int

const (
	Progress EventKind = iota // long work moving on
	Done                      // a stage finished: Line sums it up
	Note                      // a line more about a stage (stdout)
	Warn                      // something people must see (stderr)
	Detail                    // a line for those who asked for detail (-v, stderr)
)

func (p *Pipeline) emit(ev Event) {
	if p.cfg.OnEvent != nil {
		p.cfg.OnEvent(ev)
	}
}

func (p *Pipeline) done(stage, line string, result any) {
	p.emit(Event{Stage: stage, Kind: Done, Line: line, Result: result})
}

func (p *Pipeline) note(stage, format string, a ...any) {
	p.emit(Event{Stage: stage, Kind: Note, Line: fmt.Sprintf(format, a...)})
}

func (p *Pipeline) warn(stage, format string, a ...any) {
	p.emit(Event{Stage: stage, Kind: Warn, Line: fmt.Sprintf(format, a...)})
}

func (p *Pipeline) progress(stage string, force bool, format string, a ...any) {
	if p.cfg.OnEvent != nil {
		p.cfg.OnEvent(Event{Stage: stage, Kind: Progress, Force: force, Line: fmt.Sprintf(format, a...)})
	}
}

// startRun records a stage's run: a step of parent when there is one.
// A stage on a warehouse open read-only (a reader's report from the
// snapshot) records nothing.
func (p *Pipeline) startRun(ctx context.Context, w *warehouse.Warehouse, stage string, parent *warehouse.Run) (*warehouse.Run, error) {
	run := &warehouse.Run{Job: stage, Trigger: p.cfg.Trigger}
	if parent != nil {
		run.Job, run.Step, run.Parent = parent.Job, stage, parent.ID
	}
	if w.ReadOnly() {
		return run, nil
	}
	if err := w.StartRun(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}

// fail records a run as failed with err (interrupted when err is
// ErrInterrupted) and returns err.
func fail(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run, err error) error {
	run.Status = warehouse.RunFailed
	if errors.Is(err, ErrInterrupted) {
		run.Status = warehouse.RunInterrupted
	}
	run.Error = err.Error()
	if !w.ReadOnly() {
		_ = w.FinishRun(context.WithoutCancel(ctx), run)
	}
	return err
}

// finish records a run as done.
func finish(ctx context.Context, w *warehouse.Warehouse, run *warehouse.Run) error {
	run.Status = warehouse.RunOK
	if w.ReadOnly() {
		return nil
	}
	return w.FinishRun(ctx, run)
}
