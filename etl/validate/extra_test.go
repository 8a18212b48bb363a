package validate

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"shequ/etl/clean"
	"shequ/etl/dict"
)

// extraJSONMarshal is how the unknown columns were written before they
// were encoded directly: json.Marshal of a map of the cleaned headers and
// values.
func extraJSONMarshal(v *Validator, cells []string) string {
	m := make(map[string]string, len(v.extras))
	for _, f := range v.extras {
		if t := clean.Text(cell(cells, f.Index)); t != "" {
			m[clean.Text(f.Header)] = t
		}
	}
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestExtraJSONAsMarshal checks extraJSON against json.Marshal on random
// headers and values full of what JSON escapes: quotes, backslashes, HTML
// characters, control characters, invalid UTF-8, U+2028, repeated headers.
func TestExtraJSONAsMarshal(t *testing.T) {
	parts := []string{"", " ", "备注", "联系电话", "a", "<b>", "&", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x01", "\x1f", "\x7f",
		"\u2028", "\u2029", "\xff", "\xe4\xb8", "\u00a0", "\u3000", "１２", "é", "😀", "x y", "/", "'"}
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		s := ""
		for n := r.IntN(4); n >= 0; n-- {
			s += parts[r.IntN(len(parts))]
		}
		return s
	}
	for i := 0; i < 20000; i++ {
		v := &Validator{}
		n := 1 + r.IntN(5)
		cells := make([]string, n+r.IntN(2))
		for k := 0; k < n; k++ {
			h := word()
			if k > 0 && r.IntN(4) == 0 {
				h = v.extras[r.IntN(k)].Header // the same header twice
			}
			v.extras = append(v.extras, dict.Field{Index: k, Header: h})
		}
		for k := range cells {
			cells[k] = word()
		}
		want := extraJSONMarshal(v, cells)
		for rep := 0; rep < 2; rep++ { // twice: the scratch buffers are reused
			if got := v.extraJSON(cells); got != want {
				t.Fatalf("extras %+v cells %q:\ngot  %s\nwant %s", v.extras, cells, got, want)
			}
		}
	}
}
