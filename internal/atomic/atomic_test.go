package atomic

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "a.txt")
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half of tw")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "one" {
		t.Errorf("after a failed write the file holds %q, want the old %q", b, "one")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestModes writes under a umask that would make files the owner's alone
// (077) and one that would let everyone write them (000): reports are
// 0644 in 0755 directories, private files 0640 in 0750 directories,
// whatever the umask.
func TestModes(t *testing.T) {
	for _, umask := range []int{0o077, 0o000, 0o027} {
		old := syscall.Umask(umask)
		dir := t.TempDir()
		write := func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }
		pub := filepath.Join(dir, "out", "reports", "a.html")
		if err := WriteFile(pub, write); err != nil {
			t.Fatal(err)
		}
		priv := filepath.Join(dir, "receipts", "青山区", "r.xlsx")
		if err := WriteFileMode(priv, Private, PrivateDir, write); err != nil {
			t.Fatal(err)
		}
		syscall.Umask(old)
		for path, want := range map[string]os.FileMode{
			pub: 0o644, filepath.Dir(pub): 0o755, filepath.Dir(filepath.Dir(pub)): 0o755,
			priv: 0o640, filepath.Dir(priv): 0o750, filepath.Dir(filepath.Dir(priv)): 0o750,
		} {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s has mode %04o, want %04o", umask, path, got, want)
			}
		}
	}
}

func TestMkdirAllKeepsExistingModes(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o711)
	if err := MkdirAll(filepath.Join(dir, "a", "b"), PrivateDir); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o711 {
		t.Errorf("an existing directory's mode changed to %04o", st.Mode().Perm())
	}
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o644)
	if err := MkdirAll(filepath.Join(f, "sub"), PrivateDir); err == nil {
		t.Error("MkdirAll under a file succeeded")
	}
}
