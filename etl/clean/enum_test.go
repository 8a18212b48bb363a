package clean

import "testing"

var partyWords = map[string]bool{"中共党员": true, "党员": true, "预备党员": true, "群众": false, "共青团员": false, "团员": false}

var fullTimeWords = map[string]bool{"全职": true, "专职": true, "兼职": false, "外聘": false}

var boolCases = []struct {
	name  string
	in    string
	extra map[string]bool
	want  bool
	code  string
}{
	{"shi", "是", nil, true, ""},
	{"fou", "否", nil, false, ""},
	{"Y", "Y", nil, true, ""},
	{"N", "N", nil, false, ""},
	{"y", "y", nil, true, ""},
	{"n", "n", nil, false, ""},
	{"YES", "YES", nil, true, ""},
	{"Yes", "Yes", nil, true, ""},
	{"no", "no", nil, false, ""},
	{"NO", "NO", nil, false, ""},
	{"check", "√", nil, true, ""},
	{"cross", "×", nil, false, ""},
	{"check mark", "✓", nil, true, ""},
	{"ballot x", "✗", nil, false, ""},
	{"heavy check", "✔", nil, true, ""},
	{"heavy ballot x", "✘", nil, false, ""},
	{"multiplication x", "✕", nil, false, ""},
	{"one", "1", nil, true, ""},
	{"zero", "0", nil, false, ""},
	{"one numeric cell", "1.0", nil, true, ""},
	{"TRUE", "TRUE", nil, true, ""},
	{"true", "true", nil, true, ""},
	{"False", "False", nil, false, ""},
	{"FALSE", "FALSE", nil, false, ""},
	{"you", "有", nil, true, ""},
	{"wu", "无", nil, false, ""},
	{"dui", "对", nil, true, ""},
	{"cuo", "错", nil, false, ""},
	{"spaces", " 是\u00a0", nil, true, ""},
	{"full-width Y", "Ｙ", nil, true, ""},
	{"full-width one", "１", nil, true, ""},
	{"ideographic spaces", "\u3000否\u3000", nil, false, ""},
	{"party member", "中共党员", partyWords, true, ""},
	{"probationary member", "预备党员", partyWords, true, ""},
	{"masses", "群众", partyWords, false, ""},
	{"league member", "共青团员", partyWords, false, ""},
	{"extra inner space", "中共 党员", partyWords, true, ""},
	{"extra inner ideographic space", "群\u3000众", partyWords, false, ""},
	{"extra trimmed", " 党员 ", partyWords, true, ""},
	{"builtin with extra", "是", partyWords, true, ""},
	{"full time", "全职", fullTimeWords, true, ""},
	{"dedicated", "专职", fullTimeWords, true, ""},
	{"part time", "兼职", fullTimeWords, false, ""},
	{"hired", "外聘", fullTimeWords, false, ""},
	{"extra unknown", "民主党派", partyWords, false, CodeInvalidBool},
	{"extra word without extra", "党员", nil, false, CodeInvalidBool},
	{"empty", "", nil, false, CodeInvalidBool},
	{"two", "2", nil, false, CodeInvalidBool},
	{"T", "T", nil, false, CodeInvalidBool},
	{"yes no", "是否", nil, false, CodeInvalidBool},
	{"yess", "yess", nil, false, CodeInvalidBool},
}

func TestBool(t *testing.T) {
	for _, c := range boolCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Bool(c.in, c.extra)
			if code := errCode(err); code != c.code {
				t.Fatalf("Bool(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("Bool(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

// enumMap builds an Enum map the way a caller does: keys through EnumKey.
func enumMap(pairs ...string) map[string]string {
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[EnumKey(pairs[i])] = pairs[i+1]
	}
	return m
}

var urbanRural = enumMap("城市", "urban", "城镇", "urban", "社区", "urban", "居委会", "urban", "Urban", "urban",
	"农村", "rural", "乡村", "rural", "村", "rural", "村委会", "rural", "rural", "rural")

var enumCases = []struct {
	name, in, want string
	code           string
}{
	{"exact", "城市", "urban", ""},
	{"trimmed", " 农村 ", "rural", ""},
	{"inner space", "村 委 会", "rural", ""},
	{"nbsp", "\u00a0居委会", "urban", ""},
	{"english upper", "URBAN", "urban", ""},
	{"english mixed", "Rural", "rural", ""},
	{"full-width english", "ｕｒｂａｎ", "urban", ""},
	{"line break", "乡\n村", "rural", ""},
	{"unknown", "郊区", "", CodeInvalidEnum},
	{"empty", "", "", CodeInvalidEnum},
	{"spaces only", "  ", "", CodeInvalidEnum},
}

func TestEnum(t *testing.T) {
	for _, c := range enumCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Enum(c.in, urbanRural)
			if code := errCode(err); code != c.code {
				t.Fatalf("Enum(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("Enum(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	if _, err := Enum("x", nil); errCode(err) != CodeInvalidEnum {
		t.Errorf("Enum with a nil map: error = %v, want %s", err, CodeInvalidEnum)
	}
}

var quarterCases = []struct {
	name string
	in   string
	want int
	code string
}{
	{"digit", "1", 1, ""},
	{"digit 4", "4", 4, ""},
	{"numeric cell", "1.0", 1, ""},
	{"numeric cell two zeros", "3.00", 3, ""},
	{"Q", "Q1", 1, ""},
	{"q lower", "q2", 2, ""},
	{"yi jidu", "一季度", 1, ""},
	{"di yi jidu", "第一季度", 1, ""},
	{"di 1 jidu", "第1季度", 1, ""},
	{"1 jidu", "1季度", 1, ""},
	{"di yi ji", "第一季", 1, ""},
	{"1 ji", "2季", 2, ""},
	{"si jidu", "四季度", 4, ""},
	{"di san jidu", "第三季度", 3, ""},
	{"er", "第二季度", 2, ""},
	{"year Q", "2014Q1", 1, ""},
	{"year dash Q", "2014-Q4", 4, ""},
	{"year q lower", "2014q3", 3, ""},
	{"year space Q", "2014 Q2", 2, ""},
	{"year chinese", "2014年第一季度", 1, ""},
	{"year chinese digit", "2014年4季度", 4, ""},
	{"year chinese Q", "2014年Q2", 2, ""},
	{"full-width", "Ｑ１", 1, ""},
	{"full-width digit", "４", 4, ""},
	{"spaces", " 第 一 季度 ", 1, ""},
	{"zero", "0", 0, CodeInvalidEnum},
	{"five", "5", 0, CodeInvalidEnum},
	{"Q5", "Q5", 0, CodeInvalidEnum},
	{"di wu jidu", "第五季度", 0, CodeInvalidEnum},
	{"fraction", "1.5", 0, CodeInvalidEnum},
	{"year only", "2014", 0, CodeInvalidEnum},
	{"year dash number", "2014-1", 0, CodeInvalidEnum},
	{"year number", "20141", 0, CodeInvalidEnum},
	{"two digits", "11", 0, CodeInvalidEnum},
	{"Q without number", "Q", 0, CodeInvalidEnum},
	{"Q two digits", "Q12", 0, CodeInvalidEnum},
	{"jidu only", "季度", 0, CodeInvalidEnum},
	{"month", "1月", 0, CodeInvalidEnum},
	{"shang ban nian", "上半年", 0, CodeInvalidEnum},
	{"empty", "", 0, CodeInvalidEnum},
	{"di only", "第1", 0, CodeInvalidEnum},
}

func TestQuarter(t *testing.T) {
	for _, c := range quarterCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Quarter(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("Quarter(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("Quarter(%q) = %d, want %d", c.in, got, c.want)
			}
		})
	}
}
