package reports

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"shequ/internal/decimal"
)

// A Value is one cell as read from the warehouse: nil, bool, int64,
// float64, string, Decimal or time.Time (a Date for DATE columns).
type Value = any

// Decimal is an exact decimal number: Units × 10^-Scale, at the scale the
// warehouse gave it, so that it prints as DuckDB does (1449470.00) and
// totals add up to the fen. It is a decimal.Dec (Dec) whose scale is kept:
// the arithmetic is decimal's.
type Decimal struct {
	Units int64
	Scale int
}

// Dec is d as shequ's decimal.
func (d Decimal) Dec() decimal.Dec { return decimal.Dec{Coef: d.Units, Scale: int32(d.Scale)} }

func fromDec(x decimal.Dec) Decimal { return Decimal{Units: x.Coef, Scale: int(x.Scale)} }

// Date is a calendar day (a DATE column).
type Date struct{ time.Time }

func (d Date) String() string { return d.Format("2006-01-02") }

// ParseDecimal reads "-1234.50" exactly, keeping its scale.
func ParseDecimal(s string) (Decimal, error) {
	x, err := decimal.Parse(strings.TrimSpace(s))
	if err != nil {
		return Decimal{}, fmt.Errorf("not a decimal: %q: %w", s, err)
	}
	return fromDec(x), nil
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
func (d Decimal) String() string { return d.Dec().Fixed() }

// Float64 is the nearest float.
func (d Decimal) Float64() float64 { return d.Dec().Float64() }

// Rescale gives d with scale digits after the point, rounding half away
// from zero when it drops digits. (Money at the fen is far from the ±9.2 ×
// 10^18 units an int64 holds; beyond it the result is 0.)
func (d Decimal) Rescale(scale int) Decimal {
	c, _ := d.Dec().Rescale(int32(scale))
	return Decimal{Units: c, Scale: scale}
}

// Add returns d + e exactly, at the finer of their scales.
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.Scale, e.Scale)
	return Decimal{Units: d.Rescale(s).Units + e.Rescale(s).Units, Scale: s}
}

// Rat is d as an exact fraction.
func (d Decimal) Rat() *big.Rat { return d.Dec().Rat() }

// Cmp compares d and e: -1, 0 or 1.
func (d Decimal) Cmp(e Decimal) int { return d.Dec().Cmp(e.Dec()) }

// RoundRat rounds r to scale digits, half away from zero.
func RoundRat(r *big.Rat, scale int) Decimal {
	x, _ := decimal.FromRat(r, int32(scale))
	return Decimal{Units: x.Coef, Scale: scale}
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
