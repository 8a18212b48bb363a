package sqltext

import (
	"fmt"
	"testing"
)

func TestErrorLine(t *testing.T) {
	msg := "Binder Error: Referenced column \"b\" not found!\n\nLINE 5:   b\n          ^\nLINE 7: c"
	if got := ErrorLine(msg); got != 5 {
		t.Errorf("ErrorLine = %d, want 5", got)
	}
	if got := ErrorLine("Conversion Error: bad"); got != 0 {
		t.Errorf("ErrorLine without a LINE = %d, want 0", got)
	}
	tests := []struct {
		name  string
		label func(int) string
		want  string
	}{
		{"same width", func(n int) string { return fmt.Sprintf("line %d:", n-1) },
			"Binder Error: Referenced column \"b\" not found!\n\nline 4:   b\n          ^\nline 6: c"},
		{"wider", func(n int) string { return fmt.Sprintf("LINE %d:", n+10) },
			"Binder Error: Referenced column \"b\" not found!\n\nLINE 15:   b\n           ^\nLINE 17: c"},
		{"narrower", func(n int) string { return fmt.Sprintf("l%d:", n) },
			"Binder Error: Referenced column \"b\" not found!\n\nl5:   b\n      ^\nl7: c"},
		{"kept", func(n int) string {
			if n == 5 {
				return ""
			}
			return "LINE 1:"
		}, "Binder Error: Referenced column \"b\" not found!\n\nLINE 5:   b\n          ^\nLINE 1: c"},
	}
	for _, tt := range tests {
		if got := MapErrorLines(msg, tt.label); got != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
	if got := MapErrorLines("no line here", func(int) string { return "x" }); got != "no line here" {
		t.Errorf("MapErrorLines without a LINE = %q", got)
	}
}
