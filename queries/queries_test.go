package queries

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"shequ/models"
	"shequ/models/modelstest"
	"shequ/warehouse"
)

// sample is the sample city's warehouse, built once from its clean rows
// and opened the way analysts open it: its published snapshot, read-only,
// sandboxed (no file but the warehouse, no extension, settings locked).
var sample *warehouse.Warehouse

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shequ-queries-")
	if err != nil {
		panic(err)
	}
	code := func() int {
		r, err := buildSample(filepath.Join(dir, "w.duckdb"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "sample warehouse:", err)
			return 1
		}
		defer r.Close()
		sample = r
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildSample(path string) (*warehouse.Warehouse, error) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "queries test"})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := modelstest.LoadTruth(ctx, w, os.DirFS("../samples")); err != nil {
		return nil, err
	}
	p, err := models.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	res, err := p.Build(ctx, w.DB, models.BuildOptions{})
	if err != nil {
		return nil, err
	}
	if f := res.Failed(); len(f) > 0 {
		return nil, f[0].Err
	}
	if _, err := w.PublishSnapshot(ctx); err != nil {
		return nil, err
	}
	r, src, err := warehouse.OpenReader(ctx, path, warehouse.Options{Sandbox: true})
	if err == nil && !src.Snapshot {
		err = errors.New("the reader did not open the snapshot")
	}
	return r, err
}

func library(t *testing.T) *Library {
	t.Helper()
	lib, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// run runs a saved query and returns its rows formatted as text.
func run(t *testing.T, name string, params map[string]string) (cols []string, rows [][]string) {
	t.Helper()
	q, err := library(t).Get(name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := q.Run(context.Background(), sample.DB, params)
	if err != nil {
		t.Fatal(err)
	}
	return res.Columns, res.Strings()
}

// column returns one column of rows by name.
func column(t *testing.T, cols []string, rows [][]string, name string) []string {
	t.Helper()
	for i, c := range cols {
		if c == name {
			var out []string
			for _, r := range rows {
				out = append(out, r[i])
			}
			return out
		}
	}
	t.Fatalf("no column %s in %v", name, cols)
	return nil
}

func expected(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("../samples/expected", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func TestEmbeddedQueriesLoad(t *testing.T) {
	lib := library(t)
	if n := len(lib.List()); n < 10 {
		t.Errorf("%d saved queries, want at least ten", n)
	}
	for _, q := range lib.List() {
		if q.Description == "" || len(q.Tags) == 0 {
			t.Errorf("%s: no description or tags", q.Name)
		}
	}
}

// Every saved query runs on the sample warehouse with its defaults.
func TestEverySavedQueryRuns(t *testing.T) {
	for _, q := range library(t).List() {
		t.Run(q.Name, func(t *testing.T) {
			params := map[string]string{}
			for _, p := range q.Params {
				if !p.HasDefault {
					params[p.Name] = map[string]string{"project_code": "LJ2013-004"}[p.Name]
				}
			}
			res, err := q.Run(context.Background(), sample.DB, params)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Columns) == 0 {
				t.Error("no columns")
			}
			t.Logf("%d rows", len(res.Rows))
		})
	}
}

func TestUncoveredByDistrict(t *testing.T) {
	for _, year := range []string{"2013", "2014"} {
		cols, rows := run(t, "uncovered_by_district", map[string]string{"year": year})
		var got, want []string
		for _, r := range rows {
			got = append(got, strings.Join([]string{r[0], r[1], r[2], r[3], r[4], r[5]}, " "))
		}
		// Urban first within a district, as the query orders them.
		for _, district := range []string{"临江区", "青山区"} {
			for _, ur := range []string{"urban", "rural"} {
				for _, e := range expected(t, "coverage") {
					if e["year"] == year && e["district"] == district && e["urban_rural"] == ur {
						n, _ := strconv.Atoi(e["communities"])
						c, _ := strconv.Atoi(e["covered"])
						want = append(want, fmt.Sprintf("%s %s %s %d %d %d", year, district, ur, n, c, n-c))
					}
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: columns %v\n got %q\nwant %q", year, cols, got, want)
		}
	}
}

func TestUncoveredCommunities(t *testing.T) {
	// The list has communities − covered rows per district and type.
	want := map[string]int{}
	for _, e := range expected(t, "coverage") {
		if e["year"] == "2014" {
			n, _ := strconv.Atoi(e["communities"])
			c, _ := strconv.Atoi(e["covered"])
			want[e["district"]+" "+e["urban_rural"]] += n - c
		}
	}
	cols, rows := run(t, "uncovered_communities", nil) // the latest year: 2014
	got := map[string]int{}
	for _, r := range rows {
		if r[0] != "2014" {
			t.Fatalf("default year gave a row of %s", r[0])
		}
		got[r[1]+" "+r[2]]++
	}
	for k, n := range want {
		if n == 0 {
			delete(want, k)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uncovered communities per district and type = %v, want %v (columns %v)", got, want, cols)
	}
	// A district parameter narrows it; a value is bound, never spliced in.
	_, rows = run(t, "uncovered_communities", map[string]string{"year": "2014", "district": "青山区"})
	if len(rows) != want["青山区 rural"]+want["青山区 urban"] {
		t.Errorf("青山区: %d rows, want %d", len(rows), want["青山区 rural"]+want["青山区 urban"])
	}
	_, rows = run(t, "uncovered_communities", map[string]string{"district": "青山区' OR '1'='1"})
	if len(rows) != 0 {
		t.Errorf("a quote in a parameter matched %d rows: it must be bound as a value", len(rows))
	}
}

func TestStaffPayBelowFloor(t *testing.T) {
	cols, rows := run(t, "staff_pay_below_floor", nil)
	var got []string
	for _, e := range rows {
		got = append(got, strings.Join(e[:3], " "))
	}
	var want []string
	for _, e := range expected(t, "fund_use") {
		if e["staff_share_ok"] == "false" {
			want = append(want, e["year"]+" "+e["district"]+" "+e["project_code"])
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("below the floor: got %q, want %q", got, want)
	}
	if gap := column(t, cols, rows, "gap"); len(gap) > 0 && strings.HasPrefix(gap[0], "-") {
		t.Errorf("gap %s is negative", gap[0])
	}
	if _, rows := run(t, "staff_pay_below_floor", map[string]string{"district": "临江区"}); len(rows) != 0 {
		t.Errorf("临江区 has %d rows, want none", len(rows))
	}
}

func TestCostPerWorkerDistribution(t *testing.T) {
	cols, rows := run(t, "cost_per_worker_distribution", map[string]string{"year": "2013"})
	if len(rows) != 2 {
		t.Fatalf("%d rows, want one per district", len(rows))
	}
	// 青山区 2013 (expected/project_costs.csv): 55555.56, 46897.50,
	// 157142.86, 130000.00, 79050.00 and a project without full-time staff.
	got := map[string]string{}
	for i, c := range cols {
		got[c] = rows[1][i]
	}
	want := map[string]string{"year": "2013", "district": "青山区", "projects": "6", "with_staff": "5",
		"min": "46897.50", "p25": "55555.56", "median": "79050.00", "p75": "130000.00", "max": "157142.86", "mean": "93729.18"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("青山区 2013:\n got %v\nwant %v", got, want)
	}
}

func TestCoverageChange(t *testing.T) {
	_, rows := run(t, "coverage_change", map[string]string{"year": "2014"})
	cov := map[string]string{}
	for _, e := range expected(t, "coverage") {
		cov[e["year"]+" "+e["district"]+" "+e["urban_rural"]] = e["covered"]
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	for _, r := range rows {
		before, now := cov["2013 "+r[1]+" "+r[2]], cov["2014 "+r[1]+" "+r[2]]
		b, _ := strconv.Atoi(before)
		n, _ := strconv.Atoi(now)
		if r[3] != before || r[4] != now || r[5] != strconv.Itoa(n-b) {
			t.Errorf("%s %s: covered %s → %s change %s, want %s → %s change %d", r[1], r[2], r[3], r[4], r[5], before, now, n-b)
		}
	}
}

func TestDistrictsFurthestFromTarget(t *testing.T) {
	_, rows := run(t, "districts_furthest_from_target", map[string]string{"year": "2014"})
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+" "+r[2])
	}
	// expected/coverage.csv 2014: 临江区 urban shortfall 2; 青山区 rural 1.
	if want := []string{"临江区 2", "青山区 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ranking %q, want %q", got, want)
	}
}

func TestProjectCard(t *testing.T) {
	cols, rows := run(t, "project_card", map[string]string{"project_code": "LJ2013-004"})
	if got := column(t, cols, rows, "year"); !reflect.DeepEqual(got, []string{"2013", "2014"}) {
		t.Errorf("years %v, want 2013 and 2014", got)
	}
	if got := column(t, cols, rows, "contract_amount"); !reflect.DeepEqual(got, []string{"760000.00", "1220000.00"}) {
		t.Errorf("contract amounts %v", got)
	}
	// 2014 carries 2013's surplus in and still overspends (seed 000 §7(1)).
	if got := column(t, cols, rows, "carried_in"); !reflect.DeepEqual(got, []string{"0.00", "8166.41"}) {
		t.Errorf("carried in %v", got)
	}
	if got := column(t, cols, rows, "surplus"); !reflect.DeepEqual(got, []string{"8166.41", "-15212.64"}) {
		t.Errorf("surplus %v", got)
	}
	if got := column(t, cols, rows, "overspent"); !reflect.DeepEqual(got, []string{"false", "true"}) {
		t.Errorf("overspent %v", got)
	}
	if got := column(t, cols, rows, "required_full_time"); !reflect.DeepEqual(got, []string{"5", "5"}) {
		t.Errorf("required full-time staff %v", got)
	}
}

func TestParamErrors(t *testing.T) {
	lib := library(t)
	tests := []struct {
		query  string
		params map[string]string
		want   []string
	}{
		{"uncovered_communities", map[string]string{"year": "20x5"}, []string{`parameter year: "20x5" is not a whole number`, "整数"}},
		{"uncovered_communities", map[string]string{"yaer": "2014"}, []string{`no parameter "yaer"`, "it takes year, district"}},
		{"project_card", nil, []string{"parameter project_code is required"}},
		{"submissions_with_rejects", map[string]string{"since": "2015/01/10"}, []string{"parameter since", "YYYY-MM-DD"}},
		{"project_card", map[string]string{"year": "x", "project_code": "P"}, []string{"parameter year"}},
	}
	for _, tt := range tests {
		q, err := lib.Get(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = q.Run(context.Background(), sample.DB, tt.params)
		var pe *ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%s %v: err = %v, want a *ParamError", tt.query, tt.params, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s %v: %q lacks %q", tt.query, tt.params, err, w)
			}
		}
	}
	if _, err := lib.Get("uncoverd_communities"); err == nil || !strings.Contains(err.Error(), "did you mean uncovered_communities") {
		t.Errorf("misspelt name: %v", err)
	}
}

func TestParamValues(t *testing.T) {
	tests := []struct {
		typ  Type
		in   string
		want string // %T:%v, or "error"
	}{
		{Int, "2015", "int64:2015"},
		{Int, "2015.5", "error"},
		{Text, " 福田区 ", "string:福田区"},
		{Date, "2015-01-10", "time.Time:2015-01-10 00:00:00 +0000 UTC"},
		{Date, "10/01/2015", "error"},
		{Decimal, "500000.00", "string:500000.00"},
		{Decimal, "5e5", "error"},
		{Bool, "是", "bool:true"},
		{Bool, "maybe", "error"},
		{Int, "NULL", "<nil>:<nil>"},
	}
	for _, tt := range tests {
		p := Param{Name: "p", Type: tt.typ}
		v, err := p.Value(tt.in)
		got := fmt.Sprintf("%T:%v", v, v)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("%s %q = %s (%v), want %s", tt.typ, tt.in, got, err, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	ok := "-- @description: d\n-- @param year: int, default 2014, the year, of all\n-- @param d: text, default 'a,b'\n-- @tags: x\nSELECT $year, $d;\n"
	q, err := Parse("ok", "ok.sql", ok)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Param{{Name: "year", Type: Int, Default: "2014", HasDefault: true, Description: "the year, of all", Line: 2},
		{Name: "d", Type: Text, Default: "a,b", HasDefault: true, Line: 3}}; !reflect.DeepEqual(q.Params, want) {
		t.Errorf("params %+v\nwant %+v", q.Params, want)
	}
	if !strings.HasSuffix(q.SQL, "\nSELECT $year, $d") {
		t.Errorf("SQL %q", q.SQL)
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"bad", "-- @param year: integer\nSELECT $year", []string{"bad.sql:1: no @description", "bad.sql:1: parameter year: type \"integer\" is not one of int, text, date, decimal, bool"}},
		{"bad", "-- @description: d\n-- @param y: int\nSELECT $year", []string{"bad.sql:3: $year is used but not declared", "bad.sql:2: parameter y is declared but the SQL does not use $y"}},
		{"bad", "-- @description: d\nSELECT 1;\nSELECT 2;", []string{"bad.sql:3: a saved query is one statement"}},
		{"bad", "-- @description: d\nDELETE FROM marts.coverage", []string{"bad.sql:2: 已拒绝：DELETE", "refused: DELETE"}},
		{"bad", "-- @description: d\n-- @param y: int, default x\nSELECT $y", []string{"bad.sql:2: default: 参数 y 的值 \"x\" 不是整数", "parameter y: \"x\" is not a whole number"}},
		{"bad", "-- @description: d\n-- @owner: me\nSELECT 1", []string{"bad.sql:2: unknown annotation @owner"}},
		{"Bad-Name", "-- @description: d\nSELECT 1", []string{"name the file in lower case"}},
	}
	for _, tt := range tests {
		_, err := Parse(tt.name, tt.name+".sql", tt.src)
		if err == nil {
			t.Errorf("%q: no error", tt.src)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error\n%v\nlacks %q", tt.src, err, w)
			}
		}
	}
}

func TestLoadReportsEveryFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.sql"), []byte("SELECT 1"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.sql"), []byte("-- @description: b\nSELECT $x"), 0o644)
	_, err := LoadDir(dir)
	var el ErrorList
	if !errors.As(err, &el) || len(el) != 2 || el[0].File != "a.sql" || el[1].File != "b.sql" {
		t.Errorf("err = %v, want one problem of each file", err)
	}
}

// TestSandboxedSessionRefusals runs, in an analyst's session, what would
// reach beyond the warehouse: each is refused in plain words, and the
// files are unchanged.
func TestSandboxedSessionRefusals(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Dir(sample.Path)
	live := filepath.Join(dir, "w.duckdb")
	key := live + ".key"
	if err := os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(key)
	before, _ := os.ReadFile(live)
	conn, err := sample.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tests := []struct{ stmt, want string }{
		{fmt.Sprintf("SELECT * FROM read_text('%s')", key), "touch no other file"},
		{fmt.Sprintf("SELECT content FROM read_blob('%s')", key), "touch no other file"},
		{"SELECT * FROM read_csv('/etc/passwd', sep = ':')", "touch no other file"},
		{fmt.Sprintf("COPY (SELECT 1) TO '%s'", live), "--out FILE"},
		{fmt.Sprintf("ATTACH '%s' AS live", live), "ATTACH"},
		{"SET autoinstall_known_extensions = true", "locked"},
		{"SET threads = 1", "locked"},
		{"LOAD httpfs", "no extension"},
		{"SELECT * FROM read_xlsx('x.xlsx')", "excel extension"},
		{"SELECT * FROM 'https://example.com/data.csv'", "touch no other file"},
	}
	for _, tt := range tests {
		_, err := Exec(ctx, conn, Statement{Text: tt.stmt, Line: 1})
		var re *RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want a refusal saying %q", tt.stmt, err, tt.want)
		}
	}
	after, _ := os.ReadFile(live)
	if string(before) != string(after) {
		t.Error("the warehouse file changed")
	}
	// Reads and scratch tables still work.
	if _, err := Exec(ctx, conn, Statement{Text: "CREATE TEMP TABLE mine AS SELECT * FROM marts.coverage", Line: 1}); err != nil {
		t.Error(err)
	}
	if res, err := Exec(ctx, conn, Statement{Text: "SELECT count(*) FROM mine", Line: 1}); err != nil || len(res.Rows) != 1 {
		t.Errorf("%v %v", res, err)
	}
}

// The providers to watch in the sample: in 2014 临江启航社会服务中心 failed
// an annual evaluation, of a project that is no centre, so it is not
// disqualified from any later year; no provider is disqualified.
func TestProviderStanding(t *testing.T) {
	cols, rows := run(t, "provider_standing", nil)
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, "|"))
	}
	var want []string
	for _, e := range expected(t, "provider_standing") {
		if e["disqualified"] == "true" || e["failed_evaluations"] != "0" {
			want = append(want, strings.Join([]string{e["year"], e["provider_credit_code"], e["provider"], e["projects"],
				e["failed_evaluations"], "", e["disqualified"], "NULL", e["centres_while_disqualified"], ""}, "|"))
		}
	}
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("columns %v\nrows\n%s\nwant\n%s", cols, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, rows := run(t, "provider_standing", map[string]string{"year": "2013"}); len(rows) != 0 {
		t.Errorf("2013: %v, want none", rows)
	}
}

// With 2013519903003's 2013 annual evaluation failed, 青山致远 is
// disqualified from 2014 on, and the centre it was awarded in 2014 is
// named.
func TestProviderStandingDisqualified(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{Command: "queries test"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := modelstest.LoadTruth(ctx, w, os.DirFS("../samples")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.Exec(`UPDATE raw.evaluations SET facility_score = 0, team_score = 0, activity_score = 0, funding_score = 0, satisfaction = 0
		WHERE year = 2013 AND project_code = '2013519903003' AND stage = 'annual'`); err != nil {
		t.Fatal(err)
	}
	p, err := models.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(ctx, w.DB, models.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	q, err := library(t).Get("provider_standing")
	if err != nil {
		t.Fatal(err)
	}
	res, err := q.Run(ctx, w.DB, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Strings() {
		if r[1] == "52519903N49377156B" {
			got = append(got, strings.Join(r, "|"))
		}
	}
	want := []string{
		"2013|52519903N49377156B|青山致远社会工作服务社|3|1|2013519903003|false|NULL|0|",
		"2014|52519903N49377156B|青山致远社会工作服务社|3|0||true|2014|1|2014519903003",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
