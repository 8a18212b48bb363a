package read

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"shequ/etl"
	"shequ/etl/xlsx"
)

// Workbooks in the formats etl/xlsx recognises but cannot read — Excel
// 97-2003 (.xls), WPS (.et), OpenDocument (.ods) — are converted to .xlsx by
// LibreOffice, when it is installed, and the copy is read. No Go reader of
// these formats is well kept (extrame/xls and shakinm/xlsReader panic on
// files in the wild and have long-open issues about it, xlsReader is GPL;
// the .ods readers decode the whole document into memory and expand
// repeated cells without bound), and LibreOffice reads what Excel and WPS
// write.
//
// The conversion runs in a temporary directory of its own, with a
// LibreOffice profile of its own (conversions may run side by side), an
// input filter named for the format (a damaged file fails instead of being
// read as text), a timeout, limits on its memory and on the size of the
// files it writes, and no network where the system lets a process drop it
// (unshare -n). The copy is read with the same limits as any workbook.
// The directory is removed by Close.

// ConvertTimeout bounds one conversion.
var ConvertTimeout = 2 * time.Minute

// convertMemory bounds LibreOffice's virtual memory during a conversion.
const convertMemory = 4 << 30

// libreOffice finds the LibreOffice program ("" when it is not installed);
// tests replace it.
var libreOffice = func() string {
	for _, n := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// A Converted book is a workbook read through an .xlsx copy LibreOffice
// made of it.
type Converted struct {
	*xlsx.Book
	format string
	dir    string
	copy   string
}

var _ etl.Book = (*Converted)(nil)

// Format is the format of the file the district sent: "xls", "et" or
// "ods".
func (b *Converted) Format() string { return b.format }

// Copy is the path of the .xlsx copy, until Close.
func (b *Converted) Copy() string { return b.copy }

// Close closes the copy and removes it with its directory.
func (b *Converted) Close() error {
	err := b.Book.Close()
	if e := os.RemoveAll(b.dir); err == nil {
		err = e
	}
	return err
}

// convertFormat names the format of a file xlsx.Open refused with err, if
// LibreOffice can convert it: "xls", "et" (an .xls workbook named as WPS
// names its own) or "ods".
func convertFormat(path string, err error) string {
	switch {
	case errors.Is(err, xlsx.ErrLegacyXLS):
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".et" || ext == ".ett" {
			return "et"
		}
		return "xls"
	case errors.Is(err, xlsx.ErrODS):
		return "ods"
	}
	return ""
}

// LibreOffice's input filter for each format.
var inFilter = map[string]string{"xls": "MS Excel 97", "et": "MS Excel 97", "ods": "calc8"}

// Chinese names of the formats, for the district.
var zhFormat = map[string]string{"xls": "旧版 Excel 97-2003 (.xls)", "et": "WPS 表格 (.et)", "ods": "OpenDocument 表格 (.ods)"}

// openConverted converts the file at path, in format, and opens the copy.
// cause is why etl/xlsx refused the file: the error when LibreOffice is
// not installed.
func openConverted(path, format string, lim etl.Limits, cause error) (etl.Book, error) {
	soffice := libreOffice()
	if soffice == "" {
		return nil, cause
	}
	dir, err := os.MkdirTemp("", "shequ-convert-")
	if err != nil {
		return nil, err
	}
	b, err := convert(soffice, path, format, dir, lim)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return b, nil
}

func convert(soffice, path, format, dir string, lim etl.Limits) (*Converted, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// LibreOffice names its output after its input: give it a name of ours.
	in := filepath.Join(dir, "in."+format)
	if err := os.Symlink(abs, in); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out")
	args := []string{
		"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
		"--infilter=" + inFilter[format], "--convert-to", "xlsx", "--outdir", out, in,
	}
	ctx, cancel := context.WithTimeout(context.Background(), ConvertTimeout)
	defer cancel()
	cmd := limitedCommand(ctx, soffice, args, lim.MaxFileBytes)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TMPDIR="+dir, "SAL_USE_VCLPLUGIN=svp")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.WaitDelay = 10 * time.Second
	runErr := cmd.Run()
	dst := filepath.Join(out, "in.xlsx")
	if ctx.Err() != nil {
		return nil, &etl.FileError{File: path, Reason: etl.ReasonTooLarge,
			Zh:  fmt.Sprintf("文件是%s格式，转换为 .xlsx 超时（超过 %s），无法读取，请用 Excel 或 WPS 另存为 .xlsx 后重新报送。", zhFormat[format], ConvertTimeout),
			Err: fmt.Errorf("libreoffice took longer than %s converting %s to xlsx", ConvertTimeout, format)}
	}
	if _, err := os.Stat(dst); err != nil || runErr != nil {
		return nil, &etl.FileError{File: path, Reason: etl.ReasonCorrupt,
			Zh:  fmt.Sprintf("文件是%s格式，转换为 .xlsx 时出错（文件可能已损坏或设置了密码），无法读取，请用 Excel 或 WPS 打开后另存为 .xlsx 重新报送。", zhFormat[format]),
			Err: fmt.Errorf("libreoffice could not convert %s to xlsx (%v): %s", format, runErr, lastLines(log.String(), 3))}
	}
	b, err := xlsx.Open(dst, lim)
	if err != nil {
		if fe, ok := etl.AsFileError(err); ok {
			// The copy stands for the file the district sent.
			c := *fe
			c.File = path
			c.Err = fmt.Errorf("the .xlsx copy of a .%s file: %w", format, fe.Err)
			return nil, &c
		}
		return nil, err
	}
	return &Converted{Book: b, format: format, dir: dir, copy: dst}, nil
}

// limitedCommand runs the program with bounded virtual memory and size of
// the files it writes (through the shell's ulimit), without network where
// unshare may drop it, in a process group of its own that ctx's end kills
// whole (LibreOffice runs as more than one process).
func limitedCommand(ctx context.Context, prog string, args []string, maxFile int64) *exec.Cmd {
	sh, err := exec.LookPath("sh")
	if err != nil {
		return exec.CommandContext(ctx, prog, args...)
	}
	// ulimit -f counts 512-byte blocks in POSIX sh (1024 in bash: twice the
	// bound, still one).
	script := fmt.Sprintf(`ulimit -v %d && ulimit -f %d && exec "$0" "$@"`, convertMemory>>10, maxFile/512+1)
	argv := append([]string{sh, "-c", script, prog}, args...)
	if pre := noNetwork(); pre != nil {
		argv = append(pre, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	ownGroup(cmd)
	return cmd
}

var (
	noNetOnce sync.Once
	noNetArgv []string
)

// noNetwork is the command that runs a program without network (unshare
// into a network namespace of its own, as root or in a user namespace), or
// nil where the system refuses both.
func noNetwork() []string {
	noNetOnce.Do(func() {
		p, err := exec.LookPath("unshare")
		if err != nil {
			return
		}
		for _, flags := range []string{"-n", "-rn"} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := exec.CommandContext(ctx, p, flags, "--", "true").Run()
			cancel()
			if err == nil {
				noNetArgv = []string{p, flags, "--"}
				return
			}
		}
	})
	return noNetArgv
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
