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

func TestClosest(t *testing.T) {
	cmds := []string{"demo", "run", "ingest", "build", "test", "report"}
	for in, want := range map[string]string{"ingset": "ingest", "biuld": "build", "reprot": "report", "xyzzy": ""} {
		if got := Closest(in, cmds, 2); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Closest("临江", []string{"青山区", "临江区"}, 1); got != "临江区" {
		t.Errorf("Closest(临江) = %q, want 临江区", got)
	}
}
