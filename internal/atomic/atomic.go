// Package atomic writes files so that a reader never sees half of one: the
// content goes to a temporary file in the same directory, is synced, and
// is renamed into place only when complete.
//
// The modes of what it writes are set explicitly, whatever the umask:
// reports and exports are for everyone on the machine (files 0644,
// directories 0755, WriteFile); receipts, the archive and other files that
// hold personal data are for the owner and the group only (0640 and 0750,
// WriteFileMode with Private and PrivateDir); the ID key is the owner's
// alone (0600).
package atomic

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The modes shequ writes with.
const (
	// Public is the mode of reports and exports: everyone may read them.
	Public fs.FileMode = 0o644
	// PublicDir is the mode of the directories of reports and exports.
	PublicDir fs.FileMode = 0o755
	// Private is the mode of files holding personal data (receipts, the
	// archive of received files): the owner and the group may read them.
	Private fs.FileMode = 0o640
	// PrivateDir is the mode of directories holding personal data.
	PrivateDir fs.FileMode = 0o750
	// Secret is the mode of the ID key and its backups: the owner only.
	Secret fs.FileMode = 0o600
	// SecretDir is the mode of a directory made for a secret file.
	SecretDir fs.FileMode = 0o700
)

// WriteFile writes path with write, atomically, readable by everyone
// (0644), creating its missing directories with 0755. On any error the
// temporary file is removed and path is left as it was.
func WriteFile(path string, write func(w io.Writer) error) error {
	return WriteFileMode(path, Public, PublicDir, write)
}

// WriteFileMode writes path with write, atomically, with mode (exactly,
// whatever the umask), creating the missing directories above it with
// dirMode (MkdirAll). Directories that already exist keep their mode. On
// any error the temporary file is removed and path is left as it was.
func WriteFileMode(path string, mode, dirMode fs.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := MkdirAll(dir, dirMode); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600, so that nobody reads the content
	// before the mode is set; the mode is set before the rename.
	if err = tmp.Chmod(mode.Perm()); err != nil {
		return err
	}
	// Buffered: writers such as templates write in many small pieces.
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// MkdirAll creates dir and every missing directory above it with mode,
// exactly (os.MkdirAll's mode is cut by the umask). Directories that
// already exist keep their mode.
func MkdirAll(dir string, mode fs.FileMode) error {
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, mode.Perm()); err != nil {
		if errors.Is(err, fs.ErrExist) { // made meanwhile by another
			return nil
		}
		return err
	}
	return os.Chmod(dir, mode.Perm())
}
