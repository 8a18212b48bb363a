// Package atomic writes files so that a reader never sees half of one: the
// content goes to a temporary file in the same directory, is synced, and
// is renamed into place only when complete.
package atomic

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// WriteFile creates path's directory if needed and writes path with
// write, atomically. On any error the temporary file is removed and path
// is left as it was.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
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
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
