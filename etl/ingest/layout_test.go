package ingest

import (
	"strings"
	"testing"

	"shequ/etl/dict"
)

// TestStoredColumnsAreTheWarehouses: the raw table of every kind has
// exactly the columns dict.Kind.Stored lists, in that order: the loader
// appends by that list, so a column added to the dictionary and not to a
// migration (or the other way round) fails here, not at the first file.
func TestStoredColumnsAreTheWarehouses(t *testing.T) {
	w, _ := openTemp(t)
	for _, k := range dict.Kinds {
		got := queryStrings(t, w.DB, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position`, k.Name)
		if want := k.Stored(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("raw.%s has\n  %s\nthe dictionary stores\n  %s", k.Name, strings.Join(got, ","), strings.Join(want, ","))
		}
	}
}
