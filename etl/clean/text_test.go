package clean

import (
	"errors"
	"testing"
)

// errCode returns the Code of a *Error, "" for nil, or a marker for any other
// error type (which the cleaners must never return).
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "<not *clean.Error: " + err.Error() + ">"
}

func TestErrorString(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		want string
	}{
		{"with detail", &Error{Code: CodeInvalidCode, Detail: "want 12 digits, got 11"}, "invalid_code: want 12 digits, got 11"},
		{"code only", &Error{Code: CodeInvalidEnum}, "invalid_enum"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
		})
	}
	if CodeInvalidBool != CodeInvalidEnum {
		t.Errorf("CodeInvalidBool = %q, want it equal to CodeInvalidEnum", CodeInvalidBool)
	}
}

var textCases = []struct {
	name, in, want string
}{
	{"empty", "", ""},
	{"clean ascii", "LJ2013-001", "LJ2013-001"},
	{"clean chinese", "临江区", "临江区"},
	{"ascii spaces", "  临江区 \t", "临江区"},
	{"line breaks at ends", "\r\n临江区\n", "临江区"},
	{"nbsp", "\u00a0临江区\u00a0", "临江区"},
	{"zero width", "\u200b2013519903001\u200c\u200d", "2013519903001"},
	{"word joiner", "\u2060是\u2060", "是"},
	{"bom", "\ufeff项目编号", "项目编号"},
	{"ideographic space at ends", "\u3000全职 ", "全职"},
	{"ideographic space inside", "张\u3000三", "张 三"},
	{"inner nbsp kept", "张\u00a0三", "张\u00a0三"},
	{"inner spaces not collapsed", "a  b", "a  b"},
	{"full-width digits", "２０１４", "2014"},
	{"full-width punctuation", "１，２３４．５", "1,234.5"},
	{"full-width brackets", "合同金额（万元）", "合同金额(万元)"},
	{"full-width letters", "ＬＪ２０１３－００１", "LJ2013-001"},
	{"full-width percent", "９８．２％", "98.2%"},
	{"full-width range ends", "\uff01\uff5e", "!~"},
	{"outside full-width range kept", "\uff5f\uffe5", "\uff5f\uffe5"},
	{"chinese punctuation kept", "519902001001、519902001002。", "519902001001、519902001002。"},
	{"only spaces", " \u3000\u00a0\u200b ", ""},
	{"mixed trim and fold", "\u00a0 ５１９９０２\u3000", "519902"},
	{"invalid utf8 kept", "\xff ab \xfe", "\xff ab \xfe"},
	{"invalid utf8 with fold", "\xffＡ", "\xffA"},
	{"vertical tab and form feed", "\v\fx\f", "x"},
	{"control char not space", "\x01x", "\x01x"},
}

func TestText(t *testing.T) {
	for _, c := range textCases {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestTextNoAlloc(t *testing.T) {
	for _, in := range []string{"LJ2013-001", "821000.00", "临江区", " 2013519903001 ", "\u00a0是"} {
		n := testing.AllocsPerRun(100, func() { _ = Text(in) })
		if n != 0 {
			t.Errorf("Text(%q) allocates %v times, want 0", in, n)
		}
	}
}

var headerCases = []struct {
	name, in, full, key, unit string
}{
	{"plain", "年度", "年度", "年度", ""},
	{"spaces and line break", " 合同金额\n（万元）", "合同金额(万元)", "合同金额", "万元"},
	{"crlf inside", "合同\r\n开始日期", "合同开始日期", "合同开始日期", ""},
	{"excel escaped cr", "合同金额_x000D_\n(元)", "合同金额(元)", "合同金额", "元"},
	{"excel escape lower case", "合同金额_x000d_(元)", "合同金额(元)", "合同金额", "元"},
	{"excel escape revealed by removal", "金额_x00_x000D_0D_(元)", "金额(元)", "金额", "元"},
	{"ascii brackets", "面积(平方米)", "面积(平方米)", "面积", "平方米"},
	{"street town", "街道(镇)", "街道(镇)", "街道", "镇"},
	{"full-width brackets", "面积（平方公里）", "面积(平方公里)", "面积", "平方公里"},
	{"square brackets", "金额[千元]", "金额[千元]", "金额", "千元"},
	{"full-width square brackets", "金额［元］", "金额[元]", "金额", "元"},
	{"lenticular brackets", "面积【㎡】", "面积【㎡】", "面积", "㎡"},
	{"unit with spaces", "面积 ( m 2 )", "面积(m2)", "面积", "m2"},
	{"unit superscript", "面积(m²)", "面积(m²)", "面积", "m²"},
	{"percent unit", "满意率（％）", "满意率(%)", "满意率", "%"},
	{"inner bracket not suffix", "街道(社区)资金", "街道(社区)资金", "街道(社区)资金", ""},
	{"last bracket only", "面积(新)(平方米)", "面积(新)(平方米)", "面积(新)", "平方米"},
	{"nested", "金额(单位(元))", "金额(单位(元))", "金额", "单位(元)"},
	{"mixed width brackets", "金额(万元）", "金额(万元)", "金额", "万元"},
	{"whole key bracketed", "(万元)", "(万元)", "(万元)", ""},
	{"empty unit", "金额()", "金额()", "金额", ""},
	{"unbalanced", "金额万元)", "金额万元)", "金额万元)", ""},
	{"mismatched pair", "金额(万元]", "金额(万元]", "金额(万元]", ""},
	{"nbsp zero width ideographic", "\u00a0社区\u200b代码\u3000", "社区代码", "社区代码", ""},
	{"tab inside", "服务\t人次", "服务人次", "服务人次", ""},
	{"empty", "", "", "", ""},
}

func TestHeader(t *testing.T) {
	for _, c := range headerCases {
		t.Run(c.name, func(t *testing.T) {
			if got := HeaderFull(c.in); got != c.full {
				t.Errorf("HeaderFull(%q) = %q, want %q", c.in, got, c.full)
			}
			key, unit := HeaderKey(c.in)
			if key != c.key || unit != c.unit {
				t.Errorf("HeaderKey(%q) = (%q, %q), want (%q, %q)", c.in, key, unit, c.key, c.unit)
			}
		})
	}
}

var enumKeyCases = []struct {
	name, in, want string
}{
	{"clean", "城市", "城市"},
	{"spaces", " 城 市 ", "城市"},
	{"ascii upper", "Urban", "urban"},
	{"full-width upper", "ＵＲＢＡＮ", "urban"},
	{"ideographic space inside", "党群\u3000服务中心", "党群服务中心"},
	{"nbsp inside", "社区\u00a0综合服务中心", "社区综合服务中心"},
	{"line break inside", "项目\n负责人", "项目负责人"},
	{"non-ascii letters kept", "ÄÖ", "ÄÖ"},
	{"empty", "  ", ""},
}

func TestEnumKey(t *testing.T) {
	for _, c := range enumKeyCases {
		t.Run(c.name, func(t *testing.T) {
			if got := EnumKey(c.in); got != c.want {
				t.Errorf("EnumKey(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = EnumKey("social_worker") }); n != 0 {
		t.Errorf("EnumKey of a normalised key allocates %v times, want 0", n)
	}
}

func TestTrim(t *testing.T) {
	for in, want := range map[string]string{
		"\u200b开设党的建设宣传栏，开展政策服务日\u00a0": "开设党的建设宣传栏，开展政策服务日",
		"\u3000补录：婚恋 育儿\u3000":          "补录：婚恋 育儿",
		"plain":                         "plain",
		"  ":                            "",
	} {
		if got := Trim(in); got != want {
			t.Errorf("Trim(%q) = %q, want %q", in, got, want)
		}
	}
}
