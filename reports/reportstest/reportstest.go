// Package reportstest holds the fixtures shared by the reports' tests: the
// sample city's warehouse (samples/truth loaded into raw, every model
// built), its expected marts, and the personal data its staff rosters hold,
// which no report may contain.
package reportstest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shequ/models"
	"shequ/models/modelstest"
	"shequ/samples"
	"shequ/warehouse"
)

// RunID is the run id the sample build is recorded under.
const RunID = 7

// City is the sample city's name.
const City = "江州市"

// Sample builds the sample city's warehouse at path: the truth rows loaded
// as current raw rows, then every model built with the default policy.
func Sample(ctx context.Context, path string) (*warehouse.Warehouse, error) {
	w, err := warehouse.Open(ctx, path, warehouse.Options{Command: "reports test"})
	if err != nil {
		return nil, err
	}
	if err := modelstest.LoadTruth(ctx, w, samples.FS); err != nil {
		w.Close()
		return nil, err
	}
	p, err := models.LoadEmbedded()
	if err != nil {
		w.Close()
		return nil, err
	}
	if _, err := p.Build(ctx, w.DB, models.BuildOptions{RunID: RunID}); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Main is a TestMain for packages that test on the sample city: it builds
// the sample's warehouse in a temporary folder, hands it and the folder to
// setup, runs the tests, then removes everything and exits.
func Main(m *testing.M, setup func(w *warehouse.Warehouse, dir string) error) {
	dir, err := os.MkdirTemp("", "shequ-reports-")
	if err != nil {
		panic(err)
	}
	w, err := Sample(context.Background(), filepath.Join(dir, "w.duckdb"))
	if err != nil {
		panic(err)
	}
	if err := setup(w, dir); err != nil {
		panic(err)
	}
	code := m.Run()
	w.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Expected reads samples/expected/<name>.csv as rows of column → text.
func Expected(name string) ([]map[string]string, error) {
	b, err := fs.ReadFile(samples.FS, "expected/"+name+".csv")
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("expected/%s.csv: %w", name, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out, nil
}

// Personal returns the staff names and masked ID numbers of the sample
// rosters (samples/truth/staff.csv): strings no report may contain.
func Personal() ([]string, error) {
	b, err := fs.ReadFile(samples.FS, "truth/staff.csv")
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range recs[1:] {
		for _, c := range []string{"staff_name", "id_number_masked"} {
			v := strings.TrimSpace(r[col[c]])
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// Program finds an external program a test needs (libreoffice, chromium,
// pdftoppm). Missing, it fails the test in CI (CI set) and skips it
// otherwise: ./scripts/test-deps installs them.
func Program(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s is not installed; run ./scripts/test-deps", strings.Join(names, " or "))
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Artefact is where a test keeps a file for people to look at
// ($SHEQU_TEST_ARTEFACTS, else the system's temporary folder).
func Artefact(name string) string {
	dir := os.Getenv("SHEQU_TEST_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "shequ-test-artefacts")
	}
	os.MkdirAll(dir, 0o755)
	return filepath.Join(dir, name)
}

// Chromium runs headless Chromium (bin, found with Program) with the
// extra arguments, cut off from the network and from any profile, and
// returns what it wrote to stdout and stderr.
func Chromium(t testing.TB, bin string, args ...string) (string, string) {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.Command(bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}
