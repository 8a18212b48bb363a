package clean

import (
	"slices"
	"testing"
)

var codeCases = []struct {
	name, in, want string
}{
	{"text code", "LJ2013-001", "LJ2013-001"},
	{"digits", "2013519903001", "2013519903001"},
	{"numeric cell .0", "2013519903001.0", "2013519903001"},
	{"numeric cell .00", "2013519903001.00", "2013519903001"},
	{"scientific", "5.19902001001E+11", "519902001001"},
	{"scientific lower no sign", "5.19902001001e11", "519902001001"},
	{"scientific padded", "5.199E+11", "519900000000"},
	{"scientific explicit sign no point", "5E+11", "500000000000"},
	{"scientific negative exponent integral", "1200E-2", "12"},
	{"scientific zero", "0.0E+0", "0"},
	{"scientific not integral", "5.19902001001E+10", "5.19902001001E+10"},
	{"scientific too long", "1.5E+99", "1.5E+99"},
	{"scientific four exponent digits", "1.5E+1000", "1.5E+1000"},
	{"letter E code kept", "2013E5", "2013E5"},
	{"not integral", "2013519903001.5", "2013519903001.5"},
	{"trailing dot kept", "2013519903001.", "2013519903001."},
	{"spaces and zero width", "\u200b2013519903001 ", "2013519903001"},
	{"full-width digits", "５１９９０２００１００１", "519902001001"},
	{"full-width numeric cell", "５１９９０２００１００１．０", "519902001001"},
	{"leading zeros kept", "0012", "0012"},
	{"negative kept", "-5.0", "-5.0"},
	{"thousands kept", "1,234", "1,234"},
	{"empty", "", ""},
	{"single digit", "7", "7"},
	{"credit code with E", "91440300MA5E00001X", "91440300MA5E00001X"},
	{"exponent then text", "1.5E+3abc", "1.5E+3abc"},
	{"e without digits", "1.5E", "1.5E"},
	{"chinese", "社区", "社区"},
}

func TestCode(t *testing.T) {
	for _, c := range codeCases {
		t.Run(c.name, func(t *testing.T) {
			if got := Code(c.in); got != c.want {
				t.Errorf("Code(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	for _, in := range []string{"LJ2013-001", "2013519903001.0", " 519902001001 "} {
		if n := testing.AllocsPerRun(100, func() { _ = Code(in) }); n != 0 {
			t.Errorf("Code(%q) allocates %v times, want 0", in, n)
		}
	}
}

var communityCodeCases = []struct {
	name, in, want string
	code, detail   string
}{
	{"plain", "519902001001", "519902001001", "", ""},
	{"numeric cell", "519902001001.0", "519902001001", "", ""},
	{"scientific", "5.19902001001E+11", "519902001001", "", ""},
	{"full-width", "５１９９０２００１００１", "519902001001", "", ""},
	{"nbsp", "519902001001\u00a0", "519902001001", "", ""},
	{"eleven digits", "51990311290", "", CodeInvalidCode, "want 12 digits, got 11"},
	{"thirteen digits", "2013519903001", "", CodeInvalidCode, "want 12 digits, got 13"},
	{"letters", "51990200100A", "", CodeInvalidCode, "want 12 digits, found a non-digit character"},
	{"inner space", "519902 001001", "", CodeInvalidCode, "want 12 digits, found a non-digit character"},
	{"empty", "", "", CodeInvalidCode, "empty"},
	{"scientific not integral", "5.199020010015E+11", "", CodeInvalidCode, "want 12 digits, found a non-digit character"},
}

func TestCommunityCode(t *testing.T) {
	for _, c := range communityCodeCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CommunityCode(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("CommunityCode(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if err != nil && err.(*Error).Detail != c.detail {
				t.Errorf("CommunityCode(%q) detail = %q, want %q", c.in, err.(*Error).Detail, c.detail)
			}
			if got != c.want {
				t.Errorf("CommunityCode(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

var codeListCases = []struct {
	name string
	in   string
	want []string
	code string
}{
	{"one", "519902001001", []string{"519902001001"}, ""},
	{"dun hao", "519902101203、519902001005", []string{"519902101203", "519902001005"}, ""},
	{"comma", "519902001001,519902001002", []string{"519902001001", "519902001002"}, ""},
	{"full-width comma", "519902001001，519902001002", []string{"519902001001", "519902001002"}, ""},
	{"semicolon", "519902001003;519902002002", []string{"519902001003", "519902002002"}, ""},
	{"full-width semicolon", "519902001003；519902002002", []string{"519902001003", "519902002002"}, ""},
	{"slash", "519902001003/519902002002", []string{"519902001003", "519902002002"}, ""},
	{"space", "519902001003 519902002002", []string{"519902001003", "519902002002"}, ""},
	{"ideographic space", "519902001003\u3000519902002002", []string{"519902001003", "519902002002"}, ""},
	{"tab", "519902001003\t519902002002", []string{"519902001003", "519902002002"}, ""},
	{"line break", "519902001003\n519902002002", []string{"519902001003", "519902002002"}, ""},
	{"crlf", "519902001003\r\n519902002002", []string{"519902001003", "519902002002"}, ""},
	{"excel escaped cr", "519902001003_x000D_\n519902002002", []string{"519902001003", "519902002002"}, ""},
	{"excel escaped cr only", "519902001003_x000D_519902002002", []string{"519902001003", "519902002002"}, ""},
	{"separator with spaces", "519902001003 、 519902002002", []string{"519902001003", "519902002002"}, ""},
	{"trailing separator", "519902001003、", []string{"519902001003"}, ""},
	{"leading and doubled", "；519902001003；；519902002002", []string{"519902001003", "519902002002"}, ""},
	{"duplicates removed", "519902001003、519902002002、519902001003", []string{"519902001003", "519902002002"}, ""},
	{"order kept", "519902002002,519902001001", []string{"519902002002", "519902001001"}, ""},
	{"numeric cell", "519902001001.0", []string{"519902001001"}, ""},
	{"scientific", "5.19902001001E+11", []string{"519902001001"}, ""},
	{"full-width digits", "５１９９０２００１００１、５１９９０２００１００２", []string{"519902001001", "519902001002"}, ""},
	{"nbsp around", "\u00a0519902001001\u00a0", []string{"519902001001"}, ""},
	{"three mixed", "519902001001,519902001002;519902001003", []string{"519902001001", "519902001002", "519902001003"}, ""},
	{"empty", "", nil, CodeInvalidCode},
	{"separators only", "、, ;", nil, CodeInvalidCode},
	{"one bad", "519902001001、51990200100", nil, CodeInvalidCode},
	{"chinese full stop not a separator", "519902001001。519902001002", nil, CodeInvalidCode},
	{"text", "全部社区", nil, CodeInvalidCode},
}

func TestCodeList(t *testing.T) {
	for _, c := range codeListCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CodeList(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("CodeList(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("CodeList(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	_, err := CodeList("519902001001、51990200100")
	if e, _ := err.(*Error); e == nil || e.Detail != "want 12 digits, got 11" {
		t.Errorf("CodeList with a bad element: error = %v, want that element's error", err)
	}
}

var serviceItemCases = []struct {
	name, in, want string
	code           string
}{
	{"plain", "1.1.1", "1.1.1", ""},
	{"two digit parts", "4.2.10", "4.2.10", ""},
	{"code then text", "1.1.1 为社区内老年人提供服务", "1.1.1", ""},
	{"code glued to text", "1.1.1为社区内", "1.1.1", ""},
	{"ideographic space then text", "3.1.6\u3000社区公共服务需求调查", "3.1.6", ""},
	{"full-width dots", "2．2．5", "2.2.5", ""},
	{"full-width digits and dots", "４．３．５", "4.3.5", ""},
	{"full-width digits", "４.３.５", "4.3.5", ""},
	{"spaces after dots", "5. 1. 2", "5.1.2", ""},
	{"spaces around dots", "4 . 3 . 5", "4.3.5", ""},
	{"nbsp around dots", "4\u00a0.\u00a03.5", "4.3.5", ""},
	{"leading zeros", "01.01.01", "1.1.1", ""},
	{"surrounding spaces", "  6.3.4  ", "6.3.4", ""},
	{"unknown catalogue code still parsed", "7.1.1", "7.1.1", ""},
	{"dot then text", "1.1.1.为社区", "1.1.1", ""},
	{"dun hao after code", "1.1.1、为社区", "1.1.1", ""},
	{"ideographic full stop", "4。3。5", "", CodeInvalidCode},
	{"dun hao between", "4、3、5", "", CodeInvalidCode},
	{"two parts", "1.1", "", CodeInvalidCode},
	{"two parts then text", "1.1 为社区", "", CodeInvalidCode},
	{"four levels", "1.1.1.2", "", CodeInvalidCode},
	{"four levels spaced", "1.1.1. 2", "", CodeInvalidCode},
	{"zero part", "1.0.1", "", CodeInvalidCode},
	{"huge part", "1.1.100000", "", CodeInvalidCode},
	{"text first", "服务1.1.1", "", CodeInvalidCode},
	{"empty", "", "", CodeInvalidCode},
	{"dots only", "..", "", CodeInvalidCode},
	{"trailing dot only", "1.1.", "", CodeInvalidCode},
	{"comma", "1,1,1", "", CodeInvalidCode},
}

func TestServiceItem(t *testing.T) {
	for _, c := range serviceItemCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ServiceItem(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("ServiceItem(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if got != c.want {
				t.Errorf("ServiceItem(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ServiceItem("1.1.1 为社区") }); n != 0 {
		t.Errorf("ServiceItem of a canonical code allocates %v times, want 0", n)
	}
}

func TestMaskID(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"id", "519902198507103681", "519902********3681"},
		{"id with X", "51990319770217416X", "519903********416X"},
		{"eleven", "12345678901", "123456*8901"},
		{"ten masked whole", "1234567890", "**********"},
		{"short", "123", "***"},
		{"empty", "", ""},
		{"non-ascii", "一二三四五六七八九十甲乙", "一二三四五六**九十甲乙"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MaskID(c.in); got != c.want {
				t.Errorf("MaskID(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
