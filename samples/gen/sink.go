package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// A sink writes the rows of one file: a CSV file (one sheet) or a
// workbook of one or more sheets. Rows are numbered from 1 as a
// spreadsheet shows them; a cell is nil (empty), a string, or for a
// workbook a number, bool, time.Time or excelize.Cell.
type sink interface {
	// sheet starts a sheet (a CSV file has exactly one).
	sheet(name string) error
	// row writes the next row and returns its number.
	row(cells []any) (int, error)
	// next is the number the next row will get.
	next() int
	// merge merges a range of the current sheet (workbooks only), given
	// as 1-based column and row numbers.
	merge(col1, row1, col2, row2 int) error
	// extraSheet adds a sheet written whole: a hidden list of choices,
	// an empty Sheet2.
	extraSheet(name string, rows [][]any, hidden bool) error
	close() error
}

// csvSink writes CSV in one of the encodings districts use.
type csvSink struct {
	f    *os.File
	bw   *bufio.Writer
	enc  io.WriteCloser // the encoder, when not UTF-8
	w    *csv.Writer
	n    int
	strs []string
}

func newCSVSink(path, enc string, crlf bool) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &csvSink{f: f}
	var w io.Writer = f
	switch enc {
	case "utf-8-bom":
		if _, err := f.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
			f.Close()
			return nil, err
		}
	case "gbk":
		s.enc = transform.NewWriter(f, simplifiedchinese.GBK.NewEncoder())
		w = s.enc
	case "gb18030":
		s.enc = transform.NewWriter(f, simplifiedchinese.GB18030.NewEncoder())
		w = s.enc
	}
	s.bw = bufio.NewWriterSize(w, 64<<10)
	s.w = csv.NewWriter(s.bw)
	s.w.UseCRLF = crlf
	return s, nil
}

func (s *csvSink) sheet(string) error { return nil }

func (s *csvSink) next() int { return s.n + 1 }

func (s *csvSink) row(cells []any) (int, error) {
	s.strs = s.strs[:0]
	for _, c := range cells {
		s.strs = append(s.strs, csvText(c))
	}
	// A value with a line break takes more than one line; the row number
	// the reader gives is the line where the record starts.
	start := s.n + 1
	s.n++
	for _, v := range s.strs {
		s.n += strings.Count(v, "\n")
	}
	return start, s.w.Write(s.strs)
}

func csvText(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	panic(fmt.Sprintf("gen: a CSV cell of type %T", c))
}

func (s *csvSink) merge(int, int, int, int) error { return nil }

func (s *csvSink) extraSheet(string, [][]any, bool) error { return nil }

func (s *csvSink) close() error {
	s.w.Flush()
	err := s.w.Error()
	if e := s.bw.Flush(); err == nil {
		err = e
	}
	if s.enc != nil {
		if e := s.enc.Close(); err == nil {
			err = e
		}
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	return err
}

// xlsxSink writes a workbook. Sheets of big files go through excelize's
// StreamWriter (inline strings, bounded memory); a district that writes
// with Excel itself gets shared strings, through the cell API, for files
// of moderate size.
type xlsxSink struct {
	path     string
	f        *excelize.File
	stream   bool
	sw       *excelize.StreamWriter
	name     string // current sheet
	first    bool   // the workbook's default sheet is not yet used
	streamed bool   // a sheet went through the StreamWriter
	n        int
}

// maxCellAPIRows bounds the rows written through excelize's cell API,
// which holds the sheet in memory.
const maxCellAPIRows = 20000

func newXLSXSink(path string, stream bool) *xlsxSink {
	return &xlsxSink{path: path, f: excelize.NewFile(), stream: stream, first: true}
}

func (s *xlsxSink) styles() (date, pct int, err error) {
	if date, err = s.f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		return
	}
	pct, err = s.f.NewStyle(&excelize.Style{NumFmt: 10})
	return
}

func (s *xlsxSink) flush() error {
	if s.sw != nil {
		err := s.sw.Flush()
		s.sw = nil
		return err
	}
	return nil
}

func (s *xlsxSink) addSheet(name string) error {
	if err := s.flush(); err != nil {
		return err
	}
	if s.first {
		s.first = false
		if err := s.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := s.f.NewSheet(name); err != nil {
		return err
	}
	return nil
}

func (s *xlsxSink) sheet(name string) error {
	if err := s.addSheet(name); err != nil {
		return err
	}
	s.name, s.n = name, 0
	// One stream per workbook: excelize writes the parts of several
	// streams in map order, which would make the bytes vary from run to
	// run; a second data sheet (staff beside projects) is small.
	if s.stream && !s.streamed {
		s.streamed = true
		sw, err := s.f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		s.sw = sw
	}
	return nil
}

func (s *xlsxSink) next() int { return s.n + 1 }

func (s *xlsxSink) row(cells []any) (int, error) {
	s.n++
	ref, _ := excelize.CoordinatesToCellName(1, s.n)
	if s.sw != nil {
		return s.n, s.sw.SetRow(ref, cells)
	}
	return s.n, s.cellRow(s.name, s.n, cells)
}

// cellRow writes a row through the cell API.
func (s *xlsxSink) cellRow(sheet string, n int, cells []any) error {
	for i, c := range cells {
		if c == nil {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, n)
		var err error
		switch v := c.(type) {
		case excelize.Cell:
			if err = s.f.SetCellValue(sheet, ref, v.Value); err == nil && v.StyleID != 0 {
				err = s.f.SetCellStyle(sheet, ref, ref, v.StyleID)
			}
			if err == nil && v.Formula != "" {
				err = s.f.SetCellFormula(sheet, ref, v.Formula)
			}
		case time.Time:
			err = s.f.SetCellValue(sheet, ref, v)
		default:
			err = s.f.SetCellValue(sheet, ref, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *xlsxSink) merge(col1, row1, col2, row2 int) error {
	a, _ := excelize.CoordinatesToCellName(col1, row1)
	b, _ := excelize.CoordinatesToCellName(col2, row2)
	if s.sw != nil {
		return s.sw.MergeCell(a, b)
	}
	return s.f.MergeCell(s.name, a, b)
}

func (s *xlsxSink) extraSheet(name string, rows [][]any, hidden bool) error {
	if err := s.addSheet(name); err != nil {
		return err
	}
	for i, r := range rows {
		if err := s.cellRow(name, i+1, r); err != nil {
			return err
		}
	}
	if hidden {
		return s.f.SetSheetVisible(name, false)
	}
	return nil
}

func (s *xlsxSink) close() error {
	err := s.flush()
	if err == nil {
		err = s.f.SaveAs(s.path)
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	return err
}

func ensureDir(path string) error { return os.MkdirAll(filepath.Dir(path), 0o755) }
