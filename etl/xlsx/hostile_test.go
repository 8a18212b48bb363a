package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shequ/etl"
)

// Hostile workbooks: small files that unpack to far more than they hold.
// They are generated here, never checked in, and read in a child process
// whose peak memory (the kernel's maximum resident set size) is checked
// against a stated bound; a watchdog kills the child long before it could
// hurt the machine.

// repeatDeflate builds the deflate stream of prefix + unit*n + suffix
// without compressing n units: it compresses prefix and one warm-up chunk,
// then one chunk (a whole number of units, at least the 32 KiB window),
// and repeats that chunk's compressed bytes. Every back-reference inside
// the chunk reaches at most 32 KiB back, into the chunk before it, whose
// bytes are the same whichever copy it is. It returns the compressed head,
// chunk and tail, how many times the chunk is to be repeated, and the CRC
// and size of the whole uncompressed text.
func repeatDeflate(prefix, unit []byte, n int, suffix []byte) (head, chunk, tail []byte, reps int, crc uint32, size uint64) {
	per := max(1, (1<<20)/len(unit))
	if n < 2*per {
		per = max(1, n/2)
	}
	chunkText := bytes.Repeat(unit, per)
	reps = n/per - 1 // the warm-up chunk is one of the n/per
	rest := bytes.Repeat(unit, n-(reps+1)*per)

	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(prefix)
	fw.Write(chunkText)
	fw.Flush()
	head = append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	fw.Write(chunkText)
	fw.Flush()
	chunk = append([]byte(nil), buf.Bytes()...)
	buf.Reset()
	fw.Write(rest)
	fw.Write(suffix)
	fw.Close()
	tail = append([]byte(nil), buf.Bytes()...)

	c := crc32.NewIEEE()
	c.Write(prefix)
	c.Write(chunkText)
	for range reps {
		c.Write(chunkText)
	}
	c.Write(rest)
	c.Write(suffix)
	size = uint64(len(prefix) + len(chunkText)*(reps+1) + len(rest) + len(suffix))
	return head, chunk, tail, reps, c.Sum32(), size
}

// noisyText is base repeated to at least n bytes with a letter put in
// every so many times: text that compresses to about 1/700 of its size.
func noisyText(base string, n, every int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		for range every {
			b = append(b, base...)
		}
		b = append(b, byte('A'+i%23))
	}
	return b
}

// writeRaw stores a member from its compressed pieces.
func writeRaw(zw *zip.Writer, name string, crc uint32, size uint64, pieces ...[]byte) error {
	var csize uint64
	for _, p := range pieces {
		csize += uint64(len(p))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: csize, UncompressedSize64: size})
	if err != nil {
		return err
	}
	for _, p := range pieces {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// writeRepeated stores prefix + unit*n + suffix as one member.
func writeRepeated(zw *zip.Writer, name string, prefix, unit []byte, n int, suffix []byte) error {
	head, chunk, tail, reps, crc, size := repeatDeflate(prefix, unit, n, suffix)
	pieces := [][]byte{head}
	for range reps {
		pieces = append(pieces, chunk)
	}
	return writeRaw(zw, name, crc, size, append(pieces, tail)...)
}

// hostileBook writes a workbook with the given sheets (the minimal parts
// around them) and lets extra add members; it returns the path.
func hostileBook(t testing.TB, name string, sheets int, extra func(zw *zip.Writer) error) string {
	t.Helper()
	names := make([]string, sheets)
	for i := range names {
		names[i] = "S" + strconv.Itoa(i+1)
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for _, p := range minimalParts(names...) {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.data)
	}
	if err := extra(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	t.Logf("%s: %d bytes", name, fi.Size())
	return path
}

const hostileHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const hostileTail = `</sheetData></worksheet>`

// The hostile workbooks of issue #20.
var hostile = map[string]func(t testing.TB) string{
	// 2 000 sheets of 1 MiB each (~40 000 one-cell rows) in a ~3 MB file.
	"sheets": func(t testing.TB) string {
		return hostileBook(t, "sheets.xlsx", 2000, func(zw *zip.Writer) error {
			unit := []byte(`<row><c><v>1</v></c></row>`)
			head, chunk, tail, reps, crc, size := repeatDeflate([]byte(hostileHead), unit, (1<<20)/len(unit), []byte(hostileTail))
			pieces := [][]byte{head}
			for range reps {
				pieces = append(pieces, chunk)
			}
			pieces = append(pieces, tail)
			for i := 1; i <= 2000; i++ {
				if err := writeRaw(zw, fmt.Sprintf("xl/worksheets/sheet%d.xml", i), crc, size, pieces...); err != nil {
					return err
				}
			}
			return nil
		})
	},
	// One cell of 1 GiB of Chinese text, inline in the sheet, in a 1.4 MB
	// file (under the ratio that marks a zip bomb).
	"inline cell": func(t testing.TB) string {
		return hostileBook(t, "cell.xlsx", 1, func(zw *zip.Writer) error {
			unit := noisyText("啊", 1<<20, 3000)
			return writeRepeated(zw, "xl/worksheets/sheet1.xml",
				[]byte(hostileHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>`), unit, (1<<30)/len(unit),
				[]byte(`</t></is></c></row>`+hostileTail))
		})
	},
	// The same cell as rich text: runs of 32 KiB, each short enough alone.
	"rich text cell": func(t testing.TB) string {
		return hostileBook(t, "rich.xlsx", 1, func(zw *zip.Writer) error {
			var unit []byte
			for len(unit) < 1<<20 {
				unit = append(append(append(unit, "<r><t>"...), noisyText("啊", 32<<10, 3000)...), "</t></r>"...)
			}
			return writeRepeated(zw, "xl/worksheets/sheet1.xml",
				[]byte(hostileHead+`<row r="1"><c r="A1" t="inlineStr"><is>`), unit, (1<<30)/len(unit),
				[]byte(`</is></c></row>`+hostileTail))
		})
	},
	// One shared string of 1 GiB.
	"shared string": func(t testing.TB) string {
		return hostileBook(t, "sst.xlsx", 1, func(zw *zip.Writer) error {
			w, err := zw.Create("xl/worksheets/sheet1.xml")
			if err != nil {
				return err
			}
			io.WriteString(w, hostileHead+`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`+hostileTail)
			unit := noisyText("a", 1<<20, 6000)
			return writeRepeated(zw, "xl/sharedStrings.xml",
				[]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`),
				unit, (1<<30)/len(unit), []byte(`</t></si></sst>`))
		})
	},
	// A styles part of 100 MiB of cell formats in a 300 KB file (decoded by
	// excelize, it took 1 GB).
	"styles": func(t testing.TB) string {
		return hostileBook(t, "styles.xlsx", 1, func(zw *zip.Writer) error {
			w, err := zw.Create("xl/worksheets/sheet1.xml")
			if err != nil {
				return err
			}
			io.WriteString(w, hostileHead+`<row r="1"><c r="A1"><v>1</v></c></row>`+hostileTail)
			return writeRepeated(zw, "xl/styles.xml",
				[]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="1">`),
				[]byte(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`), (100<<20)/64, []byte(`</cellXfs></styleSheet>`))
		})
	},
	// 1 048 575 rows, each with one cell in column XFD.
	"xfd": func(t testing.TB) string {
		return hostileBook(t, "xfd.xlsx", 1, func(zw *zip.Writer) error {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate})
			if err != nil {
				return err
			}
			bw := bufio.NewWriterSize(w, 1<<20)
			bw.WriteString(hostileHead)
			for r := 1; r <= 1048575; r++ {
				fmt.Fprintf(bw, `<row r="%d"><c r="XFD%d"><v>1</v></c></row>`, r, r)
			}
			bw.WriteString(hostileTail)
			return bw.Flush()
		})
	},
}

// childResult is what the child reports.
type childResult struct {
	Reason, Zh, Err string
	Rows, Cells     int64
}

// The memory a hostile workbook may cost, and the size at which the
// watchdog kills the child.
const (
	hostileMaxRSS  = 100 << 20
	hostileKillRSS = 2 << 30
)

// TestHostileWorkbooks reads each hostile workbook in a child process:
// each must be refused with a FileError within hostileMaxRSS of memory.
func TestHostileWorkbooks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("measures memory through /proc")
	}
	if testing.Short() {
		t.Skip("writes and reads several hostile workbooks")
	}
	want := map[string]string{
		"sheets":         etl.ReasonTooLarge,
		"rich text cell": etl.ReasonTooLarge,
		"styles":         etl.ReasonTooLarge,
		"inline cell":    etl.ReasonTooLarge,
		"shared string":  etl.ReasonTooLarge,
		"xfd":            etl.ReasonTooLarge,
	}
	for name, gen := range hostile {
		t.Run(name, func(t *testing.T) {
			path := gen(t)
			res, maxRSS, err := readInChild(t, path)
			t.Logf("%s: peak RSS %d MiB, %+v", name, maxRSS>>20, res)
			if err != nil {
				t.Fatal(err)
			}
			if maxRSS > hostileMaxRSS {
				t.Errorf("peak RSS %d MiB, bound %d MiB", maxRSS>>20, hostileMaxRSS>>20)
			}
			if res.Reason != want[name] || !strings.ContainsFunc(res.Zh, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) {
				t.Errorf("result %+v, want a FileError %s with a Chinese reason", res, want[name])
			}
		})
	}
}

// readInChild runs TestHostileChild on path and returns what it reported
// and its peak resident set size.
func readInChild(t *testing.T, path string) (childResult, int64, error) {
	var res childResult
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SHEQU_HOSTILE_FILE="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return res, 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	killed := false
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			if rss := procRSS(cmd.Process.Pid); rss > hostileKillRSS && !killed {
				killed = true
				cmd.Process.Kill()
			}
		}
	}
	maxRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	if killed {
		return res, maxRSS, fmt.Errorf("killed above %d MiB", hostileKillRSS>>20)
	}
	if err != nil {
		return res, maxRSS, fmt.Errorf("child: %v\n%s", err, out.String())
	}
	i := bytes.Index(out.Bytes(), []byte("RESULT "))
	if i < 0 {
		return res, maxRSS, fmt.Errorf("no result:\n%s", out.String())
	}
	line, _, _ := bytes.Cut(out.Bytes()[i+len("RESULT "):], []byte("\n"))
	return res, maxRSS, json.Unmarshal(line, &res)
}

// procRSS is the resident set size of a process, from /proc.
func procRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestHostileChild is the child of TestHostileWorkbooks: it opens the file
// and reads every row of every sheet, as the ingest does, and prints what
// happened.
func TestHostileChild(t *testing.T) {
	path := os.Getenv("SHEQU_HOSTILE_FILE")
	if path == "" {
		t.Skip("run by TestHostileWorkbooks")
	}
	var res childResult
	err := readWhole(path, &res)
	if fe, ok := etl.AsFileError(err); ok {
		res.Reason, res.Zh = fe.Reason, fe.Zh
	}
	if err != nil {
		res.Err = err.Error()
	}
	line, _ := json.Marshal(res)
	fmt.Printf("RESULT %s\n", line)
}

func readWhole(path string, res *childResult) error {
	b, err := Open(path, etl.DefaultLimits)
	if err != nil {
		return err
	}
	defer b.Close()
	for _, s := range b.Sheets() {
		rr, err := b.Rows(s.Name)
		if err != nil {
			return err
		}
		for {
			row, err := rr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rr.Close()
				return err
			}
			res.Rows++
			res.Cells += int64(len(row.Cells))
		}
		rr.Close()
	}
	return nil
}
