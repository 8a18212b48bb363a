package clean

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isSpace reports whether r is whitespace for cleaning purposes: Unicode
// white space (which includes NBSP U+00A0 and the ideographic space U+3000)
// plus the zero-width characters U+200B..U+200D, the word joiner U+2060 and
// the byte-order mark U+FEFF, which Excel users paste in invisibly.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		switch r {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return true
		}
		return false
	}
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return true
	}
	return unicode.IsSpace(r)
}

// foldRune maps a full-width ASCII variant U+FF01..U+FF5E to its ASCII form
// and the ideographic space U+3000 to a space; other runes are unchanged.
func foldRune(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	if r == 0x3000 {
		return ' '
	}
	return r
}

// isASCIISpace reports whether the byte is ASCII white space.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// isCleanASCII reports whether s is pure ASCII with no white space at either
// end: the input Text returns unchanged.
func isCleanASCII(s string) bool {
	n := len(s)
	if n == 0 {
		return true
	}
	if isASCIISpace(s[0]) || isASCIISpace(s[n-1]) {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// trimSpace removes isSpace runes from both ends of s without allocating.
func trimSpace(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			s = s[1:]
			continue
		}
		r, w := utf8.DecodeRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[w:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, w := utf8.DecodeLastRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[:len(s)-w]
	}
	return s
}

// needsFold reports whether s holds a rune that foldRune changes. Full-width
// ASCII variants encode as EF BC 81..EF BD 9E and U+3000 as E3 80 80.
func needsFold(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		switch s[i] {
		case 0xEF:
			if isFullWidthSeq(s[i+1], s[i+2]) {
				return true
			}
		case 0xE3:
			if s[i+1] == 0x80 && s[i+2] == 0x80 {
				return true
			}
		}
	}
	return false
}

// isFullWidthSeq reports whether EF b1 b2 encodes a rune in U+FF01..U+FF5E.
func isFullWidthSeq(b1, b2 byte) bool {
	switch b1 {
	case 0xBC:
		return b2 >= 0x81 && b2 <= 0xBF
	case 0xBD:
		return b2 >= 0x80 && b2 <= 0x9E
	}
	return false
}

// Text cleans a text cell: it trims leading and trailing white space
// (including NBSP U+00A0, the zero-width characters U+200B..U+200D, U+2060,
// the BOM U+FEFF and the ideographic space U+3000), folds the full-width
// ASCII variants U+FF01..U+FF5E to ASCII ('０'→'0', '，'→',', '（'→'(') and
// an inner U+3000 to a plain space. Nothing else changes: inner spaces are not
// collapsed and Chinese punctuation such as '、' or '。' is kept. Invalid UTF-8
// bytes are passed through.
//
// Clean ASCII input (no white space at either end) is returned as is, without
// allocating.
func Text(s string) string {
	if isCleanASCII(s) {
		return s
	}
	t := trimSpace(s)
	if !needsFold(t) {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	appendFolded(&b, t)
	return b.String()
}

// appendFolded writes s to b with foldRune applied, keeping invalid bytes.
func appendFolded(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b.WriteByte(c)
			i++
			continue
		}
		if f := foldRune(r); f != r {
			b.WriteRune(f)
		} else {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
}

// excelEscapes are the literal escapes Excel writes for control characters
// in shared strings (a line break typed with Alt+Enter in some exports).
var excelEscapes = [...]string{"_x000D_", "_x000A_", "_x0009_"}

// excelEscapeAt returns the length of the Excel control-character escape
// starting at s[i] (case-insensitive hex), or 0.
func excelEscapeAt(s string, i int) int {
	if s[i] != '_' || len(s)-i < 7 {
		return 0
	}
	for _, e := range excelEscapes {
		if strings.EqualFold(s[i:i+7], e) {
			return 7
		}
	}
	return 0
}

// removeSpaces returns s without any isSpace rune and without the Excel
// escapes _x000D_, _x000A_ and _x0009_. It allocates only when it removes
// something.
func removeSpaces(s string) string {
	clean := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isASCIISpace(c) || excelEscapeAt(s, i) > 0 {
				clean = false
				break
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			clean = false
			break
		}
		i += w
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isASCIISpace(c) {
				i++
				continue
			}
			if n := excelEscapeAt(s, i); n > 0 {
				i += n
				continue
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	// Removing "_x000D_" from "_x00_x000D_0D_" leaves a new one: repeat
	// until nothing is left to remove (the string shrinks every time).
	return removeSpaces(b.String())
}

// HeaderFull normalises a header cell for matching, keeping any bracketed
// suffix: Text, then every white space and line break removed wherever it is
// (also Excel's literal "_x000D_"), full-width folded. " 街道\n（镇）" →
// "街道(镇)". Callers try this whole key first, then HeaderKey.
func HeaderFull(s string) string {
	return removeSpaces(Text(validUTF8(s)))
}

// validUTF8 replaces invalid UTF-8 bytes by U+FFFD, so that removing runes
// can never join stray bytes into a new character. Valid input is returned
// as is.
func validUTF8(s string) string {
	if isCleanASCII(s) || utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// HeaderKey normalises a header cell like HeaderFull and then, if the key
// ends with a bracketed suffix — "(…)", "（…）", "[…]", "［…］" or "【…】" —
// strips it and returns its content as unit (folded, white space removed):
// " 合同金额\n（万元）" → ("合同金额", "万元"); "面积(平方米)" → ("面积",
// "平方米"); "街道(镇)" → ("街道", "镇"). Any bracketed suffix counts; the
// caller knows which units it accepts. A key that is nothing but a bracket
// keeps it: "(万元)" → ("(万元)", "").
func HeaderKey(s string) (key, unit string) {
	full := HeaderFull(s)
	open, ok := bracketSuffix(full)
	if !ok {
		return full, ""
	}
	_, cw := utf8.DecodeLastRuneInString(full)
	_, ow := utf8.DecodeRuneInString(full[open:])
	return full[:open], full[open+ow : len(full)-cw]
}

// bracketSuffix finds the opening bracket matching the closing bracket that
// ends s and returns its byte offset; ok is false when s does not end with a
// bracket, the bracket is unbalanced, or it opens at offset 0.
func bracketSuffix(s string) (open int, ok bool) {
	last, w := utf8.DecodeLastRuneInString(s)
	var opener rune
	switch last {
	case ')':
		opener = '('
	case ']':
		opener = '['
	case '】':
		opener = '【'
	default:
		return 0, false
	}
	depth := 0
	for i := len(s) - w; i > 0; {
		r, rw := utf8.DecodeLastRuneInString(s[:i])
		i -= rw
		switch r {
		case last:
			depth++
		case opener:
			if depth == 0 {
				return i, i > 0
			}
			depth--
		}
	}
	return 0, false
}
