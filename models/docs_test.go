package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDocs(t *testing.T) {
	p := embeddedProject(t)
	dir := t.TempDir()
	if err := p.WriteDocs(dir); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	index := read("index.html")
	for _, m := range p.Models() {
		if !strings.Contains(index, `href="models/`+m.Name+`.html"`) {
			t.Errorf("index.html does not link %s", m.Name)
		}
		page := read(filepath.Join("models", m.Name+".html"))
		for _, u := range m.Upstream {
			if !strings.Contains(page, `href="`+u+`.html"`) {
				t.Errorf("%s page does not link upstream %s", m.Name, u)
			}
		}
		for _, d := range m.Downstream {
			if !strings.Contains(page, `href="`+d+`.html"`) {
				t.Errorf("%s page does not link downstream %s", m.Name, d)
			}
		}
		for _, c := range m.Columns {
			if !strings.Contains(page, `id="col-`+c.Name+`"`) {
				t.Errorf("%s page lacks column %s", m.Name, c.Name)
			}
		}
	}
	cov := read(filepath.Join("models", "marts.coverage.html"))
	for _, want := range []string{
		"Policy parameters read", `href="../policy.html#param-coverage_target_rural"`, "seed 003 §2",
		`href="intermediate.community_years.html"`, "unique(year, district, urban_rural)", "covered_within_communities",
	} {
		if !strings.Contains(cov, want) {
			t.Errorf("marts.coverage page lacks %q", want)
		}
	}
	// The rules of issue #13: the new parameter with its source, the new
	// mart with its columns and tests.
	staffing := read(filepath.Join("models", "marts.staffing.html"))
	for _, want := range []string{`href="../policy.html#param-staffing_min_full_time_large"`, `id="col-required_full_time"`, "full_time_issue_iff_below_required"} {
		if !strings.Contains(staffing, want) {
			t.Errorf("marts.staffing page lacks %q", want)
		}
	}
	ps := read(filepath.Join("models", "marts.provider_standing.html"))
	for _, want := range []string{`id="col-centres_while_disqualified"`, "disqualified_for_good", "unique(year, provider_credit_code)", `href="marts.evaluation_scores.html"`} {
		if !strings.Contains(ps, want) {
			t.Errorf("marts.provider_standing page lacks %q", want)
		}
	}
	pol := read("policy.html")
	for _, want := range []string{`id="param-coverage_target_rural"`, `id="param-staffing_min_full_time_large"`, `id="star_bands"`, "assumption", "1.1.1", `href="models/marts.evaluation_scores.html"`} {
		if !strings.Contains(pol, want) {
			t.Errorf("policy.html lacks %q", want)
		}
	}
}
