package files

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(src, []byte("年度,区\n2014,临江区\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "x", "y", "b.csv")
	if err := Copy(src, dst); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dst)
	if err != nil || string(got) != "年度,区\n2014,临江区\n" {
		t.Fatalf("copy = %q, %v", got, err)
	}
	if err := Copy(filepath.Join(dir, "missing"), dst); !os.IsNotExist(err) {
		t.Errorf("copying a missing file: %v", err)
	}
}
