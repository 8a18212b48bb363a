// Package decimal is shequ's one exact decimal number, Dec: what the
// cleaners read from a district's cell (etl/clean.Dec is Dec), what the
// loader appends to a DECIMAL column (warehouse.Appender), and what the
// reports add up to the fen (reports.Decimal keeps a Dec's digits at a
// fixed scale). Nothing here goes through float64 where digits must be
// kept exactly, and it needs no cgo.
package decimal

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"shequ/internal/valerr"
)

// Dec is an exact decimal value Coef × 10^-Scale: {85, 2} is 0.85, {-2146, 0}
// is -2146, {8500, 4} is 0.85 too, at scale 4. A canonical Dec has Scale ≥ 0
// and, when Scale > 0, no trailing zero in Coef; the zero value is 0.
// etl/clean.Decimal returns canonical values, and arithmetic keeps them
// canonical when it can (MulPow10 may leave a negative Scale when the
// coefficient would overflow); Parse and FromRat keep the scale asked for.
// Compare values with Cmp, not ==, unless both are canonical.
type Dec struct {
	Coef  int64
	Scale int32
}

// pow10u holds 10^0 … 10^19, every power of ten that fits a uint64.
var pow10u = [...]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// pow10f holds the powers of ten that float64 represents exactly.
var pow10f = [...]float64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// CodeInvalidNumber is the Code of the *valerr.Error of a number out of
// range (clean.CodeInvalidNumber).
const CodeInvalidNumber = "invalid_number"

func errOverflow() *valerr.Error {
	return &valerr.Error{Code: CodeInvalidNumber, Detail: "out of range"}
}

func errSyntax() *valerr.Error {
	return &valerr.Error{Code: CodeInvalidNumber, Detail: "not a plain decimal"}
}

// FromInt returns the integer i as a Dec.
func FromInt(i int64) Dec { return Dec{Coef: i} }

// Make returns the Dec of magnitude abs, negative when neg, at scale:
// Make(85, true, 2) is -0.85. A coefficient beyond int64 is invalid_number.
func Make(abs uint64, neg bool, scale int32) (Dec, error) {
	c, ok := signedCoef(abs, neg)
	if !ok {
		return Dec{}, errOverflow()
	}
	return Dec{Coef: c, Scale: scale}, nil
}

// signedCoef applies a sign to a magnitude, reporting int64 overflow.
func signedCoef(u uint64, neg bool) (int64, bool) {
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// Sign returns -1, 0 or +1.
func (d Dec) Sign() int {
	switch {
	case d.Coef < 0:
		return -1
	case d.Coef > 0:
		return 1
	}
	return 0
}

// abs returns |d.Coef| as a uint64 (valid for math.MinInt64 too).
func (d Dec) abs() uint64 {
	if d.Coef < 0 {
		return uint64(-d.Coef)
	}
	return uint64(d.Coef)
}

// numDigits returns the number of decimal digits of u (1 for 0).
func numDigits(u uint64) int {
	n := 1
	for n < len(pow10u) && u >= pow10u[n] {
		n++
	}
	return n
}

// String returns the canonical decimal form: "0.85", "-2146", "1500",
// "0.125"; no exponent and no trailing zero in the fraction.
func (d Dec) String() string { return d.text(true) }

// Fixed returns d with exactly Scale digits after the point, as DuckDB
// writes a DECIMAL: {147, 2} is "1.47", {30, 2} "0.30", {5, 0} "5"; a
// negative Scale writes the integer.
func (d Dec) Fixed() string { return d.text(false) }

// text writes d without an exponent, dropping the trailing zeros of the
// fraction when trim is set.
func (d Dec) text(trim bool) string {
	if d.Coef == 0 && (trim || d.Scale <= 0) {
		return "0"
	}
	var buf [48]byte
	b := buf[:0]
	if d.Coef < 0 {
		b = append(b, '-')
	}
	start := len(b)
	b = strconv.AppendUint(b, d.abs(), 10)
	scale := int(d.Scale)
	for trim && scale > 0 && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
		scale--
	}
	if scale <= 0 {
		for ; scale < 0; scale++ {
			b = append(b, '0')
		}
		return string(b)
	}
	n := len(b) - start // digits
	if n > scale {
		// Insert the point n-scale digits in.
		p := start + n - scale
		b = append(b, 0)
		copy(b[p+1:], b[p:])
		b[p] = '.'
		return string(b)
	}
	out := make([]byte, 0, start+2+scale)
	out = append(out, b[:start]...)
	out = append(out, '0', '.')
	for z := n; z < scale; z++ {
		out = append(out, '0')
	}
	out = append(out, b[start:]...)
	return string(out)
}

// normalize returns d in canonical form where possible: zero is {0, 0},
// trailing fraction zeros are removed and a negative Scale is multiplied out
// unless that would overflow.
func (d Dec) normalize() Dec {
	if d.Coef == 0 {
		return Dec{}
	}
	for d.Scale > 0 && d.Coef%10 == 0 {
		d.Coef /= 10
		d.Scale--
	}
	for d.Scale < 0 && d.Coef <= math.MaxInt64/10 && d.Coef >= math.MinInt64/10 {
		d.Coef *= 10
		d.Scale++
	}
	return d
}

// MulPow10 returns d × 10^n exactly, by moving the scale: amounts in 万元
// are MulPow10(4); square metres to square kilometres are MulPow10(-6). The
// result is canonical unless its integer value overflows int64, in which
// case the Scale stays negative (String, Cmp, Rescale and Float64 still
// handle it; Rescale reports the overflow). n is expected to be small: a
// resulting scale outside int32 is clamped.
func (d Dec) MulPow10(n int32) Dec {
	if d.Coef == 0 {
		return Dec{}
	}
	s := int64(d.Scale) - int64(n)
	if s > math.MaxInt32 {
		s = math.MaxInt32
	} else if s < math.MinInt32 {
		s = math.MinInt32
	}
	return Dec{Coef: d.Coef, Scale: int32(s)}.normalize()
}

// Rescale returns the coefficient of d at the given scale, that is
// d × 10^scale as an integer, rounding half away from zero: {125, 3}
// (0.125) at scale 2 is 13, at scale 0 is 0; {-5, 1} at scale 0 is -1. An
// integer that does not fit int64 is invalid_number.
func (d Dec) Rescale(scale int32) (int64, error) {
	if d.Coef == 0 {
		return 0, nil
	}
	diff := int64(scale) - int64(d.Scale)
	u := d.abs()
	switch {
	case diff == 0:
		return d.Coef, nil
	case diff > 0:
		if diff >= int64(len(pow10u)) {
			return 0, errOverflow()
		}
		hi, lo := bits.Mul64(u, pow10u[diff])
		if hi != 0 {
			return 0, errOverflow()
		}
		u = lo
	default:
		k := -diff
		if k >= int64(len(pow10u)) {
			return 0, nil // |d| < 10^19 × 10^-20: rounds to zero
		}
		p := pow10u[k]
		q, r := u/p, u%p
		if r >= p/2 { // p is even: r ≥ p/2 is "half or more"
			q++
		}
		u = q
	}
	c, ok := signedCoef(u, d.Coef < 0)
	if !ok {
		return 0, errOverflow()
	}
	return c, nil
}

// Cmp compares d and o exactly and returns -1, 0 or +1.
func (d Dec) Cmp(o Dec) int {
	sd, so := d.Sign(), o.Sign()
	if sd != so {
		if sd < so {
			return -1
		}
		return 1
	}
	if sd == 0 {
		return 0
	}
	m := cmpAbs(d, o)
	if sd < 0 {
		return -m
	}
	return m
}

// cmpAbs compares |d| and |o| for nonzero d and o.
func cmpAbs(d, o Dec) int {
	ud, uo := d.abs(), o.abs()
	// Position of the most significant digit: digits - scale.
	ed := int64(numDigits(ud)) - int64(d.Scale)
	eo := int64(numDigits(uo)) - int64(o.Scale)
	if ed != eo {
		if ed < eo {
			return -1
		}
		return 1
	}
	// Same magnitude order, so the scales differ by at most 18.
	var dh, dl, oh, ol uint64
	switch {
	case d.Scale < o.Scale:
		dh, dl = bits.Mul64(ud, pow10u[o.Scale-d.Scale])
		ol = uo
	case d.Scale > o.Scale:
		oh, ol = bits.Mul64(uo, pow10u[d.Scale-o.Scale])
		dl = ud
	default:
		dl, ol = ud, uo
	}
	switch {
	case dh < oh, dh == oh && dl < ol:
		return -1
	case dh > oh, dh == oh && dl > ol:
		return 1
	}
	return 0
}

// Float64 returns the float64 nearest to d.
func (d Dec) Float64() float64 {
	const exact = 1 << 53
	if d.Coef >= -exact && d.Coef <= exact {
		f := float64(d.Coef)
		if d.Scale >= 0 && int(d.Scale) < len(pow10f) {
			return f / pow10f[d.Scale]
		}
		if d.Scale < 0 && int(-d.Scale) < len(pow10f) {
			return f * pow10f[-d.Scale]
		}
	}
	var buf [40]byte
	b := strconv.AppendInt(buf[:0], d.Coef, 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, -int64(d.Scale), 10)
	f, _ := strconv.ParseFloat(string(b), 64) // ±Inf or 0 beyond range
	return f
}

// Add returns d + o exactly, or invalid_number when the sum at the finer of
// the two scales does not fit int64.
func (d Dec) Add(o Dec) (Dec, error) {
	if d.Coef == 0 {
		return o.normalize(), nil
	}
	if o.Coef == 0 {
		return d.normalize(), nil
	}
	s := max(d.Scale, o.Scale)
	a, err := d.Rescale(s)
	if err != nil {
		return Dec{}, err
	}
	b, err := o.Rescale(s)
	if err != nil {
		return Dec{}, err
	}
	c := a + b
	if (a > 0 && b > 0 && c < 0) || (a < 0 && b < 0 && c >= 0) {
		return Dec{}, errOverflow()
	}
	return Dec{Coef: c, Scale: s}.normalize(), nil
}

// Rat returns d as an exact fraction.
func (d Dec) Rat() *big.Rat {
	r := new(big.Rat).SetInt64(d.Coef)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(int64(d.Scale))), nil)
	if d.Scale >= 0 {
		return r.Quo(r, new(big.Rat).SetInt(p))
	}
	return r.Mul(r, new(big.Rat).SetInt(p))
}

func abs64(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// FromRat rounds r to scale digits after the point, half away from zero,
// and returns it at that scale (not canonical: FromRat(1/2, 2) is {50, 2},
// "0.50" in Fixed). A result beyond int64 is invalid_number.
func FromRat(r *big.Rat, scale int32) (Dec, error) {
	x := new(big.Rat).Set(r)
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(int64(scale))), nil))
	if scale >= 0 {
		x.Mul(x, p)
	} else {
		x.Quo(x, p)
	}
	num := new(big.Int).Abs(x.Num())
	q, m := new(big.Int).QuoRem(num, x.Denom(), new(big.Int))
	if m.Lsh(m, 1).Cmp(x.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsUint64() {
		return Dec{}, errOverflow()
	}
	return Make(q.Uint64(), x.Sign() < 0, scale)
}

// Parse reads a decimal as written plainly, the way DuckDB writes a DECIMAL:
// an optional sign, digits, and a point with digits after it ("-1234.50",
// ".5", "12."). The Dec keeps the scale written: "1449470.00" is
// {144947000, 2}. Anything else, and digits beyond int64, is
// invalid_number; see etl/clean.Decimal for what districts write.
func Parse(s string) (Dec, error) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var u uint64
	scale, digits, point := int32(0), 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !point:
			point = true
		case c >= '0' && c <= '9':
			if u > (1<<64-1-9)/10 {
				return Dec{}, errOverflow()
			}
			u = u*10 + uint64(c-'0')
			digits++
			if point {
				scale++
			}
		default:
			return Dec{}, errSyntax()
		}
	}
	if digits == 0 {
		return Dec{}, errSyntax()
	}
	return Make(u, neg, scale)
}
