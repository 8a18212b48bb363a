// Package files copies files: the generator's duplicates, the benchmark's
// staged inboxes, the trial report's warehouse copy.
package files

import (
	"io"
	"os"
	"path/filepath"
)

// Copy copies src to dst, creating dst's directory if needed. It is not
// atomic (internal/atomic is): dst is for the caller alone until it returns.
func Copy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
