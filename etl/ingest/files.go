package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"shequ/internal/atomic"
)

// A Found file is one file under the inbox.
type Found struct {
	Path    string // absolute
	Rel     string // relative to the inbox root, '/'-separated
	Size    int64
	ModTime time.Time
}

// Discover lists every file under the inbox, recursively, in the order they
// are ingested: oldest modification time first, then by path (DOMAIN.md
// §3). Hidden files and the lock files office programs leave beside an open
// workbook (~$name.xlsx) are not submissions and are left alone.
func Discover(inbox string) ([]Found, error) {
	var out []Found
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != inbox && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(inbox, p)
		if err != nil {
			return err
		}
		abs, _ := filepath.Abs(p)
		out = append(out, Found{Path: abs, Rel: filepath.ToSlash(rel), Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read inbox %s: %w", inbox, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.Before(out[j].ModTime)
		}
		return out[i].Rel < out[j].Rel
	})
	return out, nil
}

// archive keeps a byte-for-byte copy of a received file under dir, named by
// its hash, and returns its path. The copy is written to a temporary file
// and renamed, so a crash never leaves half a file under the final name.
func archive(dir, src, sha, rel string) (string, error) {
	dst := filepath.Join(dir, sha[:2], sha+strings.ToLower(filepath.Ext(rel)))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	err = atomic.WriteFile(dst, func(w io.Writer) error {
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(w, h), in); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sha {
			return fmt.Errorf("%s changed while it was being read (sha256 %s, then %s); it will be taken on the next run", rel, sha, got)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return dst, nil
}
