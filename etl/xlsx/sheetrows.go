package xlsx

import (
	"io"
	"strconv"
	"sync"

	"github.com/xuri/excelize/v2"

	"shequ/etl"
)

// sheetRows reads a worksheet's rows straight from its XML with xmlTok,
// giving exactly the rows and cells excelize's Rows/Columns give with
// RawCellValue (the differential tests and FuzzSheetRowsMatchExcelize hold
// it to that), at several times the speed: excelize decodes every token
// through encoding/xml, which was ~98 % of reading a sheet.
//
// It reads the XML Excel, WPS and the common libraries write. At the first
// thing it does not read exactly as excelize does (xmlTok's errFallback, a
// cell kind or reference out of the ordinary, a shared string it cannot
// find), it hands over to excelize's own iterator, positioned at the row it
// was reading, and every later call goes there. Nothing a district sends is
// refused by the fast reader that excelize would read.
type sheetRows struct {
	z      *xmlTok
	closer io.Closer
	sst    func() ([]string, error) // the workbook's shared strings, read once
	// fallback opens excelize's iterator over the same sheet.
	fallback func() (rowSource, error)
	ex       rowSource // set once handed over
	handedAt string    // the XML around the hand-over, for tests

	seek    int      // the row number Next last moved to
	cur     int      // number of the row parsed into cells
	pending bool     // cells hold row cur, not yet returned
	done    bool     // </sheetData> read
	inData  bool     // <sheetData> read
	peeked  bool     // the tokenizer holds the token after a row, not yet taken
	cells   []string // row cur
	// uncached are the cells of row cur whose formula has no saved result.
	uncached []etl.Formula
	gave     bool // the last Columns gave row cur
	err      error
}

var tokBufs = sync.Pool{New: func() any { b := make([]byte, tokWindow); return &b }}

func newSheetRows(rc io.ReadCloser, sst func() ([]string, error), fallback func() (rowSource, error)) *sheetRows {
	buf := tokBufs.Get().(*[]byte)
	return &sheetRows{z: newXMLTok(rc, *buf), closer: rc, sst: sst, fallback: fallback}
}

// Next moves to the next row number, as excelize's Rows.Next does: rows
// missing from the XML are visited too, and have no cells.
func (s *sheetRows) Next() bool {
	if s.ex != nil {
		return s.ex.Next()
	}
	if s.err != nil {
		return false
	}
	s.seek++
	if s.pending && s.cur >= s.seek {
		return true
	}
	if s.done {
		return false
	}
	switch err := s.readRow(); err {
	case nil:
		return true
	case io.EOF:
		s.done = true
		return false
	case errFallback:
		return s.handOver()
	default:
		s.err = err
		return false
	}
}

// handOver opens excelize's iterator and brings it to the row being moved
// to, then lets it answer this and every later call.
func (s *sheetRows) handOver() bool {
	ex, err := s.fallback()
	if err != nil {
		s.err = err
		return false
	}
	s.ex = ex
	if z := s.z; z != nil {
		s.handedAt = string(z.data[max(0, z.pos-80):min(len(z.data), z.pos+80)])
	}
	s.release()
	for i := 1; i < s.seek; i++ {
		if !ex.Next() {
			return false
		}
	}
	return ex.Next()
}

// Columns returns the cells of the current row (nil for a row missing from
// the XML). The slice is reused by the next row.
func (s *sheetRows) Columns(opts ...excelize.Options) ([]string, error) {
	if s.ex != nil {
		return s.ex.Columns(opts...)
	}
	s.gave = false
	if !s.pending || s.cur > s.seek {
		return nil, nil
	}
	s.pending, s.gave = false, true
	return s.cells, nil
}

func (s *sheetRows) Error() error {
	if s.ex != nil {
		return s.ex.Error()
	}
	return s.err
}

func (s *sheetRows) Close() error {
	s.release()
	if s.ex != nil {
		return s.ex.Close()
	}
	return nil
}

func (s *sheetRows) release() {
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
	if s.z != nil {
		buf := s.z.buf
		tokBufs.Put(&buf)
		s.z = nil
	}
}

// readRow reads up to the next <row> and parses it into cells. It returns
// io.EOF at </sheetData> (or at the end of the part before it).
func (s *sheetRows) readRow() error {
	z := s.z
	for {
		if s.peeked {
			s.peeked = false
		} else if err := z.next(); err != nil {
			return err
		}
		switch z.kind {
		case tokEOF:
			return errFallback // excelize decides what a part without </sheetData> holds
		case tokText:
			if !plainText(z.text) {
				return errFallback
			}
		case tokEnd:
			if string(z.local) == "sheetData" {
				return io.EOF
			}
			if s.inData {
				return errFallback
			}
		case tokStart:
			switch string(z.local) {
			case "sheetData":
				if s.inData {
					return errFallback
				}
				s.inData = true
				if z.selfClose {
					return io.EOF
				}
			case "row":
				if !s.inData {
					return errFallback
				}
				return s.row()
			default:
				if s.inData {
					return errFallback
				}
			}
		}
	}
}

// row parses the <row> element just read.
func (s *sheetRows) row() error {
	z := s.z
	num := s.cur + 1
	for _, a := range z.attrs {
		if string(a.local) == "r" {
			n, err := strconv.Atoi(string(a.val))
			if err != nil || n < 0 || n > maxRows {
				return errFallback
			}
			if n != 0 {
				num = n
			}
		}
	}
	if num < s.seek {
		return errFallback // the pre-scan refuses such sheets; excelize decides
	}
	// excelize reads the shared strings for every row it gives, and fails
	// the row if it cannot, shared-string cells or not.
	if _, err := s.sst(); err != nil {
		return errFallback
	}
	s.cur, s.pending = num, true
	clear(s.cells)
	s.cells = s.cells[:0]
	clear(s.uncached)
	s.uncached = s.uncached[:0]
	col := 0
	err := z.children(func() error {
		if string(z.local) != "c" {
			return errFallback
		}
		var err error
		col, err = s.cell(col)
		return err
	})
	if err != nil {
		return err
	}
	return s.peek()
}

// peek reads on from a row's end to the next row or the end of the data:
// excelize gives a row everything up to the next <row>, so a cell between
// rows would belong to the row before it (sheetRows leaves that to excelize
// before it returns the row). The token read stays for readRow.
func (s *sheetRows) peek() error {
	z := s.z
	for {
		if err := z.next(); err != nil {
			return err
		}
		switch {
		case z.kind == tokText:
			if !plainText(z.text) {
				return errFallback
			}
			continue
		case z.kind == tokStart && string(z.local) == "row",
			z.kind == tokEnd && string(z.local) == "sheetData":
			s.peeked = true
			return nil
		}
		return errFallback
	}
}

// cell parses the <c> element just read; col is the previous cell's column.
// The value is the one excelize gives with RawCellValue: the shared string
// of t="s", the inline string of t="inlineStr" (when it has one), else the
// <v> as written. It is kept if it is not empty or the cell has a formula,
// at its column, or after the last kept cell if that is not left of it.
func (s *sheetRows) cell(col int) (int, error) {
	z := s.z
	col++
	var typ, ref []byte
	for _, a := range z.attrs {
		switch string(a.local) {
		case "r":
			ref = a.val
		case "t":
			typ = a.val
		case "s":
			if _, err := strconv.ParseInt(string(a.val), 10, 64); err != nil {
				return 0, errFallback
			}
		}
	}
	if ref != nil {
		c, ok := plainRef(ref)
		if !ok {
			return 0, errFallback
		}
		col = c
	}
	kind := cellKind(typ)
	if kind == kindOther {
		return 0, errFallback
	}
	var v, is, f string
	var hasIS, hasF, hasV bool
	err := z.children(func() error {
		var err error
		switch string(z.local) {
		case "v":
			hasV = true
			v, err = z.textContent() // the last <v> counts, as in excelize
		case "f":
			hasF = true
			f, err = z.innerText()
		case "is":
			if hasIS {
				return errFallback
			}
			hasIS = true
			is, err = richText(z)
		default:
			return errFallback // excelize would look inside it for <v>
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	val := v
	switch kind {
	case kindShared:
		if v != "" {
			sst, err := s.sst()
			if err != nil {
				return 0, errFallback
			}
			i, ok := atoiRow(v)
			if !ok || i >= len(sst) {
				return 0, errFallback
			}
			val = sst[i]
		}
	case kindInline:
		if hasIS {
			val = is
		}
	}
	if val != "" || hasF {
		for len(s.cells) < col-1 {
			s.cells = append(s.cells, "")
		}
		s.cells = append(s.cells, val)
	}
	// A formula never calculated has no result: no <v>, or an empty one
	// (an empty <v> is a result only for a formula giving text, t="str").
	if hasF && val == "" && (!hasV || string(typ) != "str") {
		s.uncached = append(s.uncached, etl.Formula{Col: len(s.cells) - 1, Text: f})
	}
	return col, nil
}

// Uncached gives the cells of the row last returned by Columns whose
// formula has no saved result (nil once handed over to excelize, whose
// iterator does not tell).
func (s *sheetRows) Uncached() []etl.Formula {
	if s.ex != nil || !s.gave {
		return nil
	}
	return s.uncached
}

type cellType uint8

const (
	kindValue  cellType = iota // numbers, booleans, dates, errors, formula strings: the <v> as written
	kindShared                 // t="s"
	kindInline                 // t="inlineStr"
	kindOther
)

func cellKind(t []byte) cellType {
	switch string(t) {
	case "", "n", "b", "d", "e", "str":
		return kindValue
	case "s":
		return kindShared
	case "inlineStr":
		return kindInline
	}
	return kindOther
}

// plainRef reads a cell reference written as Excel writes it ("AB12") and
// returns its column.
func plainRef(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		col = col*26 + int(ref[i]-'A'+1)
		if col > maxCols {
			return 0, false
		}
	}
	if col == 0 || i == len(ref) || ref[i] == '0' {
		return 0, false
	}
	row := 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if row = row*10 + int(c-'0'); row > maxRows {
			return 0, false
		}
	}
	return col, true
}
