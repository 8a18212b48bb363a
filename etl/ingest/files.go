package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shequ/internal/atomic"
)

// A Found file is one file under the inbox.
type Found struct {
	Path    string // absolute, as the file system names it
	Rel     string // relative to the inbox root, '/'-separated, in UTF-8
	Size    int64
	ModTime time.Time
}

// A Skipped entry of the inbox is not a submission: a link, a pipe, a
// folder named like a workbook, a hidden file or an office lock file. It
// is recorded once with its reason (DOMAIN.md §6 marts.submissions,
// status skipped), so that nothing in the inbox passes without a word.
type Skipped struct {
	Rel              string
	Reason, ReasonZh string
}

// Discover lists every file under the inbox, recursively, in the order they
// arrived: oldest modification time first, then by path (DOMAIN.md §3),
// and every entry that is not a submission with the reason it is skipped.
// Names that are not UTF-8 (a zip made on Chinese Windows keeps GBK bytes)
// are decoded as GB18030, else kept with their bytes escaped.
func Discover(inbox string) ([]Found, []Skipped, error) {
	var out []Found
	var skipped []Skipped
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != inbox {
				// An entry that vanished or cannot be read while the inbox
				// is walked waits for the next run.
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
					if d != nil && d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
			}
			return err
		}
		if p == inbox {
			return nil
		}
		rel, err := filepath.Rel(inbox, p)
		if err != nil {
			return err
		}
		rel = utf8Path(filepath.ToSlash(rel))
		name := d.Name()
		skip := func(reason, zh string) error {
			skipped = append(skipped, Skipped{Rel: rel, Reason: reason, ReasonZh: zh})
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasPrefix(name, "~$"):
			return skip("office lock file: the workbook was open when it was copied",
				"这是办公软件打开工作簿时留下的临时锁文件（~$ 开头），不是报送文件，已跳过。")
		case strings.HasPrefix(name, "."):
			return skip("hidden (the name starts with '.')",
				"文件或文件夹名以“.”开头，系统将其视为隐藏，未读取；如确为报送文件，请改名后重新放入。")
		case d.IsDir():
			if looksLikeData(name) {
				return skip("a folder named like a workbook: only the files inside it are read",
					"这是一个以表格文件名命名的文件夹，不是文件；只读取其中的文件。")
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return skip("a symbolic link: copy the file itself into the inbox",
				"这是一个快捷方式（符号链接），不是文件本身，未读取；请把文件本身放入收件箱。")
		case !d.Type().IsRegular():
			return skip("not a regular file (a pipe, socket or device)",
				"这不是普通文件（可能是管道或设备），未读取。")
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		abs, _ := filepath.Abs(p)
		out = append(out, Found{Path: abs, Rel: rel, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read inbox %s: %w", inbox, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.Before(out[j].ModTime)
		}
		return out[i].Rel < out[j].Rel
	})
	return out, skipped, nil
}

// looksLikeData tells a name a district's file would have.
func looksLikeData(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".et", ".ods":
		return true
	}
	return false
}

// utf8Path gives a path in UTF-8: as it is when it is, else each element
// that is not decoded from GB18030 (what Chinese Windows writes in a zip),
// else with its invalid bytes escaped as \xNN.
func utf8Path(p string) string {
	if utf8.ValidString(p) {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if utf8.ValidString(s) {
			continue
		}
		if d, err := simplifiedchinese.GB18030.NewDecoder().String(s); err == nil && utf8.ValidString(d) && !strings.ContainsRune(d, utf8.RuneError) {
			parts[i] = d
			continue
		}
		var b strings.Builder
		for len(s) > 0 {
			r, n := utf8.DecodeRuneInString(s)
			if r == utf8.RuneError && n <= 1 {
				fmt.Fprintf(&b, `\x%02X`, s[0])
				s = s[1:]
				continue
			}
			b.WriteString(s[:n])
			s = s[n:]
		}
		parts[i] = b.String()
	}
	return strings.Join(parts, "/")
}

// headBytes is how much of a file over the size limit is kept: enough to
// see what it was, never its gigabytes.
const headBytes = 64 << 10

// archive keeps a byte-for-byte copy of a received file under dir, named by
// its hash, and returns its path. The copy is written to a temporary file
// and renamed, so a crash never leaves half a file under the final name.
// A file larger than limit is not copied: only its first headBytes are
// kept, as <hash>.head, beside its digest in raw.submissions.
func archive(dir, src, sha, rel string, size, limit int64) (string, error) {
	ext := strings.ToLower(filepath.Ext(rel))
	over := limit > 0 && size > limit
	if over {
		ext = ".head"
	}
	dst := filepath.Join(dir, sha[:2], sha+ext)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	err = atomic.WriteFileMode(dst, atomic.Private, atomic.PrivateDir, func(w io.Writer) error {
		if over {
			_, err := io.Copy(w, io.LimitReader(in, headBytes))
			return err
		}
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
