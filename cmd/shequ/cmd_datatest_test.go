package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"shequ/internal/files"
	"shequ/warehouse"
)

// TestFailingDataTestIsNamedAndCounted: with a row that breaks a unique
// test, `shequ test` names the test, the model and the offending row,
// exits 1, and ops.runs records the failed run with how many tests failed.
func TestFailingDataTestIsNamedAndCounted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	wh := filepath.Join(dir, "shequ.duckdb")
	if err := files.Copy(demoWarehouse(t), wh); err != nil {
		t.Fatal(err)
	}
	w, err := warehouse.Open(ctx, wh, warehouse.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// A second row of one year, district and urban_rural.
	if _, err := w.DB.ExecContext(ctx, `INSERT INTO marts.coverage SELECT * FROM marts.coverage
		WHERE year = 2014 AND district = '青山区' AND urban_rural = 'urban'`); err != nil {
		t.Fatal(err)
	}
	w.Close()

	out, errOut, code := shequ(t, dir, "test", "--warehouse", wh)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{"marts.coverage", "unique(year, district, urban_rural) failed on 1 row(s)", "2014 | 青山区 | urban", "1 of "} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", want, out, errOut)
		}
	}

	r, err := warehouse.Open(ctx, wh, warehouse.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var status string
	var failed int
	if err := r.DB.QueryRowContext(ctx, `SELECT status, coalesce(tests_failed, 0) FROM ops.runs
		WHERE job = 'test' ORDER BY run_id DESC LIMIT 1`).Scan(&status, &failed); err != nil {
		t.Fatal(err)
	}
	if status != warehouse.RunFailed || failed != 1 {
		t.Errorf("ops.runs: status %s, tests_failed %d; want failed and 1", status, failed)
	}
}
