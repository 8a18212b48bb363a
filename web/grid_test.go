package web

import "testing"

func TestRoundHalfAway(t *testing.T) {
	for _, c := range []struct {
		x      float64
		places int
		want   string
	}{
		{81.25, 1, "81.3"}, {-3.25, 1, "-3.3"}, {0.8181818 * 100, 1, "81.8"}, {99.95, 1, "100.0"}, {9.999, 2, "10.00"},
		{0, 1, "0.0"}, {-0.04, 1, "0.0"}, {100, 1, "100.0"}, {0.005, 2, "0.01"}, {1e-7, 1, "0.0"}, {123.4, 0, "123"},
	} {
		if got := roundHalfAway(c.x, c.places); got != c.want {
			t.Errorf("roundHalfAway(%v, %d) = %q, want %q", c.x, c.places, got, c.want)
		}
	}
	for _, c := range []struct {
		x    float64
		want string
	}{{0.6335, "63.4"}, {0.63345, "63.3"}, {0.8181818181818182, "81.8"}, {1, "100.0"}, {0.0005, "0.1"}, {0.00049, "0.0"}, {0.3, "30.0"}, {12.5, "1250.0"}, {0, "0.0"}, {0.004, "0.4"}, {-0.25, "-25.0"}} {
		if got := roundDecimal(shifted(c.x, 2), 1); got != c.want {
			t.Errorf("rate %v = %q, want %q", c.x, got, c.want)
		}
	}
	for in, want := range map[string]string{"1449470.00": "1,449,470.00", "-881070.89": "-881,070.89", "0": "0", "999": "999", "1000": "1,000"} {
		if got := groupThousands(in); got != want {
			t.Errorf("groupThousands(%s) = %s, want %s", in, got, want)
		}
	}
}
