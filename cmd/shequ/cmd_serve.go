package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"shequ/pipeline"
	"shequ/schedules/scheduler"
	"shequ/warehouse"
	"shequ/web"
	"shequ/web/flight"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "the web application, the scheduled jobs, /healthz",
		usage: `Usage: shequ serve [--addr ADDR] [--tls-cert FILE --tls-key FILE | --behind-tls-proxy]
                   [--flight-addr ADDR] [--schedules DIR] [--once JOB] [--grace D] [--demo-accounts]
                   [--inbox DIR] [--warehouse FILE] [--out DIR] [--log-format json]

Serves the bureau's web application on --addr (http://127.0.0.1:8765/ by
default), runs the jobs of the schedule definitions (see shequ schedules)
on their cron schedules, until it is stopped.

The web application (in Chinese): districts log in, upload their
workbooks and CSV files and get each receipt at once (every problem with
sheet, row, column, value and reason, the annotated workbook, the blank
template, their history, rows waiting for their project: 待关联);
planners see the submission board (报送进度) with a ready-to-send reminder
(催报通知) for each late district; admins manage accounts, deadlines and
read the audit log. Accounts: shequ users. A district account sees and
submits only for its district. For scripts:

  POST /login                 form fields name, password (a session cookie)
  POST /api/submissions       multipart field file; the receipt as JSON
  GET  /api/marts/NAME?year=Y&district=D   mart rows as JSON, in the caller's scope
  GET  /healthz               the daemon and each job: next run, last run, last
                              success, whether the last run failed (JSON)
  GET  /runs                  the run history (JSON; ?job=J, ?failed=1, ?limit=N)

The API takes Authorization: Bearer TOKEN (shequ users token NAME).

--flight-addr 127.0.0.1:PORT also serves Arrow Flight SQL there: the
analysts' read-only SQL on the published snapshot (refused and sandboxed
as shequ sql) for their own tools, with the same accounts — an API token
as "authorization: Bearer TOKEN", or name and password through Flight's
Basic handshake — and the same district scoping; results stream as
Arrow record batches. Like --addr it stays on loopback unless served
over TLS (--tls-cert, --tls-key).

While it runs, serve is the warehouse's writer: uploads, account changes
and the rebuild of the marts after an upload go one at a time, and a
scheduled job gets the warehouse between two of them. Pages read the
published snapshot and say as of when (数据截至).

Safety: it listens on loopback unless told otherwise; any other address
needs --tls-cert and --tls-key, or --behind-tls-proxy when a TLS proxy on
this machine forwards to it (the client's address is then the last hop of
X-Forwarded-For). Cookies are HttpOnly and SameSite=Strict (and Secure
with TLS); every form carries a CSRF token; logins are throttled per
account and per address; uploads are limited in size and number.

--demo-accounts (only on a warehouse made by shequ demo) makes the demo's
accounts — planner, admin, analyst and one per district — with new
passwords, and prints them.

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
  shequ serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  shequ serve --warehouse shequ-demo/shequ.duckdb --inbox shequ-demo/inbox --demo-accounts
  shequ serve --once ingest
  curl -s http://127.0.0.1:8765/healthz`,
		run: runServe,
	})
}

func runServe(ctx context.Context, e *env, args []string) error {
	var dir, addr, flightAddr, once, certFile, keyFile string
	var grace time.Duration
	var behindProxy, demoAccounts bool
	fs, err := e.parse(lookup("serve"), args, flagWarehouse|flagInbox|flagOut, func(fs *flag.FlagSet) {
		scheduleFlags(fs, &dir)
		fs.StringVar(&addr, "addr", getenv("SHEQU_ADDR", "127.0.0.1:8765"), "serve the web application on this `address` ($SHEQU_ADDR); loopback unless you say otherwise")
		fs.StringVar(&flightAddr, "flight-addr", getenv("SHEQU_FLIGHT_ADDR", ""), "also serve Arrow Flight SQL on this `address` ($SHEQU_FLIGHT_ADDR), e.g. 127.0.0.1:8766: read-only SQL for analysts' tools")
		fs.StringVar(&certFile, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM), with --tls-key")
		fs.StringVar(&keyFile, "tls-key", "", "the private key `file` (PEM) of --tls-cert")
		fs.BoolVar(&behindProxy, "behind-tls-proxy", false, "a TLS proxy on this machine forwards to --addr: serve plain HTTP on a non-loopback address, cookies Secure")
		fs.BoolVar(&demoAccounts, "demo-accounts", false, "make the demo's accounts with new passwords and print them (a warehouse made by shequ demo only)")
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
	if (certFile == "") != (keyFile == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if certFile != "" && behindProxy {
		return usagef("--behind-tls-proxy is for a plain HTTP server behind a proxy; with --tls-cert the server does TLS itself")
	}
	if demoAccounts {
		if _, err := os.Stat(filepath.Join(filepath.Dir(e.cfg.Warehouse), demoMarker)); err != nil {
			return usagef("--demo-accounts makes accounts with known names: only on a warehouse made by shequ demo (%s is not)", e.cfg.Warehouse)
		}
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

	if host, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--addr %s: %v (e.g. 127.0.0.1:8765)", addr, err)
	} else if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) && certFile == "" && !behindProxy {
		return usagef("--addr %s is reachable from other machines: serve it over TLS (--tls-cert FILE --tls-key FILE), "+
			"or say that a TLS proxy forwards to it (--behind-tls-proxy); passwords and the districts' data must not cross the network in clear", addr)
	}
	if flightAddr != "" {
		if err := flight.CheckAddr(flightAddr, certFile != ""); errors.Is(err, flight.ErrNotLoopback) {
			return usagef("--flight-addr %s is reachable from other machines: serve it over TLS (--tls-cert FILE --tls-key FILE); "+
				"tokens, passwords and the districts' data must not cross the network in clear", flightAddr)
		} else if err != nil {
			return usagef("--flight-addr %s: %v (e.g. 127.0.0.1:8766)", flightAddr, err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w; pass another --addr", addr, err)
	}
	var fln net.Listener
	if flightAddr != "" {
		if fln, err = net.Listen("tcp", flightAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w; pass another --flight-addr", flightAddr, err)
		}
	}
	if err := s.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	// The web application's stages log; their lines for terminals are
	// the command's business, not the daemon's.
	wc := e.cfg
	wc.OnEvent = nil
	app, err := web.New(ctx, web.Config{
		Pipeline: pipeline.New(wc), Log: log, Machine: s.Handler(), Secure: certFile != "" || behindProxy, TrustProxy: behindProxy, WarmUp: true,
		JobWaiting: func() bool {
			for _, j := range s.Health().Jobs {
				if j.Running {
					return true
				}
			}
			return false
		},
	})
	if err != nil {
		ln.Close()
		if fln != nil {
			fln.Close()
		}
		s.Stop()
		return err
	}
	if demoAccounts {
		made, err := app.DemoAccounts(ctx)
		if err != nil {
			app.Close()
			ln.Close()
			if fln != nil {
				fln.Close()
			}
			s.Stop()
			return err
		}
		fmt.Fprintf(e.stdout, "serve: demo accounts (new passwords; 演示账户):\n")
		rows := [][]string{{"  name", "role", "password"}}
		for _, a := range made {
			rows = append(rows, []string{"  " + a.Name, a.Describe, a.Password})
		}
		printColumns(e.stdout, rows)
	}
	var fsrv *flight.Server
	if fln != nil {
		fsrv = app.Flight()
		go func() {
			if err := fsrv.Serve(fln, certFile, keyFile); err != nil {
				log.Error("flight sql server stopped", "err", err)
			}
		}()
		log.Info("serving flight sql", "addr", fln.Addr().String())
		fmt.Fprintf(e.stdout, "serve: Arrow Flight SQL on %s (read-only SQL on the snapshot; the web accounts and tokens)\n", fln.Addr())
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		var err error
		if certFile != "" {
			err = srv.ServeTLS(ln, certFile, keyFile)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("web server stopped", "err", err)
		}
	}()
	scheme := "http"
	if certFile != "" {
		scheme = "https"
	}
	log.Info("serving", "addr", ln.Addr().String(), "schedules", len(defs), "warehouse", e.cfg.Warehouse, "inbox", e.cfg.Inbox)
	fmt.Fprintf(e.stdout, "serve: %d schedules; listening on %s://%s (the web application; GET /healthz, /runs); stop with Ctrl-C or SIGTERM\n", len(defs), scheme, ln.Addr())

	<-ctx.Done()
	start := time.Now()
	log.Info("stopping: the running job finishes its current file", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if fsrv != nil {
		fsrv.Stop()
	}
	if err := app.Close(); err != nil {
		log.Error("close the warehouse", "err", err)
	}
	if stopErr := s.Stop(); stopErr != nil {
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
