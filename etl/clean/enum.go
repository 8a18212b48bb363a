package clean

import (
	"strings"
	"unicode/utf8"
)

// Bool cleans a yes/no cell. Recognised after Text: 是/否, Y/N, YES/NO and
// TRUE/FALSE in any case, √/×, ✓/✗, ✔/✘ (and ✕, ✖ as no), 1/0 (also 1.0
// and 0.0, a numeric cell), 有/无 and 对/错. Then the column's extra words are
// tried, as written after Text and again with inner white space removed:
// {"中共党员": true, "群众": false} for 政治面貌, {"全职": true, "兼职":
// false} for 用工形式. Anything else is invalid_enum (CodeInvalidBool).
func Bool(s string, extra map[string]bool) (bool, error) {
	t := Text(s)
	if v, ok := builtinBool(t); ok {
		return v, nil
	}
	if len(extra) > 0 {
		if v, ok := extra[t]; ok {
			return v, nil
		}
		if k := removeSpaces(t); len(k) != len(t) {
			if v, ok := extra[k]; ok {
				return v, nil
			}
		}
	}
	if t == "" {
		return false, newErr(CodeInvalidBool, "empty")
	}
	return false, newErr(CodeInvalidBool, "not a yes/no value")
}

// builtinBool recognises the built-in yes/no words.
func builtinBool(t string) (v, ok bool) {
	switch t {
	case "是", "√", "✓", "✔", "1", "1.0", "有", "对":
		return true, true
	case "否", "×", "✗", "✘", "✕", "✖", "0", "0.0", "无", "错":
		return false, true
	}
	switch len(t) {
	case 1:
		switch t[0] {
		case 'Y', 'y':
			return true, true
		case 'N', 'n':
			return false, true
		}
	case 2:
		if strings.EqualFold(t, "no") {
			return false, true
		}
	case 3:
		if strings.EqualFold(t, "yes") {
			return true, true
		}
	case 4:
		if strings.EqualFold(t, "true") {
			return true, true
		}
	case 5:
		if strings.EqualFold(t, "false") {
			return false, true
		}
	}
	return false, false
}

// EnumKey normalises an enum value or dictionary word for lookup: Text, all
// white space removed (wherever it is), ASCII letters lower-cased. "  城 市"
// → "城市", "Urban " → "urban". Callers build the keys of Enum's map with it.
// Already normalised input is returned without allocating.
func EnumKey(s string) string {
	t := removeSpaces(Text(validUTF8(s)))
	for i := 0; i < len(t); i++ {
		if c := t[i]; c >= 'A' && c <= 'Z' {
			return lowerASCII(t)
		}
	}
	return t
}

// lowerASCII lower-cases the ASCII letters of s, leaving other bytes alone.
func lowerASCII(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Enum looks s up in values, whose keys are already normalised by EnumKey,
// and returns the mapped value. An unknown value is invalid_enum; the detail
// lists nothing, the caller words the message.
func Enum(s string, values map[string]string) (string, error) {
	k := EnumKey(s)
	if v, ok := values[k]; ok {
		return v, nil
	}
	if k == "" {
		return "", newErr(CodeInvalidEnum, "empty")
	}
	return "", newErr(CodeInvalidEnum, "unknown value")
}

// Quarter cleans a quarter to 1–4. Accepted, after EnumKey (so full-width
// and spaced forms work too): "1", "1.0", "Q1", "q1", "1季度", "一季度",
// "第一季度", "第1季度", "第一季", "1季"; and with a year in front, which is
// ignored: "2014Q1", "2014-Q1", "2014年第一季度", "2014年1季度". A year
// followed by a bare number ("2014-1") is not accepted. Anything else is
// invalid_enum.
func Quarter(s string) (int, error) {
	k := EnumKey(s)
	if k == "" {
		return 0, newErr(CodeInvalidEnum, "empty")
	}
	rest, year := k, false
	if len(rest) > 4 && isDigits(rest[:4]) {
		rest, year = rest[4:], true
		switch {
		case strings.HasPrefix(rest, "年"):
			rest = rest[len("年"):]
		case rest[0] == '-' || rest[0] == '/' || rest[0] == '.' || rest[0] == '_':
			rest = rest[1:]
		}
	}
	if !year {
		// A bare number: "1", "1.0", "1.00".
		if q, ok := bareQuarter(rest); ok {
			return checkQuarter(q)
		}
	}
	if len(rest) > 1 && rest[0] == 'q' {
		if q, ok := quarterNumber(rest[1:]); ok {
			return checkQuarter(q)
		}
		return 0, newErr(CodeInvalidEnum, "not a quarter")
	}
	rest = strings.TrimPrefix(rest, "第")
	var body string
	switch {
	case strings.HasSuffix(rest, "季度"):
		body = rest[:len(rest)-len("季度")]
	case strings.HasSuffix(rest, "季"):
		body = rest[:len(rest)-len("季")]
	default:
		return 0, newErr(CodeInvalidEnum, "not a quarter")
	}
	if q, ok := quarterNumber(body); ok {
		return checkQuarter(q)
	}
	return 0, newErr(CodeInvalidEnum, "not a quarter")
}

// bareQuarter reads a digit optionally followed by '.' and zeros.
func bareQuarter(s string) (int, bool) {
	if len(s) == 0 || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	if len(s) > 1 {
		if s[1] != '.' || len(s) == 2 || strings.Trim(s[2:], "0") != "" {
			return 0, false
		}
	}
	return int(s[0] - '0'), true
}

// quarterNumber reads one ASCII digit or one Chinese numeral 一…四.
func quarterNumber(s string) (int, bool) {
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		return int(s[0] - '0'), true
	}
	r, w := utf8.DecodeRuneInString(s)
	if w != len(s) {
		return 0, false
	}
	switch r {
	case '一':
		return 1, true
	case '二':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五', '六', '七', '八', '九', '〇', '零':
		return 0, true // a numeral, but out of range
	}
	return 0, false
}

// checkQuarter rejects numbers outside 1–4.
func checkQuarter(q int) (int, error) {
	if q < 1 || q > 4 {
		return 0, newErr(CodeInvalidEnum, "quarter out of range")
	}
	return q, nil
}
