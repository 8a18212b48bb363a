package reports

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// A Value is one cell as read from the warehouse: nil, bool, int64,
// float64, string, Decimal or time.Time (a Date for DATE columns).
type Value = any

// Decimal is an exact decimal number: Units × 10^-Scale. Money is read as
// Decimal so that totals add up to the fen.
type Decimal struct {
	Units int64
	Scale int
}

// Date is a calendar day (a DATE column).
type Date struct{ time.Time }

func (d Date) String() string { return d.Format("2006-01-02") }

// ParseDecimal reads "-1234.50" exactly.
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" && frac == "" {
		return Decimal{}, fmt.Errorf("not a decimal: %q", s)
	}
	digits := intPart + frac
	for _, r := range digits {
		if r < '0' || r > '9' {
			return Decimal{}, fmt.Errorf("not a decimal: %q", s)
		}
	}
	if digits == "" {
		digits = "0"
	}
	u, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Decimal{}, fmt.Errorf("decimal %q is too large: %w", s, err)
	}
	if neg {
		u = -u
	}
	return Decimal{Units: u, Scale: len(frac)}, nil
}

// MustDecimal is ParseDecimal for constants; it panics on a bad one.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String writes the number with its scale: 1449470.00.
func (d Decimal) String() string {
	neg := d.Units < 0
	u := d.Units
	if neg {
		u = -u
	}
	s := strconv.FormatInt(u, 10)
	if d.Scale > 0 {
		if len(s) <= d.Scale {
			s = strings.Repeat("0", d.Scale-len(s)+1) + s
		}
		s = s[:len(s)-d.Scale] + "." + s[len(s)-d.Scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Float64 is the nearest float.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Rescale gives d with scale digits after the point, rounding half away
// from zero when it drops digits.
func (d Decimal) Rescale(scale int) Decimal {
	for d.Scale < scale {
		d.Units *= 10
		d.Scale++
	}
	if d.Scale > scale {
		r := new(big.Rat).SetFrac(big.NewInt(d.Units), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
		return RoundRat(r, scale)
	}
	return d
}

// Add returns d + e exactly.
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.Scale, e.Scale)
	d, e = d.Rescale(s), e.Rescale(s)
	return Decimal{Units: d.Units + e.Units, Scale: s}
}

// Rat is d as an exact fraction.
func (d Decimal) Rat() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(d.Units), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
}

// Cmp compares d and e: -1, 0 or 1.
func (d Decimal) Cmp(e Decimal) int { return d.Rat().Cmp(e.Rat()) }

// RoundRat rounds r to scale digits, half away from zero.
func RoundRat(r *big.Rat, scale int) Decimal {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(p))
	num, den := new(big.Int).Set(x.Num()), x.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Decimal{Units: q.Int64(), Scale: scale}
}

// Float returns v as a float64 for charts and spreadsheets; ok is false
// for NULL and non-numbers.
func Float(v Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case Decimal:
		return x.Float64(), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// Normalize turns what database/sql gave into a Value. dbType is the
// column's DatabaseTypeName.
func Normalize(v any, dbType string) (Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool, string, float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("unsigned value %d is too large", x)
		}
		return int64(x), nil
	case *big.Int:
		if !x.IsInt64() {
			return nil, fmt.Errorf("integer %s is too large", x)
		}
		return x.Int64(), nil
	case []byte:
		return string(x), nil
	case time.Time:
		if strings.EqualFold(dbType, "DATE") {
			return Date{x.UTC()}, nil
		}
		return x.UTC(), nil
	case fmt.Stringer:
		// DuckDB's DECIMAL arrives as a value with String() and Float64().
		if strings.HasPrefix(strings.ToUpper(dbType), "DECIMAL") {
			d, err := ParseDecimal(x.String())
			if err != nil {
				return nil, err
			}
			if _, sc, ok := strings.Cut(strings.TrimSuffix(dbType, ")"), ","); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(sc)); err == nil && n > d.Scale {
					d = d.Rescale(n)
				}
			}
			return d, nil
		}
		return x.String(), nil
	}
	return nil, fmt.Errorf("unexpected value %T", v)
}

// Machine writes a value for a CSV export: exact decimals, the shortest
// float that reads back the same, true/false, ISO dates; "" for NULL.
func Machine(v Value) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case Decimal:
		return x.String()
	case Date:
		return x.String()
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Display writes a value for people, in the column's format: 1,234,567.89
// for yuan, 57.26% for percent, 是/否 for bool; "" for NULL. A column's
// Values give the words for codes.
func Display(v Value, c *Column) string {
	if v == nil {
		return ""
	}
	if c != nil && len(c.Values) > 0 {
		if s, ok := c.Values[Machine(v)]; ok {
			return s
		}
	}
	format := FormatText
	if c != nil {
		format = c.Format
	}
	return DisplayAs(v, format)
}

// DisplayAs writes a value in a format (see Display).
func DisplayAs(v Value, format string) string {
	if v == nil {
		return ""
	}
	switch format {
	case FormatBool:
		if b, ok := v.(bool); ok {
			if b {
				return "是"
			}
			return "否"
		}
	case FormatYuan, FormatNumber:
		if d, ok := v.(Decimal); ok {
			return Thousands(d.Rescale(2).String())
		}
		if f, ok := Float(v); ok {
			return Thousands(strconv.FormatFloat(f, 'f', 2, 64))
		}
	case FormatInt:
		if f, ok := Float(v); ok {
			return Thousands(strconv.FormatFloat(f, 'f', 0, 64))
		}
	case FormatPercent:
		if f, ok := Float(v); ok {
			return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
		}
	case FormatScore:
		if f, ok := Float(v); ok {
			return strconv.FormatFloat(f, 'f', 2, 64)
		}
	case FormatRatio:
		if f, ok := Float(v); ok {
			return strconv.FormatFloat(f, 'f', 4, 64)
		}
	case FormatDate:
		switch x := v.(type) {
		case Date:
			return x.String()
		case time.Time:
			return x.Format("2006-01-02")
		}
	}
	if t, ok := v.(time.Time); ok {
		return t.Format("2006-01-02 15:04")
	}
	return Machine(v)
}

// Thousands puts separators into the integer part of a number: 1234567.89
// → 1,234,567.89.
func Thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	i, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for k, r := range i {
		if k > 0 && (len(i)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}
