package atomic

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"shequ/internal/files"
)

// A Folder is the next version of a directory, written beside it and put
// in its place as a whole: a reader (or a process killed midway) sees the
// whole old version or the whole new one, never files of both.
//
//	f, err := atomic.StageDir("out/2014", true)
//	… write into f.Path …
//	err = f.Commit() // or f.Abort()
//
// On Linux the two directories are exchanged in one rename
// (renameat2 RENAME_EXCHANGE); where that is not supported the old one is
// moved aside first, and a process killed between the two renames leaves
// it beside, put back by the next StageDir or CleanDir.
type Folder struct {
	Dir  string // the directory replaced
	Path string // the new version being written: .NAME.tmp-XXXX beside Dir
	done bool
}

// StageDir begins the next version of dir. With keep, the new version
// starts as a copy of the current one (hard links, so nothing is copied
// and what the writer does not rewrite stays as it was); the writer
// replaces files with WriteFile or WriteFileMode, never by writing into
// them in place, which would change the current version too. Leftovers of
// earlier writers killed midway are cleaned first.
//
// Writers of one folder must not run at once: hold LockDir on a folder
// above it.
func StageDir(dir string, keep bool) (*Folder, error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := MkdirAll(parent, PublicDir); err != nil {
		return nil, err
	}
	CleanDir(dir)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, err
	}
	f := &Folder{Dir: dir, Path: tmp}
	mode := PublicDir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		mode = st.Mode().Perm()
		if keep {
			if err := linkTree(dir, tmp); err != nil {
				f.Abort()
				return nil, fmt.Errorf("stage %s: %w", dir, err)
			}
		}
	}
	// MkdirTemp makes the folder 0700: it gets the mode of the folder it
	// replaces (0755 for a new one) now, so that files written into it
	// are not hidden by it once it is in place.
	if err := os.Chmod(tmp, mode); err != nil {
		f.Abort()
		return nil, err
	}
	return f, nil
}

// Commit puts the new version in place of the old one, which is removed.
func (f *Folder) Commit() error {
	if f.done {
		return errors.New("atomic: folder already committed or aborted")
	}
	f.done = true
	if err := syncDir(f.Path); err != nil {
		os.RemoveAll(f.Path)
		return err
	}
	if err := swapDir(f.Path, f.Dir); err != nil {
		os.RemoveAll(f.Path)
		return fmt.Errorf("put %s in place: %w", f.Dir, err)
	}
	// f.Path now holds the old version (or nothing).
	err := os.RemoveAll(f.Path)
	if serr := syncDir(filepath.Dir(f.Dir)); err == nil {
		err = serr
	}
	return err
}

// Abort removes the new version; the old one stays. Abort after Commit
// does nothing, so that it can be deferred.
func (f *Folder) Abort() {
	if f.done {
		return
	}
	f.done = true
	os.RemoveAll(f.Path)
}

// swapDir puts tmp in the place of dir. Afterwards tmp holds the old dir,
// or does not exist when there was none.
func swapDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	err := exchangeDirs(tmp, dir)
	if err == nil {
		return nil
	}
	if !errors.Is(err, errNoExchange) {
		return err
	}
	// Two renames: the old version aside, the new one in.
	old := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".old-"+randomSuffix())
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("move the earlier version aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.Rename(old, tmp)
}

// exchangeDirs is exchange; the tests take the fallback by replacing it.
var exchangeDirs = exchange

// errNoExchange says the system cannot exchange two directories in one
// rename.
var errNoExchange = errors.New("no exchange rename")

// CleanDir removes what a writer of dir killed midway left beside it: its
// unfinished versions (.NAME.tmp-*), and the earlier version it had moved
// aside (.NAME.old-*), which is put back first when dir itself is missing
// (killed between the two renames of the fallback).
func CleanDir(dir string) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	olds, _ := filepath.Glob(filepath.Join(parent, "."+globEscape(base)+".old-*"))
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) && len(olds) > 0 {
		if os.Rename(olds[0], dir) == nil {
			olds = olds[1:]
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(parent, "."+globEscape(base)+".tmp-*"))
	for _, p := range append(olds, tmps...) {
		os.RemoveAll(p)
	}
}

// CleanTree cleans, in root and the folders directly in it, what writers
// killed midway left: the staged folders of StageDir (CleanDir of each)
// and the temporary files of WriteFile. Call it only while no writer of
// root runs (holding LockDir on root).
func CleanTree(root string) {
	cleanLevel(root, 2)
}

func cleanLevel(dir string, depth int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !leftover(name) {
			if e.IsDir() && depth > 1 {
				cleanLevel(filepath.Join(dir, name), depth-1)
			}
			continue
		}
		if e.IsDir() {
			// .NAME.tmp-XXXX or .NAME.old-XXXX: clean NAME's leftovers.
			base := strings.TrimPrefix(name, ".")
			if i := strings.LastIndex(base, ".tmp-"); i > 0 {
				base = base[:i]
			} else if i := strings.LastIndex(base, ".old-"); i > 0 {
				base = base[:i]
			}
			CleanDir(filepath.Join(dir, base))
			os.RemoveAll(filepath.Join(dir, name)) // a name CleanDir's patterns missed
			continue
		}
		os.Remove(filepath.Join(dir, name))
	}
}

// globEscape quotes the pattern characters of a name for filepath.Glob.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// linkTree makes dst (which exists) a copy of src's tree: folders made
// anew with their modes, files hard-linked (copied where a link cannot be
// made). Leftovers of unfinished writes (.NAME.tmp-*, .NAME.*.tmp) are
// not carried over.
func linkTree(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if leftover(name) {
			continue
		}
		from, to := filepath.Join(src, name), filepath.Join(dst, name)
		switch {
		case e.IsDir():
			st, err := e.Info()
			if err != nil {
				return err
			}
			if err := os.Mkdir(to, st.Mode().Perm()); err != nil {
				return err
			}
			if err := os.Chmod(to, st.Mode().Perm()); err != nil {
				return err
			}
			if err := linkTree(from, to); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := os.Link(from, to); err != nil {
				st, err := e.Info()
				if err != nil {
					return err
				}
				if err := files.Copy(from, to); err != nil {
					return err
				}
				if err := os.Chmod(to, st.Mode().Perm()); err != nil {
					return err
				}
			}
		}
		// Anything else (a symlink, a socket) is not part of a report set
		// and is not carried over.
	}
	return nil
}

// leftover tells the names an interrupted writer leaves: a file being
// written by WriteFile (.NAME.*.tmp) or a folder being staged
// (.NAME.tmp-*, .NAME.old-*).
func leftover(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	return strings.HasSuffix(name, ".tmp") || strings.Contains(name, ".tmp-") || strings.Contains(name, ".old-")
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// A DirLock keeps other processes from writing a folder's tree while it
// is held (flock on the folder itself: no lock file is left behind, and a
// process killed holding it lets go).
type DirLock struct{ f *os.File }

// LockDir waits for the lock on dir (made when missing) and holds it
// until Unlock; waiting, when another holds it, is called once before it
// waits. One holder per process at a time: the lock is not reentrant.
func LockDir(dir string, waiting func()) (*DirLock, error) {
	if err := MkdirAll(dir, PublicDir); err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		if waiting != nil {
			waiting()
		}
		for {
			err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
			if !errors.Is(err, syscall.EINTR) {
				break
			}
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return &DirLock{f: f}, nil
}

// Unlock lets the lock go.
func (l *DirLock) Unlock() {
	if l != nil && l.f != nil {
		l.f.Close() // closing the last descriptor releases the flock
		l.f = nil
	}
}
