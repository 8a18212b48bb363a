package xlsx

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"shequ/etl"
)

// Before excelize streams a worksheet, the worksheet's XML part is read once
// more, quickly, to learn two things excelize's streaming reader does not
// tell: its merged ranges (<mergeCell ref="A1:C2"/> after </sheetData>), and
// the number of the last <row>, so that a sheet whose XML is damaged half way
// (excelize's reader then simply stops, silently) is reported instead of
// being loaded short.
//
// The scan is a byte scanner, not an XML parser: it jumps from '<' to '<',
// looks only at start tags named row, mergeCell and sheetData and at the end
// tag of sheetData, skips comments, CDATA sections and processing
// instructions, and keeps memory bounded by its 256 KiB window. Element names
// may carry a namespace prefix (<x:row>), as excelize accepts. A part in
// UTF-16 is refused (excelize cannot decode it either). scanSheetXML in the
// tests is the same scan written with encoding/xml: the reference the byte
// scanner is checked against, and several times slower.
//
// The scan also bounds the text the readers will meet, before either
// reader (sheetRows or excelize's iterator, which holds a whole token in
// memory) meets it: the raw bytes inside one cell (<c>…</c>; <si>…</si> in
// the shared strings, scanned by scanSST) and the bytes between any two
// tags. A 1 GiB cell compresses to 1 MB.

// mergeRange is a merged range, 1-based and inclusive: rows r1..r2,
// columns c1..c2.
type mergeRange struct{ r1, c1, r2, c2 int32 }

// sheetScan is what the pre-scan found in a worksheet part.
type sheetScan struct {
	merges []mergeRange // sorted by r1, then c1
	// lastRow is the number excelize's row iterator gives the last <row>
	// element inside sheetData: a row's r attribute, or one more than the
	// previous row when r is missing.
	lastRow int
	rows    int // <row> elements inside sheetData
	// disorder is the r of the first row whose number is not above the
	// previous row's (an invalid sheet that excelize would number wrongly).
	disorder int
	// dataOpen and dataClosed: <sheetData> was seen, and its end.
	dataOpen, dataClosed bool
}

// textLimits bound the text the scan lets through.
type textLimits struct {
	cellTag   string // the element a cell's text is in: "c", or "si"
	cellBytes int64  // raw bytes inside one such element
	runBytes  int64  // raw bytes between two '<' anywhere
}

// maxRunBytes bounds a run of text (or a comment, or a tag's attributes)
// anywhere in a part: encoding/xml holds a whole token in memory.
const maxRunBytes = 16 << 20

// sheetTextLimits are the limits for a worksheet whose cells may hold
// maxChars characters. A character takes at most ten bytes of XML (a
// character reference such as &#x1F600;), and the tags of a rich-text
// cell's runs come on top.
func sheetTextLimits(cellTag string, maxChars int) textLimits {
	return textLimits{cellTag: cellTag, cellBytes: 10*int64(maxChars) + 64<<10, runBytes: maxRunBytes}
}

// textTooLong: the pre-scan met more text than its limits allow.
type textTooLong struct {
	at    int  // the row (worksheet) or the string's number (shared strings)
	cell  bool // the text of one cell (else a run of text between tags)
	bytes int64
}

func (e *textTooLong) Error() string {
	if e.cell {
		return fmt.Sprintf("a cell at %d holds more than %d bytes of XML text", e.at, e.bytes)
	}
	return fmt.Sprintf("more than %d bytes of XML without a tag after %d", e.bytes, e.at)
}

// Limits of the pre-scan.
const (
	maxMerges   = 1 << 20 // merged ranges kept per sheet (16 bytes each)
	maxRows     = 1 << 20 // Excel's last row
	maxCols     = 1 << 14 // Excel's last column, XFD
	scanWindow  = 256 << 10
	maxTagBytes = 64 << 10 // a start tag we must read whole (row, mergeCell)
)

var (
	errTooManyMerges = fmt.Errorf("more than %d merged ranges in one sheet", maxMerges)
	// excelize cannot read such a part either: it would yield no rows.
	errUTF16Part = fmt.Errorf("worksheet XML is in UTF-16, which cannot be read")
)

// scanSheet pre-scans a worksheet part, with cells of at most Excel's
// 32 767 characters.
func scanSheet(r io.Reader) (*sheetScan, error) {
	return scanSheetWith(r, scanWindow, sheetTextLimits("c", etl.DefaultLimits.MaxCellChars))
}

// scanSheetWindow scans with a window of the given size (tests use tiny
// ones to cross window boundaries everywhere). A tag longer than the window
// is stepped over.
func scanSheetWindow(r io.Reader, window int) (*sheetScan, error) {
	return scanSheetWith(r, window, sheetTextLimits("c", etl.DefaultLimits.MaxCellChars))
}

// scanSST scans a shared-string part for its number of strings and the
// length of each: it refuses what the limits refuse.
func scanSST(r io.Reader, lim textLimits) (int, error) {
	s := &scanner{r: r, buf: make([]byte, scanWindow), out: &sheetScan{}, lim: lim}
	if err := s.fill(); err != nil {
		return 0, err
	}
	if err := s.run(); err != nil {
		return 0, err
	}
	return s.cells, nil
}

func scanSheetWith(r io.Reader, window int, lim textLimits) (*sheetScan, error) {
	s := &scanner{r: r, buf: make([]byte, window), out: &sheetScan{}, lim: lim}
	if err := s.fill(); err != nil {
		return nil, err
	}
	if head := s.data; bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) ||
		bytes.HasPrefix(head, []byte("<\x00")) || bytes.HasPrefix(head, []byte("\x00<")) {
		return nil, errUTF16Part
	}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.out.finish(), nil
}

func (out *sheetScan) finish() *sheetScan {
	sort.Slice(out.merges, func(i, j int) bool {
		a, b := out.merges[i], out.merges[j]
		if a.r1 != b.r1 {
			return a.r1 < b.r1
		}
		return a.c1 < b.c1
	})
	return out
}

type scanner struct {
	r    io.Reader
	buf  []byte
	data []byte // the window: buf[:n]
	pos  int    // next byte of data to look at
	eof  bool
	out  *sheetScan
	lim  textLimits
	// runLen counts the bytes since the last '<'; cellLen those since the
	// start tag of the cell element, while inCell.
	runLen, cellLen int64
	inCell          bool
	cells           int // cell elements (<c>, or <si> in the shared strings) seen
}

// text counts n bytes of text (or of what is skipped over) at the scan's
// position.
func (s *scanner) text(n int) error {
	if s.inCell {
		if s.cellLen += int64(n); s.cellLen > s.lim.cellBytes {
			return &textTooLong{at: s.where(), cell: true, bytes: s.lim.cellBytes}
		}
	}
	if s.runLen += int64(n); s.runLen > s.lim.runBytes {
		return &textTooLong{at: s.where(), bytes: s.lim.runBytes}
	}
	return nil
}

// where is the row being read (worksheet), else the number of the cell
// element (shared strings).
func (s *scanner) where() int {
	if s.lim.cellTag == "c" {
		return s.out.lastRow
	}
	return s.cells
}

// fill reads into the free end of buf until it is full or the reader ends.
func (s *scanner) fill() error {
	for !s.eof && len(s.data) < len(s.buf) {
		n, err := s.r.Read(s.buf[len(s.data):])
		s.data = s.buf[:len(s.data)+n]
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return err
		}
		if n > 0 {
			break
		}
	}
	return nil
}

// more drops the window before keep, reads on, and reports whether the
// window grew. Indexes into the window move down by keep.
func (s *scanner) more(keep int) (bool, error) {
	if s.eof {
		return false, nil
	}
	n := copy(s.buf, s.data[keep:])
	s.data = s.buf[:n]
	s.pos -= keep
	if n == len(s.buf) {
		return false, nil // the kept part fills the window: give up on it
	}
	if err := s.fill(); err != nil {
		return false, err
	}
	return len(s.data) > n, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNameEnd(c byte) bool { return isSpace(c) || c == '>' || c == '/' }

func (s *scanner) run() error {
	for {
		i := bytes.IndexByte(s.data[s.pos:], '<')
		if i < 0 {
			if err := s.text(len(s.data) - s.pos); err != nil {
				return err
			}
			s.pos = len(s.data)
			if ok, err := s.more(s.pos); err != nil || !ok {
				return err
			}
			continue
		}
		j := s.pos + i
		if err := s.text(i); err != nil {
			return err
		}
		s.pos, s.runLen = j, 0
		done, err := s.tag(j)
		if err != nil {
			return err
		}
		if !done { // the tag runs past the window: read on and retry
			s.pos = j
			grew, err := s.more(j)
			if err != nil {
				return err
			}
			if !grew { // past EOF or longer than the window: step over it
				s.pos++
			}
		}
	}
}

// tag looks at the markup starting at data[j] == '<'. It returns false if
// more input is needed to decide; then nothing has been consumed.
func (s *scanner) tag(j int) (bool, error) {
	d := s.data
	if j+1 >= len(d) {
		if s.eof {
			s.pos = len(d)
			return true, nil
		}
		return false, nil
	}
	switch d[j+1] {
	case '!':
		if len(d)-j < 9 && !s.eof {
			return false, nil
		}
		switch {
		case bytes.HasPrefix(d[j:], []byte("<!--")):
			return true, s.skipTo(j+4, []byte("-->"))
		case bytes.HasPrefix(d[j:], []byte("<![CDATA[")):
			return true, s.skipTo(j+9, []byte("]]>"))
		}
		return true, s.skipTo(j+2, []byte(">"))
	case '?':
		return true, s.skipTo(j+2, []byte("?>"))
	case '/':
		local, end, ok := s.name(j + 2)
		if !ok {
			return false, nil
		}
		if string(local) == "sheetData" && s.out.dataOpen {
			s.out.dataClosed = true
		}
		if string(local) == s.lim.cellTag {
			s.inCell = false
		}
		s.pos = end
		return true, nil
	}
	local, end, ok := s.name(j + 1)
	if !ok {
		return false, nil
	}
	if string(local) == s.lim.cellTag {
		s.inCell, s.cellLen = true, 0
		s.cells++
	}
	var attr string
	switch string(local) {
	case "row":
		attr = "r"
	case "mergeCell":
		attr = "ref"
	case "sheetData":
	default:
		s.pos = end // attribute values cannot hold '<': the next '<' is the next tag
		return true, nil
	}
	val, has, after, selfClose, ok := tagAttr(d, end, attr)
	if !ok {
		if s.eof || after-j > maxTagBytes {
			s.pos = j + 1
			return true, nil
		}
		return false, nil
	}
	s.pos = after
	out := s.out
	switch string(local) {
	case "sheetData":
		if !out.dataOpen {
			out.dataOpen = true
			out.dataClosed = selfClose
		}
	case "row":
		if out.dataOpen && !out.dataClosed {
			out.row(val, has)
		}
	case "mergeCell":
		if has {
			return true, out.merge(val)
		}
	}
	return true, nil
}

// name reads an element name starting at i and returns its local part (the
// part after a namespace prefix) and the index just past it.
func (s *scanner) name(i int) (local []byte, end int, ok bool) {
	d := s.data
	start := i
	for ; i < len(d) && !isNameEnd(d[i]); i++ {
		if d[i] == ':' {
			start = i + 1
		}
		if i-start > 64 {
			return nil, i, true // far longer than any name we look for
		}
	}
	if i == len(d) && !s.eof {
		return nil, 0, false
	}
	return d[start:i], i, true
}

// skipTo moves past the next occurrence of end at or after i, reading on as
// needed; at EOF it stops at the end of the input. What it skips counts as
// text (a comment, or a CDATA section inside a cell).
func (s *scanner) skipTo(i int, end []byte) error {
	for {
		if k := bytes.Index(s.data[i:], end); k >= 0 {
			s.pos = i + k + len(end)
			return s.text(k + len(end))
		}
		keep := max(i, len(s.data)-(len(end)-1))
		if err := s.text(keep - i); err != nil {
			return err
		}
		s.pos = keep
		grew, err := s.more(keep)
		if err != nil {
			return err
		}
		if !grew {
			s.pos = len(s.data)
			return nil
		}
		i = 0
	}
}

// tagAttr reads the attributes of a start tag from i (just past its name) to
// its closing '>' and returns the value of the unprefixed attribute want.
// after is the index just past the tag. ok is false if the tag does not end
// within d.
func tagAttr(d []byte, i int, want string) (val string, has bool, after int, selfClose, ok bool) {
	for {
		for i < len(d) && isSpace(d[i]) {
			i++
		}
		if i >= len(d) {
			return "", false, i, false, false
		}
		switch d[i] {
		case '>':
			return val, has, i + 1, false, true
		case '/':
			if i+1 >= len(d) {
				return "", false, i, false, false
			}
			if d[i+1] == '>' {
				return val, has, i + 2, true, true
			}
			i++
			continue
		}
		nameStart := i
		for i < len(d) && d[i] != '=' && d[i] != '>' && !isSpace(d[i]) && d[i] != '/' {
			i++
		}
		name := d[nameStart:i]
		for i < len(d) && isSpace(d[i]) {
			i++
		}
		if i >= len(d) {
			return "", false, i, false, false
		}
		if d[i] != '=' {
			continue // an attribute without a value: malformed, skip the name
		}
		i++
		for i < len(d) && isSpace(d[i]) {
			i++
		}
		if i >= len(d) {
			return "", false, i, false, false
		}
		q := d[i]
		if q != '"' && q != '\'' {
			continue
		}
		k := bytes.IndexByte(d[i+1:], q)
		if k < 0 {
			return "", false, len(d), false, false
		}
		if !has && string(name) == want {
			val, has = string(d[i+1:i+1+k]), true
		}
		i += k + 2
	}
}

// row counts a <row> element as excelize's iterator does.
func (out *sheetScan) row(r string, has bool) {
	out.rows++
	prev := out.lastRow
	out.lastRow++
	if n, ok := atoiRow(r); has && ok && n > 0 {
		if n <= prev && out.disorder == 0 {
			out.disorder = n
		}
		out.lastRow = n
	}
}

func (out *sheetScan) merge(ref string) error {
	m, ok := parseRange(ref)
	if !ok {
		return nil
	}
	if len(out.merges) >= maxMerges {
		return errTooManyMerges
	}
	out.merges = append(out.merges, m)
	return nil
}

// atoiRow parses a row number; anything not a plain number of at most nine
// digits is not one.
func atoiRow(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseRange parses "A1:C2" (also "$A$1:$C$2", in any corner order) into a
// normalised range. A single cell, or anything outside the sheet, is not a
// merged range.
func parseRange(ref string) (mergeRange, bool) {
	i := 0
	for i < len(ref) && ref[i] != ':' {
		i++
	}
	if i == len(ref) {
		return mergeRange{}, false
	}
	c1, r1, ok1 := parseCell(ref[:i])
	c2, r2, ok2 := parseCell(ref[i+1:])
	if !ok1 || !ok2 {
		return mergeRange{}, false
	}
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	if c1 > c2 {
		c1, c2 = c2, c1
	}
	if r1 == r2 && c1 == c2 {
		return mergeRange{}, false
	}
	return mergeRange{int32(r1), int32(c1), int32(r2), int32(c2)}, true
}

// parseCell parses a cell reference such as "B12" or "$B$12".
func parseCell(s string) (col, row int, ok bool) {
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	for ; i < len(s); i++ {
		c := s[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxCols {
			return 0, 0, false
		}
	}
	if col == 0 {
		return 0, 0, false
	}
	if i < len(s) && s[i] == '$' {
		i++
	}
	row, ok = atoiRow(s[i:])
	if !ok || row < 1 || row > maxRows {
		return 0, 0, false
	}
	return col, row, true
}
