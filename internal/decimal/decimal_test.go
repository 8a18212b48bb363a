package decimal

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"shequ/internal/valerr"
)

// The tests of Dec's arithmetic, moved here with it from etl/clean.

func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *valerr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "<not *valerr.Error: " + err.Error() + ">"
}

func checkErr(t *testing.T, fn, in string, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("%s(%q) error = %v, want a *Error with code %q", fn, in, err, code)
	}
}

func TestDecString(t *testing.T) {
	cases := []struct {
		name string
		d    Dec
		want string
	}{
		{"zero", Dec{}, "0"},
		{"zero with scale", Dec{0, 5}, "0"},
		{"fraction", Dec{85, 2}, "0.85"},
		{"negative integer", Dec{-2146, 0}, "-2146"},
		{"integer", Dec{1500, 0}, "1500"},
		{"eighth", Dec{125, 3}, "0.125"},
		{"leading zeros in fraction", Dec{5, 4}, "0.0005"},
		{"negative fraction", Dec{-5, 4}, "-0.0005"},
		{"mixed", Dec{123456789, 2}, "1234567.89"},
		{"non-canonical trailing zeros", Dec{8500, 4}, "0.85"},
		{"non-canonical integral", Dec{1500, 2}, "15"},
		{"negative scale", Dec{15, -4}, "150000"},
		{"negative scale negative", Dec{-15, -2}, "-1500"},
		{"min int64", Dec{math.MinInt64, 0}, "-9223372036854775808"},
		{"min int64 scaled", Dec{math.MinInt64, 19}, "-0.9223372036854775808"},
		{"max int64 scaled", Dec{math.MaxInt64, 3}, "9223372036854775.807"},
		{"point at start", Dec{123, 3}, "0.123"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.String(); got != c.want {
				t.Errorf("%#v.String() = %q, want %q", c.d, got, c.want)
			}
		})
	}
}

func TestDecRescale(t *testing.T) {
	cases := []struct {
		name  string
		d     Dec
		scale int32
		want  int64
		code  string
	}{
		{"same", Dec{85, 2}, 2, 85, ""},
		{"up", Dec{85, 2}, 4, 8500, ""},
		{"cents of yuan", Dec{1500, 0}, 2, 150000, ""},
		{"round half up", Dec{125, 3}, 2, 13, ""},
		{"round down", Dec{124, 3}, 2, 12, ""},
		{"round half away negative", Dec{-125, 3}, 2, -13, ""},
		{"half to integer", Dec{5, 1}, 0, 1, ""},
		{"minus half to integer", Dec{-5, 1}, 0, -1, ""},
		{"below half", Dec{49, 2}, 0, 0, ""},
		{"negative scale source", Dec{15, -4}, 0, 150000, ""},
		{"to negative scale", Dec{150000, 0}, -4, 15, ""},
		{"zero", Dec{}, 30, 0, ""},
		{"overflow", Dec{math.MaxInt64, 0}, 1, 0, CodeInvalidNumber},
		{"overflow large diff", Dec{1, 0}, 19, 0, CodeInvalidNumber},
		{"fits 18", Dec{1, 0}, 18, 1e18, ""},
		{"far down rounds to zero", Dec{math.MaxInt64, 40}, 0, 0, ""},
		{"19 down rounds up", Dec{math.MaxInt64, 19}, 0, 1, ""},
		{"19 down rounds down", Dec{4e18, 19}, 0, 0, ""},
		{"min int64 19 down", Dec{math.MinInt64, 19}, 0, -1, ""},
		{"min int64 same", Dec{math.MinInt64, 0}, 0, math.MinInt64, ""},
		{"rounding into max", Dec{math.MaxInt64, 1}, 1, math.MaxInt64, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.d.Rescale(c.scale)
			if code := errCode(err); code != c.code {
				t.Fatalf("%#v.Rescale(%d) error = %v, want code %q", c.d, c.scale, err, c.code)
			}
			if got != c.want {
				t.Errorf("%#v.Rescale(%d) = %d, want %d", c.d, c.scale, got, c.want)
			}
		})
	}
}

func TestDecCmpSign(t *testing.T) {
	cases := []struct {
		name string
		a, b Dec
		want int
	}{
		{"equal", Dec{85, 2}, Dec{85, 2}, 0},
		{"equal different scale", Dec{85, 2}, Dec{850, 3}, 0},
		{"equal negative scale", Dec{15, -4}, Dec{150000, 0}, 0},
		{"less", Dec{84, 2}, Dec{85, 2}, -1},
		{"greater across scale", Dec{1, 0}, Dec{999, 3}, 1},
		{"negative less", Dec{-1, 0}, Dec{1, 3}, -1},
		{"negatives", Dec{-2, 0}, Dec{-1, 0}, -1},
		{"negatives across scale", Dec{-15, 1}, Dec{-149, 2}, -1},
		{"zero vs zero scaled", Dec{}, Dec{0, 7}, 0},
		{"zero vs positive", Dec{}, Dec{1, 30}, -1},
		{"zero vs negative", Dec{}, Dec{-1, 30}, 1},
		{"huge scale gap", Dec{1, -30}, Dec{math.MaxInt64, 0}, 1},
		{"huge scale gap tiny", Dec{1, 300}, Dec{1, 299}, -1},
		{"max vs max scaled", Dec{math.MaxInt64, 0}, Dec{math.MaxInt64, 1}, 1},
		{"min int64", Dec{math.MinInt64, 0}, Dec{math.MinInt64 + 1, 0}, -1},
		{"same magnitude big gap", Dec{9, 0}, Dec{9000000000000000000, 18}, 0},
		{"same order different", Dec{9, 0}, Dec{9000000000000000001, 18}, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.Cmp(c.b); got != c.want {
				t.Errorf("%#v.Cmp(%#v) = %d, want %d", c.a, c.b, got, c.want)
			}
			if got := c.b.Cmp(c.a); got != -c.want {
				t.Errorf("%#v.Cmp(%#v) = %d, want %d", c.b, c.a, got, -c.want)
			}
		})
	}
	for _, c := range []struct {
		d    Dec
		want int
	}{{Dec{}, 0}, {Dec{5, 3}, 1}, {Dec{-5, 3}, -1}, {Dec{math.MinInt64, 0}, -1}} {
		if got := c.d.Sign(); got != c.want {
			t.Errorf("%#v.Sign() = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestDecMulPow10(t *testing.T) {
	cases := []struct {
		name string
		d    Dec
		n    int32
		want Dec
	}{
		{"wan yuan", Dec{15, 1}, 4, Dec{15000, 0}},
		{"square metres to km2", Dec{1500, 0}, -6, Dec{15, 4}},
		{"km2 exact", Dec{1234567, 0}, -6, Dec{1234567, 6}},
		{"percent", Dec{85, 0}, -2, Dec{85, 2}},
		{"back to integer", Dec{85, 2}, 2, Dec{85, 0}},
		{"zero", Dec{}, 4, Dec{}},
		{"zero with scale", Dec{0, 3}, -2, Dec{}},
		{"identity normalises", Dec{8500, 4}, 0, Dec{85, 2}},
		{"overflow keeps negative scale", Dec{math.MaxInt64, 0}, 2, Dec{math.MaxInt64, -2}},
		{"partial overflow", Dec{5e17, 0}, 3, Dec{5e18, -2}},
		{"clamp", Dec{1, 0}, math.MinInt32, Dec{1, math.MaxInt32}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.MulPow10(c.n); got != c.want {
				t.Errorf("%#v.MulPow10(%d) = %#v, want %#v", c.d, c.n, got, c.want)
			}
		})
	}
}

func TestDecFloat64(t *testing.T) {
	cases := []struct {
		name string
		d    Dec
		want float64
	}{
		{"zero", Dec{}, 0},
		{"fraction", Dec{85, 2}, 0.85},
		{"third decimal", Dec{3, 1}, 0.3},
		{"negative", Dec{-2146, 0}, -2146},
		{"negative scale", Dec{15, -4}, 150000},
		{"large coef", Dec{1234567890123456789, 9}, 1234567890.123456789},
		{"large scale", Dec{1, 30}, 1e-30},
		{"huge negative scale", Dec{1, -300}, 1e300},
		{"min int64", Dec{math.MinInt64, 0}, -9223372036854775808},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.Float64(); got != c.want {
				t.Errorf("%#v.Float64() = %v, want %v", c.d, got, c.want)
			}
		})
	}
	if got := (Dec{1, -400}).Float64(); !math.IsInf(got, 1) {
		t.Errorf("Dec{1,-400}.Float64() = %v, want +Inf", got)
	}
}

func TestDecAdd(t *testing.T) {
	cases := []struct {
		name string
		a, b Dec
		want Dec
		code string
	}{
		{"integers", Dec{1, 0}, Dec{2, 0}, Dec{3, 0}, ""},
		{"funding sum", Dec{29556000, 2}, Dec{3366100, 2}, Dec{329221, 0}, ""},
		{"fractions cancel zeros", Dec{15, 1}, Dec{5, 1}, Dec{2, 0}, ""},
		{"mixed scales", Dec{85, 2}, Dec{1, 3}, Dec{851, 3}, ""},
		{"negative", Dec{-5, 0}, Dec{3, 0}, Dec{-2, 0}, ""},
		{"to zero", Dec{-5, 1}, Dec{5, 1}, Dec{}, ""},
		{"zero left", Dec{}, Dec{8500, 4}, Dec{85, 2}, ""},
		{"zero right", Dec{85, 2}, Dec{0, 9}, Dec{85, 2}, ""},
		{"negative scale", Dec{15, -4}, Dec{1, 0}, Dec{150001, 0}, ""},
		{"overflow", Dec{math.MaxInt64, 0}, Dec{1, 0}, Dec{}, CodeInvalidNumber},
		{"negative overflow", Dec{math.MinInt64, 0}, Dec{-1, 0}, Dec{}, CodeInvalidNumber},
		{"alignment overflow", Dec{math.MaxInt64, 0}, Dec{1, 1}, Dec{}, CodeInvalidNumber},
		{"min int64 exact", Dec{math.MinInt64 + 1, 0}, Dec{-1, 0}, Dec{math.MinInt64, 0}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.a.Add(c.b)
			if code := errCode(err); code != c.code {
				t.Fatalf("%#v.Add(%#v) error = %v, want code %q", c.a, c.b, err, c.code)
			}
			if got != c.want {
				t.Errorf("%#v.Add(%#v) = %#v, want %#v", c.a, c.b, got, c.want)
			}
		})
	}
}

// rat returns d as an exact rational.
func rat(d Dec) *big.Rat {
	r := new(big.Rat).SetInt64(d.Coef)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs32(d.Scale))), nil)
	if d.Scale >= 0 {
		return r.Quo(r, new(big.Rat).SetInt(p))
	}
	return r.Mul(r, new(big.Rat).SetInt(p))
}

func abs32(x int32) int64 {
	if x < 0 {
		return -int64(x)
	}
	return int64(x)
}

// roundHalfAway rounds r to an integer, half away from zero.
func roundHalfAway(r *big.Rat) *big.Int {
	num := new(big.Int).Abs(r.Num())
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// FuzzDecArith checks the Dec methods against math/big.
func FuzzDecArith(f *testing.F) {
	f.Add(int64(85), int32(2), int64(1500), int32(0), int32(2), int32(4))
	f.Add(int64(-125), int32(3), int64(125), int32(3), int32(2), int32(-6))
	f.Add(int64(9223372036854775807), int32(0), int64(1), int32(1), int32(1), int32(2))
	f.Add(int64(-9223372036854775808), int32(19), int64(5), int32(-3), int32(0), int32(-2))
	f.Add(int64(15), int32(-4), int64(150000), int32(0), int32(-4), int32(30))
	f.Add(int64(0), int32(7), int64(-1), int32(30), int32(25), int32(-25))
	f.Fuzz(func(t *testing.T, ca int64, sa int32, cb int64, sb int32, scale int32, n int32) {
		// Keep scales where big.Int powers stay cheap.
		sa, sb, scale, n = sa%60, sb%60, scale%60, n%60
		a, b := Dec{ca, sa}, Dec{cb, sb}
		ra, rb := rat(a), rat(b)
		if got, want := a.Cmp(b), ra.Cmp(rb); got != want {
			t.Fatalf("%#v.Cmp(%#v) = %d, want %d", a, b, got, want)
		}
		if got, want := a.Sign(), ra.Sign(); got != want {
			t.Fatalf("%#v.Sign() = %d, want %d", a, got, want)
		}
		if got := a.String(); func() bool { r, ok := new(big.Rat).SetString(got); return !ok || r.Cmp(ra) != 0 }() {
			t.Fatalf("%#v.String() = %q, not its value %s", a, got, ra.FloatString(int(max(sa, 0))))
		}
		if got, want := a.Float64(), func() float64 { f, _ := ra.Float64(); return f }(); got != want {
			t.Fatalf("%#v.Float64() = %v, want %v", a, got, want)
		}
		m := a.MulPow10(n)
		want := new(big.Rat).Mul(ra, rat(Dec{1, -n}))
		if rat(m).Cmp(want) != 0 {
			t.Fatalf("%#v.MulPow10(%d) = %#v, want %s", a, n, m, want.RatString())
		}
		got, err := a.Rescale(scale)
		wantI := roundHalfAway(new(big.Rat).Mul(ra, rat(Dec{1, -scale})))
		if wantI.IsInt64() {
			if err != nil || got != wantI.Int64() {
				t.Fatalf("%#v.Rescale(%d) = %d, %v; want %s", a, scale, got, err, wantI)
			}
		} else {
			checkErr(t, "Rescale", a.String(), err, CodeInvalidNumber)
		}
		sum, err := a.Add(b)
		wantSum := new(big.Rat).Add(ra, rb)
		if err != nil {
			checkErr(t, "Add", a.String()+"+"+b.String(), err, CodeInvalidNumber)
			// An error is only allowed when the sum at the finer scale overflows.
			fine := new(big.Rat).Mul(wantSum, rat(Dec{1, -max(sa, sb)}))
			ai := new(big.Rat).Mul(ra, rat(Dec{1, -max(sa, sb)}))
			bi := new(big.Rat).Mul(rb, rat(Dec{1, -max(sa, sb)}))
			if fine.Num().IsInt64() && ai.Num().IsInt64() && bi.Num().IsInt64() && fine.IsInt() && ai.IsInt() && bi.IsInt() {
				t.Fatalf("%#v.Add(%#v) failed (%v) although everything fits", a, b, err)
			}
			return
		}
		if rat(sum).Cmp(wantSum) != 0 {
			t.Fatalf("%#v.Add(%#v) = %#v, want %s", a, b, sum, wantSum.RatString())
		}
	})
}

func TestParseFixed(t *testing.T) {
	cases := []struct {
		in    string
		want  Dec
		fixed string
		code  string
	}{
		{"1449470.00", Dec{Coef: 144947000, Scale: 2}, "1449470.00", ""},
		{"-0.5", Dec{Coef: -5, Scale: 1}, "-0.5", ""},
		{"+12", Dec{Coef: 12}, "12", ""},
		{".5", Dec{Coef: 5, Scale: 1}, "0.5", ""},
		{"12.", Dec{Coef: 12}, "12", ""},
		{"0.000", Dec{Scale: 3}, "0.000", ""},
		{"-9223372036854775808", Dec{Coef: math.MinInt64}, "-9223372036854775808", ""},
		{"9223372036854775808", Dec{}, "", CodeInvalidNumber},
		{"99999999999999999999", Dec{}, "", CodeInvalidNumber},
		{"1e5", Dec{}, "", CodeInvalidNumber},
		{"1.2.3", Dec{}, "", CodeInvalidNumber},
		{" 1", Dec{}, "", CodeInvalidNumber},
		{"-", Dec{}, "", CodeInvalidNumber},
		{".", Dec{}, "", CodeInvalidNumber},
		{"", Dec{}, "", CodeInvalidNumber},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if code := errCode(err); code != c.code || got != c.want {
			t.Errorf("Parse(%q) = %#v, %v; want %#v, code %q", c.in, got, err, c.want, c.code)
			continue
		}
		if c.code == "" && got.Fixed() != c.fixed {
			t.Errorf("Parse(%q).Fixed() = %q, want %q", c.in, got.Fixed(), c.fixed)
		}
	}
	for d, want := range map[Dec]string{{Coef: 30, Scale: 2}: "0.30", {Coef: -5, Scale: 4}: "-0.0005", {Coef: 15, Scale: -2}: "1500", {}: "0"} {
		if got := d.Fixed(); got != want {
			t.Errorf("%#v.Fixed() = %q, want %q", d, got, want)
		}
	}
}

func TestRat(t *testing.T) {
	for _, d := range []Dec{{Coef: 85, Scale: 2}, {Coef: -15, Scale: -4}, {Coef: math.MinInt64, Scale: 19}, {}} {
		if d.Rat().Cmp(rat(d)) != 0 {
			t.Errorf("%#v.Rat() = %s, want %s", d, d.Rat(), rat(d))
		}
		back, err := FromRat(d.Rat(), max(d.Scale, 0))
		if err != nil || back.Cmp(d) != 0 {
			t.Errorf("FromRat(%#v.Rat()) = %#v, %v", d, back, err)
		}
	}
	cases := []struct {
		r     *big.Rat
		scale int32
		want  Dec
		code  string
	}{
		{big.NewRat(1, 2), 2, Dec{Coef: 50, Scale: 2}, ""},
		{big.NewRat(1, 8), 2, Dec{Coef: 13, Scale: 2}, ""},
		{big.NewRat(-1, 8), 2, Dec{Coef: -13, Scale: 2}, ""},
		{big.NewRat(-1, 3), 0, Dec{}, ""},
		{big.NewRat(2, 3), 4, Dec{Coef: 6667, Scale: 4}, ""},
		{big.NewRat(1250, 1), -2, Dec{Coef: 13, Scale: -2}, ""},
		{new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 70), big.NewInt(1)), 0, Dec{}, CodeInvalidNumber},
	}
	for _, c := range cases {
		got, err := FromRat(c.r, c.scale)
		if errCode(err) != c.code || got != c.want {
			t.Errorf("FromRat(%s, %d) = %#v, %v; want %#v, code %q", c.r, c.scale, got, err, c.want, c.code)
		}
	}
}
