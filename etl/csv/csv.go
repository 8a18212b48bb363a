// Package csv reads a CSV file as an etl.Book of one unnamed sheet.
//
// The text encoding is detected, not assumed: a UTF-8 byte-order mark gives
// "utf-8-bom" (the mark is dropped); a UTF-16 one gives "utf-16le" or
// "utf-16be" (Excel's "Unicode text", tab-separated); else text whose first
// 64 KiB of non-ASCII content is valid UTF-8 is "utf-8"; anything else is
// decoded as GB18030, the superset of GBK that Excel on Chinese Windows
// writes. A file of pure ASCII is "utf-8".
//
// The dialect is sniffed from the decoded start of the file too
// (dialect.go): the delimiter (comma, tab or semicolon, as Excel writes
// in locales whose decimal mark is a comma), and lines that end in a lone
// CR (old Mac exports), which encoding/csv alone would read as one line.
//
// Records are parsed by encoding/csv with LazyQuotes and a variable number
// of fields. Memory stays bounded: the file is streamed, and a single record
// may not exceed MaxRecordBytes (a quote that is never closed would
// otherwise swallow the rest of the file into one field).
package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"shequ/etl"
)

// Encodings reported by Book.Encoding.
const (
	UTF8    = "utf-8"
	UTF8BOM = "utf-8-bom"
	GB18030 = "gb18030"
	UTF16LE = "utf-16le" // with a byte-order mark
	UTF16BE = "utf-16be" // with a byte-order mark
)

// SniffBytes is how much non-ASCII text decides the encoding.
const SniffBytes = 64 << 10

// MaxRecordBytes bounds one record (one row, possibly over several lines).
const MaxRecordBytes = 64 << 20

const bufSize = 64 << 10

// recordLimit is MaxRecordBytes; tests lower it.
var recordLimit int64 = MaxRecordBytes

// Book is an opened CSV file. Rows may be called more than once; each call
// reads the file from its start with a reader of its own.
type Book struct {
	name   string // the path given, for errors
	src    io.ReaderAt
	size   int64
	closer io.Closer
	enc    string
	skip   int64 // bytes of byte-order mark
	lim    etl.Limits
	dia    dialect
}

var _ etl.Book = (*Book)(nil)

// Open opens the CSV file at path and detects its encoding. Zero fields of
// lim take their value from etl.DefaultLimits. Errors that mean the file
// cannot be read are *etl.FileError; errors from os (a missing file) are
// returned as they are.
func Open(path string, lim etl.Limits) (_ *Book, err error) {
	lim = lim.OrDefault()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("csv: %s is a directory", path)
	}
	return newBook(path, f, fi.Size(), f, lim)
}

// OpenBytes reads CSV from memory; name stands for the file in errors.
func OpenBytes(name string, data []byte, lim etl.Limits) (*Book, error) {
	return newBook(name, bytes.NewReader(data), int64(len(data)), nil, lim.OrDefault())
}

func newBook(name string, src io.ReaderAt, size int64, closer io.Closer, lim etl.Limits) (*Book, error) {
	if size > lim.MaxFileBytes {
		return nil, fileErr(name, etl.ReasonTooLarge,
			fmt.Sprintf("文件过大（超过 %d MB），无法读取，请拆分为多个文件后重新报送。", lim.MaxFileBytes>>20),
			fmt.Errorf("file is %d bytes, limit %d", size, lim.MaxFileBytes))
	}
	if size == 0 {
		return nil, fileErr(name, etl.ReasonEmpty, "文件为空（0 字节），没有任何内容，请重新报送。", nil)
	}
	enc, skip, err := Detect(io.NewSectionReader(src, 0, size))
	if err != nil {
		return nil, err
	}
	b := &Book{name: name, src: src, size: size, closer: closer, enc: enc, skip: int64(skip), lim: lim}
	head, err := io.ReadAll(io.LimitReader(b.text(), SniffBytes+1))
	if err != nil {
		return nil, fileErr(name, etl.ReasonCorrupt, "文件开头的内容无法读取，请检查后重新报送。", err)
	}
	atEOF := len(head) <= SniffBytes
	b.dia = sniff(head[:min(len(head), SniffBytes)], atEOF)
	return b, nil
}

// text is the file decoded to UTF-8 (invalid UTF-8 left as it is), from
// after its byte-order mark.
func (b *Book) text() io.Reader {
	var r io.Reader = io.NewSectionReader(b.src, b.skip, b.size-b.skip)
	switch b.enc {
	case GB18030:
		r = transform.NewReader(bufio.NewReaderSize(r, bufSize), simplifiedchinese.GB18030.NewDecoder())
	case UTF16LE:
		r = transform.NewReader(bufio.NewReaderSize(r, bufSize), unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
	case UTF16BE:
		r = transform.NewReader(bufio.NewReaderSize(r, bufSize), unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
	}
	return r
}

// Detect reads the start of r and names its encoding: UTF8BOM (skip is
// then 3, the length of the mark), UTF16LE or UTF16BE (skip 2), UTF8 or
// GB18030. If the first SniffBytes hold only ASCII, it reads on to the
// first non-ASCII byte and decides on the SniffBytes from there.
func Detect(r io.Reader) (enc string, skip int, err error) {
	br := bufio.NewReaderSize(r, SniffBytes)
	head, err := peek(br)
	if err != nil {
		return "", 0, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8BOM, 3, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, 2, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, 2, nil
	}
	for {
		i := firstNonASCII(head)
		if i < 0 {
			if len(head) < SniffBytes {
				return UTF8, 0, nil // all ASCII
			}
			if _, err := br.Discard(len(head)); err != nil {
				return "", 0, err
			}
		} else if i > 0 {
			if _, err := br.Discard(i); err != nil {
				return "", 0, err
			}
		} else {
			if validUTF8(head, len(head) == SniffBytes) {
				return UTF8, 0, nil
			}
			return GB18030, 0, nil
		}
		if head, err = peek(br); err != nil {
			return "", 0, err
		}
	}
}

func peek(br *bufio.Reader) ([]byte, error) {
	b, err := br.Peek(SniffBytes)
	if err == io.EOF || err == bufio.ErrBufferFull {
		err = nil
	}
	return b, err
}

func firstNonASCII(b []byte) int {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// validUTF8 reports whether b is valid UTF-8; if more input follows b, a
// rune cut off at its end is allowed.
func validUTF8(b []byte, more bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !more {
		return false
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return !utf8.FullRune(b[i:]) && utf8.Valid(b[:i])
		}
	}
	return false
}

// Format is "csv".
func (b *Book) Format() string { return "csv" }

// Encoding is UTF8, UTF8BOM, UTF16LE, UTF16BE or GB18030.
func (b *Book) Encoding() string { return b.enc }

// Delimiter is the field separator sniffed from the file: ',', '\t' or ';'.
func (b *Book) Delimiter() rune { return b.dia.comma }

// LineEnd is "\r" when the file's lines end in a lone CR, else "\n" (which
// stands for CRLF too).
func (b *Book) LineEnd() string {
	if b.dia.loneCR {
		return "\r"
	}
	return "\n"
}

// Sheets is one sheet whose name is empty.
func (b *Book) Sheets() []etl.SheetInfo { return []etl.SheetInfo{{}} }

// Close closes the file.
func (b *Book) Close() error {
	if b.closer == nil {
		return nil
	}
	err := b.closer.Close()
	b.closer = nil
	return err
}

// Rows reads the records of the file; sheet must be "". Every error from
// the reader's Next other than io.EOF is an *etl.FileError.
func (b *Book) Rows(sheet string) (etl.RowReader, error) {
	if sheet != "" {
		return nil, fmt.Errorf("csv: %s has one unnamed sheet, not %q", b.name, sheet)
	}
	r := b.text()
	if b.dia.loneCR {
		r = transform.NewReader(r, crToLF{})
	}
	// The CSV reader's buffer may hold up to bufSize bytes read ahead.
	g := &guard{r: r, max: recordLimit + bufSize}
	cr := stdcsv.NewReader(bufio.NewReaderSize(g, bufSize))
	cr.Comma = b.dia.comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &rowReader{b: b, cr: cr, g: g, utf8: b.enc == UTF8 || b.enc == UTF8BOM}, nil
}

// guard fails the read once more than max bytes have been read since the
// last record was returned: a record (perhaps of many lines, inside an
// unclosed quote) is too long.
type guard struct {
	r    io.Reader
	n    int64 // bytes handed to the CSV reader's buffer
	mark int64 // n when the last record was returned
	max  int64
}

var errRecordTooLarge = errors.New("a record is longer than the limit")

func (g *guard) Read(p []byte) (int, error) {
	if g.n-g.mark > g.max {
		return 0, errRecordTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

type rowReader struct {
	b        *Book
	cr       *stdcsv.Reader
	g        *guard
	utf8     bool
	lastLine int
	cells    int64 // cells read so far, bounded by MaxBookCells
	err      error
}

// Next returns the next record. Num is the line on which the record
// starts, counting blank lines (which encoding/csv skips). Cells is reused:
// it is valid only until the following call of Next. Cells are always
// valid UTF-8 (invalid bytes of a UTF-8 file become U+FFFD, as the
// decoders of the other encodings make them).
func (r *rowReader) Next() (etl.Row, error) {
	if r.err != nil {
		return etl.Row{}, r.err
	}
	rec, err := r.cr.Read()
	if err != nil {
		r.err = r.fileError(err)
		return etl.Row{}, r.err
	}
	r.g.mark = r.g.n
	line, _ := r.cr.FieldPos(0)
	r.lastLine = line
	if len(rec) > r.b.lim.MaxCells {
		r.err = fileErr(r.b.name, etl.ReasonTooLarge,
			fmt.Sprintf("第 %d 行超过 %d 列，无法读取。", line, r.b.lim.MaxCells),
			fmt.Errorf("line %d has %d fields, limit %d", line, len(rec), r.b.lim.MaxCells))
		return etl.Row{}, r.err
	}
	if r.cells += int64(len(rec)); r.cells > r.b.lim.MaxBookCells {
		r.err = fileErr(r.b.name, etl.ReasonTooLarge,
			fmt.Sprintf("文件的单元格过多（读到第 %d 行时已超过 %d 个），无法读取，请拆分为多个文件后重新报送。", line, r.b.lim.MaxBookCells),
			fmt.Errorf("more than %d cells (line %d)", r.b.lim.MaxBookCells, line))
		return etl.Row{}, r.err
	}
	limit := r.b.lim.MaxCellChars
	for i, s := range rec {
		if r.utf8 && !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
			rec[i] = s
		}
		if len(s) > limit {
			if n := etl.CellChars(s); n > limit {
				r.err = fileErr(r.b.name, etl.ReasonTooLarge,
					fmt.Sprintf("第 %d 行第 %d 列的内容超过 %d 个字符（Excel 单元格的上限），无法读取，请检查引号是否成对、删减后重新报送。", line, i+1, limit),
					fmt.Errorf("line %d field %d holds %d characters, limit %d", line, i+1, n, limit))
				return etl.Row{}, r.err
			}
		}
	}
	return etl.Row{Num: line, Cells: rec}, nil
}

func (r *rowReader) fileError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var pe *stdcsv.ParseError
	switch {
	case errors.As(err, &pe):
		return fileErr(r.b.name, etl.ReasonCorrupt,
			fmt.Sprintf("第 %d 行格式错误，无法解析，请检查引号是否成对后重新报送。", pe.StartLine), err)
	case errors.Is(err, errRecordTooLarge):
		return fileErr(r.b.name, etl.ReasonTooLarge,
			fmt.Sprintf("第 %d 行之后有一行超过 %d MB，可能是引号不成对，无法读取，请检查后重新报送。", r.lastLine, MaxRecordBytes>>20),
			fmt.Errorf("after line %d: %w (%d bytes)", r.lastLine, err, recordLimit))
	}
	return fileErr(r.b.name, etl.ReasonCorrupt,
		fmt.Sprintf("第 %d 行之后的内容无法读取。", r.lastLine), fmt.Errorf("after line %d: %w", r.lastLine, err))
}

// Close ends reading; the Book stays open.
func (r *rowReader) Close() error {
	if r.err == nil {
		r.err = errors.New("csv: row reader is closed")
	}
	return nil
}

func fileErr(name, reason, zh string, err error) *etl.FileError {
	return &etl.FileError{File: name, Reason: reason, Zh: zh, Err: err}
}
