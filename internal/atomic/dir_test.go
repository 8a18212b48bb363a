package atomic

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
		t.Fatal(err)
	}
}

// tree lists every file under dir with its content ("a/b.txt=…"), and
// every entry of dir's parent, so that leftovers show.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel+"="+string(b))
		}
		return nil
	})
	es, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range es {
		out = append(out, "../"+e.Name())
	}
	return out
}

func TestStageDir(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		name := "exchange"
		if fallback {
			name = "two renames"
		}
		t.Run(name, func(t *testing.T) {
			if fallback {
				exchangeDirs = func(a, b string) error { return errNoExchange }
				defer func() { exchangeDirs = exchange }()
			}
			out := t.TempDir()
			dir := filepath.Join(out, "2014")
			// The first version: no folder before it.
			f, err := StageDir(dir, true)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(f.Path, "report.html"), "run 1")
			write(t, filepath.Join(f.Path, "试算-a", "report.html"), "trial 1")
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("the folder is there before the commit: %v", err)
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			want := []string{"report.html=run 1", "试算-a/report.html=trial 1", "../2014"}
			if got := tree(t, dir); !slices.Equal(got, want) {
				t.Fatalf("after the first commit: %q, want %q", got, want)
			}
			if st, _ := os.Stat(dir); st.Mode().Perm() != PublicDir {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), PublicDir)
			}
			// The second keeps what it does not rewrite; until the commit
			// the first is untouched, though its files are linked.
			f, err = StageDir(dir, true)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(f.Path, "report.html"), "run 2")
			write(t, filepath.Join(f.Path, "district.html"), "run 2")
			if got := tree(t, dir); !slices.Equal(got[:2], want[:2]) {
				t.Fatalf("the current version changed before the commit: %q", got)
			}
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			want = []string{"district.html=run 2", "report.html=run 2", "试算-a/report.html=trial 1", "../2014"}
			if got := tree(t, dir); !slices.Equal(got, want) {
				t.Fatalf("after the second commit: %q, want %q", got, want)
			}
			// Without keep the new version is only what is written; an
			// aborted one leaves nothing.
			f, _ = StageDir(dir, false)
			write(t, filepath.Join(f.Path, "x.html"), "aborted")
			f.Abort()
			f.Commit()
			if got := tree(t, dir); !slices.Equal(got, want) {
				t.Fatalf("after an abort: %q, want %q", got, want)
			}
			f, _ = StageDir(dir, false)
			write(t, filepath.Join(f.Path, "only.html"), "run 3")
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			want = []string{"only.html=run 3", "../2014"}
			if got := tree(t, dir); !slices.Equal(got, want) {
				t.Fatalf("after a commit without keep: %q, want %q", got, want)
			}
		})
	}
}

// TestCleanDir: what a writer killed at each moment leaves is cleaned by
// the next one, and the folder is the old version or the new one.
func TestCleanDir(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "2014")
	write(t, filepath.Join(dir, "a.html"), "old")
	// Killed while writing: an unfinished version and a half-written file.
	os.MkdirAll(filepath.Join(out, ".2014.tmp-123", "sub"), 0o755)
	os.WriteFile(filepath.Join(out, ".2014.tmp-123", "a.html"), []byte("ne"), 0o644)
	os.WriteFile(filepath.Join(dir, ".a.html.42.tmp"), []byte("ne"), 0o644)
	f, err := StageDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(f.Path); len(es) != 1 || es[0].Name() != "a.html" {
		t.Errorf("the staged copy carries leftovers: %v", es)
	}
	f.Abort()
	if got := tree(t, dir); !slices.Equal(got, []string{".a.html.42.tmp=ne", "a.html=old", "../2014"}) {
		t.Errorf("after cleaning: %q", got)
	}
	// Killed between the fallback's two renames: the old version is put
	// back.
	if err := os.Rename(dir, filepath.Join(out, ".2014.old-abc")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(out, ".2014.tmp-456"), 0o755)
	CleanDir(dir)
	if got := tree(t, dir); !slices.Equal(got, []string{".a.html.42.tmp=ne", "a.html=old", "../2014"}) {
		t.Errorf("after putting the old version back: %q", got)
	}
	// A name with glob characters is cleaned as itself only.
	odd := filepath.Join(out, "试算-[a]*")
	write(t, filepath.Join(odd, "x"), "1")
	os.Mkdir(filepath.Join(out, ".试算-[a]*.tmp-1"), 0o755)
	CleanDir(odd)
	for _, e := range tree(t, odd) {
		if strings.Contains(e, ".tmp-") {
			t.Errorf("left: %s", e)
		}
	}
}

// TestLockDir: a second holder waits for the first.
func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir, func() { t.Error("the first holder waited") })
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		waited := false
		l2, err := LockDir(dir, func() { waited = true })
		if err != nil {
			t.Error(err)
		}
		if !waited {
			t.Error("the second holder was not told it waits")
		}
		l2.Unlock()
		close(got)
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("the second holder did not wait")
	default:
	}
	l.Unlock()
	<-got
}

// TestCleanTree: the leftovers of killed writers in an output folder and
// its year folders go; an old version moved aside comes back; nothing
// else is touched.
func TestCleanTree(t *testing.T) {
	out := t.TempDir()
	write(t, filepath.Join(out, "2013", "a.html"), "2013")
	write(t, filepath.Join(out, "2014", "a.html"), "2014")
	write(t, filepath.Join(out, "exports", "manifest.json"), "{}")
	for _, d := range []string{".2013.tmp-1", ".exports.tmp-2", "2014/.试算-x.tmp-3"} {
		os.MkdirAll(filepath.Join(out, d, "sub"), 0o755)
	}
	os.WriteFile(filepath.Join(out, "2014", ".a.html.123.tmp"), []byte("half"), 0o644)
	os.Rename(filepath.Join(out, "2013"), filepath.Join(out, ".2013.old-4"))
	CleanTree(out)
	var got []string
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			got = append(got, rel)
		}
		return nil
	})
	want := []string{"2013/a.html", "2014/a.html", "exports/manifest.json"}
	if !slices.Equal(got, want) {
		t.Errorf("after CleanTree: %q, want %q", got, want)
	}
}
