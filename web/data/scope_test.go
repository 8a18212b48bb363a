package data

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
)

// TestScope: the district condition is added, bound as a parameter, for
// a district scope only, and a city-only relation is refused to it.
func TestScope(t *testing.T) {
	for name, rel := range martRelations {
		q, args, err := City.from(rel)
		if err != nil || len(args) != 0 || strings.Contains(q, "$scope_district") {
			t.Errorf("%s, city: %q %v %v", name, q, args, err)
		}
		d := Scope{District: "临江区'; DROP TABLE x; --"}
		q, args, err = d.from(rel)
		if rel.cityOnly {
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("%s: a district scope got a city-only mart", name)
			}
			continue
		}
		if err != nil || !strings.HasSuffix(q, "WHERE scope_district = $scope_district)") || strings.Contains(q, "DROP") {
			t.Errorf("%s, district: %q %v", name, q, err)
		}
		if len(args) != 1 || args[0].(sql.NamedArg).Value != d.District {
			t.Errorf("%s: args %v", name, args)
		}
		if !strings.Contains(rel.sql, "scope_district") {
			t.Errorf("%s names no scope_district", name)
		}
	}
	for name, rel := range relations {
		if !strings.Contains(rel.sql, "scope_district") {
			t.Errorf("relation %s names no scope_district", name)
		}
	}
	if !(Scope{District: "临江区"}).Allows("临江区") || (Scope{District: "临江区"}).Allows("青山区") || !City.Allows("青山区") {
		t.Error("Allows")
	}
}
