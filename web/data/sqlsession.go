package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"shequ/warehouse"
)

// Analysts' own SQL (the SQL page, the saved queries, Arrow Flight SQL)
// runs in a session of the scope. The city's is the published snapshot
// itself, opened read-only and sandboxed exactly as `shequ sql` opens it.
// A district's is a file of its own: the tables below, each holding only
// the rows the district sees (through Scope.from, as every page reads
// them), written from the snapshot when a district first asks for it and
// opened read-only and sandboxed in turn. Whatever SQL a district sends,
// the other districts' rows are not in the database it runs on.

// scopedTable is a table of a district's SQL session: the relation its
// rows come from, cut to the district, or the city's whole table for
// facts that are no district's (the policy).
type scopedTable struct {
	name string // schema.table
	rel  relation
}

// districtTables are the tables of a district's SQL session; official
// names the marts with an official view (the others' official.<mart> is
// its working figures, as without a close they are).
func districtTables(official map[string]bool) []scopedTable {
	var out []scopedTable
	var marts []string
	for name, m := range martDistricts {
		if !m.cityOnly {
			marts = append(marts, name)
		}
	}
	sort.Strings(marts)
	for _, name := range marts {
		m := martDistricts[name]
		off := "official." + name
		if !official[name] {
			off = "marts." + name
		}
		out = append(out, scopedTable{"marts." + name, relation{sql: m.sql("marts." + name)}},
			scopedTable{"official." + name, relation{sql: m.sql(off)}})
	}
	for _, t := range []struct{ name, rel string }{
		{"staging.communities", "communities"}, {"staging.projects", "projects"}, {"staging.project_communities", "project_communities"},
		{"intermediate.community_years", "community_years"}, {"intermediate.project_years", "project_years"}, {"intermediate.lineage", "lineage"},
	} {
		out = append(out, scopedTable{t.name, relations[t.rel]})
	}
	for _, t := range []string{"staging.params", "policy.parameters", "policy.reward_rates", "policy.reward_budget", "policy.star_bands",
		"policy.rooms", "policy.service_catalogue", "policy.tranches", "policy.submission_kinds"} {
		out = append(out, scopedTable{t, relation{sql: "SELECT *, NULL AS scope_district FROM " + t, shared: true}})
	}
	return out
}

// DistrictTables names the tables of a district's SQL session.
func DistrictTables() []string {
	var out []string
	for _, t := range districtTables(nil) {
		out = append(out, t.name)
	}
	return out
}

// Session is a connection for analysts' SQL in a scope, and what ends it.
type Session struct {
	*sql.Conn
	// Published is when the snapshot it reads was published.
	Published time.Time
	// Tables are the tables a district's session holds (nil for the
	// city's: the whole warehouse).
	Tables []string
	done   func()
	// The snapshot's database and its results cache (the city's
	// session's catalogue is read once per snapshot).
	db    *sql.DB
	cache *resultCache
}

// Catalog returns the rows of q, a query of the city's session's
// catalogue (information_schema), read once per snapshot. A district's
// session has Tables instead.
func (s *Session) Catalog(ctx context.Context, q string) (*Table, error) {
	if s.Tables != nil {
		return nil, fmt.Errorf("a district's session has its tables in Tables")
	}
	return s.cache.get(ctx, s.db, q, nil)
}

// Close ends the session.
func (s *Session) Close() {
	s.Conn.Close()
	s.done()
}

// SQL opens a session for analysts' own SQL in scope, on the newest
// snapshot.
func (s *Snapshots) SQL(ctx context.Context, scope Scope) (*Session, error) {
	h, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	db := h.w.DB
	var tables []string
	if !scope.IsCity() {
		sw, err := h.scoped(ctx, scope)
		if err != nil {
			s.release(h)
			return nil, err
		}
		db, tables = sw.DB, DistrictTables()
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		s.release(h)
		return nil, err
	}
	return &Session{Conn: conn, Published: h.published, Tables: tables, done: func() { s.release(h) }, db: h.w.DB, cache: h.cache}, nil
}

// scopedFiles are the district files of a snapshot, made when first asked
// for and removed with the snapshot's handle.
type scopedFiles struct {
	mu    sync.Mutex
	files map[string]*scopedFile // by district
}

type scopedFile struct {
	once sync.Once
	w    *warehouse.Warehouse
	path string
	err  error
}

// scoped returns the district's file of this snapshot, open read-only
// and sandboxed.
func (h *handle) scoped(ctx context.Context, scope Scope) (*warehouse.Warehouse, error) {
	h.scopes.mu.Lock()
	if h.scopes.files == nil {
		h.scopes.files = map[string]*scopedFile{}
	}
	f := h.scopes.files[scope.District]
	if f == nil {
		sum := sha256.Sum256([]byte(scope.District))
		f = &scopedFile{path: fmt.Sprintf("%s.district-%s", h.link, hex.EncodeToString(sum[:6]))}
		h.scopes.files[scope.District] = f
	}
	h.scopes.mu.Unlock()
	f.once.Do(func() {
		f.err = writeScoped(ctx, h.link, f.path, scope, h.official)
		if f.err == nil {
			f.w, f.err = warehouse.Open(ctx, f.path, warehouse.Options{ReadOnly: true, Sandbox: true, Threads: 2, MemoryLimit: "512MB"})
		}
		if f.err != nil {
			os.Remove(f.path)
			os.Remove(f.path + ".wal")
		}
	})
	return f.w, f.err
}

// closeScoped closes and removes the district files of a handle.
func (h *handle) closeScoped() {
	h.scopes.mu.Lock()
	defer h.scopes.mu.Unlock()
	for _, f := range h.scopes.files {
		if f.w != nil {
			f.w.Close()
		}
		os.Remove(f.path)
		os.Remove(f.path + ".wal")
	}
	h.scopes.files = nil
}

// writeScoped writes the district file at path from the snapshot at src:
// each table of districtTables with the rows the scope sees.
func writeScoped(ctx context.Context, src, path string, scope Scope, official map[string]bool) error {
	// The snapshot is open sandboxed under src; a reader that may attach
	// a file opens it under a name of its own (see Snapshots.acquire).
	link := fmt.Sprintf("%s.writer-%d", src, time.Now().UnixNano())
	if err := os.Link(src, link); err != nil {
		return err
	}
	defer os.Remove(link)
	os.Remove(path)
	w, err := warehouse.Open(ctx, link, warehouse.Options{ReadOnly: true, Threads: 2})
	if err != nil {
		return err
	}
	defer w.Close()
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH '`+strings.ReplaceAll(path, "'", "''")+`' AS scoped (READ_WRITE)`); err != nil {
		return fmt.Errorf("district file: %w", err)
	}
	schemas := map[string]bool{}
	for _, t := range districtTables(official) {
		schema, _, _ := strings.Cut(t.name, ".")
		if !schemas[schema] {
			if _, err := conn.ExecContext(ctx, "CREATE SCHEMA scoped."+schema); err != nil {
				return err
			}
			schemas[schema] = true
		}
		from, args, err := scope.from(t.rel)
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "CREATE TABLE scoped."+t.name+" AS SELECT * EXCLUDE (scope_district) FROM "+from, args...); err != nil {
			return fmt.Errorf("district file, %s: %w", t.name, err)
		}
	}
	_, err = conn.ExecContext(ctx, "DETACH scoped")
	return err
}
