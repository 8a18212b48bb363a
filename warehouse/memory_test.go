package warehouse

import (
	"context"
	"os"
	"testing"
)

// TestWriterSpillsBesideTheWarehouse: a writer with a memory limit has it
// in DuckDB, spills what does not fit into the temp folder beside the
// warehouse, and removes that folder when it closes.
func TestWriterSpillsBesideTheWarehouse(t *testing.T) {
	ctx := context.Background()
	path := tempWarehouse(t)
	w, err := Open(ctx, path, Options{Command: "test", MemoryLimit: "64MB"})
	if err != nil {
		t.Fatal(err)
	}
	tmp := w.Files().Temp
	var dir, limit string
	if err := w.DB.QueryRowContext(ctx, "SELECT current_setting('temp_directory'), current_setting('memory_limit')").Scan(&dir, &limit); err != nil {
		t.Fatal(err)
	}
	if dir != tmp || limit != "61.0 MiB" {
		t.Errorf("temp_directory %q, memory_limit %q; want %q, 61.0 MiB (64 MB)", dir, limit, tmp)
	}
	// A sort of ~200 MB of rows does not fit in 64 MB: it spills, and
	// still finishes.
	var n int64
	if err := w.DB.QueryRowContext(ctx, `SELECT max(rn) FROM (SELECT row_number() OVER (ORDER BY s) AS rn
		FROM (SELECT md5(i::VARCHAR) || md5((i+1)::VARCHAR) AS s FROM range(2000000) t(i)))`).Scan(&n); err != nil || n != 2000000 {
		t.Fatal(n, err)
	}
	var spilled int64
	if err := w.DB.QueryRowContext(ctx, "SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()").Scan(&spilled); err != nil {
		t.Fatal(err)
	}
	t.Logf("spill files still open after the sort: %d bytes", spilled)
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("the sort did not spill into %s: %v", tmp, err)
	}
	// A second connection of the pool takes the same settings.
	c1, _ := w.DB.Conn(ctx)
	c2, err := w.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.QueryRowContext(ctx, "SELECT current_setting('temp_directory')").Scan(&dir); err != nil || dir != tmp {
		t.Errorf("a new connection: temp_directory %q, %v", dir, err)
	}
	c1.Close()
	c2.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("%s is left after Close: %v", tmp, err)
	}
}
