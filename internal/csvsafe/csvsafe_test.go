package csvsafe

import "testing"

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://example.com","点击")`: `'=HYPERLINK("http://example.com","点击")`,
		"=2+5":        "'=2+5",
		"+2+5":        "'+2+5",
		"-2+5":        "'-2+5",
		"@P3":         "'@P3",
		"@SUM(A1:A2)": "'@SUM(A1:A2)",
		"\t=1":        "'\t=1",
		"\r=1":        "'\r=1",
		"":            "",
		"青山区":         "青山区",
		"a=1":         "a=1",
		" =1":         " =1",
		"'=1":         "'=1",
		"2014":        "2014",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
