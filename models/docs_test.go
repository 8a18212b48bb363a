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
	pol := read("policy.html")
	for _, want := range []string{`id="param-coverage_target_rural"`, `id="star_bands"`, "assumption", "1.1.1", `href="models/marts.evaluation_scores.html"`} {
		if !strings.Contains(pol, want) {
			t.Errorf("policy.html lacks %q", want)
		}
	}
}
