package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// runState is what the files of one run share besides the references.
type runState struct {
	// nextSub is the next submission id, 0 until read from the warehouse:
	// the run is the only writer, so it moves only when a file commits.
	nextSub int64
	parts   *partitions
}

// partitions knows, per kind and year, which latest-wins partitions have
// current rows in the warehouse, so that a file whose partitions are all
// new skips its supersession statements: they could change nothing.
// Each kind's year is read from the warehouse the first time a file holds
// it, then kept up to date as files commit; it only ever grows, because a
// partition that has current rows keeps having them. A partition missing
// from it would skip a supersession that is due, so it is read exactly;
// one too many only costs the statement.
type partitions struct {
	db     *sql.DB
	loaded map[string]bool            // kind|year read from the warehouse
	keys   map[string]map[string]bool // kind → partition keys
}

func newPartitions(db *sql.DB) *partitions {
	return &partitions{db: db, loaded: map[string]bool{}, keys: map[string]map[string]bool{}}
}

// partitionSelect reads, per kind, the partitions of the current rows of a
// year: the columns of partitionKey after the year.
var partitionSelect = map[string]string{
	"communities":  `SELECT DISTINCT district FROM raw.communities WHERE year = ? AND superseded_by IS NULL`,
	"projects":     `SELECT DISTINCT district FROM raw.projects WHERE year = ? AND superseded_by IS NULL`,
	"staff":        `SELECT DISTINCT project_code FROM raw.staff WHERE year = ? AND superseded_by IS NULL`,
	"expenditures": `SELECT DISTINCT project_code, quarter::VARCHAR FROM raw.expenditures WHERE year = ? AND superseded_by IS NULL`,
	"activities":   `SELECT DISTINCT project_code, month(activity_date)::VARCHAR FROM raw.activities WHERE year = ? AND superseded_by IS NULL`,
	"evaluations":  `SELECT DISTINCT project_code, stage FROM raw.evaluations WHERE year = ? AND superseded_by IS NULL`,
	"facilities":   `SELECT DISTINCT community_code FROM raw.facilities WHERE year = ? AND superseded_by IS NULL`,
}

// partitionKey is a row's partition as a string: the year, then the other
// columns of partitionKeys. rec holds the row's values by kind column
// index, col maps names to indexes.
func partitionKey(kind string, rec []any, col map[string]int) string {
	var year int64
	if kind == "activities" {
		year = int64(rec[col["activity_date"]].(time.Time).Year())
	} else {
		year = rec[col["year"]].(int64)
	}
	s := func(name string) string { return rec[col[name]].(string) }
	var parts []string
	switch kind {
	case "communities", "projects":
		parts = []string{s("district")}
	case "staff":
		parts = []string{s("project_code")}
	case "expenditures":
		parts = []string{s("project_code"), strconv.FormatInt(rec[col["quarter"]].(int64), 10)}
	case "activities":
		parts = []string{s("project_code"), strconv.Itoa(int(rec[col["activity_date"]].(time.Time).Month()))}
	case "evaluations":
		parts = []string{s("project_code"), s("stage")}
	case "facilities":
		parts = []string{s("community_code")}
	}
	return joinKey(year, parts)
}

func joinKey(year int64, parts []string) string {
	return strconv.FormatInt(year, 10) + "\x00" + strings.Join(parts, "\x00")
}

// load reads the current partitions of a kind's year, once.
func (p *partitions) load(ctx context.Context, kind string, year int64) error {
	id := kind + "|" + strconv.FormatInt(year, 10)
	if p.loaded[id] {
		return nil
	}
	q, ok := partitionSelect[kind]
	if !ok {
		return fmt.Errorf("no partitions of %s", kind)
	}
	rows, err := p.db.QueryContext(ctx, q, year)
	if err != nil {
		return err
	}
	defer rows.Close()
	set := p.keys[kind]
	if set == nil {
		set = map[string]bool{}
		p.keys[kind] = set
	}
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		set[joinKey(year, vals)] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	p.loaded[id] = true
	return nil
}

// anyCurrent reports whether any of a file's partitions of a kind has
// current rows in the warehouse.
func (p *partitions) anyCurrent(ctx context.Context, kind string, years map[int64]bool, keys map[string]bool) (bool, error) {
	for y := range years {
		if err := p.load(ctx, kind, y); err != nil {
			return true, err
		}
	}
	set := p.keys[kind]
	for k := range keys {
		if set[k] {
			return true, nil
		}
	}
	return false, nil
}

// add records a committed file's partitions.
func (p *partitions) add(kind string, keys map[string]bool) {
	set := p.keys[kind]
	if set == nil {
		set = map[string]bool{}
		p.keys[kind] = set
	}
	for k := range keys {
		set[k] = true
	}
}
