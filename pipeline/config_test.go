package pipeline

import (
	"context"
	"math"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestMemoryLimit: the writer's DuckDB memory limit is
// DefaultMemoryLimit unless $SHEQU_MEMORY_LIMIT (or the Config) says
// otherwise, and the warehouse opened for writing has it.
func TestMemoryLimit(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if c := Resolve(Config{}, env(nil)); c.MemoryLimit != DefaultMemoryLimit {
		t.Errorf("default: %q, want %q", c.MemoryLimit, DefaultMemoryLimit)
	}
	if c := Resolve(Config{}, env(map[string]string{Env.MemoryLimit: "2GB"})); c.MemoryLimit != "2GB" {
		t.Errorf("from the environment: %q, want 2GB", c.MemoryLimit)
	}
	if c := Resolve(Config{MemoryLimit: "300MB"}, env(map[string]string{Env.MemoryLimit: "2GB"})); c.MemoryLimit != "300MB" {
		t.Errorf("a flag's value is kept: %q, want 300MB", c.MemoryLimit)
	}

	ctx := context.Background()
	prev := debug.SetMemoryLimit(math.MaxInt64) // as when GOMEMLIMIT is not set
	defer debug.SetMemoryLimit(prev)
	for _, tc := range []struct{ set, want string }{{"", "366.2 MiB"}, {"1GB", "953.6 MiB"}} {
		c := Resolve(Config{Warehouse: filepath.Join(t.TempDir(), "w.duckdb"), MemoryLimit: tc.set}, env(nil))
		w, err := New(c).Open(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = w.DB.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&got)
		w.Close()
		if err != nil || got != tc.want {
			t.Errorf("MemoryLimit %q: DuckDB's memory_limit %q, %v; want %s", tc.set, got, err, tc.want)
		}
		if g := debug.SetMemoryLimit(-1); g != GoMemoryLimit {
			t.Errorf("the Go runtime's memory limit %d, want %d", g, GoMemoryLimit)
		}
	}
	// A limit already set (GOMEMLIMIT) is left alone.
	debug.SetMemoryLimit(1 << 30)
	w, err := New(Resolve(Config{Warehouse: filepath.Join(t.TempDir(), "w.duckdb")}, env(nil))).Open(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if g := debug.SetMemoryLimit(-1); g != 1<<30 {
		t.Errorf("a Go memory limit set before was changed to %d", g)
	}
}
