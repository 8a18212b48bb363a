package models

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shequ/models/modelstest"
	"shequ/warehouse"
)

// sampleFS is the sample city (truth/ and expected/). The files are read
// from disk: package samples embeds the same folder.
var sampleFS = os.DirFS("../samples")

// truthWarehouse opens a fresh warehouse holding the sample city's clean
// rows as current raw rows.
func truthWarehouse(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{Command: "models test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := modelstest.LoadTruth(ctx, w, sampleFS); err != nil {
		t.Fatal(err)
	}
	return w
}

func embeddedProject(t testing.TB) *Project {
	t.Helper()
	p, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func buildAll(t testing.TB, p *Project, w *warehouse.Warehouse, opt BuildOptions) *BuildResult {
	t.Helper()
	res, err := p.Build(context.Background(), w.DB, opt)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return res
}

func TestGoldenMarts(t *testing.T) {
	w := truthWarehouse(t)
	p := embeddedProject(t)
	res := buildAll(t, p, w, BuildOptions{RunID: 7})
	t.Log(res.Summary())
	diffs, err := modelstest.CompareExpected(context.Background(), w.DB, sampleFS)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range diffs {
		if i == 60 {
			t.Errorf("… %d more differences", len(diffs)-i)
			break
		}
		t.Error(d)
	}
	// Every policy mart has its expected file, and so was compared.
	entries, err := fs.ReadDir(sampleFS, "expected")
	if err != nil {
		t.Fatal(err)
	}
	var compared []string
	for _, e := range entries {
		if mart, ok := strings.CutSuffix(e.Name(), ".csv"); ok && !strings.HasPrefix(mart, "expected_") {
			compared = append(compared, mart)
		}
	}
	if got, want := strings.Join(compared, " "), strings.Join(modelstest.PolicyMarts, " "); got != want {
		t.Errorf("expected marts %s, want %s", got, want)
	}
	var n int
	if err := w.DB.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 14 {
		t.Errorf("%d tables in marts, want the 14 of DOMAIN §6", n)
	}
	// Every model run is recorded.
	var runs int
	if err := w.DB.QueryRow(`SELECT count(*) FROM ops.model_runs WHERE run_id = 7 AND status = 'ok'`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != len(p.Models()) {
		t.Errorf("ops.model_runs has %d ok runs, want %d", runs, len(p.Models()))
	}
	var rows int64
	if err := w.DB.QueryRow(`SELECT rows FROM ops.model_runs WHERE run_id = 7 AND model = 'marts.evaluation_scores'`).Scan(&rows); err != nil || rows != 53 {
		t.Errorf("recorded rows of marts.evaluation_scores = %d, %v; want 53", rows, err)
	}
	// A mart row traces back to the submissions behind it.
	var kinds string
	if err := w.DB.QueryRow(`SELECT string_agg(DISTINCT kind || ':' || CAST(submission_id AS VARCHAR), ' ' ORDER BY kind || ':' || CAST(submission_id AS VARCHAR))
		FROM intermediate.lineage WHERE year = 2013 AND project_code = 'LJ2013-004'`).Scan(&kinds); err != nil {
		t.Fatal(err)
	}
	if want := "activities:6 communities:1 evaluations:7 expenditures:5 facilities:8 project_communities:3 projects:2 staff:4"; kinds != want {
		t.Errorf("lineage of 2013 LJ2013-004 = %s, want %s", kinds, want)
	}
	var dq string
	if err := w.DB.QueryRow(`SELECT string_agg(CAST(year AS VARCHAR) || ' ' || district || ' missing=' || kinds_missing || ' rejected=' || CAST(rows_rejected AS VARCHAR)
		|| ' latest=' || CAST(latest_submission_date AS VARCHAR), '; ' ORDER BY year, district) FROM marts.data_quality`).Scan(&dq); err != nil {
		t.Fatal(err)
	}
	if want := "2013 临江区 missing= rejected=0 latest=2015-01-10; 2013 青山区 missing= rejected=0 latest=2015-01-10; " +
		"2014 临江区 missing= rejected=0 latest=2015-01-10; 2014 青山区 missing= rejected=0 latest=2015-01-10"; dq != want {
		t.Errorf("data_quality = %s\nwant %s", dq, want)
	}
	if t.Failed() {
		return
	}
	// And the data tests pass on the sample.
	tr, err := p.Test(context.Background(), w.DB, "")
	if err != nil {
		for _, o := range tr.Failed() {
			t.Error(o.Report())
		}
		t.Fatal(err)
	}
	t.Log(tr.Summary())
	if !strings.HasPrefix(tr.Summary(), "✓") {
		t.Errorf("summary %q", tr.Summary())
	}
}
