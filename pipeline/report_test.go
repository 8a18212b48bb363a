package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/samples/gen"
)

// TestRunReportsEveryYearWithNewData runs the nightly job on a generated
// city twice: the first run receives two years at once and writes the
// reports of both (it wrote only the latest before); the second receives
// a third year only and writes its reports, not the others' again.
func TestRunReportsEveryYearWithNewData(t *testing.T) {
	ctx := context.Background()
	p, events := newCity(t)
	cfg := p.Config()
	staging := t.TempDir()
	if _, err := gen.Generate(gen.Config{Communities: 40, FromYear: 2013, ToYear: 2015, Activities: 900, Seed: 5, Out: staging, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	arrive := func(year string) {
		t.Helper()
		quarters, _ := filepath.Glob(filepath.Join(staging, year+"Q*"))
		if len(quarters) == 0 {
			t.Fatalf("the generator wrote no folder of %s", year)
		}
		os.MkdirAll(cfg.Inbox, 0o755)
		for _, q := range quarters {
			if err := os.Rename(q, filepath.Join(cfg.Inbox, filepath.Base(q))); err != nil {
				t.Fatal(err)
			}
		}
	}
	written := func() map[string]bool {
		got := map[string]bool{}
		for _, y := range []string{"2013", "2014", "2015"} {
			if _, err := os.Stat(filepath.Join(cfg.Out, y, "社区服务年度报告_"+y+".html")); err == nil {
				got[y] = true
			}
		}
		return got
	}
	check := func(run string, want ...string) {
		t.Helper()
		got := written()
		for _, y := range want {
			if !got[y] {
				t.Errorf("%s: no report of %s written", run, y)
			}
			delete(got, y)
		}
		for y := range got {
			t.Errorf("%s: the report of %s was written, but it got no new data", run, y)
		}
	}

	arrive("2013")
	arrive("2014")
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("first run (2013 and 2014 arrive)", "2013", "2014")
	var lines []string
	for _, ev := range *events {
		if ev.Stage == "report" {
			lines = append(lines, ev.Line)
		}
	}
	if text := strings.Join(lines, "\n"); !strings.Contains(text, "✓ 报表：2013 年") || !strings.Contains(text, "report: 2013 in") || !strings.Contains(text, "report: 2014 in") {
		t.Errorf("the report stage said:\n%s", text)
	}

	for _, y := range []string{"2013", "2014"} {
		os.RemoveAll(filepath.Join(cfg.Out, y))
	}
	arrive("2015")
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("second run (2015 arrives)", "2015")
}
