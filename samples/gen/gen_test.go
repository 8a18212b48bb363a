package gen_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"shequ/etl/ingest"
	"shequ/models"
	"shequ/samples/gen"
	"shequ/warehouse"
)

// tiny is a small city: enough districts for every habit to show up a few
// times, small enough for a unit test.
func tiny(out string, workers int) gen.Config {
	return gen.Config{Communities: 450, FromYear: 2013, ToYear: 2014, Activities: 6000, Seed: 7, Out: out, Workers: workers}
}

// TestDeterministic generates the same city twice, with one worker and with
// four, and compares every byte.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ma, err := gen.Generate(tiny(a, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(tiny(b, 4)); err != nil {
		t.Fatal(err)
	}
	files := append([]string{gen.ManifestName}, func() []string {
		var s []string
		for _, f := range ma.Files {
			s = append(s, f.Path)
		}
		return s
	}()...)
	for _, f := range files {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	c := filepath.Join(dir, "c")
	cfg := tiny(c, 2)
	cfg.Seed++
	mc, err := gen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(filepath.Join(a, ma.Files[0].Path))
	y, _ := os.ReadFile(filepath.Join(c, mc.Files[0].Path))
	if bytes.Equal(x, y) {
		t.Errorf("%s is the same with another seed", ma.Files[0].Path)
	}
}

// TestIngestAndBuild generates a small city, ingests it into a real
// warehouse and builds and tests every model: every file loads (or is a
// duplicate of one that did), exactly the planted bad rows are rejected
// and the planted warnings warned, no 合计 row is wrong, and the data
// tests pass.
func TestIngestAndBuild(t *testing.T) {
	dir := t.TempDir()
	ingestAndBuild(t, dir, tiny(filepath.Join(dir, "inbox"), 0))
}

// TestProvinceWide generates the small city as province-wide yearly
// files — one per kind and year, xlsx and CSV, GBK among the encodings —
// and checks them as TestIngestAndBuild does.
func TestProvinceWide(t *testing.T) {
	dir := t.TempDir()
	cfg := tiny(filepath.Join(dir, "inbox"), 0)
	cfg.ProvinceWide = true
	m := ingestAndBuild(t, dir, cfg)
	if n, most := len(m.Files), 8*(cfg.ToYear-cfg.FromYear+1); n > most || n < most-2 {
		t.Errorf("%d files, want one per kind and year (%d)", n, most)
	}
	encodings := map[string]bool{}
	for _, f := range m.Files {
		encodings[f.Encoding] = true
		if f.District != "" {
			t.Errorf("%s is a district's file (%s)", f.Path, f.District)
		}
	}
	if !encodings["gbk"] && !encodings["gb18030"] {
		t.Errorf("encodings %v: want GBK or GB18030 among them", encodings)
	}
}

func ingestAndBuild(t *testing.T, dir string, cfg gen.Config) *gen.Manifest {
	ctx := context.Background()
	inbox := cfg.Out
	m, err := gen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	formats, encodings, dups := map[string]int{}, map[string]int{}, 0
	for _, f := range m.Files {
		formats[f.Format]++
		encodings[f.Encoding]++
		if f.DuplicateOf != "" {
			dups++
		}
	}
	t.Logf("%d files %v %v, %d rows, %d bad, %d warned", len(m.Files), formats, encodings, m.Rows, m.Bad, m.Warned)
	if formats["xlsx"] == 0 || formats["csv"] == 0 {
		t.Errorf("formats %v: want both xlsx and csv", formats)
	}
	if share := float64(m.Bad) / float64(m.Rows); share < 0.002 || share > 0.01 {
		t.Errorf("planted bad share %.4f, want about %.3f", share, gen.DefaultBadShare)
	}

	w, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cat, err := models.ServiceCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ingest.Run(ctx, w, ingest.Options{Inbox: inbox, Catalogue: cat, IDKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Quarantined != 0 || s.Loaded != len(m.Files)-dups || s.Duplicates != dups {
		for _, f := range s.Files {
			if f.Status == ingest.StatusQuarantined {
				t.Logf("quarantined %s: %s", f.File, f.Reason)
			}
		}
		t.Errorf("%d loaded, %d duplicates, %d quarantined; want %d, %d, 0", s.Loaded, s.Duplicates, s.Quarantined, len(m.Files)-dups, dups)
	}
	byPath := map[string]gen.FileInfo{}
	for _, f := range m.Files {
		byPath[f.Path] = f
	}
	for _, f := range s.Files {
		g := byPath[f.File]
		if f.Status != ingest.StatusLoaded {
			continue
		}
		if f.Read != g.Rows || f.Rejected != g.Bad || f.Warned != g.Warned {
			t.Errorf("%s: read %d, rejected %d, warned %d; generated %d rows, %d bad, %d warned", f.File, f.Read, f.Rejected, f.Warned, g.Rows, g.Bad, g.Warned)
		}
	}
	if s.Rejected != m.Bad || s.Warned != m.Warned {
		t.Errorf("%d rejected, %d warned; planted %d bad and %d warnings", s.Rejected, s.Warned, m.Bad, m.Warned)
	}
	var activities, wrongTotals int
	if err := w.DB.QueryRow(`SELECT count(*) FROM raw.activities`).Scan(&activities); err != nil {
		t.Fatal(err)
	}
	if activities != cfg.Activities {
		t.Errorf("%d activities loaded, want %d", activities, cfg.Activities)
	}
	// A 合计 that disagrees is only ever on a row rejected for its own
	// error (a wide expenditure row with a negative category).
	if err := w.DB.QueryRow(`SELECT count(*) FROM raw.rejects t WHERE code = 'total_mismatch'
		AND NOT EXISTS (SELECT 1 FROM raw.rejects e WHERE e.severity = 'error' AND e.file = t.file AND e.sheet = t.sheet AND e."row" = t."row")`).Scan(&wrongTotals); err != nil {
		t.Fatal(err)
	}
	if wrongTotals != 0 {
		t.Errorf("%d 合计 cells disagree with the rows above them", wrongTotals)
	}

	p, err := models.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	br, err := p.Build(ctx, w.DB, models.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range br.Failed() {
		t.Errorf("model %s failed: %v", f.Model.Name, f.Err)
	}
	tr, err := p.Test(ctx, w.DB, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range tr.Failed() {
		t.Errorf("data test %s %s failed: %d rows %v %v", o.Model, o.Test, o.Failures, o.Rows, o.Err)
	}
	var covered int
	if err := w.DB.QueryRow(`SELECT count(*) FROM marts.coverage WHERE covered > 0`).Scan(&covered); err != nil {
		t.Fatal(err)
	}
	if covered == 0 {
		t.Error("no community is covered by a project")
	}
	return m
}
