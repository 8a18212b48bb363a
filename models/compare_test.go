package models

import (
	"context"
	"strings"
	"testing"

	"shequ/models/modelstest"
)

// CompareExpected must see a changed value, a missing row and an extra row;
// money is compared exactly, so a single fen off is a difference.
func TestCompareExpectedSeesDifferences(t *testing.T) {
	w := truthWarehouse(t)
	p := embeddedProject(t)
	buildAll(t, p, w, BuildOptions{Select: "+marts.coverage +marts.fund_use +marts.city_rewards"})
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE marts.coverage SET shortfall = shortfall + 1 WHERE year = 2013 AND district = '青山区' AND urban_rural = 'rural'`,
		`UPDATE marts.fund_use SET staff_share = staff_share + 0.00001 WHERE year = 2013 AND project_code = 'LJ2013-001'`,
		`UPDATE marts.fund_use SET surplus = surplus + 0.01 WHERE year = 2013 AND project_code = 'LJ2013-002'`,
		`UPDATE marts.fund_use SET surplus = surplus + 0.02 WHERE year = 2013 AND project_code = 'LJ2013-003'`,
		`DELETE FROM marts.city_rewards WHERE year = 2014 AND district = '临江区'`,
		`INSERT INTO marts.city_rewards SELECT 2015, district, eligible_projects, eligible_spending, reward_rate, entitlement, budget, scale, allocation, share FROM marts.city_rewards WHERE year = 2013 AND district = '临江区'`,
	} {
		if _, err := w.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	diffs, err := modelstest.CompareExpected(ctx, w.DB, sampleFS)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range diffs {
		if d.Problem == "table" {
			continue // marts not selected above
		}
		got = append(got, d.String())
	}
	want := []string{
		"marts.city_rewards [year=2014 district=临江区]: missing row",
		"marts.city_rewards [year=2015 district=临江区]: extra row",
		"marts.coverage [year=2013 district=青山区 urban_rural=rural] shortfall: want 1, got 2",
		"marts.fund_use [year=2013 project_code=LJ2013-001 district=临江区] staff_share: want 0.858706810301813, got 0.8587168103018128",
		"marts.fund_use [year=2013 project_code=LJ2013-002 district=临江区] surplus: want 14297.03, got 14297.04",
		"marts.fund_use [year=2013 project_code=LJ2013-003 district=临江区] surplus: want 9411.38, got 9411.40",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
