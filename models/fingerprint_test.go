package models

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// TestPlanFollowsInputs: after a build nothing is stale; a row appended
// to raw.facilities makes stale exactly the tables downstream of it (not
// the views, which read their inputs when queried); a change of policy
// the tables reading that policy table; a change of SQL the model itself
// (a view too) and the tables downstream of it. An incremental build
// then builds exactly those and leaves the plan clean.
func TestPlanFollowsInputs(t *testing.T) {
	ctx := context.Background()
	w := truthWarehouse(t)
	p := embeddedProject(t)
	plan := func(p *Project, opt BuildOptions) []string {
		t.Helper()
		pl, err := p.Plan(ctx, w.DB, opt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range pl.Stale() {
			out = append(out, m.Model.Name)
		}
		sort.Strings(out)
		return out
	}
	tablesDownstream := func(p *Project, names ...string) []string {
		var out []string
		seen := map[string]bool{}
		var rec func(string)
		rec = func(n string) {
			for _, d := range p.Model(n).Downstream {
				if !seen[d] {
					seen[d] = true
					if p.Model(d).Materialized == "table" {
						out = append(out, d)
					}
					rec(d)
				}
			}
		}
		for _, n := range names {
			rec(n)
		}
		sort.Strings(out)
		return out
	}
	if got := plan(p, BuildOptions{}); len(got) != len(p.Models()) {
		t.Errorf("before any build, %d of %d models are stale", len(got), len(p.Models()))
	}
	buildAll(t, p, w, BuildOptions{})
	if got := plan(p, BuildOptions{}); len(got) != 0 {
		t.Fatalf("after a build, stale: %v", got)
	}

	// New rows: the tables downstream of the raw table.
	if _, err := w.DB.Exec(`INSERT INTO raw.facilities SELECT * REPLACE (submission_id + 1000 AS submission_id) FROM raw.facilities LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var readers []string
	for _, m := range p.Models() {
		for _, s := range m.Sources {
			if s == "raw.facilities" {
				readers = append(readers, m.Name)
			}
		}
	}
	want := tablesDownstream(p, readers...)
	if got := plan(p, BuildOptions{}); strings.Join(got, " ") != strings.Join(want, " ") || len(want) == 0 {
		t.Errorf("after a new facilities row, stale: %v\nwant %v", got, want)
	}
	res, err := p.Build(ctx, w.DB, BuildOptions{Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(StatusOK) != len(want) || res.Count(StatusUnchanged) != len(p.Models())-len(want) {
		t.Errorf("incremental build: %s; want %d built", res.Summary(), len(want))
	}
	if got := plan(p, BuildOptions{}); len(got) != 0 {
		t.Fatalf("after the incremental build, stale: %v", got)
	}

	// A change of policy: the tables reading that policy table, and theirs.
	budget := BuildOptions{Overrides: []Override{{Name: "reward_budget.csv", Data: []byte("year,budget\n2014,1000000\n")}}}
	readers = nil
	for _, m := range p.Models() {
		for _, s := range m.Sources {
			if s == "policy.reward_budget" {
				readers = append(readers, m.Name)
			}
		}
	}
	want = tablesDownstream(p, readers...)
	for _, r := range readers {
		if p.Model(r).Materialized == "table" {
			want = append(want, r)
		}
	}
	sort.Strings(want)
	if got := plan(p, budget); strings.Join(got, " ") != strings.Join(want, " ") || len(want) == 0 {
		t.Errorf("after a change of the reward budget, stale: %v\nwant %v", got, want)
	}

	// A change of SQL: the model, even a view, and the tables downstream.
	fsys := copyProject(t)
	edit(t, fsys, "staging/facilities.sql", "SELECT", "SELECT /* edited */")
	p2, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want = append([]string{"staging.facilities"}, tablesDownstream(p2, "staging.facilities")...)
	sort.Strings(want)
	if got := plan(p2, BuildOptions{}); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after an edit of staging/facilities.sql, stale: %v\nwant %v", got, want)
	}
}
