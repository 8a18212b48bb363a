package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"shequ/pipeline"
	"shequ/warehouse"
	"shequ/web/account"
)

// writer is the warehouse's one writer while the server runs: a single
// goroutine that holds the warehouse open for writing and runs, one at a
// time, the uploads' ingests, the account and settings changes, the audit
// log's appends and the rebuild of the marts after uploads. When a
// scheduled job of `shequ serve` wants the warehouse, the writer closes it
// between two tasks, waits for the job to end and opens it again; no
// other process can write in between but for an instant, and a command
// that tries (`shequ ingest`) is told who holds the file.
type writer struct {
	p    *pipeline.Pipeline
	log  *slog.Logger
	path string
	// jobWaiting reports whether a scheduled job waits for the warehouse
	// or runs; nil when there are no schedules.
	jobWaiting func() bool

	tasks chan *task
	stop  chan struct{}
	done  chan struct{}

	mu        sync.Mutex
	w         *warehouse.Warehouse // nil while yielded to a scheduled job
	audit     []account.Entry      // entries waiting to be written
	dirty     bool                 // raw data changed since the last build
	dirtyAt   time.Time
	building  bool
	published chan struct{} // closed and replaced at every publish
	lastErr   error         // the last rebuild's error
	yielded   bool

	// rebuildDelay gathers a burst of uploads into one rebuild.
	rebuildDelay time.Duration
	// onOpen runs each time the writer (re)opens the warehouse.
	onOpen func(w *warehouse.Warehouse) error
}

type task struct {
	name string
	fn   func(ctx context.Context, w *warehouse.Warehouse) error
	// dirties marks a task that changes what the marts are built from.
	dirties bool
	// publish asks for the snapshot to be published after the task (a
	// settings change the board reads).
	publish bool
	done    chan error
	ctx     context.Context
}

// errStopped is returned for tasks left when the server stops.
var errStopped = errors.New("the server is stopping; try again after it restarts (服务正在停止，请稍后重试)")

// newWriter starts the writer on w, open for writing; with w nil (a
// scheduled job had the warehouse at start) it opens it when it can.
func newWriter(p *pipeline.Pipeline, w *warehouse.Warehouse, log *slog.Logger, jobWaiting func() bool, onOpen func(*warehouse.Warehouse) error) *writer {
	wr := &writer{
		p: p, w: w, log: log, path: p.Config().Warehouse, jobWaiting: jobWaiting, onOpen: onOpen,
		tasks: make(chan *task, 64), stop: make(chan struct{}), done: make(chan struct{}),
		published: make(chan struct{}), rebuildDelay: 300 * time.Millisecond, yielded: w == nil,
	}
	go wr.loop()
	return wr
}

// do runs fn as the writer, after the tasks queued before it, and waits
// for it. A task whose ctx ends before it starts is not run.
func (wr *writer) do(ctx context.Context, name string, dirties bool, fn func(ctx context.Context, w *warehouse.Warehouse) error) error {
	return wr.submit(ctx, &task{name: name, fn: fn, dirties: dirties})
}

func (wr *writer) submit(ctx context.Context, t *task) error {
	t.done = make(chan error, 1)
	t.ctx = ctx
	select {
	case wr.tasks <- t:
	case <-wr.stop:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	default:
		return errBusy
	}
	select {
	case err := <-t.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errBusy is returned when too many tasks wait for the writer.
var errBusy = errors.New("the server is busy with other submissions; try again in a minute (系统正忙，请一分钟后重试)")

// queued is how many tasks wait for the writer.
func (wr *writer) queued() int { return len(wr.tasks) }

// logAudit queues an audit entry; the writer appends it between tasks.
func (wr *writer) logAudit(e account.Entry) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	wr.mu.Lock()
	wr.audit = append(wr.audit, e)
	wr.mu.Unlock()
}

// pendingAudit returns the entries not yet written, newest first.
func (wr *writer) pendingAudit() []account.Entry {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	out := make([]account.Entry, 0, len(wr.audit))
	for i := len(wr.audit) - 1; i >= 0; i-- {
		out = append(out, wr.audit[i])
	}
	return out
}

// State is what the writer is doing, for the freshness line of pages.
type writerState struct {
	Updating bool // uploads since the last publish are being built
	Yielded  bool // a scheduled job holds the warehouse
	LastErr  error
}

func (wr *writer) state() writerState {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return writerState{Updating: wr.dirty || wr.building, Yielded: wr.yielded, LastErr: wr.lastErr}
}

// publishedSignal returns a channel closed at the next publish.
func (wr *writer) publishedSignal() <-chan struct{} {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.published
}

func (wr *writer) notePublished() {
	wr.mu.Lock()
	close(wr.published)
	wr.published = make(chan struct{})
	wr.mu.Unlock()
}

func (wr *writer) loop() {
	defer close(wr.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-wr.stop:
			wr.drain()
			return
		case t := <-wr.tasks:
			wr.run(t)
		case <-tick.C:
			wr.idle()
		}
	}
}

// idle is the writer's work between tasks: yield to a scheduled job,
// write the audit log, rebuild after uploads.
func (wr *writer) idle() {
	if wr.jobWaiting != nil && wr.jobWaiting() {
		wr.yield()
		return
	}
	w := wr.warehouse()
	if w == nil {
		var err error
		if w, err = wr.reopen(context.Background()); err != nil {
			wr.log.Error("open the warehouse", "err", err)
			return
		}
	}
	wr.flushAudit(w)
	wr.mu.Lock()
	due := wr.dirty && time.Since(wr.dirtyAt) >= wr.rebuildDelay && len(wr.tasks) == 0
	wr.mu.Unlock()
	if due {
		wr.rebuild(w)
	}
}

func (wr *writer) warehouse() *warehouse.Warehouse {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.w
}

func (wr *writer) run(t *task) {
	if t.ctx.Err() != nil {
		t.done <- t.ctx.Err()
		return
	}
	if wr.jobWaiting != nil && wr.jobWaiting() {
		wr.yield()
	}
	w := wr.warehouse()
	if w == nil {
		var err error
		if w, err = wr.reopen(t.ctx); err != nil {
			t.done <- err
			return
		}
	}
	ctx := context.WithoutCancel(t.ctx) // a started task finishes: never half done
	err := wr.safely(func() error { return t.fn(ctx, w) })
	if t.dirties {
		wr.mu.Lock()
		wr.dirty, wr.dirtyAt = true, time.Now()
		wr.mu.Unlock()
	}
	wr.flushAudit(w)
	if t.publish && err == nil {
		if _, perr := wr.p.Publish(ctx, w); perr != nil {
			wr.log.Warn("publish after a settings change", "err", perr)
		} else {
			wr.notePublished()
		}
	}
	t.done <- err
}

// safely runs fn, turning a panic into an error: a bad task never stops
// the writer.
func (wr *writer) safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			wr.log.Error("writer task panicked", "panic", r)
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return fn()
}

// rebuild builds every model from the current raw data and publishes the
// snapshot: the marts are fresh a moment after an upload.
func (wr *writer) rebuild(w *warehouse.Warehouse) {
	wr.mu.Lock()
	wr.dirty, wr.building = false, true
	wr.mu.Unlock()
	start := time.Now()
	_, err := wr.p.Build(context.Background(), w, pipeline.BuildOptions{Publish: true})
	wr.mu.Lock()
	wr.building, wr.lastErr = false, err
	wr.mu.Unlock()
	if err != nil {
		wr.log.Error("rebuild after uploads failed", "err", err)
		// Whatever was built is still worth reading: publish it.
		if _, perr := wr.p.Publish(context.Background(), w); perr == nil {
			wr.notePublished()
		}
		return
	}
	wr.log.Info("marts rebuilt after uploads and published", "took", time.Since(start).Round(time.Millisecond))
	wr.notePublished()
}

func (wr *writer) flushAudit(w *warehouse.Warehouse) {
	wr.mu.Lock()
	entries := wr.audit
	wr.audit = nil
	wr.mu.Unlock()
	if len(entries) == 0 {
		return
	}
	if err := account.WriteAudit(context.Background(), w.DB, entries); err != nil {
		wr.log.Error("write the audit log", "err", err, "entries", len(entries))
		wr.mu.Lock()
		wr.audit = append(entries, wr.audit...)
		wr.mu.Unlock()
	}
}

// yield closes the warehouse for a scheduled job and opens it again when
// no job waits or runs.
func (wr *writer) yield() {
	w := wr.warehouse()
	if w != nil {
		wr.flushAudit(w)
		wr.mu.Lock()
		dirty := wr.dirty
		wr.mu.Unlock()
		if dirty {
			wr.rebuild(w) // the uploads are built before the job takes over
		}
		wr.mu.Lock()
		wr.w, wr.yielded = nil, true
		wr.mu.Unlock()
		w.Close()
		wr.log.Info("warehouse handed to a scheduled job")
	}
	for wr.jobWaiting() {
		select {
		case <-wr.stop:
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	if _, err := wr.reopen(context.Background()); err != nil {
		wr.log.Error("reopen the warehouse after a scheduled job", "err", err)
	}
	// The job may have published a new snapshot.
	wr.notePublished()
}

// reopen opens the warehouse again, waiting while another process holds
// it (for a minute at most).
func (wr *writer) reopen(ctx context.Context) (*warehouse.Warehouse, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		w, err := wr.p.Open(ctx, "shequ serve")
		if err == nil && wr.onOpen != nil {
			if err = wr.onOpen(w); err != nil {
				w.Close()
				return nil, err
			}
		}
		if err == nil {
			wr.mu.Lock()
			wr.w, wr.yielded = w, false
			wr.mu.Unlock()
			return w, nil
		}
		var le *warehouse.LockedError
		if !errors.As(err, &le) || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-wr.stop:
			return nil, errStopped
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// drain answers the tasks still queued when the server stops.
func (wr *writer) drain() {
	for {
		select {
		case t := <-wr.tasks:
			t.done <- errStopped
		default:
			return
		}
	}
}

// close stops the writer after its current task, writes what is left of
// the audit log and closes the warehouse.
func (wr *writer) close() error {
	select {
	case <-wr.stop:
	default:
		close(wr.stop)
	}
	<-wr.done
	w := wr.warehouse()
	if w == nil {
		return nil
	}
	wr.flushAudit(w)
	wr.mu.Lock()
	wr.w = nil
	wr.mu.Unlock()
	return w.Close()
}
