// Package samples embeds the public sample city (江州市): the messy
// submissions districts sent (inbox/batch1, then inbox/batch2), the clean
// rows behind them (truth) and every mart computed independently of SQL
// (expected). The demo runs on it and the golden tests compare against it.
// It is a copy of ../shared/samples; MANIFEST.md says what each file shows.
//
// Go's embed refuses some of the districts' file names (full-width
// brackets such as （更正）), so the inbox is embedded as inbox.zip, kept
// identical to the inbox/ folder by TestInboxZip; regenerate it with
//
//	go test ./samples -run TestInboxZip -update
package samples

import (
	"archive/zip"
	"bytes"
	"embed"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// FS holds truth/, expected/ and MANIFEST.md.
//
//go:embed truth expected MANIFEST.md
var FS embed.FS

//go:embed inbox.zip
var inboxZip []byte

// Inbox returns the sample inbox (batch1/…, batch2/…) as a file system.
func Inbox() (fs.FS, error) {
	return zip.NewReader(bytes.NewReader(inboxZip), int64(len(inboxZip)))
}

// CopyBatch writes one batch of the sample inbox ("batch1" or "batch2") to
// dir/<batch>, in name order, and returns the paths written.
func CopyBatch(batch, dir string) ([]string, error) {
	fsys, err := Inbox()
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, batch)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	if err := os.MkdirAll(filepath.Join(dir, batch), 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, path.Join(batch, e.Name()))
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, batch, e.Name())
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// zipDir packs a directory's files into a zip with stable order and times.
func zipDir(root string) ([]byte, error) {
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), ".") {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			return nil, err
		}
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(n)))
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
