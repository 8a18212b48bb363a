// Package web is the bureau's web application, served by `shequ serve`:
// accounts and roles, the district portal (upload a workbook or CSV and
// get its receipt at once, the annotated workbook, the blank template, the
// history of submissions), the submission board (报送进度) with its
// reminders (催报通知), the marts as JSON for scripts, and for admins the
// accounts, the deadlines and the audit log.
//
// The planners' dashboard (issue 17): the overview of a year (overview.go),
// the drill-down from the city to a community and a project down to the
// source rows and their receipts (drill.go, project.go), the allocation
// with its trial and the closed versions (allocation.go), the providers
// (providers.go) and each district's scorecard (scorecard.go). Each page
// is grids (grid.go) built once per snapshot (dash.go), shown with their
// charts (static/charts.js, the vendored Apache ECharts) and exported as
// the same workbook (workbook.go); all of a page's state is in its URL
// (state.go). Analysts run SQL and the saved queries on the snapshot
// (sqlpage.go, savedqueries.go) and over Arrow Flight SQL (web/flight).
//
// It is server-rendered (html/template, a little plain JavaScript), in
// Chinese, and makes no request outside its own origin: templates, style
// and script are embedded. Handlers are thin files named for their screen
// (login.go, portal.go, board.go…); who may do what is decided in one
// place, routes.go, and whose rows a reader sees in one place,
// web/data.Scope. The server is the warehouse's only writer while it runs
// (writer.go); pages read the published snapshot.
package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"shequ/pipeline"
	"shequ/warehouse"
	"shequ/web/account"
	"shequ/web/data"
)

// Config configures a Server.
type Config struct {
	// Pipeline gives the paths (warehouse, inbox, receipts), the city's
	// name, and runs the stages.
	Pipeline *pipeline.Pipeline
	Log      *slog.Logger
	// JobWaiting reports whether a scheduled job waits for or holds the
	// warehouse; the server then lets it have the warehouse. Nil: no
	// schedules.
	JobWaiting func() bool
	// Machine serves what is not the web application's: /healthz and
	// /runs of the scheduler. Nil: nothing.
	Machine http.Handler
	// Secure marks the cookies Secure and sends HSTS: the server is
	// reached over TLS (its own, or a proxy's in front).
	Secure bool
	// TrustProxy takes the client's address from the last hop of
	// X-Forwarded-For: a TLS proxy in front forwards every request.
	TrustProxy bool
	Limits     Limits
	// Now is the clock of deadlines and sessions; time.Now when nil.
	Now func() time.Time
	// WarmUp makes the pages readers open first as soon as a new snapshot
	// is published, instead of on its first request (warm.go).
	WarmUp bool
}

// Limits bound what clients may send.
type Limits struct {
	// UploadBytes is the largest file accepted (50 MiB).
	UploadBytes int64
	// UploadsPerHour is how many files one account may upload in an hour
	// (200).
	UploadsPerHour int
	// Unzipped bounds what an .xlsx may declare it unpacks to (1 GiB), and
	// Ratio its parts' compression ratio (200): a zip bomb is refused
	// before any reader touches it.
	Unzipped int64
	Ratio    int64
}

// DefaultLimits are the limits of a Config that sets none.
var DefaultLimits = Limits{UploadBytes: 50 << 20, UploadsPerHour: 200, Unzipped: 1 << 30, Ratio: 200}

// Server is the web application.
type Server struct {
	cfg      Config
	log      *slog.Logger
	p        *pipeline.Pipeline
	snap     *data.Snapshots
	wr       *writer
	sessions *sessions
	throttle *throttle
	uploads  *rateLimit
	users    *userCache
	pages    *pages
	handler  http.Handler
	staging  string // where uploads are written before they go to the inbox

	warm warmer

	closeOnce sync.Once
}

// New opens the warehouse for writing (the server is its writer until
// Close), applies the migrations, publishes a first snapshot if there is
// none, and returns the server.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Pipeline == nil {
		return nil, errors.New("web: no pipeline")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	pc := cfg.Pipeline.Config()
	if err := os.MkdirAll(pc.Inbox, 0o750); err != nil {
		return nil, fmt.Errorf("inbox %s: %w", pc.Inbox, err)
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Log, p: cfg.Pipeline, snap: data.NewSnapshots(pc.Warehouse),
		sessions: newSessions(cfg.Now), throttle: newThrottle(cfg.Now), uploads: newRateLimit(cfg.Limits.UploadsPerHour, time.Hour, cfg.Now),
		users: &userCache{}, pages: pg,
	}
	w, err := cfg.Pipeline.Open(ctx, "shequ serve")
	var le *warehouse.LockedError
	if errors.As(err, &le) && cfg.JobWaiting != nil && cfg.JobWaiting() {
		// A scheduled job fired first: the writer opens the warehouse
		// when it is done.
		s.log.Info("a scheduled job has the warehouse; the web application opens it when the job is done")
		w, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.staging = warehouse.FilesOf(warehousePath(pc.Warehouse)).Uploads
	if err := os.MkdirAll(s.staging, 0o750); err != nil {
		if w != nil {
			w.Close()
		}
		return nil, err
	}
	cleanStaging(s.staging)
	if w != nil {
		if err := s.opened(w); err != nil {
			w.Close()
			return nil, err
		}
	}
	s.wr = newWriter(cfg.Pipeline, w, cfg.Log, cfg.JobWaiting, s.opened)
	s.handler = s.routes()
	if cfg.WarmUp {
		s.startWarmUp()
	}
	return s, nil
}

// opened is what the server does each time it opens the warehouse: read
// the accounts, and publish a first snapshot if there is none.
func (s *Server) opened(w *warehouse.Warehouse) error {
	ctx := context.Background()
	if err := s.users.load(ctx, w.DB); err != nil {
		return fmt.Errorf("read the accounts: %w", err)
	}
	if _, err := os.Stat(warehouse.SnapshotPath(w.Path)); err != nil {
		// Readers need a snapshot: build what there is and publish it.
		if _, err := s.p.Build(ctx, w, pipeline.BuildOptions{Publish: true}); err != nil {
			s.log.Warn("first build failed; publishing the warehouse as it is", "err", err)
			if _, err := s.p.Publish(ctx, w); err != nil {
				return fmt.Errorf("publish the first snapshot: %w", err)
			}
		}
	}
	return nil
}

// warehousePath is the warehouse's absolute path.
func warehousePath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// ServeHTTP serves the web application.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops the writer after its current task and closes the warehouse
// and the snapshot.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stopWarmUp()
		err = s.wr.close()
		s.snap.Close()
	})
	return err
}

// now is the server's clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

// cleanStaging removes uploads left half written by a server that died.
func cleanStaging(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// userCache holds the accounts and token hashes: the server is the only
// writer, so what it read at start and changed since is what there is.
type userCache struct {
	mu     sync.RWMutex
	users  map[string]account.User
	tokens map[string]string // SHA-256 → account
}

func (c *userCache) load(ctx context.Context, db *sql.DB) error {
	st := account.Store{DB: db}
	list, err := st.List(ctx)
	if err != nil {
		return err
	}
	tokens, err := st.Tokens(ctx)
	if err != nil {
		return err
	}
	users := make(map[string]account.User, len(list))
	for _, u := range list {
		users[u.Name] = u
	}
	c.mu.Lock()
	c.users, c.tokens = users, tokens
	c.mu.Unlock()
	return nil
}

// get returns the account named name.
func (c *userCache) get(name string) (account.User, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	u, ok := c.users[name]
	return u, ok
}

// byToken returns the account of an API token.
func (c *userCache) byToken(token string) (account.User, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	name, ok := c.tokens[account.TokenSum(token)]
	if !ok {
		return account.User{}, false
	}
	u, ok := c.users[name]
	return u, ok && !u.Disabled
}

// all returns every account, by name.
func (c *userCache) all() []account.User {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]account.User, 0, len(c.users))
	for _, u := range c.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b account.User) int { return strings.Compare(a.Name, b.Name) })
	return out
}
