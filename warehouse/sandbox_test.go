package warehouse

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestSandboxReadsNothingButTheWarehouse: a sandboxed session reads its
// database and nothing else: not the ID key beside it, not /etc/passwd; it
// writes no file (COPY … TO over the warehouse itself), attaches nothing,
// and no SET can turn any of that back on.
func TestSandboxReadsNothingButTheWarehouse(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	w, err := Open(ctx, path, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.ExecContext(ctx, `CREATE TABLE marts.t AS SELECT 1 AS a`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PublishSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	w.Close()
	key := path + ".key"
	os.WriteFile(key, []byte("0123456789abcdef\n"), 0o600)
	snap := SnapshotPath(path)
	before, beforeSnap := fileSum(t, path), fileSum(t, snap)

	r, src, err := OpenReader(ctx, path, Options{Sandbox: true, Threads: 1, MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !src.Snapshot {
		t.Fatalf("opened %s", src)
	}
	var a int
	if err := r.DB.QueryRowContext(ctx, `SELECT a FROM marts.t`).Scan(&a); err != nil || a != 1 {
		t.Fatalf("the sandbox cannot read its own database: %v", err)
	}
	var threads string
	if err := r.DB.QueryRowContext(ctx, `SELECT current_setting('threads')::VARCHAR`).Scan(&threads); err != nil || threads != "1" {
		t.Errorf("threads = %q, %v; want the option's 1", threads, err)
	}
	dir := filepath.Dir(path)
	for _, q := range []string{
		fmt.Sprintf(`SELECT * FROM read_text('%s')`, key),
		fmt.Sprintf(`SELECT * FROM read_blob('%s')`, key),
		fmt.Sprintf(`COPY (SELECT 1) TO '%s'`, path),
		fmt.Sprintf(`COPY (SELECT 1) TO '%s' (FORMAT csv)`, snap),
		fmt.Sprintf(`COPY marts.t TO '%s'`, filepath.Join(dir, "t.csv")),
		fmt.Sprintf(`EXPORT DATABASE '%s'`, filepath.Join(dir, "export")),
		`SELECT * FROM read_csv('/etc/passwd')`,
		`SELECT * FROM glob('/etc/*')`,
		`SELECT * FROM 'https://example.com/x.csv'`,
		fmt.Sprintf(`ATTACH '%s' AS live`, path),
		fmt.Sprintf(`ATTACH '%s' AS other`, filepath.Join(dir, "other.duckdb")),
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`SET autoinstall_known_extensions = true`,
		`SET autoload_known_extensions = true`,
		`SET enable_external_access = true`,
		`SET lock_configuration = false`,
		`RESET enable_external_access`,
	} {
		if _, err := r.DB.ExecContext(ctx, q); err == nil {
			t.Errorf("%s ran in a sandbox", q)
		} else if !strings.Contains(err.Error(), "disabled") && !strings.Contains(err.Error(), "locked") &&
			!strings.Contains(err.Error(), "read-only") {
			t.Logf("%s: %v", q, err)
		}
	}
	for _, s := range []string{"enable_external_access", "lock_configuration", "autoinstall_known_extensions", "autoload_known_extensions"} {
		var v string
		if err := r.DB.QueryRowContext(ctx, `SELECT current_setting(?)::VARCHAR`, s).Scan(&v); err != nil {
			t.Fatal(err)
		}
		want := "false"
		if s == "lock_configuration" {
			want = "true"
		}
		if v != want {
			t.Errorf("%s = %s, want %s", s, v, want)
		}
	}
	if fileSum(t, path) != before || fileSum(t, snap) != beforeSnap {
		t.Error("the warehouse or its snapshot changed")
	}
	for _, f := range []string{"t.csv", "export", "other.duckdb"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	// A scratch table still works.
	if _, err := r.DB.ExecContext(ctx, `CREATE TEMP TABLE x AS SELECT 1`); err != nil {
		t.Errorf("CREATE TEMP TABLE in a sandbox: %v", err)
	}
}

func TestSandboxIsReadOnly(t *testing.T) {
	if _, err := Open(context.Background(), tempWarehouse(t), Options{Sandbox: true}); err == nil {
		t.Error("a writer opened sandboxed")
	}
}

func TestWritingFindsTheOpenWriter(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	if Writing(path) != nil {
		t.Fatal("a writer before any open")
	}
	w, err := Open(ctx, path, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(mustGetwd(t), path)
	if Writing(path) != w || Writing(rel) != w {
		t.Error("Writing does not find the open writer")
	}
	w.Close()
	if Writing(path) != nil {
		t.Error("a closed writer is still found")
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
