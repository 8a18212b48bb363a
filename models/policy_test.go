package models

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultPolicy(t *testing.T) {
	p := embeddedProject(t)
	pol := p.Policy()
	for _, tbl := range pol.Tables {
		if tbl.Spec.Column("source") == nil {
			t.Errorf("policy table %s has no source column", tbl.Spec.Name)
		}
		for _, r := range tbl.Rows {
			if strings.TrimSpace(r.Values["source"]) == "" {
				t.Errorf("%s:%d has no source", r.File, r.Line)
			}
		}
	}
	want := map[string]int{"parameters": 42, "reward_rates": 4, "reward_budget": 0, "star_bands": 4, "rooms": 18,
		"service_catalogue": 92, "tranches": 3, "submission_kinds": 7}
	for name, n := range want {
		if tbl := pol.Table(name); tbl == nil || len(tbl.Rows) != n {
			t.Errorf("policy.%s: want %d rows", name, n)
		}
	}
	if r := pol.Parameter("coverage_target_rural"); r == nil || r.Values["value"] != "0.30" || r.Values["source"] != "seed 003 §2" {
		t.Errorf("coverage_target_rural = %+v", r)
	}
}

func TestServiceCatalogue(t *testing.T) {
	cat, err := ServiceItems()
	if err != nil {
		t.Fatal(err)
	}
	codes, err := ServiceCatalogue()
	if err != nil || len(codes) != 92 || !codes["1.1.1"] || codes["7.1.1"] {
		t.Errorf("ServiceCatalogue: %d codes, %v", len(codes), err)
	}
	perTable := map[int]int{}
	for _, it := range cat {
		perTable[it.Table]++
	}
	if want := map[int]int{1: 13, 2: 21, 3: 10, 4: 37, 5: 4, 6: 7}; !reflect.DeepEqual(perTable, want) {
		t.Errorf("sub-items per table = %v, want %v (DOMAIN §4)", perTable, want)
	}
	if it := cat["4.2.10"]; it.Category != "featured" || it.Major != "4.2" {
		t.Errorf("4.2.10 = %+v", it)
	}
	if it := cat["5.2.1"]; it.Category != "external" {
		t.Errorf("5.2.1 = %+v", it)
	}
	if _, ok := cat["7.1.1"]; ok {
		t.Error("7.1.1 is not in the catalogue")
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPolicyOverrides(t *testing.T) {
	p := embeddedProject(t)
	dir := t.TempDir()
	params := writeFile(t, dir, "parameters.csv", "name,value\ncoverage_target_rural,0.5\n")
	budget := writeFile(t, dir, "reward_budget_2014.csv", "year,budget,note\n2014,1000000,next year's budget\n")
	byHeader := writeFile(t, dir, "what-if.csv", "\xef\xbb\xbfstars,min_score\n4,85\n")
	pol, err := p.PolicyWith(params, budget, byHeader)
	if err != nil {
		t.Fatal(err)
	}
	r := pol.Parameter("coverage_target_rural")
	if r.Values["value"] != "0.5" || r.Values["source"] != "override parameters.csv" || r.Values["unit"] != "ratio" {
		t.Errorf("coverage_target_rural after override = %v", r.Values)
	}
	if p.Policy().Parameter("coverage_target_rural").Values["value"] != "0.30" {
		t.Error("the override changed the project's default policy")
	}
	b := pol.Table("reward_budget")
	if len(b.Rows) != 1 || b.Rows[0].Values["budget"] != "1000000" || b.Rows[0].Values["source"] != "override reward_budget_2014.csv" {
		t.Errorf("reward_budget = %+v", b.Rows)
	}
	for _, row := range pol.Table("star_bands").Rows {
		if row.Values["stars"] == "4" && (row.Values["min_score"] != "85" || row.Values["max_score_exclusive"] != "90") {
			t.Errorf("4-star band = %v", row.Values)
		}
	}
	var origins []string
	for _, v := range pol.Versions() {
		if v.Origin == "override" {
			origins = append(origins, v.Table+" "+filepath.Base(v.File))
		}
	}
	if got := strings.Join(origins, ", "); got != "parameters parameters.csv, reward_budget reward_budget_2014.csv, star_bands what-if.csv" {
		t.Errorf("override versions = %s", got)
	}
}

func TestPolicyOverrideErrors(t *testing.T) {
	p := embeddedProject(t)
	dir := t.TempDir()
	tests := []struct {
		name, file, content, want string
	}{
		{"unknown parameter", "parameters.csv", "name,value\ncoverage_target_rual,0.5\n", "parameters.csv:2: name=coverage_target_rual: no such row in policy table parameters"},
		{"bad value", "parameters.csv", "name,value\ncoverage_target_rural,half\n", `parameters.csv:2: value: "half" is not a number`},
		{"unknown column", "parameters.csv", "name,valeu\ncoverage_target_rural,0.5\n", `parameters.csv:1: column 2 "valeu" is not a column of policy table parameters`},
		{"no key", "parameters.csv", "value\n0.5\n", "parameters.csv:1: column name is missing"},
		{"unrecognised", "plan.csv", "colour,size\nred,2\n", "not shaped like any policy table"},
		{"new row lacks columns", "reward_rates.csv", "year_from,year_to\n2020,2021\n", "reward_rates.csv:2: new row year_from=2020 needs column rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, dir, tt.file, tt.content)
			_, err := p.PolicyWith(f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant one containing %q", err, tt.want)
			}
		})
	}
	if _, err := p.PolicyWith(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("a missing override file was accepted")
	}
}

func TestPolicyStatements(t *testing.T) {
	spec := &PolicyTableSpec{Name: "bands", Key: []string{"stars"}, Columns: []PolicyColumn{
		{Name: "stars", Type: "int", Required: true}, {Name: "min", Type: "decimal(38,9)"}, {Name: "ok", Type: "bool"}, {Name: "source", Type: "text"},
	}}
	tbl := &PolicyTable{Spec: spec, Rows: []PolicyRow{
		{Values: map[string]string{"stars": "5", "min": "90", "ok": "true", "source": "seed"}},
		{Values: map[string]string{"stars": "0", "min": "", "ok": "false", "source": "seed"}},
	}}
	got := tbl.Statements()
	want := []Query{
		{SQL: "CREATE OR REPLACE TABLE policy.bands (stars INTEGER, min DECIMAL(38,9), ok BOOLEAN, source VARCHAR)"},
		{SQL: "INSERT INTO policy.bands VALUES (CAST(? AS INTEGER), CAST(? AS DECIMAL(38,9)), CAST(? AS BOOLEAN), CAST(? AS VARCHAR)), " +
			"(CAST(? AS INTEGER), CAST(? AS DECIMAL(38,9)), CAST(? AS BOOLEAN), CAST(? AS VARCHAR))",
			Args: []any{int64(5), "90", true, "seed", int64(0), nil, false, "seed"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements:\n%#v\nwant\n%#v", got, want)
	}
}
