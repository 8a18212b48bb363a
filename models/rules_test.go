package models

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"shequ/warehouse"
)

// The rules of DOMAIN §6 corrected in issue #13, each shown on a crafted
// city with a row on each side of its boundary: the rows go straight into
// the raw tables of a real warehouse as a clean ingest would leave them,
// then every model is built.

// crafted collects the raw rows of a small city; its communities and
// projects are in district (东区 when blank).
type crafted struct {
	stmts    []string
	row      int
	district string
}

func (c *crafted) districtName() string {
	if c.district == "" {
		return "东区"
	}
	return c.district
}

func (c *crafted) add(table, cols string, vals ...any) {
	c.row++
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case nil:
			parts[i] = "NULL"
		case string:
			parts[i] = "'" + strings.ReplaceAll(x, "'", "''") + "'"
		default:
			parts[i] = fmt.Sprint(x)
		}
	}
	c.stmts = append(c.stmts, fmt.Sprintf(
		"INSERT INTO raw.%s (submission_id, source_file, source_sheet, source_row, %s) VALUES (1, 'crafted.csv', '', %d, %s)",
		table, cols, c.row, strings.Join(parts, ", ")))
}

// community adds a roster row; area "" is blank.
func (c *crafted) community(year int, code string, population int, area string) {
	var a any
	if area != "" {
		a = area
	}
	c.add("communities", "year, district, street, community_code, community_name, urban_rural, resident_population, area_km2",
		year, c.districtName(), "东街道", code, "社区"+code[len(code)-3:], "urban", population, a)
}

// project adds a project row of year and its covered communities. The
// contract starts on start (MM-DD) of the year and ends with it.
func (c *crafted) project(year int, code, typ, provider, credit, start, amount, districtFunding, streetFunding string, communities ...string) {
	c.add("projects", "year, project_code, district, project_name, project_type, provider, provider_credit_code, community_codes, "+
		"contract_start, contract_end, contract_amount, city_funding, district_funding, street_funding",
		year, code, c.districtName(), code+"项目", typ, provider, credit, strings.Join(communities, ";"),
		fmt.Sprintf("%d-%s", year, start), fmt.Sprintf("%d-12-31", year), amount, "0", districtFunding, streetFunding)
	for _, cc := range communities {
		c.row++
		c.stmts = append(c.stmts, fmt.Sprintf(
			"INSERT INTO raw.project_communities (submission_id, source_file, source_sheet, source_row, year, project_code, district, community_code) VALUES (1, 'crafted.csv', '', %d, %d, '%s', '%s', '%s')",
			c.row, year, code, c.districtName(), cc))
	}
}

// team adds fullTime full-time staff to a project's year: the first is
// the lead, the first sw are registered social workers, the first party
// party members.
func (c *crafted) team(year int, code string, fullTime, sw, party int) {
	for i := 0; i < fullTime; i++ {
		role := "social_worker"
		if i == 0 {
			role = "lead"
		}
		c.add("staff", "year, project_code, staff_name, role, registered_sw, sw_level, party_member, full_time",
			year, code, fmt.Sprintf("员工%d", i), role, i < sw, "assistant", i < party, true)
	}
}

// spend adds a quarter's staff pay of a project.
func (c *crafted) spend(year int, code, amount string) {
	c.add("expenditures", "year, project_code, quarter, category, amount", year, code, 1, "staff_pay", amount)
}

// evaluation adds a project's evaluation of a stage: full marks when
// pass, else nothing at all (0 points, no stars).
func (c *crafted) evaluation(year int, code, stage string, pass bool) {
	score, sat, times := "0", "0", 0
	if pass {
		score, sat, times = "20", "1", 1000000
	}
	c.add("evaluations", "year, project_code, stage, facility_score, team_score, activity_score, funding_score, person_times, satisfaction",
		year, code, stage, score, score, score, score, times, sat)
}

// facility adds a room of a community's centre.
func (c *crafted) facility(year int, community, room, area string) {
	c.add("facilities", "year, community_code, room, area_m2", year, community, room, area)
}

// build loads the rows into a fresh warehouse and builds every model,
// with the policy override files given.
func (c *crafted) build(t *testing.T, policy ...string) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{Command: "models test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, s := range c.stmts {
		if _, err := w.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	p := embeddedProject(t)
	res := buildAll(t, p, w, BuildOptions{PolicyFiles: policy})
	if res.Count(StatusOK) != len(res.Models) {
		t.Fatal(res.Summary())
	}
	// The marts' own data tests hold on the crafted city too.
	tr, err := p.Test(ctx, w.DB, "marts.staffing marts.project_costs marts.fund_use marts.city_rewards marts.site_subsidies marts.provider_standing")
	if err != nil {
		for _, o := range tr.Failed() {
			t.Error(o.Report())
		}
		t.Fatal(err)
	}
	return w
}

// lines runs q and returns its rows, each as its columns' text joined by
// spaces (NULL as NULL).
func lines(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const credit = "52519902M93894823Q" // any credit code: the models do not check it

// A project covering a large community (population ≥ 30 000 and area ≥ 2
// km²) needs 7 full-time staff, one covering a community just below
// needs 5 (seed 000 §2(1)).
func TestStaffingLargeCommunityNeedsSeven(t *testing.T) {
	var c crafted
	c.community(2014, "519900000001", 30000, "2")     // large: both at the threshold
	c.community(2014, "519900000002", 29999, "5")     // not large: population below
	c.community(2014, "519900000003", 50000, "1.999") // not large: area below
	c.community(2014, "519900000004", 50000, "")      // not large: area blank
	c.project(2014, "L6", "socialised", "甲", credit, "01-01", "500000", "0", "0", "519900000001")
	c.team(2014, "L6", 6, 3, 1)
	c.project(2014, "L7", "socialised", "甲", credit, "01-01", "500000", "0", "0", "519900000001", "519900000002")
	c.team(2014, "L7", 7, 3, 1)
	c.project(2014, "S4", "socialised", "甲", credit, "01-01", "500000", "0", "0", "519900000002", "519900000003")
	c.team(2014, "S4", 4, 3, 1)
	c.project(2014, "S5", "socialised", "甲", credit, "01-01", "500000", "0", "0", "519900000003", "519900000004")
	c.team(2014, "S5", 5, 3, 1)
	w := c.build(t)
	sameLines(t, "staffing", lines(t, w.DB, `SELECT project_code, full_time_staff, required_full_time, compliant, issues
		FROM marts.staffing ORDER BY project_code`), []string{
		"L6 6 7 false full_time_staff",
		"L7 7 7 true ",
		"S4 4 5 false full_time_staff",
		"S5 5 5 true ",
	})
}

// Cost per worker is money: the exact quotient rounded to the fen, half
// away from zero. 20 000.01 among 2 is 10 000.005, so 10 000.01 (through
// DOUBLE it was 10 000.00); among 3 it is 6 666.67.
func TestCostPerWorkerIsExact(t *testing.T) {
	var c crafted
	c.community(2014, "519900000001", 10000, "1")
	c.project(2014, "W2", "socialised", "甲", credit, "01-01", "20000.01", "0", "0", "519900000001")
	c.team(2014, "W2", 2, 1, 1)
	c.project(2014, "W3", "socialised", "甲", credit, "01-01", "20000.01", "0", "0", "519900000001")
	c.team(2014, "W3", 3, 1, 1)
	c.project(2014, "W0", "socialised", "甲", credit, "01-01", "20000.01", "0", "0", "519900000001")
	w := c.build(t)
	sameLines(t, "project_costs", lines(t, w.DB, `SELECT project_code, full_time_staff, CAST(cost_per_worker AS VARCHAR)
		FROM marts.project_costs ORDER BY project_code`), []string{
		"W0 0 NULL",
		"W2 2 10000.01",
		"W3 3 6666.67",
	})
}

// A centre is a site once, in the first year of its project_code; a
// centre covering a community an earlier centre covered is already funded
// (seed 004 annex 2 §4(一)), one covering only communities no earlier
// centre covered is not, and a centre of the same year does not count.
func TestSiteSubsidiesOncePerSite(t *testing.T) {
	var c crafted
	for _, y := range []int{2013, 2014, 2015} {
		for _, code := range []string{"519900000001", "519900000002", "519900000003", "519900000004"} {
			c.community(y, code, 10000, "1")
		}
		c.facility(y, "519900000001", "书画室", "1000.5")
		c.facility(y, "519900000002", "舞蹈室", "800.25")
		c.facility(y, "519900000004", "棋艺室", "3000")
	}
	// C1: a centre from 2013, its second contract year 2014.
	c.project(2013, "C1", "comprehensive_centre", "甲", credit, "01-01", "650000.01", "300000", "100000", "519900000001")
	c.project(2014, "C1", "comprehensive_centre", "甲", credit, "01-01", "650000.01", "300000", "100000", "519900000001")
	// C2: a new centre of 2015 re-covering 519900000001 (C1's) and 519900000002.
	c.project(2015, "C2", "comprehensive_centre", "甲", credit, "01-01", "900000", "0", "0", "519900000001", "519900000002")
	// C3 and C4: two new centres of 2015 on communities no earlier centre
	// covered (519900000003 only a socialised project's in 2014).
	c.project(2014, "P3", "socialised", "甲", credit, "01-01", "400000", "0", "0", "519900000003")
	c.project(2015, "C3", "comprehensive_centre", "甲", credit, "01-01", "700000", "1000000", "0", "519900000003", "519900000004")
	c.project(2015, "C4", "comprehensive_centre", "甲", credit, "01-01", "700000", "0", "0", "519900000004")
	// P5: socialised in 2014, a centre in 2015: its first year was no centre, so no site.
	c.project(2014, "P5", "socialised", "甲", credit, "01-01", "400000", "0", "0", "519900000004")
	c.project(2015, "P5", "comprehensive_centre", "甲", credit, "01-01", "400000", "0", "0", "519900000004")
	w := c.build(t)
	sameLines(t, "site_subsidies", lines(t, w.DB, `SELECT year, project_code, community_codes,
		CAST(total_area_m2 AS VARCHAR), CAST(subsidised_area_m2 AS VARCHAR), CAST(renovation_city AS VARCHAR),
		CAST(equipment_city AS VARCHAR), CAST(operations_city AS VARCHAR), CAST(city_total AS VARCHAR),
		CAST(required_match AS VARCHAR), CAST(local_match AS VARCHAR), match_ok, already_funded
		FROM marts.site_subsidies ORDER BY year, project_code`), []string{
		// 342.5 × 1000.5 = 342671.25; operations min(700000, 650000.01); match 0.5 × 1492671.26.
		"2013 C1 519900000001 1000.50 1000.50 342671.25 500000.00 650000.01 1492671.26 746335.63 400000.00 false false",
		"2015 C2 519900000001,519900000002 1800.75 1800.75 0.00 0.00 0.00 0.00 0.00 0.00 true true",
		// 3000 m² of 519900000004 (519900000003 has no rooms), capped at 2300 m²: 787750, total capped at 2 000 000.
		"2015 C3 519900000003,519900000004 3000.00 2300.00 787750.00 500000.00 700000.00 1987750.00 993875.00 1000000.00 true false",
		"2015 C4 519900000004 3000.00 2300.00 787750.00 500000.00 700000.00 1987750.00 993875.00 0.00 false false",
	})
}

// A surplus carries over while the project goes on, year after year; an
// overspend carries nothing; a year's gap breaks the chain (seed 000
// §7(1) "顺延至下年度运营经费").
func TestFundUseCarriesSurplus(t *testing.T) {
	var c crafted
	for y := 2012; y <= 2016; y++ {
		c.community(y, "519900000001", 10000, "1")
	}
	for y, spent := range map[int]string{2012: "99990.01", 2013: "100000.02", 2014: "100010.00", 2015: "100000.00"} {
		c.project(y, "F", "socialised", "甲", credit, "01-01", "100000.00", "0", "0", "519900000001")
		c.spend(y, "F", spent)
	}
	// G: a surplus in 2012, no row in 2013, 2014 starts again.
	c.project(2012, "G", "socialised", "甲", credit, "01-01", "100000.00", "0", "0", "519900000001")
	c.spend(2012, "G", "90000.00")
	c.project(2014, "G", "socialised", "甲", credit, "01-01", "100000.00", "0", "0", "519900000001")
	c.spend(2014, "G", "90000.00")
	w := c.build(t)
	sameLines(t, "fund_use", lines(t, w.DB, `SELECT project_code, year, CAST(contract_amount AS VARCHAR), CAST(carried_in AS VARCHAR),
		CAST(spent_total AS VARCHAR), CAST(surplus AS VARCHAR), overspent
		FROM marts.fund_use ORDER BY project_code, year`), []string{
		"F 2012 100000.00 0.00 99990.01 9.99 false",
		"F 2013 100000.00 9.99 100000.02 9.97 false", // carried over two years
		"F 2014 100000.00 9.97 100010.00 -0.03 true", // the carried surplus does not cover the overspend
		"F 2015 100000.00 0.00 100000.00 0.00 false", // an overspend is not carried; 0 is not overspent
		"G 2012 100000.00 0.00 90000.00 10000.00 false",
		"G 2014 100000.00 0.00 90000.00 10000.00 false", // 2013 has no row: nothing carried
	})
}

// A provider whose centre fails an annual evaluation is disqualified from
// the next year on, for good; a centre awarded to it afterwards is
// flagged. A failed socialised project or a missing annual evaluation
// disqualifies no one (seed 004 annex 1 §5(二)).
func TestProviderStanding(t *testing.T) {
	const bad, other, late = "52519902M1792623XB", "52519902N41277118T", "52519903N49377156B"
	var c crafted
	for y := 2013; y <= 2015; y++ {
		c.community(y, "519900000001", 10000, "1")
	}
	// 甲: centre A1 fails its 2013 annual evaluation (it passed mid-term).
	c.project(2013, "A1", "comprehensive_centre", "甲", bad, "01-01", "500000", "0", "0", "519900000001")
	c.evaluation(2013, "A1", "mid", true)
	c.evaluation(2013, "A1", "annual", false)
	// 2014: A1 goes on (not a new award), A2 is a new centre, A3 a socialised project: one award while disqualified.
	c.project(2014, "A1", "comprehensive_centre", "甲", bad, "01-01", "500000", "0", "0", "519900000001")
	c.project(2014, "A2", "comprehensive_centre", "甲社工", bad, "03-01", "500000", "0", "0", "519900000001")
	c.project(2014, "A3", "socialised", "甲社工服务社", bad, "03-01", "500000", "0", "0", "519900000001")
	c.evaluation(2014, "A2", "annual", true)
	// 2015: still disqualified though A2 passed; A2's second year is no new award; A4 is.
	c.project(2015, "A2", "comprehensive_centre", "甲", bad, "01-01", "500000", "0", "0", "519900000001")
	c.project(2015, "A4", "comprehensive_centre", "甲", bad, "01-01", "500000", "0", "0", "519900000001")
	// 乙: a socialised project fails in 2013, a centre without an annual evaluation in 2013.
	c.project(2013, "B1", "socialised", "乙", other, "01-01", "500000", "0", "0", "519900000001")
	c.evaluation(2013, "B1", "annual", false)
	c.project(2013, "B2", "comprehensive_centre", "乙", other, "01-01", "500000", "0", "0", "519900000001")
	c.project(2014, "B3", "comprehensive_centre", "乙", other, "01-01", "500000", "0", "0", "519900000001")
	// 丙: a failed centre in 2015, the last year: nothing to flag yet.
	c.project(2015, "D1", "comprehensive_centre", "丙", late, "01-01", "500000", "0", "0", "519900000001")
	c.evaluation(2015, "D1", "annual", false)
	w := c.build(t)
	sameLines(t, "provider_standing", lines(t, w.DB, `SELECT year, provider_credit_code, provider, projects, failed_evaluations,
		disqualified, centres_while_disqualified
		FROM marts.provider_standing ORDER BY year, provider_credit_code`), []string{
		"2013 " + bad + " 甲 1 1 false 0",
		"2013 " + other + " 乙 2 1 false 0",
		// The name on the latest contract_start (03-01), then the greatest code (A3 > A2).
		"2014 " + bad + " 甲社工服务社 3 0 true 1",
		"2014 " + other + " 乙 1 0 false 0",
		"2015 " + bad + " 甲 2 0 true 1",
		"2015 " + late + " 丙 1 1 false 0",
	})
}

// exactAllocations recomputes every district's entitlement and allocation
// of marts.city_rewards from its eligible spending, the year's reward rate
// and budget (policy.reward_rates, policy.reward_budget) in exact
// fractions (math/big.Rat): entitlement = rate × spending, scale = min(1,
// budget / Σ entitlement), allocation = entitlement × scale rounded to the
// fen, half away from zero (DOMAIN §6). It returns "year district
// entitlement allocation" lines, and the mart's the same way.
func exactAllocations(t *testing.T, db *sql.DB) (exact, mart []string) {
	t.Helper()
	type row struct {
		year                    int
		district                string
		spending, rate, budget  *big.Rat
		entitlement, allocation string
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("not a number: %q", s)
		}
		return r
	}
	rows, err := db.Query(`SELECT c.year, c.district, CAST(c.eligible_spending AS VARCHAR), CAST(r.rate AS VARCHAR),
		CAST(b.budget AS VARCHAR), CAST(c.entitlement AS VARCHAR), CAST(c.allocation AS VARCHAR)
		FROM marts.city_rewards c
		JOIN policy.reward_rates r ON c.year >= r.year_from AND (r.year_to IS NULL OR c.year <= r.year_to)
		LEFT JOIN policy.reward_budget b ON b.year = c.year
		ORDER BY c.year, c.district`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all []row
	for rows.Next() {
		var r row
		var spending, rate string
		var budget sql.NullString
		if err := rows.Scan(&r.year, &r.district, &spending, &rate, &budget, &r.entitlement, &r.allocation); err != nil {
			t.Fatal(err)
		}
		r.spending, r.rate = rat(spending), rat(rate)
		if budget.Valid {
			r.budget = rat(budget.String)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	total := map[int]*big.Rat{}
	for _, r := range all {
		if total[r.year] == nil {
			total[r.year] = new(big.Rat)
		}
		total[r.year].Add(total[r.year], new(big.Rat).Mul(r.rate, r.spending))
	}
	for _, r := range all {
		ent := new(big.Rat).Mul(r.rate, r.spending)
		scale := big.NewRat(1, 1)
		if r.budget != nil && r.budget.Cmp(total[r.year]) < 0 {
			scale = new(big.Rat).Quo(r.budget, total[r.year])
		}
		// FloatString rounds to nearest, halves away from zero.
		alloc := new(big.Rat).Mul(ent, scale).FloatString(2)
		exact = append(exact, fmt.Sprintf("%d %s %s %s", r.year, r.district, ent.FloatString(2), alloc))
		mart = append(mart, fmt.Sprintf("%d %s %s %s", r.year, r.district, r.entitlement, r.allocation))
	}
	return exact, mart
}

// With a reward budget, every allocation is the exact result rounded to
// the fen. Two districts entitled to 99 000 each share a budget of
// 150 000.05: each gets 75 000.025, rounded up to 75 000.03 (floating point
// computes 75 000.02499… and gave 75 000.02). In 2013 three districts
// share a budget in uneven parts.
func TestRewardAllocationIsExact(t *testing.T) {
	var c crafted
	for i, d := range []string{"东区", "西区", "南区"} {
		c.district = d
		for _, y := range []int{2013, 2014} {
			code := fmt.Sprintf("51990000%d001", i+1)
			c.community(y, code, 10000, "1")
			p := fmt.Sprintf("%s%d", d, y)
			funding := map[string]string{"东区": "300000.00", "西区": "300000.00", "南区": "123456.79"}[d]
			if y == 2014 && d == "南区" {
				continue
			}
			if y == 2013 && d == "西区" {
				funding = "287654.33"
			}
			c.project(y, p, "socialised", "甲", credit, "01-01", "500000", funding, "0", code)
			c.evaluation(y, p, "annual", true)
		}
	}
	budget := writeFile(t, t.TempDir(), "reward_budget.csv", "year,budget\n2013,333333.33\n2014,150000.05\n")
	w := c.build(t, budget)
	exact, mart := exactAllocations(t, w.DB)
	sameLines(t, "city_rewards (mart) against the exact recomputation", mart, exact)
	sameLines(t, "city_rewards", mart, []string{
		// 2013 (rate 0.5): entitlements 150000, 143827.165, 61728.395; Σ 355555.56.
		"2013 东区 150000.00 140625.00",
		"2013 南区 61728.40 57870.37",
		"2013 西区 143827.17 134837.96",
		"2014 东区 99000.00 75000.03",
		"2014 西区 99000.00 75000.03",
	})

	// The sample city under budgets that scale both years.
	w = truthWarehouse(t)
	budget = writeFile(t, t.TempDir(), "reward_budget.csv", "year,budget\n2013,2000000.01\n2014,1234567.89\n")
	buildAll(t, embeddedProject(t), w, BuildOptions{PolicyFiles: []string{budget}, Select: "+city_rewards"})
	exact, mart = exactAllocations(t, w.DB)
	sameLines(t, "sample city_rewards (mart) against the exact recomputation", mart, exact)
	if n := count(t, w, `SELECT count(*) FROM marts.city_rewards WHERE scale < 1`); n != 4 {
		t.Errorf("%d scaled allocations, want 4", n)
	}
}
