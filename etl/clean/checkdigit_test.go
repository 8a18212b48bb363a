package clean

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var creditCodeCases = []struct {
	name, in, want string
	code, detail   string
}{
	{"valid", "52519902M93894823Q", "52519902M93894823Q", "", ""},
	{"valid X before check", "52519902M1792623XB", "52519902M1792623XB", "", ""},
	{"valid real format", "91350100M000100Y43", "91350100M000100Y43", "", ""},
	{"lower case", "52519902m93894823q", "52519902M93894823Q", "", ""},
	{"spaces", " 52519902M93894823Q\u00a0", "52519902M93894823Q", "", ""},
	{"full-width", "５２５１９９０２Ｍ９３８９４８２３Ｑ", "52519902M93894823Q", "", ""},
	{"bad check", "52519902M938948230", "", CodeBadCheckCharacter, "check character should be Q"},
	{"bad check digit swap", "52519902M39894823Q", "", CodeBadCheckCharacter, ""},
	{"letter I", "52519902I93894823Q", "", CodeInvalidCode, "invalid character 'I' at position 9"},
	{"letter O", "O2519902M93894823Q", "", CodeInvalidCode, ""},
	{"letter S", "52519902S93894823Q", "", CodeInvalidCode, ""},
	{"letter V", "52519902V93894823Q", "", CodeInvalidCode, ""},
	{"letter Z", "52519902M93894823Z", "", CodeInvalidCode, ""},
	{"chinese", "52519902M9389482三", "", CodeInvalidCode, ""},
	{"seventeen", "52519902M93894823", "", CodeInvalidCode, "want 18 characters, got 17"},
	{"nineteen", "52519902M93894823QQ", "", CodeInvalidCode, "want 18 characters, got 19"},
	{"inner space", "52519902 M93894823Q", "", CodeInvalidCode, ""},
	{"empty", "", "", CodeInvalidCode, "empty"},
}

func TestCreditCode(t *testing.T) {
	for _, c := range creditCodeCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CreditCode(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("CreditCode(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if c.detail != "" && err.(*Error).Detail != c.detail {
				t.Errorf("CreditCode(%q) detail = %q, want %q", c.in, err.(*Error).Detail, c.detail)
			}
			if got != c.want {
				t.Errorf("CreditCode(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestCreditCodeCheckAlphabet: for a fixed 17-character body, exactly one
// of the 31 check characters is accepted.
func TestCreditCodeCheckAlphabet(t *testing.T) {
	for _, body := range []string{"52519902M93894823", "91350100M000100Y4", "00000000000000000", "YYYYYYYYYYYYYYYYY"} {
		ok := 0
		for i := 0; i < len(creditAlphabet); i++ {
			if _, err := CreditCode(body + creditAlphabet[i:i+1]); err == nil {
				ok++
			} else if errCode(err) != CodeBadCheckCharacter {
				t.Errorf("CreditCode(%q) error = %v, want %s", body+creditAlphabet[i:i+1], err, CodeBadCheckCharacter)
			}
		}
		if ok != 1 {
			t.Errorf("body %s: %d check characters accepted, want 1", body, ok)
		}
	}
}

// TestCreditCodeSamples: every provider credit code of the sample truth
// (samples/truth/projects.csv at the module root) is valid.
func TestCreditCodeSamples(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "samples", "truth", "projects.csv"))
	if err != nil {
		t.Skipf("sample truth not available: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range head {
		if h == "provider_credit_code" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no provider_credit_code column in %q", head)
	}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := CreditCode(rec[col])
		if err != nil || got != rec[col] {
			t.Errorf("CreditCode(%q) = %q, %v; want it valid", rec[col], got, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no rows in truth/projects.csv")
	}
}

var idNumberCases = []struct {
	name, in, want string
	code, detail   string
}{
	{"valid", "519903197805199247", "519903197805199247", "", ""},
	{"valid X", "51990319770217416X", "51990319770217416X", "", ""},
	{"valid lower x", "51990319770217416x", "51990319770217416X", "", ""},
	{"valid check 1", "519903198407116041", "519903198407116041", "", ""},
	{"zero width around", "\u200b51990319770217416X", "51990319770217416X", "", ""},
	{"nbsp after", "519903199309073687\u00a0", "519903199309073687", "", ""},
	{"full-width", "５１９９０３１９９３０９０７３６８７", "519903199309073687", "", ""},
	{"bad check", "519903198003151230", "", CodeBadCheckCharacter, "check character should be 8"},
	{"X where digit due", "51990319800315123X", "", CodeBadCheckCharacter, ""},
	{"fifteen digit old id", "519903800315123", "", CodeInvalidCode, "want 18 characters, got 15"},
	{"seventeen", "51990319800315123", "", CodeInvalidCode, "want 18 characters, got 17"},
	{"X inside", "5199031980031X1238", "", CodeInvalidCode, "invalid character 'X' at position 14"},
	{"last letter", "51990319800315123A", "", CodeInvalidCode, "invalid character 'A' at position 18"},
	{"numeric cell loses digits", "5.19903197805199E+17", "", CodeBadCheckCharacter, "check character should be 1"},
	{"inner space", "519903 19800315123", "", CodeInvalidCode, ""},
	{"empty", "", "", CodeInvalidCode, "empty"},
}

func TestIDNumber(t *testing.T) {
	for _, c := range idNumberCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := IDNumber(c.in)
			if code := errCode(err); code != c.code {
				t.Fatalf("IDNumber(%q) error = %v, want code %q", c.in, err, c.code)
			}
			if c.detail != "" && err.(*Error).Detail != c.detail {
				t.Errorf("IDNumber(%q) detail = %q, want %q", c.in, err.(*Error).Detail, c.detail)
			}
			if got != c.want {
				t.Errorf("IDNumber(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestIDNumberCheckDigits: for a fixed body, exactly one of 0-9 and X is
// accepted.
func TestIDNumberCheckDigits(t *testing.T) {
	for _, body := range []string{"51990319780519924", "11010519491231002", "00000000000000000"} {
		ok := 0
		for _, c := range "0123456789X" {
			if _, err := IDNumber(body + string(c)); err == nil {
				ok++
			} else if errCode(err) != CodeBadCheckCharacter {
				t.Errorf("IDNumber(%q) error = %v, want %s", body+string(c), err, CodeBadCheckCharacter)
			}
		}
		if ok != 1 {
			t.Errorf("body %s: %d check characters accepted, want 1", body, ok)
		}
	}
}
