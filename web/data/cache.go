package data

import (
	"container/list"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// A published snapshot never changes: the rows a query gives on it are
// the same for as long as it is open. Each snapshot's handle keeps the
// results of the pages' queries (keyed by the SQL and every argument it
// binds — the scope's district among them, so a district's result is
// never another's), the most recently used first, up to a bound; a query
// asked again while it runs waits for that run instead of running twice.
// The cache goes with its snapshot when the next one is published.

const (
	cacheEntries = 2048
	cacheCells   = 4 << 20 // values held, in all
)

type resultCache struct {
	mu    sync.Mutex
	order *list.List // of *cached, most recent first
	byKey map[string]*list.Element
	cells int
	bytes int
	// running are the queries being run, by key.
	running map[string]*run
}

type cached struct {
	key   string
	t     *Table
	cells int
	b     []byte // a memo's
	bytes int
	v     any // a memoValue's
}

type run struct {
	done chan struct{}
	t    *Table
	b    []byte
	v    any
	err  error
}

func newResultCache() *resultCache {
	return &resultCache{order: list.New(), byKey: map[string]*list.Element{}, running: map[string]*run{}}
}

// cacheKey is the query and its arguments.
func cacheKey(q string, args []any) string {
	var b strings.Builder
	b.WriteString(q)
	for _, a := range args {
		b.WriteByte(0)
		if n, ok := a.(sql.NamedArg); ok {
			fmt.Fprintf(&b, "%s=%T:%v", n.Name, n.Value, n.Value)
		} else {
			fmt.Fprintf(&b, "%T:%v", a, a)
		}
	}
	return b.String()
}

// get returns the rows of q with args on db: kept, being read by another
// request, or read now. Callers must not change the table.
func (c *resultCache) get(ctx context.Context, db *sql.DB, q string, args []any) (*Table, error) {
	key := cacheKey(q, args)
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cached).t, nil
	}
	if r, ok := c.running[key]; ok {
		c.mu.Unlock()
		select {
		case <-r.done:
			if r.err == nil {
				return r.t, nil
			}
			return readQuery(ctx, db, q, args) // its error was its own (a cancelled request)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := &run{done: make(chan struct{})}
	c.running[key] = r
	c.mu.Unlock()

	r.t, r.err = readQuery(ctx, db, q, args)
	c.mu.Lock()
	delete(c.running, key)
	if r.err == nil {
		n := len(r.t.Rows)*max(len(r.t.Columns), 1) + 1
		c.byKey[key] = c.order.PushFront(&cached{key: key, t: r.t, cells: n})
		c.cells += n
		c.evict()
	}
	c.mu.Unlock()
	close(r.done)
	return r.t, r.err
}

// evict drops the least recently used entries beyond the bounds.
func (c *resultCache) evict() {
	for c.order.Len() > 1 && (c.order.Len() > cacheEntries || c.cells > cacheCells || c.bytes > memoBytes) {
		last := c.order.Back()
		e := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.byKey, e.key)
		c.cells -= e.cells
		c.bytes -= e.bytes
	}
}

func readQuery(ctx context.Context, db *sql.DB, q string, args []any) (*Table, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return readTable(rows)
}

// memoBytes bounds the pages and workbooks kept per snapshot.
const memoBytes = 64 << 20

// Memo returns what fn makes for key on this snapshot, made once: a page
// or a workbook, which depend on nothing but the snapshot, the scope and
// the URL. The key is the caller's and must name all three's parts
// beyond the snapshot (the scope's district first: Read.MemoKey).
func (r *Read) Memo(ctx context.Context, key string, fn func() ([]byte, error)) ([]byte, error) {
	if r.cache == nil {
		return fn()
	}
	return r.cache.memo(ctx, key, fn)
}

// MemoKey is a memo key of the read's scope and parts.
func (r *Read) MemoKey(parts ...string) string {
	return "memo\x00" + r.scope.District + "\x00" + strings.Join(parts, "\x00")
}

func (c *resultCache) memo(ctx context.Context, key string, fn func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cached).b, nil
	}
	if r, ok := c.running[key]; ok {
		c.mu.Unlock()
		select {
		case <-r.done:
			if r.err == nil {
				return r.b, nil
			}
			return fn()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := &run{done: make(chan struct{})}
	c.running[key] = r
	c.mu.Unlock()
	r.b, r.err = fn()
	c.mu.Lock()
	delete(c.running, key)
	if r.err == nil {
		c.byKey[key] = c.order.PushFront(&cached{key: key, b: r.b, bytes: len(r.b)})
		c.bytes += len(r.b)
		c.evict()
	}
	c.mu.Unlock()
	close(r.done)
	return r.b, r.err
}

// memoValue is Memo for a value the caller does not change afterwards,
// counted as cells values held; asked again while it is made, it waits
// for that making.
func (r *Read) memoValue(ctx context.Context, key string, cells int, fn func() (any, error)) (any, error) {
	if r.cache == nil {
		return fn()
	}
	c := r.cache
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cached).v, nil
	}
	if w, ok := c.running[key]; ok {
		c.mu.Unlock()
		select {
		case <-w.done:
			if w.err == nil {
				return w.v, nil
			}
			return fn()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w := &run{done: make(chan struct{})}
	c.running[key] = w
	c.mu.Unlock()
	w.v, w.err = fn()
	c.mu.Lock()
	delete(c.running, key)
	if w.err == nil {
		c.byKey[key] = c.order.PushFront(&cached{key: key, v: w.v, cells: cells})
		c.cells += cells
		c.evict()
	}
	c.mu.Unlock()
	close(w.done)
	return w.v, w.err
}
