package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"coverage", "coverage", 0}, {"coverag", "coverage", 1}, {"covrage", "coverage", 1},
		{"marts.zz", "marts.m", 2}, {"社区名册", "社区名单", 1}, {"", "abc", 3},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
