package ingest

import (
	"context"
	"database/sql"
	"strconv"
)

// refs are the keys other rows may point to: the current roster and
// projects of the warehouse, plus every row loaded from the file being
// ingested (DOMAIN.md §3 "References"). Values are the district.
type refs struct {
	communities map[string]string // year|community_code
	projects    map[string]string // year|project_code
}

func refKey(year int64, code string) string {
	return strconv.FormatInt(year, 10) + "|" + code
}

// loadRefs reads the current roster and projects.
func loadRefs(ctx context.Context, db *sql.DB) (*refs, error) {
	r := &refs{communities: map[string]string{}, projects: map[string]string{}}
	for _, q := range []struct {
		sql string
		m   map[string]string
	}{
		{`SELECT year, community_code, district FROM raw.communities WHERE superseded_by IS NULL`, r.communities},
		{`SELECT year, project_code, district FROM raw.projects WHERE superseded_by IS NULL`, r.projects},
	} {
		rows, err := db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var y int64
			var code, district string
			if err := rows.Scan(&y, &code, &district); err != nil {
				rows.Close()
				return nil, err
			}
			q.m[refKey(y, code)] = district
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// overlay is the file's own rows on top of the warehouse's: committed into
// the refs when the file's transaction commits, dropped otherwise.
type overlay struct {
	base        *refs
	communities map[string]string
	projects    map[string]string
}

func newOverlay(base *refs) *overlay {
	return &overlay{base: base, communities: map[string]string{}, projects: map[string]string{}}
}

func (o *overlay) community(year int64, code string) (string, bool) {
	k := refKey(year, code)
	if d, ok := o.communities[k]; ok {
		return d, true
	}
	d, ok := o.base.communities[k]
	return d, ok
}

func (o *overlay) project(year int64, code string) (string, bool) {
	k := refKey(year, code)
	if d, ok := o.projects[k]; ok {
		return d, true
	}
	d, ok := o.base.projects[k]
	return d, ok
}

func (o *overlay) commit() {
	for k, v := range o.communities {
		o.base.communities[k] = v
	}
	for k, v := range o.projects {
		o.base.projects[k] = v
	}
}
