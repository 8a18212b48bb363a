package clean

import (
	"strconv"
	"unicode/utf8"
)

// maxCodeExponent bounds the exponent Code expands: a 40-digit identifier
// is already beyond anything a district writes.
const maxCodeExponent = 40

// Code cleans an identifier that must stay text (community, project and
// person codes): Text, then a number written the way Excel stores a numeric
// cell is turned back into its integer digits when it is integral:
// "2013519903001.0" and "2013519903001.00" → "2013519903001",
// "5.19902001001E+11" and "5.19902001001e11" → "519902001001". The digits are
// moved, never converted through float64. Scientific notation is recognised
// only when the mantissa has a point or the exponent a sign, so that a code
// like "2013E5" stays as written. Anything else is returned as Text made it,
// letters and punctuation kept ("LJ2013-001").
func Code(s string) string {
	t := Text(s)
	if len(t) < 2 || t[0] < '0' || t[0] > '9' {
		return t
	}
	i := 1
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	if i == len(t) {
		return t
	}
	intEnd, fracEnd := i, i
	dot := false
	if t[i] == '.' {
		dot = true
		i++
		for i < len(t) && isDigit(t[i]) {
			i++
		}
		fracEnd = i
		if i == len(t) {
			if fracEnd > intEnd+1 && allZeros(t[intEnd+1:]) {
				return t[:intEnd]
			}
			return t
		}
	}
	if t[i] != 'e' && t[i] != 'E' {
		return t
	}
	i++
	signed, neg := false, false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		signed, neg = true, t[i] == '-'
		i++
	}
	if !dot && !signed {
		return t
	}
	if i == len(t) || len(t)-i > 3 || !isDigits(t[i:]) {
		return t
	}
	exp := atoi(t[i:])
	if neg {
		exp = -exp
	}
	frac := ""
	if dot {
		frac = t[intEnd+1 : fracEnd]
	}
	if out, ok := expandSci(t[:intEnd], frac, exp); ok {
		return out
	}
	return t
}

// expandSci writes intDigits.frac × 10^exp as integer digits when it is
// integral and at most maxCodeExponent digits long.
func expandSci(intDigits, frac string, exp int) (string, bool) {
	point := len(intDigits) + exp // digits before the point
	if point > maxCodeExponent {
		return "", false
	}
	var buf [maxCodeExponent + 1]byte
	b := buf[:0]
	n := len(intDigits) + len(frac)
	digit := func(k int) byte {
		if k < len(intDigits) {
			return intDigits[k]
		}
		return frac[k-len(intDigits)]
	}
	for k := max(point, 0); k < n; k++ {
		if digit(k) != '0' {
			return "", false // a fractional part
		}
	}
	for k := 0; k < point; k++ {
		c := byte('0')
		if k < n {
			c = digit(k)
		}
		if c == '0' && len(b) == 0 {
			continue // leading zero
		}
		b = append(b, c)
	}
	if len(b) == 0 {
		return "0", true
	}
	return string(b), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// allZeros reports whether s holds only '0' bytes.
func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// CommunityCode cleans a community code (统计用区划代码): Code, then exactly 12
// ASCII digits, else invalid_code ("want 12 digits, got 11").
func CommunityCode(s string) (string, error) {
	c := Code(s)
	if len(c) == 12 && isDigits(c) {
		return c, nil
	}
	return "", communityCodeError(c)
}

func communityCodeError(c string) *Error {
	switch {
	case c == "":
		return newErr(CodeInvalidCode, "empty")
	case isDigits(c):
		return newErr(CodeInvalidCode, "want 12 digits, got "+strconv.Itoa(len(c)))
	}
	return newErr(CodeInvalidCode, "want 12 digits, found a non-digit character")
}

// isListSep reports whether r separates the codes of a code list: 、 , ; /
// (full-width ，；／ are folded by Text first) and any white space or line
// break.
func isListSep(r rune) bool {
	switch r {
	case '、', ',', ';', '/':
		return true
	}
	return isSpace(r)
}

// CodeList cleans a list of community codes separated by 、 , ， ; ； / white
// space or line breaks (also Excel's literal "_x000D_"). Empty parts are
// dropped, each part goes through CommunityCode and the first bad one's
// error is returned; duplicates are removed, the order kept. A list with no
// code is invalid_code.
func CodeList(s string) ([]string, error) {
	t := Text(s)
	var out []string
	start := 0
	flush := func(end int) error {
		if end <= start {
			return nil
		}
		c, err := CommunityCode(t[start:end])
		if err != nil {
			return err
		}
		for _, o := range out {
			if o == c {
				return nil
			}
		}
		out = append(out, c)
		return nil
	}
	for i := 0; i < len(t); {
		sepLen := 0
		if c := t[i]; c < utf8.RuneSelf {
			if n := excelEscapeAt(t, i); n > 0 {
				sepLen = n
			} else if isListSep(rune(c)) {
				sepLen = 1
			}
		} else if r, w := utf8.DecodeRuneInString(t[i:]); isListSep(r) {
			sepLen = w
		}
		if sepLen == 0 {
			_, w := utf8.DecodeRuneInString(t[i:])
			i += w
			continue
		}
		if err := flush(i); err != nil {
			return nil, err
		}
		i += sepLen
		start = i
	}
	if err := flush(len(t)); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, newErr(CodeInvalidCode, "empty code list")
	}
	return out, nil
}

// maxItemPart bounds each number of a service item code.
const maxItemPart = 9999

// ServiceItem extracts a service catalogue code T.M.S (three positive
// integers separated by dots) from the start of a cell: "1.1.1",
// "1.1.1 为社区内…", "1.1.1为社区…", full-width digits or dots "４．３．５",
// and spaces around the dots "4. 3. 5", "4 . 3 . 5". It returns the
// canonical form "4.3.5" without leading zeros. The ideographic full stop
// "。" or "、" between the numbers is not accepted, nor is a fourth level
// ("1.1.1.2"); anything without the leading pattern is invalid_code. Whether
// the code is in the catalogue is the caller's check.
func ServiceItem(s string) (string, error) {
	t := Text(s)
	var parts [3]int
	i := 0
	for p := 0; p < 3; p++ {
		if p > 0 {
			i = skipAllSpaces(t, i)
			if i >= len(t) || t[i] != '.' {
				return "", newErr(CodeInvalidCode, "not a service item code")
			}
			i = skipAllSpaces(t, i+1)
		}
		j := i
		v := 0
		for j < len(t) && isDigit(t[j]) {
			if v <= maxItemPart {
				v = v*10 + int(t[j]-'0')
			}
			j++
		}
		if j == i {
			return "", newErr(CodeInvalidCode, "not a service item code")
		}
		if v < 1 || v > maxItemPart {
			return "", newErr(CodeInvalidCode, "service item numbers must be 1 to 9999")
		}
		parts[p] = v
		i = j
	}
	// Reject a fourth level: ".2" after the third number.
	if k := skipAllSpaces(t, i); k < len(t) && t[k] == '.' {
		if k = skipAllSpaces(t, k+1); k < len(t) && isDigit(t[k]) {
			return "", newErr(CodeInvalidCode, "more than three levels")
		}
	}
	var buf [16]byte
	b := strconv.AppendInt(buf[:0], int64(parts[0]), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(parts[1]), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(parts[2]), 10)
	if string(b) == t[:i] {
		return t[:i], nil
	}
	return string(b), nil
}

// skipAllSpaces returns the index of the first non-isSpace rune at or after i.
func skipAllSpaces(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				return i
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isSpace(r) {
			return i
		}
		i += w
	}
	return i
}

// MaskID masks a resident ID number for storage: the first 6 and last 4
// characters are kept, the rest replaced by '*' ("519902********3681"). A
// value of 10 characters or fewer is masked entirely.
func MaskID(id string) string {
	n := utf8.RuneCountInString(id)
	if n <= 10 {
		return stars(n)
	}
	b := make([]byte, 0, len(id))
	k := 0
	for i, r := range id {
		switch {
		case k < 6:
			b = utf8.AppendRune(b, r)
		case k >= n-4:
			b = append(b, id[i:]...)
			return string(b)
		default:
			b = append(b, '*')
		}
		k++
	}
	return string(b)
}

// stars returns n asterisks.
func stars(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '*'
	}
	return string(b)
}
