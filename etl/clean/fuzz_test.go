package clean

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz tests: every cleaner must not panic, must return a *Error with the
// right code when it fails, and must be canonical (idempotent) when it
// succeeds. The seed corpora are the table cases, so `go test` runs them.

// checkErr fails unless err is a *Error with the given code.
func checkErr(t *testing.T, fn, in string, err error, code string) {
	t.Helper()
	if got := errCode(err); got != code {
		t.Fatalf("%s(%q) error = %v, want a *Error with code %q", fn, in, err, code)
	}
}

func FuzzText(f *testing.F) {
	for _, c := range textCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		if again := Text(got); again != got {
			t.Fatalf("Text not idempotent: Text(%q) = %q, Text of that = %q", s, got, again)
		}
		if r, _ := utf8.DecodeRuneInString(got); got != "" && isSpace(r) {
			t.Fatalf("Text(%q) = %q starts with white space", s, got)
		}
		if r, _ := utf8.DecodeLastRuneInString(got); got != "" && isSpace(r) {
			t.Fatalf("Text(%q) = %q ends with white space", s, got)
		}
		for _, r := range got {
			if foldRune(r) != r {
				t.Fatalf("Text(%q) = %q keeps the foldable rune %U", s, got, r)
			}
		}
		if isCleanASCII(s) && got != s {
			t.Fatalf("Text(%q) = %q changed clean ASCII", s, got)
		}
		if !strings.Contains(s, got) && utf8.ValidString(s) && !needsFold(s) {
			t.Fatalf("Text(%q) = %q is not a substring of an input with nothing to fold", s, got)
		}
		// Trim trims like Text and folds nothing.
		tr := Trim(s)
		if !strings.Contains(s, tr) || Trim(tr) != tr {
			t.Fatalf("Trim(%q) = %q, not an idempotent substring", s, tr)
		}
		if utf8.ValidString(s) && len(tr) > 0 && Text(tr) != got {
			t.Fatalf("Text(Trim(%q)) = %q, want Text = %q", s, Text(tr), got)
		}
	})
}

func FuzzHeader(f *testing.F) {
	for _, c := range headerCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		full := HeaderFull(s)
		if again := HeaderFull(full); again != full {
			t.Fatalf("HeaderFull not idempotent: %q → %q → %q", s, full, again)
		}
		for _, r := range full {
			if isSpace(r) {
				t.Fatalf("HeaderFull(%q) = %q keeps white space %U", s, full, r)
			}
		}
		key, unit := HeaderKey(s)
		if k2, u2 := HeaderKey(full); k2 != key || u2 != unit {
			t.Fatalf("HeaderKey(%q) = (%q, %q) but HeaderKey(%q) = (%q, %q)", s, key, unit, full, k2, u2)
		}
		if !strings.HasPrefix(full, key) {
			t.Fatalf("HeaderKey(%q) key %q is not a prefix of %q", s, key, full)
		}
		if key != full && !strings.Contains(full[len(key):], unit) {
			t.Fatalf("HeaderKey(%q) unit %q is not in the stripped suffix %q", s, unit, full[len(key):])
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, c := range intCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Int(s)
		if err != nil {
			checkErr(t, "Int", s, err, CodeInvalidNumber)
			return
		}
		if back, err := Int(strconv.FormatInt(v, 10)); err != nil || back != v {
			t.Fatalf("Int(%q) = %d, Int of its decimal form = %d, %v", s, v, back, err)
		}
		if d, err := Decimal(s); err != nil || d != (Dec{Coef: v}) {
			t.Fatalf("Int(%q) = %d but Decimal = %#v, %v", s, v, d, err)
		}
	})
}

// checkCanonical fails unless d is in the canonical form Decimal returns.
func checkCanonical(t *testing.T, fn, in string, d Dec) {
	t.Helper()
	if d.Scale < 0 || (d.Scale > 0 && d.Coef%10 == 0) || (d.Coef == 0 && d.Scale != 0) {
		t.Fatalf("%s(%q) = %#v is not canonical", fn, in, d)
	}
}

func FuzzDecimal(f *testing.F) {
	for _, c := range decimalCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Decimal(s)
		if err != nil {
			checkErr(t, "Decimal", s, err, CodeInvalidNumber)
			return
		}
		checkCanonical(t, "Decimal", s, d)
		str := d.String()
		if back, err := Decimal(str); err != nil || back != d {
			t.Fatalf("Decimal(%q) = %#v, String %q, Decimal of that = %#v, %v", s, d, str, back, err)
		}
		if want, _ := strconv.ParseFloat(str, 64); d.Float64() != want {
			t.Fatalf("Decimal(%q).Float64() = %v, want %v", s, d.Float64(), want)
		}
		if c, err := d.Rescale(d.Scale); err != nil || c != d.Coef {
			t.Fatalf("Decimal(%q) = %#v, Rescale(own scale) = %d, %v", s, d, c, err)
		}
		if d.Cmp(d) != 0 {
			t.Fatalf("Decimal(%q) = %#v does not equal itself", s, d)
		}
		if i := strings.IndexByte(str, '.'); (i < 0 && d.Scale != 0) || (i >= 0 && len(str)-i-1 != int(d.Scale)) {
			t.Fatalf("Decimal(%q).String() = %q, want %d fraction digits", s, str, d.Scale)
		}
	})
}

func FuzzRatio(f *testing.F) {
	for _, c := range ratioCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Ratio(s)
		if err != nil {
			checkErr(t, "Ratio", s, err, CodeInvalidNumber)
			return
		}
		checkCanonical(t, "Ratio", s, r)
		if back, err := Decimal(r.String()); err != nil || back != r {
			t.Fatalf("Ratio(%q) = %#v, Decimal(%q) = %#v, %v", s, r, r.String(), back, err)
		}
		d, err := Decimal(s)
		if err != nil {
			t.Fatalf("Ratio(%q) = %s but Decimal fails: %v", s, r, err)
		}
		want := d
		if !strings.Contains(Text(s), "%") && d.Cmp(DecFromInt(1)) > 0 {
			// A plain number above 1 is a percentage.
			if want, err = Decimal(d.MulPow10(-2).String()); err != nil {
				t.Fatalf("Decimal(%q): %v", d.MulPow10(-2).String(), err)
			}
			if r.Cmp(DecFromInt(1)) > 0 && d.Cmp(DecFromInt(100)) <= 0 {
				t.Fatalf("Ratio(%q) = %s > 1 from a plain number ≤ 100", s, r)
			}
		}
		if r != want {
			t.Fatalf("Ratio(%q) = %#v, want %#v (Decimal %s)", s, r, want, d)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, c := range dateCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			checkErr(t, "Date", s, err, CodeInvalidDate)
			return
		}
		if d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour)) {
			t.Fatalf("Date(%q) = %v, want midnight UTC", s, d)
		}
		if d.Year() < 1 || d.Year() > 9999 {
			t.Fatalf("Date(%q) = %v, year out of range", s, d)
		}
		iso := d.Format(time.DateOnly)
		if back, err := Date(iso); err != nil || !back.Equal(d) {
			t.Fatalf("Date(%q) = %s, Date of that = %v, %v", s, iso, back, err)
		}
	})
}

func FuzzBool(f *testing.F) {
	for _, c := range boolCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Bool(s, partyWords)
		if err != nil {
			checkErr(t, "Bool", s, err, CodeInvalidBool)
			if _, err2 := Bool(s, nil); err2 == nil {
				t.Fatalf("Bool(%q) fails with extra words but succeeds without", s)
			}
			return
		}
		if v2, err := Bool(Text(s), partyWords); err != nil || v2 != v {
			t.Fatalf("Bool(%q) = %v, Bool(Text) = %v, %v", s, v, v2, err)
		}
		if v2, err := Bool(s, nil); err == nil && v2 != v {
			t.Fatalf("Bool(%q) = %v with extra words, %v without", s, v, v2)
		}
	})
}

func FuzzEnum(f *testing.F) {
	for _, c := range enumCases {
		f.Add(c.in)
	}
	for _, c := range enumKeyCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := EnumKey(s)
		if again := EnumKey(k); again != k {
			t.Fatalf("EnumKey not idempotent: %q → %q → %q", s, k, again)
		}
		for _, r := range k {
			if isSpace(r) || (r >= 'A' && r <= 'Z') || foldRune(r) != r {
				t.Fatalf("EnumKey(%q) = %q keeps %U", s, k, r)
			}
		}
		v, err := Enum(s, urbanRural)
		want, ok := urbanRural[k]
		if !ok {
			checkErr(t, "Enum", s, err, CodeInvalidEnum)
			return
		}
		if err != nil || v != want {
			t.Fatalf("Enum(%q) = %q, %v; want %q", s, v, err, want)
		}
	})
}

func FuzzQuarter(f *testing.F) {
	for _, c := range quarterCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Quarter(s)
		if err != nil {
			checkErr(t, "Quarter", s, err, CodeInvalidEnum)
			return
		}
		if q < 1 || q > 4 {
			t.Fatalf("Quarter(%q) = %d, want 1–4", s, q)
		}
		for _, form := range []string{strconv.Itoa(q), "Q" + strconv.Itoa(q), "第" + strconv.Itoa(q) + "季度"} {
			if back, err := Quarter(form); err != nil || back != q {
				t.Fatalf("Quarter(%q) = %d, %v; want %d", form, back, err, q)
			}
		}
	})
}

func FuzzCode(f *testing.F) {
	for _, c := range codeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Code(s)
		if again := Code(c); again != c {
			t.Fatalf("Code not idempotent: %q → %q → %q", s, c, again)
		}
		if c != Text(s) && !isDigits(c) {
			t.Fatalf("Code(%q) = %q changed the text into non-digits", s, c)
		}
	})
}

func FuzzCommunityCode(f *testing.F) {
	for _, c := range communityCodeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := CommunityCode(s)
		if err != nil {
			checkErr(t, "CommunityCode", s, err, CodeInvalidCode)
			return
		}
		if len(c) != 12 || !isDigits(c) {
			t.Fatalf("CommunityCode(%q) = %q, want 12 digits", s, c)
		}
		if back, err := CommunityCode(c); err != nil || back != c {
			t.Fatalf("CommunityCode(%q) = %q, again = %q, %v", s, c, back, err)
		}
	})
}

func FuzzCodeList(f *testing.F) {
	for _, c := range codeListCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		codes, err := CodeList(s)
		if err != nil {
			checkErr(t, "CodeList", s, err, CodeInvalidCode)
			return
		}
		if len(codes) == 0 {
			t.Fatalf("CodeList(%q) succeeded with no codes", s)
		}
		for i, c := range codes {
			if len(c) != 12 || !isDigits(c) {
				t.Fatalf("CodeList(%q)[%d] = %q, want 12 digits", s, i, c)
			}
			if slices.Index(codes, c) != i {
				t.Fatalf("CodeList(%q) = %q repeats %s", s, codes, c)
			}
		}
		for _, sep := range []string{"、", ";", "\n"} {
			if back, err := CodeList(strings.Join(codes, sep)); err != nil || !slices.Equal(back, codes) {
				t.Fatalf("CodeList(%q) = %q, joined by %q and cleaned again = %q, %v", s, codes, sep, back, err)
			}
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, c := range creditCodeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := CreditCode(s)
		if err != nil {
			if errCode(err) != CodeBadCheckCharacter {
				checkErr(t, "CreditCode", s, err, CodeInvalidCode)
			}
			return
		}
		if len(c) != 18 || strings.Trim(c, creditAlphabet) != "" {
			t.Fatalf("CreditCode(%q) = %q, want 18 characters of %s", s, c, creditAlphabet)
		}
		if back, err := CreditCode(c); err != nil || back != c {
			t.Fatalf("CreditCode(%q) = %q, again = %q, %v", s, c, back, err)
		}
		// Any other check character is refused.
		other := creditAlphabet[(strings.IndexByte(creditAlphabet, c[17])+1)%len(creditAlphabet)]
		if _, err := CreditCode(c[:17] + string(rune(other))); errCode(err) != CodeBadCheckCharacter {
			t.Fatalf("CreditCode with the check character changed: error = %v, want %s", err, CodeBadCheckCharacter)
		}
	})
}

func FuzzIDNumber(f *testing.F) {
	for _, c := range idNumberCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := IDNumber(s)
		if err != nil {
			if errCode(err) != CodeBadCheckCharacter {
				checkErr(t, "IDNumber", s, err, CodeInvalidCode)
			}
			return
		}
		if len(id) != 18 || !isDigits(id[:17]) || (!isDigit(id[17]) && id[17] != 'X') {
			t.Fatalf("IDNumber(%q) = %q, want 17 digits and a digit or X", s, id)
		}
		if back, err := IDNumber(id); err != nil || back != id {
			t.Fatalf("IDNumber(%q) = %q, again = %q, %v", s, id, back, err)
		}
		m := MaskID(id)
		if len(m) != 18 || m[:6] != id[:6] || m[14:] != id[14:] || m[6:14] != "********" {
			t.Fatalf("MaskID(%q) = %q", id, m)
		}
	})
}

func FuzzServiceItem(f *testing.F) {
	for _, c := range serviceItemCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		item, err := ServiceItem(s)
		if err != nil {
			checkErr(t, "ServiceItem", s, err, CodeInvalidCode)
			return
		}
		parts := strings.Split(item, ".")
		if len(parts) != 3 {
			t.Fatalf("ServiceItem(%q) = %q, want three parts", s, item)
		}
		for _, p := range parts {
			if !isDigits(p) || p[0] == '0' {
				t.Fatalf("ServiceItem(%q) = %q, want positive integers without leading zeros", s, item)
			}
		}
		for _, form := range []string{item, item + " 为社区", strings.ReplaceAll(item, ".", " ． ")} {
			if back, err := ServiceItem(form); err != nil || back != item {
				t.Fatalf("ServiceItem(%q) = %q, %v; want %q", form, back, err, item)
			}
		}
	})
}

func FuzzMaskID(f *testing.F) {
	f.Add("519902198507103681")
	f.Add("")
	f.Add("一二三四五六七八九十甲乙")
	f.Fuzz(func(t *testing.T, s string) {
		m := MaskID(s)
		if n, want := utf8.RuneCountInString(m), utf8.RuneCountInString(s); n != want {
			t.Fatalf("MaskID(%q) = %q has %d characters, want %d", s, m, n, want)
		}
		n := utf8.RuneCountInString(s)
		want := n
		if n > 10 {
			want = n - 10
		}
		if strings.Count(m, "*") < want {
			t.Fatalf("MaskID(%q) = %q masks too little", s, m)
		}
	})
}
