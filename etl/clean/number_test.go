package clean

import (
	"math"
	"testing"
)

var intCases = []struct {
	name string
	in   string
	want int64
	code string
}{
	{"plain", "1234", 1234, ""},
	{"zero", "0", 0, ""},
	{"negative", "-2146", -2146, ""},
	{"plus sign", "+5", 5, ""},
	{"thousands", "1,234", 1234, ""},
	{"thousands millions", "12,345,678", 12345678, ""},
	{"full-width thousands", "１，２３４", 1234, ""},
	{"trailing .0", "1234.0", 1234, ""},
	{"trailing .00", "1234.00", 1234, ""},
	{"full-width digits", "２０１４", 2014, ""},
	{"spaces", "  53 ", 53, ""},
	{"nbsp", "\u00a053\u00a0", 53, ""},
	{"scientific integral", "2.013E3", 2013, ""},
	{"scientific lower", "1e3", 1000, ""},
	{"float noise", "3.0000000000000004", 3, ""},
	{"float noise below", "2.9999999999999996", 3, ""},
	{"leading zeros", "007", 7, ""},
	{"negative zero", "-0", 0, ""},
	{"max int64", "9223372036854775807", math.MaxInt64, ""},
	{"min int64", "-9223372036854775808", math.MinInt64, ""},
	{"18 digits fast path", "999999999999999999", 999999999999999999, ""},
	{"fraction", "12.5", 0, CodeInvalidNumber},
	{"small fraction", "1234.0000000001", 0, CodeInvalidNumber},
	{"empty", "", 0, CodeInvalidNumber},
	{"spaces only", "   ", 0, CodeInvalidNumber},
	{"letters", "abc", 0, CodeInvalidNumber},
	{"overflow", "9223372036854775808", 0, CodeInvalidNumber},
	{"negative overflow", "-9223372036854775809", 0, CodeInvalidNumber},
	{"scientific overflow", "1E19", 0, CodeInvalidNumber},
	{"percent not allowed", "50%", 0, CodeInvalidNumber},
	{"currency not allowed", "¥5", 0, CodeInvalidNumber},
	{"bad thousands", "1,23", 0, CodeInvalidNumber},
	{"two signs", "--5", 0, CodeInvalidNumber},
	{"unit text", "53人次", 0, CodeInvalidNumber},
	{"sign only", "-", 0, CodeInvalidNumber},
}

func TestInt(t *testing.T) {
	for _, c := range intCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Int(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("Int(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("Int(%q) = %d, want %d", c.in, got, c.want)
			}
		})
	}
	_, err := Int("12.5")
	if e, _ := err.(*Error); e == nil || e.Detail != "not a whole number" {
		t.Errorf(`Int("12.5") error = %v, want detail "not a whole number"`, err)
	}
}

var decimalCases = []struct {
	name string
	in   string
	want Dec
	code string
}{
	{"integer", "1500", Dec{1500, 0}, ""},
	{"negative", "-2146", Dec{-2146, 0}, ""},
	{"fraction", "0.85", Dec{85, 2}, ""},
	{"trailing zeros dropped", "821000.00", Dec{821000, 0}, ""},
	{"fraction trailing zero", "12.50", Dec{125, 1}, ""},
	{"thousands", "1,234,567.89", Dec{123456789, 2}, ""},
	{"full-width thousands", "１，２３４，５６７．８９", Dec{123456789, 2}, ""},
	{"full-width comma not thousands", "1，23", Dec{}, CodeInvalidNumber},
	{"comma as decimal", "12,5", Dec{}, CodeInvalidNumber},
	{"indian grouping", "12,34,567", Dec{}, CodeInvalidNumber},
	{"comma in fraction", "1.234,5", Dec{}, CodeInvalidNumber},
	{"trailing comma", "1,234,", Dec{}, CodeInvalidNumber},
	{"leading comma", ",123", Dec{}, CodeInvalidNumber},
	{"plus", "+3.5", Dec{35, 1}, ""},
	{"yuan sign", "¥1,500", Dec{1500, 0}, ""},
	{"full-width yuan sign", "￥1500.5", Dec{15005, 1}, ""},
	{"yuan sign negative inside", "¥-5", Dec{-5, 0}, ""},
	{"negative yuan sign", "-¥5", Dec{-5, 0}, ""},
	{"yuan sign space", "¥ 5", Dec{5, 0}, ""},
	{"trailing yuan", "1500元", Dec{1500, 0}, ""},
	{"trailing yuan space", "1,500.00 元", Dec{1500, 0}, ""},
	{"both currency marks", "￥1500元", Dec{1500, 0}, ""},
	{"wan yuan not accepted", "15万元", Dec{}, CodeInvalidNumber},
	{"percent", "85%", Dec{85, 2}, ""},
	{"percent fraction", "12.5%", Dec{125, 3}, ""},
	{"full-width percent", "９８．２％", Dec{982, 3}, ""},
	{"percent hundred", "100%", Dec{1, 0}, ""},
	{"percent space", "85 %", Dec{85, 2}, ""},
	{"scientific", "1.5E+5", Dec{150000, 0}, ""},
	{"scientific lower", "1.5e5", Dec{150000, 0}, ""},
	{"scientific negative exponent", "1.5E-3", Dec{15, 4}, ""},
	{"scientific code", "5.19902001001E+11", Dec{519902001001, 0}, ""},
	{"noise 0.1+0.2", "0.30000000000000004", Dec{3, 1}, ""},
	{"noise money", "821000.0000000001", Dec{821000, 0}, ""},
	{"noise below", "0.29999999999999999", Dec{3, 1}, ""},
	{"noise negative", "-0.30000000000000004", Dec{-3, 1}, ""},
	{"noise carry all nines", "9.9999999999999999", Dec{10, 0}, ""},
	{"noise keeps 15 digits", "1234567.12345678912", Dec{123456712345679, 8}, ""},
	{"noise with exponent", "3.0000000000000004E-2", Dec{3, 2}, ""},
	{"noise percent", "85.000000000000001%", Dec{85, 2}, ""},
	{"many fraction zeros then digit", "1.0000000000000000000000000000000000000000000001", Dec{1, 0}, ""},
	{"15 digits kept", "1.99999999999999", Dec{199999999999999, 14}, ""},
	{"short fraction kept", "1.999999", Dec{1999999, 6}, ""},
	{"long integer exact", "1234567890123456789", Dec{1234567890123456789, 0}, ""},
	{"long integer trailing .0", "1234567890123456.0", Dec{1234567890123456, 0}, ""},
	{"leading dot", ".5", Dec{5, 1}, ""},
	{"trailing dot", "5.", Dec{5, 0}, ""},
	{"zeros", "0.000", Dec{}, ""},
	{"negative zero", "-0.0", Dec{}, ""},
	{"leading zeros", "000123.4500", Dec{12345, 2}, ""},
	{"tiny", "0.000001", Dec{1, 6}, ""},
	{"surrounding spaces", " \u00a01.5\u3000", Dec{15, 1}, ""},
	{"max", "9223372036854775807", Dec{math.MaxInt64, 0}, ""},
	{"min", "-9223372036854775808", Dec{math.MinInt64, 0}, ""},
	{"max with scale", "922337203.6854775807", Dec{922337203685478, 6}, ""},
	{"overflow", "9223372036854775808", Dec{}, CodeInvalidNumber},
	{"overflow scientific", "1E+19", Dec{}, CodeInvalidNumber},
	{"overflow long", "123456789012345678901234567890", Dec{}, CodeInvalidNumber},
	{"overflow long with fraction", "123456789012345678901234567890.5", Dec{}, CodeInvalidNumber},
	{"exponent too big", "1E1001", Dec{}, CodeInvalidNumber},
	{"huge negative exponent zero", "0E-999", Dec{}, ""},
	{"empty", "", Dec{}, CodeInvalidNumber},
	{"letters", "abc", Dec{}, CodeInvalidNumber},
	{"dot only", ".", Dec{}, CodeInvalidNumber},
	{"percent only", "%", Dec{}, CodeInvalidNumber},
	{"two dots", "1.2.3", Dec{}, CodeInvalidNumber},
	{"exponent without digits", "1e", Dec{}, CodeInvalidNumber},
	{"exponent sign only", "1e+", Dec{}, CodeInvalidNumber},
	{"exponent fraction", "1e1.5", Dec{}, CodeInvalidNumber},
	{"two signs", "+-1", Dec{}, CodeInvalidNumber},
	{"sign after yuan twice", "-¥-5", Dec{}, CodeInvalidNumber},
	{"inner space", "1 234", Dec{}, CodeInvalidNumber},
	{"chinese full stop", "1。5", Dec{}, CodeInvalidNumber},
	{"text", "约500", Dec{}, CodeInvalidNumber},
}

func TestDecimal(t *testing.T) {
	for _, c := range decimalCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Decimal(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("Decimal(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("Decimal(%q) = %#v (%s), want %#v (%s)", c.in, got, got, c.want, c.want)
			}
		})
	}
}

var ratioCases = []struct {
	name, in, want string
	code           string
}{
	{"percent string", "85%", "0.85", ""},
	{"fraction", "0.85", "0.85", ""},
	{"number over one", "85", "0.85", ""},
	{"number with decimals", "73.1", "0.731", ""},
	{"hundred", "100", "1", ""},
	{"one", "1", "1", ""},
	{"zero", "0", "0", ""},
	{"full-width percent", "９８．２％", "0.982", ""},
	{"percent cell value", "0.978", "0.978", ""},
	{"percent over hundred kept", "150%", "1.5", ""},
	{"just over one", "1.5", "0.015", ""},
	{"noise", "0.85000000000000009", "0.85", ""},
	{"negative kept", "-5", "-5", ""},
	{"percentage rounded like Decimal", "1000000000000001", "10000000000000", ""},
	{"percentage noise", "85.000000000000014", "0.85", ""},
	{"empty", "", "", CodeInvalidNumber},
	{"text", "高", "", CodeInvalidNumber},
}

func TestRatio(t *testing.T) {
	for _, c := range ratioCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Ratio(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("Ratio(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if c.code == "" && got.String() != c.want {
				t.Errorf("Ratio(%q) = %s, want %s", c.in, got, c.want)
			}
		})
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
	if d := DecFromInt(-7); d != (Dec{-7, 0}) {
		t.Errorf("DecFromInt(-7) = %#v, want Dec{-7, 0}", d)
	}
}

func TestDecimalNoAlloc(t *testing.T) {
	for _, in := range []string{"821000.00", "1,234,567.89", "0.30000000000000004", "85%", "-2146", "5.19902001001E+11"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = Decimal(in) }); n != 0 {
			t.Errorf("Decimal(%q) allocates %v times, want 0", in, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = Int("1,234") }); n != 0 {
		t.Errorf("Int allocates %v times, want 0", n)
	}
}
