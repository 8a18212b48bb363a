package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"shequ/models/modelstest"
	"shequ/warehouse"
)

// snapshot reads every mart as sorted "|"-joined rows.
func snapshot(t *testing.T, w *warehouse.Warehouse) map[string][]string {
	t.Helper()
	rows, err := w.DB.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	snap := map[string][]string{}
	for _, tbl := range tables {
		r, err := w.DB.Query("SELECT * FROM marts." + tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = FormatValue(v)
			}
			snap[tbl] = append(snap[tbl], strings.Join(parts, "|"))
		}
		r.Close()
		sort.Strings(snap[tbl])
	}
	return snap
}

// changedRows lists the rows of a that b lacks, and of b that a lacks.
func changedRows(a, b []string) (gone, added []string) {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range list {
			m[x] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	for _, x := range a {
		if !inb[x] {
			gone = append(gone, x)
		}
	}
	for _, x := range b {
		if !ina[x] {
			added = append(added, x)
		}
	}
	return gone, added
}

// Changing one policy parameter through an override file changes exactly
// the mart rows that depend on it, with no model edited, and the next
// build without the override restores the defaults.
func TestPolicyOverrideChangesMarts(t *testing.T) {
	ctx := context.Background()
	w := truthWarehouse(t)
	p := embeddedProject(t)
	buildAll(t, p, w, BuildOptions{})
	before := snapshot(t, w)

	override := writeFile(t, t.TempDir(), "rural-half.csv", "name,value\ncoverage_target_rural,0.5\n")
	res := buildAll(t, p, w, BuildOptions{PolicyFiles: []string{override}})
	if !strings.Contains(res.Summary(), "with 1 policy override(s)") {
		t.Errorf("summary %q does not mention the override", res.Summary())
	}
	after := snapshot(t, w)
	for tbl := range before {
		gone, added := changedRows(before[tbl], after[tbl])
		if tbl != "coverage" {
			if len(gone)+len(added) > 0 {
				t.Errorf("marts.%s changed: -%v +%v", tbl, gone, added)
			}
			continue
		}
		wantGone := []string{
			"2013|临江区|rural|10|3|0.3|0.3|true|0", "2013|青山区|rural|10|2|0.2|0.3|false|1",
			"2014|临江区|rural|10|3|0.3|0.3|true|0", "2014|青山区|rural|10|2|0.2|0.3|false|1",
		}
		wantAdded := []string{
			"2013|临江区|rural|10|3|0.3|0.5|false|2", "2013|青山区|rural|10|2|0.2|0.5|false|3",
			"2014|临江区|rural|10|3|0.3|0.5|false|2", "2014|青山区|rural|10|2|0.2|0.5|false|3",
		}
		if fmt.Sprint(gone) != fmt.Sprint(wantGone) || fmt.Sprint(added) != fmt.Sprint(wantAdded) {
			t.Errorf("coverage changed:\n-%q\n+%q\nwant\n-%q\n+%q", gone, added, wantGone, wantAdded)
		}
	}
	var src, origin string
	if err := w.DB.QueryRow(`SELECT source FROM policy.parameters WHERE name = 'coverage_target_rural'`).Scan(&src); err != nil || src != "override rural-half.csv" {
		t.Errorf("policy.parameters source = %q, %v", src, err)
	}
	if err := w.DB.QueryRow(`SELECT origin FROM policy.versions WHERE file LIKE '%rural-half.csv'`).Scan(&origin); err != nil || origin != "override" {
		t.Errorf("policy.versions origin = %q, %v", origin, err)
	}

	// The default is back on the next build.
	buildAll(t, p, w, BuildOptions{})
	diffs, err := modelstest.CompareExpected(ctx, w.DB, sampleFS)
	if err != nil || len(diffs) > 0 {
		t.Errorf("after a default build: %v %v", diffs, err)
	}
}

// A reward budget for a year scales that year's allocations to it.
func TestRewardBudgetOverride(t *testing.T) {
	w := truthWarehouse(t)
	p := embeddedProject(t)
	budget := writeFile(t, t.TempDir(), "reward_budget.csv", "year,budget\n2014,1000000\n")
	buildAll(t, p, w, BuildOptions{PolicyFiles: []string{budget}, Select: "+city_rewards"})
	rows, err := w.DB.Query(`SELECT year, district, CAST(budget AS VARCHAR), scale, CAST(allocation AS VARCHAR), share FROM marts.city_rewards ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var year int
		var district string
		var b, alloc *string
		var scale, share float64
		if err := rows.Scan(&year, &district, &b, &scale, &alloc, &share); err != nil {
			t.Fatal(err)
		}
		bs := "NULL"
		if b != nil {
			bs = *b
		}
		got = append(got, fmt.Sprintf("%d %s %s %.9f %s %.6f", year, district, bs, scale, *alloc, share))
	}
	// 2014: Σ entitlement = 968051.70 + 682300.905 = 1650352.605;
	// scale = 1000000 / 1650352.605; allocations rounded to the fen.
	want := []string{
		"2013 临江区 NULL 1.000000000 1449470.00 0.572591",
		"2013 青山区 NULL 1.000000000 1081953.50 0.427409",
		"2014 临江区 1000000.00 0.605931119 586572.65 0.586573",
		"2014 青山区 1000000.00 0.605931119 413427.35 0.413427",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("city_rewards:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// copyProject returns the embedded project as a MapFS to edit.
func copyProject(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(Embedded(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Embedded(), name)
		out[name] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// edit replaces old by new in a file of fsys and returns the line of the
// change.
func edit(t *testing.T, fsys fstest.MapFS, name, old, new string) int {
	t.Helper()
	src := string(fsys[name].Data)
	i := strings.Index(src, old)
	if i < 0 {
		t.Fatalf("%s lacks %q", name, old)
	}
	fsys[name] = &fstest.MapFile{Data: []byte(src[:i] + new + src[i+len(old):])}
	return 1 + strings.Count(src[:i], "\n")
}

func count(t *testing.T, w *warehouse.Warehouse, q string) int {
	t.Helper()
	var n int
	if err := w.DB.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A build is all or nothing: a model that fails leaves every table as it
// was (the models that built are not kept), names its file and line, its
// downstream models are skipped, the others are still checked so every
// failure is reported at once, and all are recorded so.
func TestFailedModelIsAtomic(t *testing.T) {
	ctx := context.Background()
	w := truthWarehouse(t)
	buildAll(t, embeddedProject(t), w, BuildOptions{RunID: 1})

	fsys := copyProject(t)
	line := edit(t, fsys, "intermediate/project_years.sql", "pr.provider,\n", "pr.provider_nme,\n")
	// A runtime failure in a mart, after its SELECT has started.
	edit(t, fsys, "marts/coverage.sql", "SELECT year, district, urban_rural, communities, covered,", "SELECT year, district, urban_rural, communities, CAST(district AS INTEGER) AS covered,")
	broken, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	res, err := broken.Build(ctx, w.DB, BuildOptions{RunID: 2, Progress: func(e Event) {
		if e.Status != StatusRunning {
			events = append(events, e.Model.Name+" "+string(e.Status))
		}
	}})
	if !errors.Is(err, ErrBuildFailed) {
		t.Fatalf("build error = %v, want ErrBuildFailed", err)
	}
	if len(events) != len(broken.Models()) {
		t.Errorf("%d end events for %d models", len(events), len(broken.Models()))
	}
	status := map[string]ModelResult{}
	for _, r := range res.Models {
		status[r.Model.Name] = r
	}
	var me *ModelError
	py := status["intermediate.project_years"]
	if py.Status != StatusFailed || !errors.As(py.Err, &me) || me.File != "models/intermediate/project_years.sql" || me.Line != line {
		t.Fatalf("project_years: %s %v (want failed at line %d)", py.Status, py.Err, line)
	}
	if !strings.Contains(py.Err.Error(), fmt.Sprintf("models/intermediate/project_years.sql:%d", line)) || !strings.Contains(py.Err.Error(), "provider_nme") {
		t.Errorf("error %q does not name file:line and the column", py.Err)
	}
	if cov := status["marts.coverage"]; cov.Status != StatusFailed || !strings.Contains(cov.Err.Error(), "models/marts/coverage.sql:") {
		t.Errorf("coverage: %s %v", cov.Status, cov.Err)
	}
	for _, name := range []string{"marts.staffing", "marts.project_costs", "marts.fund_use", "marts.evaluation_scores",
		"marts.service_mix", "marts.city_rewards", "marts.site_subsidies", "marts.payments"} {
		if r := status[name]; r.Status != StatusSkipped || !strings.Contains(r.Err.Error(), "intermediate.project_years failed") {
			t.Errorf("%s: %s %v, want skipped", name, r.Status, r.Err)
		}
	}
	for _, name := range []string{"intermediate.community_years", "marts.facility_compliance", "marts.data_quality", "marts.rejects"} {
		if r := status[name]; r.Status != StatusRolledBack {
			t.Errorf("%s: %s %v, want rolled back (built, not kept)", name, r.Status, r.Err)
		}
	}
	if n := count(t, w, `SELECT count(*) FROM ops.model_runs WHERE run_id = 2 AND status = 'ok'`); n != 0 {
		t.Errorf("%d models recorded ok in a build that failed", n)
	}
	// The previous tables are untouched.
	if n := count(t, w, `SELECT count(*) FROM intermediate.project_years`); n != 27 {
		t.Errorf("intermediate.project_years has %d rows, want the previous 27", n)
	}
	diffs, err := modelstest.CompareExpected(ctx, w.DB, sampleFS)
	if err != nil || len(diffs) > 0 {
		t.Errorf("marts changed by a failed build: %v %v", diffs, err)
	}
	// And the run is recorded.
	if n := count(t, w, `SELECT count(*) FROM ops.model_runs WHERE run_id = 2 AND status = 'failed'
		AND (error LIKE '%project_years.sql:%provider_nme%' OR error LIKE '%coverage.sql:%')`); n != 2 {
		t.Errorf("%d failed runs recorded, want 2", n)
	}
	if n := count(t, w, `SELECT count(*) FROM ops.model_runs WHERE run_id = 2 AND status = 'skipped'`); n != res.Count(StatusSkipped) || n < 8 {
		t.Errorf("%d skipped runs recorded, result says %d", n, res.Count(StatusSkipped))
	}
	if !strings.HasPrefix(res.Summary(), "✗ built ") {
		t.Errorf("summary %q", res.Summary())
	}
}

// Tests report planted violations with the model, column and rows.
func TestDataTestsReportViolations(t *testing.T) {
	ctx := context.Background()
	w := truthWarehouse(t)
	p := embeddedProject(t)
	buildAll(t, p, w, BuildOptions{})
	for _, q := range []string{
		`INSERT INTO marts.coverage SELECT * FROM marts.coverage WHERE year = 2013 AND district = '临江区' AND urban_rural = 'rural'`,
		`UPDATE marts.staffing SET issues = NULL WHERE year = 2013 AND project_code = 'LJ2013-001'`,
		`UPDATE marts.payments SET tranche = 'bonus' WHERE year = 2013 AND project_code = 'LJ2013-007' AND tranche = 'annual'`,
		`UPDATE marts.fund_use SET spent_total = spent_total + 1 WHERE year = 2014`,
	} {
		if _, err := w.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	res, err := p.Test(ctx, w.DB, "marts.coverage marts.staffing marts.payments marts.fund_use")
	if !errors.Is(err, ErrTestsFailed) {
		t.Fatalf("error = %v, want ErrTestsFailed", err)
	}
	failed := map[string]TestOutcome{}
	for _, o := range res.Failed() {
		failed[o.Model+" "+o.Test] = o
	}
	// The changed spending breaks two rules of fund_use: its parts and its surplus.
	if len(failed) != 5 {
		for k, o := range failed {
			t.Log(k, o.Report())
		}
		t.Fatalf("%d failed tests, want 5", len(failed))
	}
	u := failed["marts.coverage unique(year, district, urban_rural)"]
	if u.Failures != 1 || fmt.Sprint(u.Columns) != "[year district urban_rural n]" || fmt.Sprint(u.Rows) != "[[2013 临江区 rural 2]]" {
		t.Errorf("unique: %d %v %v", u.Failures, u.Columns, u.Rows)
	}
	nn := failed["marts.staffing not_null(year, project_code, district, full_time_staff, registered_social_workers, party_members, lead_is_social_worker, supervisors, compliant, issues, required_full_time)"]
	if nn.Failures != 1 || len(nn.Rows) != 1 || nn.Rows[0][1] != "LJ2013-001" || nn.Rows[0][9] != "NULL" {
		t.Errorf("not_null: %d %v", nn.Failures, nn.Rows)
	}
	rel := failed["marts.payments relationships(tranche → policy.tranches.tranche)"]
	if rel.Failures != 1 || rel.Column != "tranche" || !strings.Contains(rel.Report(), "bonus") {
		t.Errorf("relationships: %s", rel.Report())
	}
	a := failed["marts.fund_use assert parts_add_up"]
	if a.Failures != 14 || len(a.Rows) != MaxFailingRows || !strings.Contains(a.Report(), "… 9 more") {
		t.Errorf("assert: %s", a.Report())
	}
	if s := failed["marts.fund_use assert surplus_adds_up"]; s.Failures != 14 {
		t.Errorf("assert: %s", s.Report())
	}
	rep := u.Report()
	for _, want := range []string{"marts.coverage", "unique(year, district, urban_rural) failed on 1 row(s)", "models/marts/coverage.sql:16", "2013 | 临江区 | rural | 2"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report %q lacks %q", rep, want)
		}
	}
}

// A test on a model that was never built reports that it could not run.
func TestDataTestOnMissingModel(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	res, err := embeddedProject(t).Test(ctx, w.DB, "marts.coverage")
	if !errors.Is(err, ErrTestsFailed) || len(res.Failed()) != len(res.Outcomes) || res.Failed()[0].Err == nil {
		t.Fatalf("err %v, %d of %d failed", err, len(res.Failed()), len(res.Outcomes))
	}
	if !strings.Contains(res.Failed()[0].Report(), "could not run") {
		t.Errorf("report %q", res.Failed()[0].Report())
	}
}

// Money a thousand times the sample's (contracts of hundreds of millions)
// builds without a decimal overflow: policy rates are DECIMAL(38,9), so a
// rate times an amount has room.
func TestLargeAmountsDoNotOverflow(t *testing.T) {
	w := truthWarehouse(t)
	for _, q := range []string{
		`UPDATE raw.projects SET contract_amount = contract_amount * 1000, city_funding = city_funding * 1000,
			district_funding = district_funding * 1000, street_funding = street_funding * 1000`,
		`UPDATE raw.expenditures SET amount = amount * 1000`,
	} {
		if _, err := w.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	res := buildAll(t, embeddedProject(t), w, BuildOptions{})
	if res.Count(StatusOK) != len(res.Models) {
		t.Fatal(res.Summary())
	}
	var alloc string
	if err := w.DB.QueryRow(`SELECT CAST(allocation AS VARCHAR) FROM marts.city_rewards WHERE year = 2013 AND district = '临江区'`).Scan(&alloc); err != nil {
		t.Fatal(err)
	}
	// Spending is capped by the standard, which does not scale: 7 eligible
	// projects at their standard amounts.
	if alloc == "" {
		t.Error("no allocation")
	}
}
