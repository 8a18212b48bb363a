package defaults

import "testing"

type limits struct {
	A int
	B int64
	C uint8
	D float64
	S string
	c int // unexported: kept
}

func TestFill(t *testing.T) {
	d := limits{A: 1, B: 2, C: 3, D: 4, S: "d", c: 5}
	got := Fill(limits{A: -1, B: 20, S: "v"}, d)
	if want := (limits{A: 1, B: 20, C: 3, D: 4, S: "v"}); got != want {
		t.Errorf("Fill = %+v, want %+v", got, want)
	}
	if got := Fill(limits{}, d); got != (limits{A: 1, B: 2, C: 3, D: 4}) {
		t.Errorf("Fill of the zero value = %+v", got)
	}
}
