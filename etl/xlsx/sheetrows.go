package xlsx

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
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
	err     error
	stack   [][]byte // open elements inside a cell's rich text, by name
	rowName []byte   // the current <row>'s name as written
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
	if !s.pending || s.cur > s.seek {
		return nil, nil
	}
	s.pending = false
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
	if z.selfClose {
		return s.peek()
	}
	rowName := append(s.rowName[:0], z.name...)
	s.rowName = rowName
	col := 0
	for {
		if err := z.next(); err != nil {
			return err
		}
		switch z.kind {
		case tokText:
			if !plainText(z.text) {
				return errFallback
			}
		case tokEnd:
			if !bytes.Equal(z.name, rowName) {
				return errFallback
			}
			return s.peek()
		case tokStart:
			if string(z.local) != "c" {
				return errFallback
			}
			var err error
			if col, err = s.cell(col); err != nil {
				return err
			}
		default:
			return errFallback
		}
	}
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
	var v, is string
	var hasV, hasIS, hasF bool
	if !z.selfClose {
		cName := string(z.name)
	children:
		for {
			if err := z.next(); err != nil {
				return 0, err
			}
			switch z.kind {
			case tokText:
				if !plainText(z.text) {
					return 0, errFallback
				}
			case tokEnd:
				if string(z.name) != cName {
					return 0, errFallback
				}
				break children
			case tokStart:
				var err error
				switch string(z.local) {
				case "v":
					v, err = s.textElement()
					hasV = true
				case "f":
					err = s.skipElement()
					hasF = true
				case "is":
					if hasIS {
						return 0, errFallback
					}
					is, err = s.richText()
					hasIS = true
				default:
					return 0, errFallback
				}
				if err != nil {
					return 0, err
				}
			default:
				return 0, errFallback
			}
		}
	}
	val := v
	switch kind {
	case kindShared:
		if v != "" {
			sst, err := s.sst()
			if err != nil {
				return 0, errFallback
			}
			i, ok := plainIndex(v)
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
	_ = hasV
	if val != "" || hasF {
		for len(s.cells) < col-1 {
			s.cells = append(s.cells, "")
		}
		s.cells = append(s.cells, val)
	}
	return col, nil
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

// plainIndex reads a shared-string index written as plain digits.
func plainIndex(v string) (int, bool) {
	if v == "" || len(v) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// textElement reads the character data of the element just read (<v>,
// <t>), which must hold nothing else.
func (s *sheetRows) textElement() (string, error) {
	return textElement(s.z)
}

func textElement(z *xmlTok) (string, error) {
	if z.selfClose {
		return "", nil
	}
	name := string(z.name)
	if err := z.next(); err != nil {
		return "", err
	}
	var val string
	if z.kind == tokText {
		var ok bool
		if val, ok = decodeText(z.text); !ok {
			return "", errFallback
		}
		if err := z.next(); err != nil {
			return "", err
		}
	}
	if z.kind != tokEnd || string(z.name) != name {
		return "", errFallback
	}
	return val, nil
}

// skipElement steps over the element just read and everything in it.
func (s *sheetRows) skipElement() error {
	var err error
	s.stack, err = skipElement(s.z, s.stack[:0])
	return err
}

// skipElement steps over the element just read, checking that what it
// holds is well formed. stack is scratch space, returned for reuse.
func skipElement(z *xmlTok, stack [][]byte) ([][]byte, error) {
	if z.selfClose {
		return stack, nil
	}
	stack = pushName(stack, z.name)
	for len(stack) > 0 {
		if err := z.next(); err != nil {
			return stack, err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return stack, errFallback
			}
		case tokStart:
			if !z.selfClose {
				stack = pushName(stack, z.name)
			}
		case tokEnd:
			top := stack[len(stack)-1]
			if !bytes.Equal(top, z.name) {
				return stack, errFallback
			}
			stack = stack[:len(stack)-1]
		default:
			return stack, errFallback
		}
	}
	return stack, nil
}

// pushName pushes a copy of name, reusing the slot's old storage.
func pushName(stack [][]byte, name []byte) [][]byte {
	if len(stack) < cap(stack) {
		stack = stack[:len(stack)+1]
		stack[len(stack)-1] = append(stack[len(stack)-1][:0], name...)
		return stack
	}
	return append(stack, append([]byte(nil), name...))
}

// richText reads an inline string (<is>) as excelize's xlsxSI.String does.
func (s *sheetRows) richText() (string, error) {
	var (
		str string
		err error
	)
	str, s.stack, err = richText(s.z, s.stack[:0])
	return str, err
}

// richText reads the rich text element just read (<si> or <is>): the text
// of its <t>, then of the <t> of each run <r>, with _xHHHH_ escapes decoded;
// phonetic runs and run properties are not text.
func richText(z *xmlTok, stack [][]byte) (string, [][]byte, error) {
	if z.selfClose {
		return "", stack, nil
	}
	name := string(z.name)
	var t string
	var hasT bool
	var runs []string
	for {
		if err := z.next(); err != nil {
			return "", stack, err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return "", stack, errFallback
			}
			continue
		case tokEnd:
			if string(z.name) != name {
				return "", stack, errFallback
			}
		case tokStart:
			var err error
			switch string(z.local) {
			case "t":
				if hasT {
					return "", stack, errFallback
				}
				t, err = textElement(z)
				hasT = true
			case "r":
				var run string
				run, stack, err = richRun(z, stack)
				runs = append(runs, run)
			case "rPh":
				if !typedAttrs(z.attrs, "sb", 'u', "eb", 'u') {
					return "", stack, errFallback
				}
				stack, err = skipElement(z, stack[:0])
			case "phoneticPr":
				if !typedAttrs(z.attrs, "fontId", 'i') {
					return "", stack, errFallback
				}
				stack, err = skipElement(z, stack[:0])
			default:
				stack, err = skipElement(z, stack[:0])
			}
			if err != nil {
				return "", stack, err
			}
			continue
		default:
			return "", stack, errFallback
		}
		break
	}
	if len(runs) > 0 {
		var b []byte
		b = append(b, t...)
		for _, r := range runs {
			b = append(b, r...)
		}
		t = string(b)
	}
	return bstrUnmarshal(t), stack, nil
}

// richRun reads a run <r>: the text of its <t>.
func richRun(z *xmlTok, stack [][]byte) (string, [][]byte, error) {
	if z.selfClose {
		return "", stack, nil
	}
	name := string(z.name)
	var t string
	var hasT bool
	for {
		if err := z.next(); err != nil {
			return "", stack, err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return "", stack, errFallback
			}
		case tokEnd:
			if string(z.name) != name {
				return "", stack, errFallback
			}
			return t, stack, nil
		case tokStart:
			var err error
			switch string(z.local) {
			case "t":
				if hasT {
					return "", stack, errFallback
				}
				t, err = textElement(z)
				hasT = true
			case "rPr":
				stack, err = skipRunProps(z, stack)
			default:
				stack, err = skipElement(z, stack[:0])
			}
			if err != nil {
				return "", stack, err
			}
		default:
			return "", stack, errFallback
		}
	}
}

// skipRunProps steps over a run's properties (<rPr>), checking the
// attributes excelize decodes into numbers and booleans: one it could not
// parse fails its whole decoding, which the fast reader leaves to it.
func skipRunProps(z *xmlTok, stack [][]byte) ([][]byte, error) {
	if z.selfClose {
		return stack, nil
	}
	name := string(z.name)
	for {
		if err := z.next(); err != nil {
			return stack, err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return stack, errFallback
			}
		case tokEnd:
			if string(z.name) != name {
				return stack, errFallback
			}
			return stack, nil
		case tokStart:
			ok := true
			switch string(z.local) {
			case "charset", "family":
				ok = typedAttrs(z.attrs, "val", 'i')
			case "b", "i", "strike", "outline", "shadow", "condense", "extend":
				ok = typedAttrs(z.attrs, "val", 'b')
			case "sz":
				ok = typedAttrs(z.attrs, "val", 'f')
			case "color":
				ok = typedAttrs(z.attrs, "auto", 'b', "indexed", 'i', "theme", 'i', "tint", 'f')
			}
			if !ok {
				return stack, errFallback
			}
			var err error
			if stack, err = skipElement(z, stack[:0]); err != nil {
				return stack, err
			}
		default:
			return stack, errFallback
		}
	}
}

// typedAttrs checks attributes as encoding/xml fills typed fields: pairs of
// a local name and a kind ('i' int, 'u' uint32, 'f' float64, 'b' bool); an
// empty value is the zero value.
func typedAttrs(attrs []xmlAttr, spec ...any) bool {
	for _, a := range attrs {
		for k := 0; k+1 < len(spec); k += 2 {
			if string(a.local) != spec[k].(string) || len(a.val) == 0 {
				continue
			}
			v := strings.TrimSpace(string(a.val))
			var err error
			switch spec[k+1].(rune) {
			case 'i':
				_, err = strconv.ParseInt(v, 10, 64)
			case 'u':
				_, err = strconv.ParseUint(v, 10, 32)
			case 'f':
				_, err = strconv.ParseFloat(v, 64)
			case 'b':
				_, err = strconv.ParseBool(v)
			}
			if err != nil {
				return false
			}
		}
	}
	return true
}

// bstrUnmarshal decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot hold, as excelize does: _x005F_ is '_', and the escape of a
// surrogate half (which strconv.Unquote refuses) disappears.
func bstrUnmarshal(s string) string {
	i := indexBstr(s, 0)
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	from := 0
	for ; i >= 0; i = indexBstr(s, from) {
		b = append(b, s[from:i]...)
		n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if r := rune(n); r < 0xD800 || r > 0xDFFF {
			b = utf8.AppendRune(b, r)
		}
		from = i + 7
	}
	return string(append(b, s[from:]...))
}

// indexBstr finds the next _xHHHH_ at or after from.
func indexBstr(s string, from int) int {
	for from < len(s) {
		i := strings.Index(s[from:], "_x")
		if i < 0 {
			return -1
		}
		i += from
		if i+7 > len(s) {
			return -1
		}
		if isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) && s[i+6] == '_' {
			return i
		}
		from = i + 1
	}
	return -1
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
