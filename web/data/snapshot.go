package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"shequ/warehouse"
)

// ErrNoSnapshot is returned before the first build has published the
// snapshot readers use.
var ErrNoSnapshot = errors.New("no snapshot published yet")

// Snapshots keeps the published snapshot of a warehouse open for reading,
// and opens the new one when a build publishes it. A request holds the
// snapshot it started with until it ends, so it reads one build
// throughout; the old one is closed when its last request is done.
type Snapshots struct {
	path string // the snapshot file
	// OnOpen, when set, is called (in a goroutine of its own) each time a
	// newly published snapshot is opened: the server makes the pages the
	// first readers after a build ask for.
	OnOpen func()

	mu  sync.Mutex
	cur *handle
}

type handle struct {
	w         *warehouse.Warehouse
	link      string // the name it was opened under
	published time.Time
	ino       uint64
	size      int64
	refs      int
	stale     bool
	scopes    scopedFiles // the districts' SQL sessions of this snapshot
	// official are the marts with a view official.<mart>: the report
	// stage and a close make them; a warehouse never reported has none,
	// and then its official figures are its working ones.
	official map[string]bool
	cache    *resultCache // the pages' query results on this snapshot
}

// NewSnapshots reads the snapshot of the warehouse at path.
func NewSnapshots(warehousePath string) *Snapshots {
	s := &Snapshots{path: warehouse.SnapshotPath(warehousePath)}
	// Links left by a server that died.
	old, _ := filepath.Glob(s.path + ".reader-*")
	for _, o := range old {
		os.Remove(o)
	}
	return s
}

// Read is one request's view of the snapshot, cut to a scope.
type Read struct {
	db    *sql.DB
	scope Scope
	// Published is when the snapshot was published: "数据截至".
	Published time.Time
	official  map[string]bool
	cache     *resultCache
}

// Scope returns the scope the read is cut to.
func (r *Read) Scope() Scope { return r.scope }

// Open returns a read of the newest snapshot in scope, and the function
// that ends it.
func (s *Snapshots) Open(ctx context.Context, scope Scope) (*Read, func(), error) {
	h, err := s.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &Read{db: h.w.DB, scope: scope, Published: h.published, official: h.official, cache: h.cache}, func() { s.release(h) }, nil
}

// Touch opens the newest snapshot if it is not open yet (calling OnOpen),
// without reading it: a snapshot published by another process is found
// before its first reader comes.
func (s *Snapshots) Touch(ctx context.Context) error {
	h, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	s.release(h)
	return nil
}

// Cached is how many results the open snapshot keeps (0 when none is
// open).
func (s *Snapshots) Cached() int {
	s.mu.Lock()
	h := s.cur
	s.mu.Unlock()
	if h == nil {
		return 0
	}
	h.cache.mu.Lock()
	defer h.cache.mu.Unlock()
	return h.cache.order.Len()
}

// Published returns when the newest snapshot was published (zero when
// there is none).
func (s *Snapshots) Published() time.Time {
	st, err := os.Stat(s.path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

func (s *Snapshots) acquire(ctx context.Context) (*handle, error) {
	st, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, err
	}
	ino := inode(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cur; c != nil && c.ino == ino && c.size == st.Size() && c.published.Equal(st.ModTime()) {
		c.refs++
		return c, nil
	}
	// A database opened again under the same name is the one already
	// open in this process, old data and all: each snapshot is opened
	// under a name of its own, a hard link removed when it is closed.
	link := fmt.Sprintf("%s.reader-%d-%d", s.path, ino, time.Now().UnixNano())
	if err := os.Link(s.path, link); err != nil {
		return nil, fmt.Errorf("open the snapshot: %w", err)
	}
	w, err := warehouse.Open(ctx, link, warehouse.Options{ReadOnly: true, Sandbox: true, Threads: 2, MemoryLimit: "1GB"})
	if err != nil {
		os.Remove(link)
		return nil, fmt.Errorf("open the snapshot: %w", err)
	}
	official, err := officialViews(ctx, w)
	if err != nil {
		w.Close()
		os.Remove(link)
		return nil, fmt.Errorf("open the snapshot: %w", err)
	}
	if old := s.cur; old != nil {
		old.stale = true
		if old.refs == 0 {
			old.close()
		}
	}
	s.cur = &handle{w: w, link: link, published: st.ModTime(), ino: ino, size: st.Size(), refs: 1, official: official, cache: newResultCache()}
	if s.OnOpen != nil {
		go s.OnOpen()
	}
	return s.cur, nil
}

// officialViews are the marts with a view official.<mart> in w.
func officialViews(ctx context.Context, w *warehouse.Warehouse) (map[string]bool, error) {
	rows, err := w.DB.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'official'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

func (h *handle) close() {
	h.closeScoped()
	h.w.Close()
	os.Remove(h.link)
}

func (s *Snapshots) release(h *handle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.refs--
	if h.refs == 0 && h.stale {
		h.close()
	}
}

// Close closes the open snapshot.
func (s *Snapshots) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.stale = true
		if s.cur.refs == 0 {
			s.cur.close()
		}
		s.cur = nil
	}
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
