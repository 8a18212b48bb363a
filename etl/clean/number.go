package clean

import (
	"strings"

	"shequ/internal/decimal"
)

// maxExponent bounds the exponent accepted in scientific notation; Excel
// never writes more than three exponent digits.
const maxExponent = 1000

// noiseDigits is the precision of an Excel number: more significant digits
// than this with a fractional part is binary float noise.
const noiseDigits = 15

// digitBufLen is the number of significant digits a parse keeps. Anything
// longer either has a fractional part (and is rounded to noiseDigits) or is
// an integer far beyond int64.
const digitBufLen = 40

// number is a parsed numeric literal: the significant digits (no leading
// zeros, no trailing zeros) and a scale, value = digits × 10^-scale.
type number struct {
	neg    bool
	buf    [digitBufLen]byte
	n      int  // digits used in buf
	more   bool // significant digits were dropped after buf filled
	scale  int
	pct    bool // a trailing '%' was seen (already applied to scale)
	digits int  // significant digits, counting dropped ones
}

// Int cleans a whole number: "1,234", "1234.0", "1234.00", full-width digits,
// "+5", "-2146", "2.013E3" and surrounding spaces are accepted. A fractional
// value ("12.5") is invalid_number with detail "not a whole number"; so are
// "", "abc" and values outside int64. Excel float noise is removed first, as
// in Decimal.
func Int(s string) (int64, error) {
	if v, ok := fastInt(s); ok {
		return v, nil
	}
	var p number
	if err := p.parse(s, false, false); err != nil {
		return 0, err
	}
	d, err := p.dec()
	if err != nil {
		return 0, err
	}
	if d.Scale != 0 {
		return 0, newErr(CodeInvalidNumber, "not a whole number")
	}
	return d.Coef, nil
}

// fastInt parses an optional '-' and 1..18 ASCII digits with nothing else.
func fastInt(s string) (int64, bool) {
	i := 0
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		i = 1
	}
	if len(s)-i < 1 || len(s)-i > 18 {
		return 0, false
	}
	var v int64
	for ; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int64(c)
	}
	if neg {
		v = -v
	}
	return v, true
}

// Decimal cleans a decimal number into an exact Dec. Accepted: thousands
// separators ("1,234,567.89"; a full-width '，' likewise, and only where it
// separates groups of three digits), a leading sign, a leading '¥' or '￥', a
// trailing '元', full-width digits and dot, scientific notation ("1.5E+5")
// and percentages ("85%" → 0.85, "12.5%" → 0.125).
//
// Excel float noise is removed: a number with more than 15 significant
// digits and a fractional part is rounded to 15 significant digits (half
// away from zero) and trailing fraction zeros are dropped, so
// "0.30000000000000004" → 0.3 and "821000.0000000001" → 821000, while
// "1.999999" is kept. The result is canonical (Scale ≥ 0, no trailing zero
// in the fraction) and String parses back to the same Dec. A value that does
// not fit int64 at its scale is invalid_number.
func Decimal(s string) (Dec, error) {
	if v, ok := fastInt(s); ok {
		return Dec{Coef: v}, nil
	}
	var p number
	if err := p.parse(s, true, true); err != nil {
		return Dec{}, err
	}
	return p.dec()
}

// Ratio cleans a rate such as a satisfaction rate: "85%" → 0.85, "0.85" →
// 0.85, and a plain number greater than 1 is read as a percentage: "85" →
// 0.85, "100" → 1, while "1" stays 1. A value with '%' is never divided
// again ("150%" → 1.5). Range checks are the caller's.
func Ratio(s string) (Dec, error) {
	var p number
	if err := p.parse(s, true, true); err != nil {
		return Dec{}, err
	}
	d, err := p.dec()
	if err != nil || p.pct || d.Cmp(Dec{Coef: 1}) <= 0 {
		return d, err
	}
	// A percentage: divide the literal by 100 and clean it again, so that
	// the result is as canonical as Decimal's (15 significant digits at most
	// when it has a fraction).
	p.scale += 2
	return p.dec()
}

// parse reads a numeric literal into p. allowCurrency accepts a leading
// '¥'/'￥' and a trailing '元'; allowPct accepts a trailing '%'.
func (p *number) parse(s string, allowCurrency, allowPct bool) error {
	t := Text(s)
	if t == "" {
		return newErr(CodeInvalidNumber, "empty")
	}
	i, j := 0, len(t)
	signed := false
	if t[i] == '+' || t[i] == '-' {
		p.neg = t[i] == '-'
		signed = true
		i++
	}
	if allowCurrency {
		if n := currencyPrefix(t[i:]); n > 0 {
			i += n
			for i < j && t[i] == ' ' {
				i++
			}
			if !signed && i < j && (t[i] == '+' || t[i] == '-') {
				p.neg = t[i] == '-'
				i++
			}
		}
		if strings.HasSuffix(t[i:j], "元") {
			j -= len("元")
			for j > i && t[j-1] == ' ' {
				j--
			}
		}
	}
	if allowPct && j > i && t[j-1] == '%' {
		p.pct = true
		j--
		for j > i && t[j-1] == ' ' {
			j--
		}
	}
	m := t[i:j]
	// Integer part, with optional thousands separators.
	k := 0
	intDigits, group, firstGroup := 0, 0, -1
	for ; k < len(m); k++ {
		c := m[k]
		if c >= '0' && c <= '9' {
			intDigits++
			group++
			continue
		}
		if c == ',' {
			if firstGroup < 0 {
				if group < 1 || group > 3 {
					return newErr(CodeInvalidNumber, "bad thousands separator")
				}
				firstGroup = group
			} else if group != 3 {
				return newErr(CodeInvalidNumber, "bad thousands separator")
			}
			group = 0
			continue
		}
		break
	}
	if firstGroup >= 0 && group != 3 {
		return newErr(CodeInvalidNumber, "bad thousands separator")
	}
	intEnd := k
	fracStart, fracEnd := k, k
	if k < len(m) && m[k] == '.' {
		k++
		fracStart = k
		for k < len(m) && m[k] >= '0' && m[k] <= '9' {
			k++
		}
		fracEnd = k
	}
	if intDigits == 0 && fracEnd == fracStart {
		return newErr(CodeInvalidNumber, "not a number")
	}
	exp := 0
	if k < len(m) && (m[k] == 'e' || m[k] == 'E') {
		k++
		eneg := false
		if k < len(m) && (m[k] == '+' || m[k] == '-') {
			eneg = m[k] == '-'
			k++
		}
		if k == len(m) {
			return newErr(CodeInvalidNumber, "not a number")
		}
		for ; k < len(m); k++ {
			c := m[k]
			if c < '0' || c > '9' {
				return newErr(CodeInvalidNumber, "not a number")
			}
			exp = exp*10 + int(c-'0')
			if exp > maxExponent {
				return newErr(CodeInvalidNumber, "exponent out of range")
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if k != len(m) {
		return newErr(CodeInvalidNumber, "not a number")
	}
	p.scale = (fracEnd - fracStart) - exp
	if p.pct {
		p.scale += 2
	}
	pending := 0 // zeros seen after the last nonzero digit
	add := func(c byte) {
		if c == '0' {
			if p.digits > 0 {
				pending++
			}
			return
		}
		for ; pending > 0; pending-- {
			p.push('0')
		}
		p.push(c)
	}
	for x := 0; x < intEnd; x++ {
		if c := m[x]; c != ',' {
			add(c)
		}
	}
	for x := fracStart; x < fracEnd; x++ {
		add(m[x])
	}
	p.scale -= pending + (p.digits - p.n)
	return nil
}

// push appends a significant digit, dropping it once buf is full.
func (p *number) push(c byte) {
	p.digits++
	if p.n < digitBufLen {
		p.buf[p.n] = c
		p.n++
		return
	}
	p.more = true
}

// currencyPrefix returns the byte length of a leading yuan sign, or 0.
func currencyPrefix(s string) int {
	if strings.HasPrefix(s, "¥") {
		return len("¥")
	}
	if strings.HasPrefix(s, "￥") {
		return len("￥")
	}
	return 0
}

// dec turns the parsed digits into a canonical Dec, removing float noise.
func (p *number) dec() (Dec, error) {
	if p.n == 0 {
		return Dec{}, nil
	}
	buf := p.buf // rounding works on a copy: dec may be called again
	digits, scale := buf[:p.n], p.scale
	if p.n > noiseDigits && scale > 0 {
		up := digits[noiseDigits] >= '5'
		scale -= p.n - noiseDigits
		digits = digits[:noiseDigits]
		if up {
			x := noiseDigits - 1
			for ; x >= 0 && digits[x] == '9'; x-- {
				digits[x] = '0'
			}
			if x < 0 {
				// 999…9 rounded up: 1 followed by zeros, one place left.
				digits[0] = '1'
				for y := 1; y < len(digits); y++ {
					digits[y] = '0'
				}
				scale--
			} else {
				digits[x]++
			}
		}
		for len(digits) > 0 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
			scale--
		}
	}
	if len(digits) > 19 {
		return Dec{}, errOverflow()
	}
	var u uint64
	for _, c := range digits {
		u = u*10 + uint64(c-'0')
	}
	for ; scale < 0; scale++ {
		if u > (1<<64-1)/10 {
			return Dec{}, errOverflow()
		}
		u *= 10
	}
	if scale > 1<<31-1 {
		return Dec{}, newErr(CodeInvalidNumber, "too many fraction digits")
	}
	return decimal.Make(u, p.neg, int32(scale))
}

func errOverflow() *Error { return newErr(CodeInvalidNumber, "out of range") }

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
