package models

import (
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"shequ/internal/sqltext"
)

// miniPolicy is the smallest valid policy folder.
func miniPolicy() fstest.MapFS {
	return fstest.MapFS{
		"policy/schema.yaml": {Data: []byte(`tables:
  - name: parameters
    key: [name]
    closed: true
    columns:
      - {name: name, type: text, required: true}
      - {name: value, type: "decimal(18,9)", required: true}
      - {name: source, type: text, required: true}
`)},
		"policy/parameters.csv": {Data: []byte("name,value,source\nlimit_a,5,assumption\n")},
	}
}

func mapProject(files map[string]string) fstest.MapFS {
	fsys := miniPolicy()
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func loadErrors(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	_, err := Load(fsys)
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T %v is not an ErrorList", err, err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

func TestLoadReportsEveryProblemWithFileAndLine(t *testing.T) {
	fsys := mapProject(map[string]string{
		"staging/a.sql":      "-- @materialized: view\nSELECT * FROM raw.communities",
		"staging/b.sql":      "-- @materialized: view\n-- @description: typo below\nSELECT *\nFROM staging.aa\nJOIN raw.projects USING (year)",
		"intermediate/x.sql": "-- @materialized: table\nSELECT *\nFROM intermediate.y",
		"intermediate/y.sql": "-- @materialized: table\nSELECT *\n\nFROM intermediate.x, staging.a",
		"marts/m.sql":        "-- @materialized: tabel\n-- @colour: red\n-- @test n: positive\nSELECT 1 AS n FROM staging.a, marts.nope, policy.missing, raw.nothing\n-- @tags: late",
		"marts/two.sql":      "-- @materialized: table\nSELECT 1;\nSELECT 2",
		"marts/ddl.sql":      "DROP TABLE raw.projects",
		"marts/self.sql":     "-- @materialized: view\nSELECT * FROM marts.self",
		"marts/t.sql":        "-- @materialized: view\n-- @assert bad: SELECT * FROM marts.gone\n-- @test n: relationships(marts.zz.n)\nSELECT 1 AS n",
	})
	got := loadErrors(t, fsys)
	want := []string{
		"models/intermediate/y.sql:4: dependency cycle intermediate.x → intermediate.y → intermediate.x: a model cannot depend on itself; break the cycle",
		`models/marts/ddl.sql:1: a model is a single SELECT (or WITH … SELECT), found DROP`,
		`models/marts/m.sql:1: @materialized must be table or view, not "tabel"`,
		"models/marts/m.sql:2: unknown annotation @colour: use materialized, description, tags, column, test or assert",
		`models/marts/m.sql:3: unknown test "positive": use not_null, unique, accepted_values, range, relationships (or @assert for custom SQL)`,
		"models/marts/m.sql:4: unknown reference marts.nope: no model of that name: add marts/nope.sql",
		"models/marts/m.sql:4: unknown reference policy.missing: no policy table of that name: add its CSV under policy/ and its shape to policy/schema.yaml",
		"models/marts/m.sql:4: unknown reference raw.nothing: no raw table of that name (see warehouse/migrations)",
		"models/marts/m.sql:5: annotation below the first line of SQL is ignored: move it to the header",
		"models/marts/self.sql:2: dependency cycle marts.self → marts.self: a model cannot depend on itself; break the cycle",
		"models/marts/t.sql:2: unknown reference marts.gone: no model of that name: add marts/gone.sql",
		"models/marts/t.sql:3: unknown reference marts.zz: no model, raw or policy table of that name; did you mean marts.m?",
		"models/marts/two.sql:2: a model holds a single SELECT: remove the statement after this semicolon",
		"models/staging/b.sql:4: unknown reference staging.aa: no model, raw or policy table of that name; did you mean staging.a?",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadCycleThroughThreeModels(t *testing.T) {
	got := loadErrors(t, mapProject(map[string]string{
		"staging/a.sql":      "SELECT * FROM marts.c",
		"intermediate/b.sql": "-- @description: b\nSELECT * FROM staging.a",
		"marts/c.sql":        "SELECT *\nFROM intermediate.b",
	}))
	want := "models/marts/c.sql:2: dependency cycle intermediate.b → marts.c → staging.a → intermediate.b: a model cannot depend on itself; break the cycle"
	if len(got) != 1 || got[0] != want {
		t.Errorf("errors = %q\nwant [%q]", got, want)
	}
}

func TestLoadPolicyProblems(t *testing.T) {
	fsys := mapProject(map[string]string{"staging/a.sql": "SELECT * FROM policy.parameters"})
	fsys["policy/parameters.csv"] = &fstest.MapFile{Data: []byte("name,value,source,colour\nlimit_a,5,assumption,red\nlimit_b,x,,\nlimit_a,1.1234567891,assumption,\n")}
	fsys["policy/extra.csv"] = &fstest.MapFile{Data: []byte("a\n1\n")}
	got := loadErrors(t, fsys)
	want := []string{
		"models/policy/extra.csv: policy file has no table in schema.yaml: describe its columns there",
		`models/policy/parameters.csv:1: column 4 "colour" is not a column of policy table parameters (columns: name, value, source)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	fsys["policy/parameters.csv"] = &fstest.MapFile{Data: []byte("name,value,source\nlimit_a,5,assumption\nlimit_b,x,\nlimit_a,1.1234567891,assumption\n")}
	delete(fsys, "policy/extra.csv")
	got = loadErrors(t, fsys)
	want = []string{
		`models/policy/parameters.csv:3: value: "x" is not a number`,
		"models/policy/parameters.csv:3: source is required",
		`models/policy/parameters.csv:4: value: "1.1234567891" has more than 9 decimal places`,
		"models/policy/parameters.csv:4: key name=limit_a repeats line 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadGraph(t *testing.T) {
	p, err := Load(mapProject(map[string]string{
		"staging/s.sql":      "-- @materialized: view\nSELECT * FROM raw.staff",
		"intermediate/i.sql": "-- @tags: Finance\nSELECT s.*, p.limit_a FROM staging.s s, (SELECT 1) AS p",
		"marts/m.sql":        "-- @materialized: table\nSELECT * FROM intermediate.i JOIN staging.s USING (year)",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range p.Models() {
		order = append(order, m.Name)
	}
	if strings.Join(order, " ") != "staging.s intermediate.i marts.m" {
		t.Errorf("order = %v", order)
	}
	m := p.Model("m")
	if got := strings.Join(m.Upstream, ","); got != "intermediate.i,staging.s" {
		t.Errorf("upstream of marts.m = %s", got)
	}
	if got := strings.Join(p.Model("staging.s").Downstream, ","); got != "intermediate.i,marts.m" {
		t.Errorf("downstream of staging.s = %s", got)
	}
	if got := strings.Join(p.Model("s").Sources, ","); got != "raw.staff" {
		t.Errorf("sources of staging.s = %s", got)
	}
	if got := strings.Join(p.Model("i").Params, ","); got != "limit_a" {
		t.Errorf("params of intermediate.i = %s", got)
	}
	if p.Model("i").Materialized != "view" || !p.Model("i").HasTag("finance") {
		t.Errorf("intermediate.i: materialized %q, tags %v", p.Model("i").Materialized, p.Model("i").Tags)
	}
	if lv := p.Model("m").Level(); lv != 2 {
		t.Errorf("level of marts.m = %d, want 2", lv)
	}
}

func TestEmbeddedProject(t *testing.T) {
	p := embeddedProject(t)
	marts := map[string]bool{}
	for _, m := range p.Models() {
		if m.Schema == "marts" {
			marts[m.Stem] = true
			if m.Materialized != "table" {
				t.Errorf("%s is a %s; marts are tables", m.Name, m.Materialized)
			}
		}
		if m.Description == "" || len(m.Columns) == 0 {
			t.Errorf("%s lacks a description or columns", m.Name)
		}
	}
	for _, name := range []string{"coverage", "staffing", "project_costs", "fund_use", "evaluation_scores", "service_mix",
		"city_rewards", "facility_compliance", "site_subsidies", "payments", "provider_standing", "submissions", "rejects", "data_quality"} {
		if !marts[name] {
			t.Errorf("no model marts.%s (DOMAIN §6)", name)
		}
	}
	if len(marts) != 14 {
		t.Errorf("%d marts, want the 14 of DOMAIN §6", len(marts))
	}
}

// staging.params must have one column per parameter of parameters.csv,
// in the same order, each read by name.
func TestParamsViewMatchesParameters(t *testing.T) {
	p := embeddedProject(t)
	m := p.Model("staging.params")
	names := p.Policy().ParameterNames()
	var cols []string
	for _, c := range m.Columns {
		cols = append(cols, c.Name)
	}
	if strings.Join(cols, ",") != strings.Join(names, ",") {
		t.Fatalf("staging.params columns:\n%v\nparameters.csv:\n%v", cols, names)
	}
	for _, n := range names {
		if !strings.Contains(m.SQL, "WHEN name = '"+n+"' THEN value END) AS DECIMAL(38,9)) AS "+n) {
			t.Errorf("staging.params does not read %s by name", n)
		}
	}
}

// No threshold is a literal inside a model: apart from decimal types,
// the twelve months, year*100+month (also yuan to fen) and rounding to the
// fen (round(…, 2), and fen back to yuan: * 0.01), the only numbers in
// model SQL are 0 and 1.
func TestNoLiteralThresholds(t *testing.T) {
	p := embeddedProject(t)
	types := regexp.MustCompile(`(?i)DECIMAL\(\d+,\s*\d+\)`)
	months := regexp.MustCompile(`(?i)VALUES(\s*\(\d+\)\s*,?)+`)
	yearMonth := regexp.MustCompile(`\*\s*100\b`)
	round2 := regexp.MustCompile(`(?i)round\(([^()]|\([^()]*\))*,\s*2\)`)
	fenToYuan := regexp.MustCompile(`\*\s*0\.01\b`)
	number := regexp.MustCompile(`(?:^|[^A-Za-z0-9_.])(\d+(?:\.\d+)?)`)
	for _, m := range p.Models() {
		body := sqltext.Blank(m.Body())
		for _, re := range []*regexp.Regexp{types, months, yearMonth, round2, fenToYuan} {
			body = re.ReplaceAllString(body, " ")
		}
		for _, lit := range number.FindAllStringSubmatch(body, -1) {
			switch lit[1] {
			case "0", "1", "0.0", "1.0":
			default:
				t.Errorf("%s holds the literal %s: read it from the policy", m.Name, lit[1])
			}
		}
	}
}
