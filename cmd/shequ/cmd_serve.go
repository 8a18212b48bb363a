package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"shequ/schedules/scheduler"
	"shequ/warehouse"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "run the scheduled jobs and answer /healthz",
		usage: `Usage: shequ serve [--schedules DIR] [--addr ADDR] [--once JOB] [--grace D]
                   [--inbox DIR] [--warehouse FILE] [--out DIR] [--log-format json]

Runs the jobs of the schedule definitions (see shequ schedules) on their
cron schedules until it is stopped, and answers on --addr:

  GET /healthz   the daemon and each job: next run, last run, last success,
                 whether the last run failed (JSON; 200 while it runs)
  GET /runs      the run history (JSON; ?job=J, ?failed=1, ?limit=N)

A job still running is never started twice (the skip is recorded); a
panic is recovered and recorded; a failed job is retried as its
definition says; one job writes the warehouse at a time, and the
warehouse is locked only while a job writes, so commands such as
shequ build can run in between. Every run and step is in ops.runs
(shequ runs).

SIGTERM or Ctrl-C lets the running job finish the file it is loading,
records the interruption and exits; after --grace the job is cancelled
(the file it was in is rolled back, never half loaded). The next run
takes the rest.

--once JOB runs one job now, the same way the scheduler would, and exits.

Examples:
  shequ serve --inbox /srv/districts --warehouse /srv/shequ/shequ.duckdb
  shequ serve --once ingest
  curl -s http://127.0.0.1:8765/healthz`,
		run: runServe,
	})
}

func runServe(ctx context.Context, e *env, args []string) error {
	var dir, addr, once string
	var grace time.Duration
	fs, err := e.parse(lookup("serve"), args, flagWarehouse|flagInbox|flagOut, func(fs *flag.FlagSet) {
		scheduleFlags(fs, &dir)
		fs.StringVar(&addr, "addr", getenv("SHEQU_ADDR", "127.0.0.1:8765"), "answer /healthz and /runs on this `address` ($SHEQU_ADDR); loopback unless you say otherwise")
		fs.StringVar(&once, "once", "", "run this `job` now, as the scheduler would, and exit")
		fs.DurationVar(&grace, "grace", 30*time.Second, "on SIGTERM, how long the running job may take to finish its current file")
	})
	if err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if grace <= 0 {
		return usagef("--grace must be positive, e.g. 30s")
	}
	defs, err := loadSchedules(dir)
	if err != nil {
		return err
	}
	// The daemon's own lines (jobs, files) at info level; the stages keep
	// theirs (every model) for -v.
	log := e.serveLogger()
	e.cfg.Log = log
	s, err := scheduler.New(defs, scheduler.Options{
		Warehouse: e.cfg.Warehouse, Command: "shequ serve", Runner: e.pipe().Runner(), Log: log, Grace: grace,
	})
	if err != nil {
		return err
	}
	if once != "" {
		return e.serveOnce(ctx, log, s, once)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; pass another --addr", addr, err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Warn("/healthz and /runs are reachable from other machines", "addr", ln.Addr().String())
	}
	if err := s.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health server stopped", "err", err)
		}
	}()
	log.Info("serving", "addr", ln.Addr().String(), "schedules", len(defs), "warehouse", e.cfg.Warehouse, "inbox", e.cfg.Inbox)
	fmt.Fprintf(e.stdout, "serve: %d schedules; listening on http://%s (GET /healthz, /runs); stop with Ctrl-C or SIGTERM\n", len(defs), ln.Addr())

	<-ctx.Done()
	start := time.Now()
	log.Info("stopping: the running job finishes its current file", "grace", grace)
	stopErr := s.Stop()
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if stopErr != nil {
		return stopErr
	}
	fmt.Fprintf(e.stdout, "serve: stopped in %s; since the start: %s\n", time.Since(start).Round(time.Millisecond), s.Summary())
	return nil
}

// serveOnce runs one job now and waits for it, stopping it as the daemon
// would on SIGTERM.
func (e *env) serveOnce(ctx context.Context, log *slog.Logger, s *scheduler.Scheduler, name string) error {
	found := false
	var names []string
	for _, d := range s.Definitions() {
		names = append(names, d.Name)
		found = found || d.Name == name
	}
	if !found {
		return usagef("--once %s: no such schedule; the schedules are %v", name, names)
	}
	if err := s.Prepare(ctx); err != nil {
		return err
	}
	start := time.Now()
	done := make(chan scheduler.Outcome, 1)
	go func() {
		out, _ := s.RunNow(name, scheduler.TriggerManual)
		done <- out
	}()
	var out scheduler.Outcome
	var stopErr error
	select {
	case out = <-done:
		stopErr = s.Stop() // writes what is still queued
	case <-ctx.Done():
		log.Info("stopping: the job finishes its current file")
		stopErr = s.Stop()
		select {
		case out = <-done:
		default:
			return stopErr
		}
	}
	took := time.Since(start).Round(time.Millisecond)
	if out.Status != warehouse.RunOK {
		return fmt.Errorf("job %s (run %d) %s after %d attempt(s) in %s: %v", name, out.RunID, out.Status, out.Attempts, took, out.Err)
	}
	fmt.Fprintf(e.stdout, "✓ job %s (run %d) ok in %s\n", name, out.RunID, took)
	return stopErr
}

// serveLogger logs what the daemon does at info level (debug with -v):
// text, or JSON with --log-format json.
func (e *env) serveLogger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if e.verbose {
		opts.Level = slog.LevelDebug
	}
	if e.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
