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
	{"integer", "1500", Dec{Coef: 1500, Scale: 0}, ""},
	{"negative", "-2146", Dec{Coef: -2146, Scale: 0}, ""},
	{"fraction", "0.85", Dec{Coef: 85, Scale: 2}, ""},
	{"trailing zeros dropped", "821000.00", Dec{Coef: 821000, Scale: 0}, ""},
	{"fraction trailing zero", "12.50", Dec{Coef: 125, Scale: 1}, ""},
	{"thousands", "1,234,567.89", Dec{Coef: 123456789, Scale: 2}, ""},
	{"full-width thousands", "１，２３４，５６７．８９", Dec{Coef: 123456789, Scale: 2}, ""},
	{"full-width comma not thousands", "1，23", Dec{}, CodeInvalidNumber},
	{"comma as decimal", "12,5", Dec{}, CodeInvalidNumber},
	{"indian grouping", "12,34,567", Dec{}, CodeInvalidNumber},
	{"comma in fraction", "1.234,5", Dec{}, CodeInvalidNumber},
	{"trailing comma", "1,234,", Dec{}, CodeInvalidNumber},
	{"leading comma", ",123", Dec{}, CodeInvalidNumber},
	{"plus", "+3.5", Dec{Coef: 35, Scale: 1}, ""},
	{"yuan sign", "¥1,500", Dec{Coef: 1500, Scale: 0}, ""},
	{"full-width yuan sign", "￥1500.5", Dec{Coef: 15005, Scale: 1}, ""},
	{"yuan sign negative inside", "¥-5", Dec{Coef: -5, Scale: 0}, ""},
	{"negative yuan sign", "-¥5", Dec{Coef: -5, Scale: 0}, ""},
	{"yuan sign space", "¥ 5", Dec{Coef: 5, Scale: 0}, ""},
	{"trailing yuan", "1500元", Dec{Coef: 1500, Scale: 0}, ""},
	{"trailing yuan space", "1,500.00 元", Dec{Coef: 1500, Scale: 0}, ""},
	{"both currency marks", "￥1500元", Dec{Coef: 1500, Scale: 0}, ""},
	{"wan yuan not accepted", "15万元", Dec{}, CodeInvalidNumber},
	{"percent", "85%", Dec{Coef: 85, Scale: 2}, ""},
	{"percent fraction", "12.5%", Dec{Coef: 125, Scale: 3}, ""},
	{"full-width percent", "９８．２％", Dec{Coef: 982, Scale: 3}, ""},
	{"percent hundred", "100%", Dec{Coef: 1, Scale: 0}, ""},
	{"percent space", "85 %", Dec{Coef: 85, Scale: 2}, ""},
	{"scientific", "1.5E+5", Dec{Coef: 150000, Scale: 0}, ""},
	{"scientific lower", "1.5e5", Dec{Coef: 150000, Scale: 0}, ""},
	{"scientific negative exponent", "1.5E-3", Dec{Coef: 15, Scale: 4}, ""},
	{"scientific code", "5.19902001001E+11", Dec{Coef: 519902001001, Scale: 0}, ""},
	{"noise 0.1+0.2", "0.30000000000000004", Dec{Coef: 3, Scale: 1}, ""},
	{"noise money", "821000.0000000001", Dec{Coef: 821000, Scale: 0}, ""},
	{"noise below", "0.29999999999999999", Dec{Coef: 3, Scale: 1}, ""},
	{"noise negative", "-0.30000000000000004", Dec{Coef: -3, Scale: 1}, ""},
	{"noise carry all nines", "9.9999999999999999", Dec{Coef: 10, Scale: 0}, ""},
	{"noise keeps 15 digits", "1234567.12345678912", Dec{Coef: 123456712345679, Scale: 8}, ""},
	{"noise with exponent", "3.0000000000000004E-2", Dec{Coef: 3, Scale: 2}, ""},
	{"noise percent", "85.000000000000001%", Dec{Coef: 85, Scale: 2}, ""},
	{"many fraction zeros then digit", "1.0000000000000000000000000000000000000000000001", Dec{Coef: 1, Scale: 0}, ""},
	{"15 digits kept", "1.99999999999999", Dec{Coef: 199999999999999, Scale: 14}, ""},
	{"short fraction kept", "1.999999", Dec{Coef: 1999999, Scale: 6}, ""},
	{"long integer exact", "1234567890123456789", Dec{Coef: 1234567890123456789, Scale: 0}, ""},
	{"long integer trailing .0", "1234567890123456.0", Dec{Coef: 1234567890123456, Scale: 0}, ""},
	{"leading dot", ".5", Dec{Coef: 5, Scale: 1}, ""},
	{"trailing dot", "5.", Dec{Coef: 5, Scale: 0}, ""},
	{"zeros", "0.000", Dec{}, ""},
	{"negative zero", "-0.0", Dec{}, ""},
	{"leading zeros", "000123.4500", Dec{Coef: 12345, Scale: 2}, ""},
	{"tiny", "0.000001", Dec{Coef: 1, Scale: 6}, ""},
	{"surrounding spaces", " \u00a01.5\u3000", Dec{Coef: 15, Scale: 1}, ""},
	{"max", "9223372036854775807", Dec{Coef: math.MaxInt64, Scale: 0}, ""},
	{"min", "-9223372036854775808", Dec{Coef: math.MinInt64, Scale: 0}, ""},
	{"max with scale", "922337203.6854775807", Dec{Coef: 922337203685478, Scale: 6}, ""},
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

func TestDecFromInt(t *testing.T) {
	if d := DecFromInt(-7); d != (Dec{Coef: -7, Scale: 0}) {
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
