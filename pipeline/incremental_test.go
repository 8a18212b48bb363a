package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"shequ/models"
	"shequ/models/modelstest"
	"shequ/official"
	"shequ/samples"
	"shequ/warehouse"
)

// fileStates lists every file under dir with its size, modification time
// and SHA-256.
func fileStates(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = fmt.Sprintf("%d %s %s", info.Size(), info.ModTime(), hex.EncodeToString(sum[:8]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tableDigests digests every table of the warehouse but ops's (the
// record of runs), by schema.name.
func tableDigests(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE NOT internal AND schema_name <> 'ops' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	d, err := models.RawDigests(context.Background(), db, names)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func diffStates(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if before[k] != after[k] {
			t.Errorf("%s %s changed: %q → %q", what, k, before[k], after[k])
		}
	}
}

// TestRunWithNothingNew: a run that finds no new file, and no change of
// policy, models or settings, builds, tests and reports nothing: the
// reports, the exports and the snapshot readers use are left as they
// were, every table but the record of runs too; the run is recorded ok
// with the note that nothing changed. A change of policy makes the next
// run do the work again.
func TestRunWithNothingNew(t *testing.T) {
	p, _ := sampleCity(t)
	c := p.Config()
	ctx := context.Background()
	snap := warehouse.FilesOf(c.Warehouse).Snapshot
	digests := func() map[string]string {
		w, err := p.Open(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		return tableDigests(t, w.DB)
	}
	tablesBefore := digests()
	outBefore := fileStates(t, c.Out)
	snapshot := func() string {
		st := fileStates(t, filepath.Dir(snap))
		return st[snap]
	}
	snapBefore := snapshot()
	var lines []string
	p.cfg.OnEvent = func(ev Event) {
		if ev.Kind == Done {
			lines = append(lines, ev.Stage+": "+ev.Line)
		}
	}
	res, err := p.Run(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, "\n"); !strings.Contains(got, "nothing changed since run") || strings.Contains(got, "build:") || strings.Contains(got, "report:") {
		t.Errorf("a run with nothing new said:\n%s", got)
	}
	diffStates(t, "out:", outBefore, fileStates(t, c.Out))
	if after := snapshot(); after != snapBefore || after == "" {
		t.Errorf("the snapshot changed: %q → %q", snapBefore, after)
	}
	diffStates(t, "table", tablesBefore, digests())

	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	var status, note string
	var steps, modelRuns int
	if err := w.DB.QueryRow(`SELECT status, coalesce(error, ''), (SELECT count(*) FROM ops.runs WHERE parent_run_id = ? AND step <> 'ingest'),
		(SELECT count(*) FROM ops.model_runs WHERE run_id >= ?) FROM ops.runs WHERE run_id = ?`, res.RunID, res.RunID, res.RunID).Scan(&status, &note, &steps, &modelRuns); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if status != warehouse.RunOK || !strings.HasPrefix(note, "自第 ") || !strings.Contains(note, "nothing changed since run") || steps != 0 || modelRuns != 0 {
		t.Errorf("the run is recorded %s %q with %d steps besides its ingest and %d model runs; want ok, nothing changed, 0 and 0", status, note, steps, modelRuns)
	}

	// A full run does the work whatever changed: every model built.
	lines = nil
	if _, err := p.RunWith(ctx, "test", RunOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, "\n"); strings.Contains(got, "nothing changed") || strings.Contains(got, "up to date") || !strings.Contains(got, "build: ✓ built") {
		t.Errorf("a full run said:\n%s", got)
	}

	// A change of policy is a change: the next run builds and reports.
	w, err = p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.Project()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := official.SetPolicy(ctx, w.DB, pr, "reward_budget.csv", []byte("year,budget\n2014,1000000\n"), "王芳", "预算调整"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	lines = nil
	if _, err := p.Run(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, "\n"); strings.Contains(got, "nothing changed") || !strings.Contains(got, "build:") || !strings.Contains(got, "report:") {
		t.Errorf("a run after a change of policy said:\n%s", got)
	}
}

// TestIncrementalBuildEqualsFullRebuild: the nightly run's build is
// incremental; after the sample city's batch1, after batch2 and after a
// change of policy, every table it left is the one a full rebuild makes
// (row by row, on a copy of the warehouse), and the marts of both
// batches are the independent oracle's.
func TestIncrementalBuildEqualsFullRebuild(t *testing.T) {
	p, events := newCity(t)
	c := p.Config()
	ctx := context.Background()
	pr, err := p.Project()
	if err != nil {
		t.Fatal(err)
	}
	run := func(stage string) *models.BuildResult {
		t.Helper()
		*events = nil
		if _, err := p.Run(ctx, "test"); err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		for _, ev := range *events {
			if b, ok := ev.Result.(*models.BuildResult); ok && ev.Kind == Done {
				t.Logf("%s: %s", stage, b.Summary())
				return b
			}
		}
		t.Fatalf("%s: the run built nothing", stage)
		return nil
	}
	compare := func(stage string) {
		t.Helper()
		cp := filepath.Join(t.TempDir(), "copy.duckdb")
		b, err := os.ReadFile(c.Warehouse)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := warehouse.Open(ctx, cp, warehouse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		overrides, _, err := official.StoredOverrides(ctx, w.DB)
		if err != nil {
			t.Fatal(err)
		}
		diffs, _, err := pr.EqualsFullRebuild(ctx, w.DB, models.BuildOptions{Overrides: overrides})
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		for _, d := range diffs {
			t.Errorf("%s: incremental ≠ full rebuild: %s", stage, d)
		}
	}
	oracle := func(stage string) {
		t.Helper()
		w, err := p.Open(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		diffs, err := modelstest.CompareExpected(ctx, w.DB, samples.FS)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Errorf("%s: %v", stage, d)
		}
	}

	if _, err := samples.CopyBatch("batch1", c.Inbox); err != nil {
		t.Fatal(err)
	}
	run("batch1")
	compare("batch1")

	if _, err := samples.CopyBatch("batch2", c.Inbox); err != nil {
		t.Fatal(err)
	}
	run("batch2")
	compare("batch2")
	oracle("batch2")

	w, err := p.Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := official.SetPolicy(ctx, w.DB, pr, "reward_budget.csv", []byte("year,budget\n2014,1000000\n"), "王芳", "预算调整"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	b := run("a change of policy")
	if b.Count(models.StatusUnchanged) == 0 || b.Count(models.StatusOK) == 0 {
		t.Errorf("after a change of the reward budget: %s; want some models built and the others unchanged", b.Summary())
	}
	for _, m := range b.Models {
		if m.Status == models.StatusOK && m.Model.Materialized == "table" && !strings.Contains(m.Why, "policy.reward_budget") && !strings.Contains(m.Why, "marts.") && !strings.Contains(m.Why, "intermediate.") {
			t.Errorf("%s was built after a change of the reward budget: %s", m.Model.Name, m.Why)
		}
	}
	compare("a change of policy")
}
