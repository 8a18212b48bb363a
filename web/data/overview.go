package data

import (
	"context"
	"strings"
)

// The overview of a year: for each district (and the total, its district
// NULL) the coverage against the targets, the stars, the fund use, the
// staffing, the site subsidies, the reward allocation and the data
// quality, each beside last year's figure and the change. Sums of money
// stay DECIMAL; rates are DOUBLE, their changes in percentage points.

// yoy joins this year's rows (cur) to last year's (prev) on keys: the
// template's {src} and {year} are the mart and the year bound for each.
type yoy struct {
	b         *query
	src       Source
	year      int
	mart      string
	keys      []string // besides district
	agg       string   // SELECT … FROM {src} WHERE year = {year} GROUP BY …
	prevCols  []string // columns of cur also read from prev: prev_C, change_C
	pointCols []string // of prevCols, the rates: change in percentage points
}

func (y yoy) sql() string {
	cur := strings.NewReplacer("{src}", y.b.mart(y.mart, y.src), "{year}", y.b.arg("year", y.year)).Replace(y.agg)
	prevSrc := y.src.ForYear(y.year - 1)
	if prevSrc.Closed() {
		prevSrc = Official
	}
	prev := strings.NewReplacer("{src}", y.b.mart(y.mart, prevSrc), "{year}", y.b.arg("prev_year", y.year-1)).Replace(y.agg)
	on := []string{"cur.district IS NOT DISTINCT FROM prev.district"}
	for _, k := range y.keys {
		on = append(on, "cur."+k+" IS NOT DISTINCT FROM prev."+k)
	}
	var cols []string
	for _, c := range y.prevCols {
		cols = append(cols, "prev."+c+" AS prev_"+c)
		change := "cur." + c + " - prev." + c
		for _, p := range y.pointCols {
			if p == c {
				change = "round((cur." + c + " - prev." + c + ") * 100, 1)"
			}
		}
		cols = append(cols, change+" AS change_"+c)
	}
	order := "cur.district IS NULL, cur.district"
	for _, k := range y.keys {
		order += ", cur." + k
	}
	return "WITH cur AS (" + cur + "), prev AS (" + prev + ")\nSELECT cur.*, " + strings.Join(cols, ", ") +
		"\nFROM cur LEFT JOIN prev ON " + strings.Join(on, " AND ") + "\nORDER BY " + order
}

// Overview is the figures of the overview page.
type Overview struct {
	Coverage, Stars, Funds, Staffing, Sites, Rewards, Quality *Table
}

// Overview reads the overview of year from src, beside last year's.
func (r *Read) Overview(ctx context.Context, year int, src Source) (*Overview, error) {
	o := &Overview{}
	for _, s := range []struct {
		into **Table
		y    yoy
	}{
		{&o.Coverage, yoy{mart: "coverage", keys: []string{"urban_rural"}, prevCols: []string{"coverage_rate"}, pointCols: []string{"coverage_rate"},
			agg: `SELECT scope_district AS district, urban_rural, sum(communities) AS communities, sum(covered) AS covered,
				sum(communities) - sum(covered) AS uncovered,
				CAST(sum(covered) AS DOUBLE) / sum(communities) AS coverage_rate, max(target_rate) AS target_rate,
				sum(covered) >= CAST(max(target_rate) AS DECIMAL(9,6)) * sum(communities) AS meets_target,
				sum(shortfall) AS shortfall
				FROM {src} WHERE year = {year} GROUP BY GROUPING SETS ((scope_district, urban_rural), (urban_rural))`}},
		{&o.Stars, yoy{mart: "evaluation_scores", prevCols: []string{"passed_rate"}, pointCols: []string{"passed_rate"},
			agg: `SELECT scope_district AS district, count(*) AS evaluated,
				count(*) FILTER (WHERE stars = 5) AS stars5, count(*) FILTER (WHERE stars = 4) AS stars4,
				count(*) FILTER (WHERE stars = 3) AS stars3, count(*) FILTER (WHERE NOT passed) AS failed,
				CAST(count(*) FILTER (WHERE passed) AS DOUBLE) / count(*) AS passed_rate,
				round(avg(total_score), 2) AS avg_score
				FROM {src} WHERE year = {year} AND stage = 'annual' GROUP BY ROLLUP (scope_district)`}},
		{&o.Funds, yoy{mart: "fund_use", prevCols: []string{"spent_rate"}, pointCols: []string{"spent_rate"},
			agg: `SELECT scope_district AS district, count(*) AS projects, sum(contract_amount) AS contract_amount,
				sum(carried_in) AS carried_in, sum(spent_total) AS spent_total,
				CASE WHEN sum(contract_amount) + sum(carried_in) = 0 THEN NULL
				     ELSE CAST(sum(spent_total) AS DOUBLE) / CAST(sum(contract_amount) + sum(carried_in) AS DOUBLE) END AS spent_rate,
				sum(surplus) AS surplus, count(*) FILTER (WHERE overspent) AS overspent,
				count(*) FILTER (WHERE NOT staff_share_ok) AS staff_share_low,
				count(*) FILTER (WHERE NOT operations_share_ok) AS operations_share_low
				FROM {src} WHERE year = {year} GROUP BY ROLLUP (scope_district)`}},
		{&o.Staffing, yoy{mart: "staffing", prevCols: []string{"compliant_rate"}, pointCols: []string{"compliant_rate"},
			agg: `SELECT scope_district AS district, count(*) AS projects, count(*) FILTER (WHERE compliant) AS compliant,
				CAST(count(*) FILTER (WHERE compliant) AS DOUBLE) / count(*) AS compliant_rate,
				sum(full_time_staff) AS full_time_staff, sum(registered_social_workers) AS registered_social_workers,
				sum(party_members) AS party_members, count(*) FILTER (WHERE NOT lead_is_social_worker) AS lead_not_sw
				FROM {src} WHERE year = {year} GROUP BY ROLLUP (scope_district)`}},
		{&o.Sites, yoy{mart: "site_subsidies", prevCols: []string{"city_total"},
			agg: `SELECT scope_district AS district, count(*) AS sites, count(*) FILTER (WHERE already_funded) AS already_funded,
				sum(city_total) AS city_total, sum(required_match) AS required_match, sum(local_match) AS local_match,
				count(*) FILTER (WHERE NOT match_ok) AS match_short
				FROM {src} WHERE year = {year} GROUP BY ROLLUP (scope_district)`}},
		{&o.Rewards, yoy{mart: "city_rewards", prevCols: []string{"allocation"},
			agg: `SELECT scope_district AS district, sum(eligible_projects) AS eligible_projects, sum(eligible_spending) AS eligible_spending,
				sum(entitlement) AS entitlement, sum(allocation) AS allocation, sum(share) AS share
				FROM {src} WHERE year = {year} GROUP BY ROLLUP (scope_district)`}},
		{&o.Quality, yoy{mart: "data_quality", prevCols: []string{"rows_rejected"},
			agg: `SELECT scope_district AS district, sum(kinds_missing_count) AS kinds_missing_count,
				CASE WHEN GROUPING(scope_district) = 0 THEN any_value(kinds_missing) END AS kinds_missing,
				sum(rows_current) AS rows_current, sum(rows_rejected) AS rows_rejected, sum(rows_warned) AS rows_warned,
				sum(files) AS files, max(latest_submission_date) AS latest_submission_date
				FROM {src} WHERE year = {year} GROUP BY ROLLUP (scope_district)`}},
	} {
		y := s.y
		y.b, y.src, y.year = r.query(), src, year
		t, err := y.b.table(ctx, y.sql())
		if err != nil {
			return nil, err
		}
		*s.into = t
	}
	return o, nil
}

// Years returns the years with roster or project rows in the scope,
// newest first.
func (r *Read) Years(ctx context.Context) ([]int, error) {
	b := r.query()
	t, err := b.table(ctx, `SELECT DISTINCT year FROM (SELECT year FROM `+b.rel("community_years")+` UNION SELECT year FROM `+b.rel("project_years")+`) ORDER BY year DESC`)
	if err != nil {
		return nil, err
	}
	var out []int
	for i := range t.Rows {
		out = append(out, toInt(t.Rows[i][0]))
	}
	return out, nil
}
