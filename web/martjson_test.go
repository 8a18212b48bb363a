package web

import (
	"bytes"
	"encoding/json"
	"math/big"
	"testing"

	"shequ/web/data"
)

// TestEncodeMart: the marts' API writes what encoding/json writes of the
// rows as maps, byte for byte.
func TestEncodeMart(t *testing.T) {
	tables := []*data.Table{
		{Columns: []string{"year", "district", "b", "a", "b"}, Rows: [][]any{
			{int64(2015), "青山区 <&> \"x\"", json.Number("12.50"), 0.1, true},
			{int32(-3), nil, json.Number(""), 1e21, false},
			{int64(0), "\u2028", json.Number("-0.000001"), 1e-7, nil},
			{[]any{"a", int64(1), nil}, map[string]any{"z": 1, "a": "<"}, big.NewInt(7), float64(123456789), "é"},
		}},
		{Columns: []string{"only"}, Rows: [][]any{}},
		{Rows: [][]any{}},
	}
	for i, tb := range tables {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(true)
		if err := enc.Encode(map[string]any{"mart": "m<1>", "as_of": "2026-12-02T08:00:00+08:00", "columns": tb.Columns, "rows": tb.Records()}); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := encodeMart(&got, "m<1>", "2026-12-02T08:00:00+08:00", tb); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("table %d:\n%s\nwant\n%s", i, got.String(), want.String())
		}
	}
}
