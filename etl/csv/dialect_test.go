package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"shequ/etl"
	"shequ/etl/etltest"
)

// lineEndsToCR turns every line end (CRLF or LF) into a lone CR, as an old
// Mac or Excel for Mac export writes them.
func lineEndsToCR(data []byte) []byte {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\r"))
	return bytes.ReplaceAll(data, []byte("\n"), []byte("\r"))
}

// A file whose lines end in a lone CR gives the same rows, numbered the
// same, as the file with LF or CRLF line ends.
func TestLoneCR(t *testing.T) {
	for _, name := range []string{"batch1/14_2014年功能室情况.csv", "batch1/02_青山区社区名册.csv", "batch2/19_2014年10-12月服务记录.csv"} {
		path := filepath.Join(samples, name)
		want := etltest.ReadAll(t, open(t, path), "")
		data := lineEndsToCR(readFile(t, path))
		if bytes.IndexByte(data, '\n') >= 0 {
			t.Fatal("LF left")
		}
		b := openBytes(t, data)
		got := etltest.ReadAll(t, b, "")
		if len(want) < 10 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s with CR line ends: %d rows, want %d; %s", name, len(got), len(want), firstDiff(got, want))
		}
		if b.LineEnd() != "\r" {
			t.Errorf("%s: LineEnd %q", name, b.LineEnd())
		}
	}
	cases := []struct {
		in   string
		want []etl.Row
	}{
		// A line break inside quotes is a line break of the cell.
		{"a,\"x\ry\"\rb,c\r", []etl.Row{{Num: 1, Cells: []string{"a", "x\ny"}}, {Num: 3, Cells: []string{"b", "c"}}}},
		// Blank lines count.
		{"a\r\r\rb\r", []etl.Row{{Num: 1, Cells: []string{"a"}}, {Num: 4, Cells: []string{"b"}}}},
		// Mostly lone CR: a CRLF among them is one line end.
		{"a\rb\r\nc\rd", []etl.Row{{Num: 1, Cells: []string{"a"}}, {Num: 2, Cells: []string{"b"}}, {Num: 3, Cells: []string{"c"}}, {Num: 4, Cells: []string{"d"}}}},
		// Mostly CRLF: a lone CR is data, as before.
		{"a\r\nb\rx\r\nc\r\n", []etl.Row{{Num: 1, Cells: []string{"a"}}, {Num: 2, Cells: []string{"b\rx"}}, {Num: 3, Cells: []string{"c"}}}},
	}
	for _, c := range cases {
		if got := etltest.ReadAll(t, openBytes(t, []byte(c.in)), ""); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
}

// A line end cut between CR and LF by the reader's buffers is still one
// line end.
func TestLoneCRAcrossBuffers(t *testing.T) {
	var sb strings.Builder
	for i := 0; sb.Len() < 3*bufSize; i++ {
		sb.WriteString("2014,临江区,")
		sb.WriteString(strings.Repeat("x", i%7))
		sb.WriteString("\r")
	}
	data := []byte(sb.String())
	want := etltest.ReadAll(t, openBytes(t, bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))), "")
	got := etltest.ReadAll(t, openBytes(t, data), "")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
}

// rewrite writes rows as CSV text with another delimiter, in an encoding,
// with blank lines where the original had lines without a record, so that
// the rows keep their numbers.
func rewrite(t testing.TB, rows []etl.Row, comma rune, crlf bool, enc encoding.Encoding) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := stdcsv.NewWriter(&buf)
	w.Comma, w.UseCRLF = comma, crlf
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	line := 1
	for _, r := range rows {
		for ; line < r.Num; line++ {
			w.Flush()
			buf.WriteString(eol)
		}
		if err := w.Write(r.Cells); err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Cells {
			line += strings.Count(c, "\n")
		}
		line++
	}
	w.Flush()
	if enc == nil {
		return buf.Bytes()
	}
	out, err := enc.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	utf16LEBOM = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16BEBOM = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
)

// Every sample CSV file, written again with semicolons or tabs, in UTF-8,
// GB18030 or UTF-16 with a byte-order mark (Excel's "Unicode text"), gives
// exactly the rows of the original.
func TestDelimitersAndUTF16(t *testing.T) {
	forms := []struct {
		name  string
		comma rune
		crlf  bool
		enc   encoding.Encoding
		want  string // Encoding()
	}{
		{"semicolon utf-8", ';', true, nil, UTF8},
		{"semicolon gb18030", ';', true, simplifiedchinese.GB18030, GB18030},
		{"tab utf-8", '\t', false, nil, UTF8},
		{"unicode text (utf-16le, tab)", '\t', true, utf16LEBOM, UTF16LE},
		{"utf-16be, tab", '\t', true, utf16BEBOM, UTF16BE},
		{"utf-16le, comma", ',', true, utf16LEBOM, UTF16LE},
		{"utf-16le, semicolon", ';', false, utf16LEBOM, UTF16LE},
	}
	files, _ := filepath.Glob(filepath.Join(samples, "*/*.csv"))
	if len(files) < 10 {
		t.Fatalf("%d sample files", len(files))
	}
	for _, path := range files {
		want := etltest.ReadAll(t, open(t, path), "")
		for _, f := range forms {
			data := rewrite(t, want, f.comma, f.crlf, f.enc)
			b, err := OpenBytes("mem.csv", data, etl.DefaultLimits)
			if err != nil {
				t.Errorf("%s as %s: %v", filepath.Base(path), f.name, err)
				continue
			}
			if b.Encoding() != f.want || b.Delimiter() != f.comma {
				t.Errorf("%s as %s: Encoding %q, Delimiter %q", filepath.Base(path), f.name, b.Encoding(), b.Delimiter())
			}
			got, err := etltest.ReadRows(b, "")
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s as %s: %v, %d rows, want %d; %s", filepath.Base(path), f.name, err, len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

func TestSniffDelimiter(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want rune
	}{
		{"one column", "a\nb\n", ','},
		{"empty lines", "\n\n", ','},
		{"comma", "年度,区,人口\n2014,临江区,\"1;2;3\"\n", ','},
		{"comma, semicolons in text", "年度,区,备注\n2014,临江区,a;b\n2014,青山区,c\n", ','},
		{"semicolon, decimal commas", "年度;金额;比例\n2014;1,5;0,3\n2013;2,5;0,4\n", ';'},
		{"semicolon, quoted", "\"a;b\";c;d\n\"e\";f;g\n", ';'},
		{"tab, thousands commas", "年度\t区\t人口\n2014\t临江区\t1,788\n2013\t青山区\t2,100\n", '\t'},
		{"tab, title row", "江州市功能室情况\n\n年度\t区\t人口\n2014\t临江区\t1788\n", '\t'},
		{"comma, padded title", "江州市功能室情况,,\n年度,区,人口\n2014,临江区,1788\n", ','},
		{"tab, quoted multi-line", "a\t\"x,y\nz,w\"\tc\nd\te\tf\n", '\t'},
	}
	for _, c := range cases {
		b := openBytes(t, []byte(c.in))
		if b.Delimiter() != c.want {
			t.Errorf("%s: Delimiter %q, want %q", c.name, b.Delimiter(), c.want)
		}
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// firstDiff shows the first row where got and want differ.
func firstDiff(got, want []etl.Row) string {
	for i := range max(len(got), len(want)) {
		var g, w etl.Row
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("row %d:\n got %d %.200q\nwant %d %.200q", i, g.Num, g.Cells, w.Num, w.Cells)
		}
	}
	return "same rows"
}

// FuzzDialect: records whose cells hold no delimiter, written with any of
// the three delimiters, any line end and any of the encodings, read back as
// the same records when at least one has two cells (else there is nothing
// to tell the delimiter by). The records come from reading the fuzz input
// as comma-separated text.
func FuzzDialect(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(samples, "batch1/1*.csv"))
	for i, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(i*37))
	}
	f.Add([]byte("a,b\nc\n\"d\ne\",f\n"), uint8(0))
	f.Add([]byte("年度,区\n2014,临江区\n"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, form uint8) {
		cr := stdcsv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord, cr.LazyQuotes = -1, true
		var want []etl.Row
		wide := false
		for len(want) < 200 {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			line, _ := cr.FieldPos(0)
			for i, c := range rec {
				c = strings.ToValidUTF8(c, "\uFFFD")
				c = strings.Map(func(r rune) rune {
					switch r {
					case ',', ';', '\t', '\r', '\uFEFF':
						return -1
					}
					return r
				}, c)
				rec[i] = c
			}
			if len(rec) == 1 && rec[0] == "" {
				continue // written as a blank line
			}
			wide = wide || len(rec) > 1
			want = append(want, etl.Row{Num: line, Cells: rec})
		}
		if !wide {
			return
		}
		comma := rune(delimiters[int(form)%len(delimiters)])
		encs := []encoding.Encoding{nil, simplifiedchinese.GB18030, utf16LEBOM, utf16BEBOM}
		enc := encs[int(form/3)%len(encs)]
		crlf := form&0x40 != 0
		text := rewrite(t, want, comma, crlf, nil)
		if form&0x80 != 0 {
			text = lineEndsToCR(text)
		}
		if enc != nil {
			var err error
			if text, err = enc.NewEncoder().Bytes(text); err != nil {
				return // GB18030 cannot write every rune
			}
		}
		b, err := OpenBytes("fuzz.csv", text, etl.Limits{MaxCells: 1 << 14})
		if err != nil {
			t.Fatal(err)
		}
		if b.Delimiter() != comma {
			t.Fatalf("Delimiter %q, want %q in %q", b.Delimiter(), comma, text)
		}
		got, err := etltest.ReadRows(b, "")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\n%q", firstDiff(got, want), text)
		}
	})
}
