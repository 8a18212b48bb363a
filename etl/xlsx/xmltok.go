package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlTok is a strict, streaming XML tokenizer for the sheet reader
// (sheetrows.go) and the shared-string reader (sst.go). It reads only the
// XML that Excel, WPS and the usual libraries write, and reads it as
// encoding/xml (and so excelize) would. Whatever else it meets — a comment,
// a CDATA section, a DOCTYPE, an entity in an attribute, a name or an
// attribute encoding/xml would refuse, a token longer than its window —
// ends it with errFallback, and the caller hands the part to excelize,
// which stays the reference.
//
// Tokens point into the window and stay valid until the next call of next.
type xmlTok struct {
	r    io.Reader
	buf  []byte
	data []byte // the window: buf[:n]
	pos  int    // start of the next token in data
	eof  bool
	// the current token
	kind      tokKind
	name      []byte // the element's name as written (prefix:local)
	local     []byte // its local part
	selfClose bool
	attrs     []xmlAttr
	text      []byte // tokText: the raw character data
	prolog    bool   // the next token is the first of the document
	// open are the names of the elements open around the next token, as
	// written; an end tag must close the innermost (slots are reused).
	open  [][]byte
	depth int
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

type xmlAttr struct{ name, local, val []byte }

// errFallback: the fast reader met something it does not read exactly as
// excelize does; the caller reads the part with excelize instead.
var errFallback = errors.New("xlsx: this XML is left to excelize")

const tokWindow = 256 << 10

func newXMLTok(r io.Reader, buf []byte) *xmlTok {
	return &xmlTok{r: r, buf: buf, prolog: true}
}

// next reads the next token.
func (z *xmlTok) next() error {
	for {
		if z.pos == len(z.data) && z.eof {
			z.kind = tokEOF
			return nil
		}
		n, err := z.parse(z.data[z.pos:])
		if err != nil {
			return err
		}
		if n > 0 {
			z.pos += n
			z.prolog = false
			return z.nest()
		}
		// The token runs past the window: move it to the front and read on.
		if z.eof {
			return errFallback // the part ends inside a token
		}
		k := copy(z.buf, z.data[z.pos:])
		z.data, z.pos = z.buf[:k], 0
		if k == len(z.buf) {
			return errFallback // one token longer than the window
		}
		if err := z.fill(); err != nil {
			return err
		}
	}
}

// nest keeps the stack of open elements: encoding/xml refuses an end tag
// that does not close the innermost open element.
func (z *xmlTok) nest() error {
	switch {
	case z.kind == tokStart && !z.selfClose:
		if z.depth == len(z.open) {
			z.open = append(z.open, nil)
		}
		z.open[z.depth] = append(z.open[z.depth][:0], z.name...)
		z.depth++
	case z.kind == tokEnd:
		if z.depth == 0 || !bytes.Equal(z.open[z.depth-1], z.name) {
			return errFallback
		}
		z.depth--
	}
	return nil
}

// The readers below start at the start tag of an element just read and
// end at its end tag (or at once, for an empty element <x/>).

// children calls child at the start tag of each child element of the
// element just read; child must read that element to its end. Text
// between children must be good XML and is otherwise ignored.
func (z *xmlTok) children(child func() error) error {
	if z.selfClose {
		return nil
	}
	d := z.depth
	for {
		if err := z.next(); err != nil {
			return err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return errFallback
			}
		case tokStart:
			if err := child(); err != nil {
				return err
			}
		case tokEnd:
			if z.depth < d {
				return nil
			}
			return errFallback // cannot happen: a child ends inside child()
		default:
			return errFallback
		}
	}
}

// skip steps over the element just read and everything in it, checking
// that it is good XML.
func (z *xmlTok) skip() error {
	if z.selfClose {
		return nil
	}
	d := z.depth
	for z.depth >= d {
		if err := z.next(); err != nil {
			return err
		}
		switch z.kind {
		case tokText:
			if _, ok := decodeText(z.text); !ok {
				return errFallback
			}
		case tokEOF:
			return errFallback
		}
	}
	return nil
}

// innerText reads the element just read to its end, as skip does, and
// returns the character data directly inside it (a formula's text).
func (z *xmlTok) innerText() (string, error) {
	if z.selfClose {
		return "", nil
	}
	d := z.depth
	var text []byte
	for {
		if err := z.next(); err != nil {
			return "", err
		}
		if z.depth < d {
			return string(text), nil
		}
		switch z.kind {
		case tokText:
			s, ok := decodeText(z.text)
			if !ok {
				return "", errFallback
			}
			if z.depth == d {
				text = append(text, s...)
			}
		case tokEOF:
			return "", errFallback
		}
	}
}

// textContent reads the character data of the element just read (<v>,
// <t>), which must hold nothing else.
func (z *xmlTok) textContent() (string, error) {
	if z.selfClose {
		return "", nil
	}
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
	if z.kind != tokEnd {
		return "", errFallback
	}
	return val, nil
}

// fill reads until the window is full or the input ends.
func (z *xmlTok) fill() error {
	for !z.eof && len(z.data) < len(z.buf) {
		n, err := z.r.Read(z.buf[len(z.data):])
		z.data = z.buf[:len(z.data)+n]
		if err == io.EOF {
			z.eof = true
		} else if err != nil {
			return err
		}
		if n == 0 && err == nil {
			continue
		}
		if len(z.data) > 0 && !z.eof {
			return nil
		}
	}
	return nil
}

// parse reads one token from the start of d and returns the bytes it took,
// 0 if d does not hold all of it.
func (z *xmlTok) parse(d []byte) (int, error) {
	if len(d) == 0 {
		return 0, nil
	}
	if d[0] != '<' {
		i := bytes.IndexByte(d, '<')
		if i < 0 {
			if !z.eof {
				return 0, nil
			}
			i = len(d)
		}
		if z.prolog {
			return 0, errFallback // text before the declaration (a BOM, say)
		}
		z.kind, z.text = tokText, d[:i]
		return i, nil
	}
	if len(d) < 2 {
		return 0, nil
	}
	switch d[1] {
	case '/':
		name, local, i, more, bad := nameThen(d, 2, '>')
		if more || bad {
			return 0, fallbackIf(bad)
		}
		z.kind, z.name, z.local = tokEnd, name, local
		return i + 1, nil
	case '?':
		if !z.prolog {
			return 0, errFallback
		}
		end := bytes.Index(d, []byte("?>"))
		if end < 0 {
			return 0, nil
		}
		if !utf8Decl(d[:end]) {
			return 0, errFallback
		}
		// The declaration reads as empty text: callers skip text here.
		z.kind, z.text = tokText, nil
		return end + 2, nil
	case '!':
		return 0, errFallback // comments, CDATA sections, DOCTYPE
	}
	name, local, i, ok := xmlName(d, 1)
	if i == len(d) {
		return 0, nil
	}
	if !ok {
		return 0, errFallback
	}
	z.attrs = z.attrs[:0]
	for {
		sp := i
		for i < len(d) && isSpace(d[i]) {
			i++
		}
		if i == len(d) {
			return 0, nil
		}
		switch d[i] {
		case '>':
			z.kind, z.name, z.local, z.selfClose = tokStart, name, local, false
			return i + 1, nil
		case '/':
			if i+1 == len(d) {
				return 0, nil
			}
			if d[i+1] != '>' {
				return 0, errFallback
			}
			z.kind, z.name, z.local, z.selfClose = tokStart, name, local, true
			return i + 2, nil
		}
		if sp == i {
			return 0, errFallback // attributes must be separated by space
		}
		aname, alocal, j, more, bad := nameThen(d, i, '=')
		if more || bad {
			return 0, fallbackIf(bad)
		}
		j++
		for j < len(d) && isSpace(d[j]) {
			j++
		}
		if j == len(d) {
			return 0, nil
		}
		q := d[j]
		if q != '"' && q != '\'' {
			return 0, errFallback
		}
		k := bytes.IndexByte(d[j+1:], q)
		if k < 0 {
			return 0, nil
		}
		val := d[j+1 : j+1+k]
		if !plainText(val) || bytes.IndexByte(val, '<') >= 0 {
			return 0, errFallback
		}
		z.attrs = append(z.attrs, xmlAttr{aname, alocal, val})
		i = j + 1 + k + 1
	}
}

// nameThen reads a name at d[i], then spaces, then the byte want, which
// is at d[end]. more: d ends first; bad: d holds something else.
func nameThen(d []byte, i int, want byte) (name, local []byte, end int, more, bad bool) {
	name, local, i, ok := xmlName(d, i)
	if i == len(d) {
		return nil, nil, i, true, false
	}
	if !ok {
		return nil, nil, i, false, true
	}
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	if i == len(d) {
		return nil, nil, i, true, false
	}
	return name, local, i, false, d[i] != want
}

// fallbackIf is errFallback when bad, else nil (read on).
func fallbackIf(bad bool) error {
	if bad {
		return errFallback
	}
	return nil
}

// xmlName reads an element or attribute name at d[i]: ASCII letters,
// digits, '_', '-', '.', with at most one ':' between a prefix and a local
// part. end is len(d) when d ends inside the name; ok is false for a name
// the reader leaves to encoding/xml.
func xmlName(d []byte, i int) (name, local []byte, end int, ok bool) {
	start, colon := i, -1
	for ; i < len(d); i++ {
		c := d[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9', c == '-', c == '.':
			if i == start || i == colon+1 {
				return nil, nil, i, false
			}
		case c == ':':
			if colon >= 0 || i == start {
				return nil, nil, i, false
			}
			colon = i
		case isSpace(c), c == '>', c == '/', c == '=':
			if i == start || i == colon+1 {
				return nil, nil, i, false
			}
			name = d[start:i]
			if colon >= 0 {
				return name, d[colon+1 : i], i, true
			}
			return name, name, i, true
		default:
			return nil, nil, i, false
		}
	}
	return nil, nil, i, true
}

// utf8Decl reports whether an XML declaration (without its "?>") declares
// version 1.0 and UTF-8 or no encoding.
func utf8Decl(d []byte) bool {
	if !bytes.HasPrefix(d, []byte("<?xml")) || len(d) == 5 || !isSpace(d[5]) {
		return false
	}
	_, enc, ok := declAttr(d[5:], "encoding")
	if !ok {
		return false
	}
	if enc != nil && !bytes.EqualFold(enc, []byte("utf-8")) && !bytes.EqualFold(enc, []byte("utf8")) {
		return false
	}
	ver, _, ok := declAttr(d[5:], "version")
	return ok && (ver == nil || string(ver) == "1.0")
}

// declAttr finds name="value" in the pseudo-attributes of a declaration;
// ok is false if they are not well formed.
func declAttr(d []byte, name string) (ver, val []byte, ok bool) {
	for i := 0; ; {
		for i < len(d) && isSpace(d[i]) {
			i++
		}
		if i == len(d) {
			return nil, nil, true
		}
		j := i
		for j < len(d) && d[j] != '=' && !isSpace(d[j]) {
			j++
		}
		key := d[i:j]
		for j < len(d) && isSpace(d[j]) {
			j++
		}
		if j == len(d) || d[j] != '=' {
			return nil, nil, false
		}
		j++
		for j < len(d) && isSpace(d[j]) {
			j++
		}
		if j == len(d) || (d[j] != '"' && d[j] != '\'') {
			return nil, nil, false
		}
		k := bytes.IndexByte(d[j+1:], d[j])
		if k < 0 {
			return nil, nil, false
		}
		v := d[j+1 : j+1+k]
		if string(key) == name {
			if name == "version" {
				return v, nil, true
			}
			return nil, v, true
		}
		i = j + 1 + k + 1
	}
}

// plainText reports whether character data is what encoding/xml would
// return unchanged: no entity or character reference, no carriage return,
// valid UTF-8 of characters XML allows.
func plainText(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c < 0x20 {
			if c != '\t' && c != '\n' {
				return false
			}
		} else if c == '&' {
			return false
		} else if c >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return true
	}
	// U+FFFE and U+FFFF are not XML characters; surrogates are not UTF-8.
	return utf8.Valid(b) && !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf"))
}

// decodeText returns character data as encoding/xml would: references
// replaced and line ends normalised. ok is false for data encoding/xml
// refuses.
func decodeText(b []byte) (string, bool) {
	if plainText(b) {
		return string(b), true
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(b) && b[i] == '\n' {
				i++
			}
			continue
		case c == '&':
			semi := bytes.IndexByte(b[i:], ';')
			if semi < 0 {
				return "", false
			}
			ref := b[i+1 : i+semi]
			i += semi + 1
			switch string(ref) {
			case "lt":
				out = append(out, '<')
			case "gt":
				out = append(out, '>')
			case "amp":
				out = append(out, '&')
			case "apos":
				out = append(out, '\'')
			case "quot":
				out = append(out, '"')
			default:
				if len(ref) < 2 || ref[0] != '#' {
					return "", false
				}
				var n uint64
				var err error
				if ref[1] == 'x' {
					n, err = strconv.ParseUint(string(ref[2:]), 16, 32)
				} else {
					n, err = strconv.ParseUint(string(ref[1:]), 10, 32)
				}
				if err != nil || !isXMLChar(rune(n)) || ref[len(ref)-1] == '+' {
					return "", false
				}
				out = utf8.AppendRune(out, rune(n))
			}
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !isXMLChar(r) {
			return "", false
		}
		out = append(out, b[i:i+size]...)
		i += size
	}
	return string(out), true
}

// isXMLChar: the characters XML 1.0 allows.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
