package data

import (
	"context"
)

// The drill-down: city → district → street → community, and a project.
// The communities, streets and which project serves which community are
// the current rows (intermediate.community_years, project_years); the
// figures of projects (staffing, fund use, evaluations, service mix, site
// subsidies, facilities) are the marts of the source the page shows.

// coverageCols are the coverage columns of a group of community_years c.
const coverageCols = `count(*) AS communities, count(*) FILTER (WHERE c.covered) AS covered,
	count(*) FILTER (WHERE NOT c.covered) AS uncovered,
	CAST(count(*) FILTER (WHERE c.covered) AS DOUBLE) / count(*) AS coverage_rate,
	count(*) FILTER (WHERE c.urban_rural = 'urban') AS urban,
	CAST(count(*) FILTER (WHERE c.urban_rural = 'urban' AND c.covered) AS DOUBLE) / nullif(count(*) FILTER (WHERE c.urban_rural = 'urban'), 0) AS urban_rate,
	count(*) FILTER (WHERE c.urban_rural = 'rural') AS rural,
	CAST(count(*) FILTER (WHERE c.urban_rural = 'rural' AND c.covered) AS DOUBLE) / nullif(count(*) FILTER (WHERE c.urban_rural = 'rural'), 0) AS rural_rate,
	sum(c.resident_population) AS population,
	sum(c.resident_population) FILTER (WHERE NOT c.covered) AS population_uncovered`

// Districts returns the coverage of every district of year (the total's
// district NULL), with its streets, projects and contract amounts, and
// last year's coverage beside it.
func (r *Read) Districts(ctx context.Context, year int) (*Table, error) {
	b := r.query()
	y, py := b.arg("year", year), b.arg("prev_year", year-1)
	cy := b.rel("community_years")
	return b.table(ctx, `WITH c AS (SELECT * FROM `+cy+` WHERE year = `+y+`),
		p AS (SELECT scope_district AS district, count(*) AS projects, sum(contract_amount) AS contract_amount
			FROM `+b.rel("project_years")+` WHERE year = `+y+` GROUP BY ROLLUP (scope_district)),
		g AS (SELECT c.scope_district AS district, count(DISTINCT c.street) AS streets, `+coverageCols+`
			FROM c GROUP BY ROLLUP (c.scope_district)),
		prev AS (SELECT scope_district AS district, CAST(count(*) FILTER (WHERE covered) AS DOUBLE) / count(*) AS coverage_rate
			FROM `+cy+` WHERE year = `+py+` GROUP BY ROLLUP (scope_district))
		SELECT g.*, p.projects, p.contract_amount, prev.coverage_rate AS prev_coverage_rate,
			round((g.coverage_rate - prev.coverage_rate) * 100, 1) AS change_coverage_rate
		FROM g LEFT JOIN p ON g.district IS NOT DISTINCT FROM p.district
		LEFT JOIN prev ON g.district IS NOT DISTINCT FROM prev.district
		ORDER BY g.district IS NULL, g.district`)
}

// Streets returns the coverage of every street of a district in year,
// and last year's beside it.
func (r *Read) Streets(ctx context.Context, year int, district string) (*Table, error) {
	b := r.query()
	cy := b.rel("community_years")
	d := b.arg("district", district)
	return b.table(ctx, `WITH g AS (SELECT c.street, `+coverageCols+`
			FROM `+cy+` c WHERE c.year = `+b.arg("year", year)+` AND c.scope_district = `+d+`
			GROUP BY ROLLUP (c.street)),
		prev AS (SELECT street, CAST(count(*) FILTER (WHERE covered) AS DOUBLE) / count(*) AS coverage_rate
			FROM `+cy+` WHERE year = `+b.arg("prev_year", year-1)+` AND scope_district = `+d+` GROUP BY ROLLUP (street))
		SELECT g.*, prev.coverage_rate AS prev_coverage_rate, round((g.coverage_rate - prev.coverage_rate) * 100, 1) AS change_coverage_rate
		FROM g LEFT JOIN prev ON g.street IS NOT DISTINCT FROM prev.street
		ORDER BY g.street IS NULL, g.street`)
}

// Communities returns the communities of a district in year (of one
// street when street is not "", the uncovered only when uncovered), with
// the projects that serve each.
func (r *Read) Communities(ctx context.Context, year int, district, street string, uncovered bool) (*Table, error) {
	b := r.query()
	y := b.arg("year", year)
	q := `SELECT c.street, c.community_code, c.community_name, c.urban_rural, c.resident_population, c.area_km2,
		c.large_community, c.covered, count(pc.project_code) AS projects, string_agg(pc.project_code, '、' ORDER BY pc.project_code) AS project_codes
		FROM ` + b.rel("community_years") + ` c
		LEFT JOIN ` + b.rel("project_communities") + ` pc ON pc.year = c.year AND pc.community_code = c.community_code
		WHERE c.year = ` + y + ` AND c.scope_district = ` + b.arg("district", district)
	if street != "" {
		q += ` AND c.street = ` + b.arg("street", street)
	}
	if uncovered {
		q += ` AND NOT c.covered`
	}
	return b.table(ctx, q+` GROUP BY ALL ORDER BY c.street, c.community_code`)
}

// Community returns one community of year with its roster figures; no
// rows when the scope does not see it.
func (r *Read) Community(ctx context.Context, year int, code string) (*Table, error) {
	b := r.query()
	return b.table(ctx, `SELECT c.* EXCLUDE (scope_district) FROM `+b.rel("community_years")+` c
		WHERE c.year = `+b.arg("year", year)+` AND c.community_code = `+b.arg("code", code))
}

// Projects returns the projects of year with their figures from src:
// those of a district, or those serving a community (when community is
// not ""). The total's project_code is NULL.
func (r *Read) Projects(ctx context.Context, year int, src Source, district, community string) (*Table, error) {
	b := r.query()
	y := b.arg("year", year)
	where := `p.year = ` + y
	if district != "" {
		where += ` AND p.scope_district = ` + b.arg("district", district)
	}
	if community != "" {
		where += ` AND p.project_code IN (SELECT project_code FROM ` + b.rel("project_communities") + ` WHERE year = ` + y +
			` AND community_code = ` + b.arg("community", community) + `)`
	}
	one := func(expr, as string) string {
		return "CASE WHEN GROUPING(p.project_code) = 0 THEN any_value(" + expr + ") END AS " + as
	}
	return b.table(ctx, `SELECT p.project_code, `+one("p.project_name", "project_name")+`, `+one("p.project_type", "project_type")+`,
		`+one("p.provider", "provider")+`, sum(p.covered_communities) AS covered_communities, sum(p.contract_amount) AS contract_amount,
		count(*) FILTER (WHERE s.compliant) AS staffing_compliant, `+one("s.issues", "staffing_issues")+`,
		sum(s.full_time_staff) AS full_time_staff, sum(f.spent_total) AS spent_total, sum(f.surplus) AS surplus,
		`+one("f.staff_share", "staff_share")+`,
		count(*) FILTER (WHERE f.overspent) AS overspent,
		`+one("e.stars", "stars")+`, `+one("e.total_score", "total_score")+`,
		count(*) FILTER (WHERE e.passed) AS passed,
		count(*) FILTER (WHERE m.meets_5_1_2) AS meets_5_1_2, sum(m.person_times) AS person_times
		FROM `+b.rel("project_years")+` p
		LEFT JOIN `+b.mart("staffing", src)+` s ON s.year = p.year AND s.project_code = p.project_code
		LEFT JOIN `+b.mart("fund_use", src)+` f ON f.year = p.year AND f.project_code = p.project_code
		LEFT JOIN (SELECT * FROM `+b.mart("evaluation_scores", src)+` WHERE stage = 'annual') e ON e.year = p.year AND e.project_code = p.project_code
		LEFT JOIN `+b.mart("service_mix", src)+` m ON m.year = p.year AND m.project_code = p.project_code
		WHERE `+where+`
		GROUP BY ROLLUP (p.project_code) ORDER BY p.project_code IS NULL, p.project_code`)
}

// Sites returns the site subsidies of year from src, of a district (all
// when "").
func (r *Read) Sites(ctx context.Context, year int, src Source, district string) (*Table, error) {
	b := r.query()
	q := `SELECT project_code, community_codes, total_area_m2, subsidised_area_m2, renovation_city, equipment_city, operations_city,
		city_total, required_match, local_match, match_ok, already_funded FROM ` + b.mart("site_subsidies", src) + ` WHERE year = ` + b.arg("year", year)
	if district != "" {
		q += ` AND scope_district = ` + b.arg("district", district)
	}
	return b.table(ctx, q+` ORDER BY project_code`)
}

// Facilities returns the facility compliance of a community in year from
// src.
func (r *Read) Facilities(ctx context.Context, year int, src Source, community string) (*Table, error) {
	b := r.query()
	return b.table(ctx, `SELECT community_code, total_area_m2, required_rooms_ok, optional_rooms_ok, expansion_rooms, compliant
		FROM `+b.mart("facility_compliance", src)+` WHERE year = `+b.arg("year", year)+` AND community_code = `+b.arg("community", community))
}

// Project returns one project of year as it is now; no rows when the
// scope does not see it.
func (r *Read) Project(ctx context.Context, year int, code string) (*Table, error) {
	b := r.query()
	return b.table(ctx, `SELECT p.* EXCLUDE (scope_district), s.provider_credit_code, s.community_codes
		FROM `+b.rel("project_years")+` p LEFT JOIN `+b.rel("projects")+` s USING (year, project_code)
		WHERE p.year = `+b.arg("year", year)+` AND p.project_code = `+b.arg("code", code))
}

// ProjectMart returns a mart's rows of one project in year from src.
func (r *Read) ProjectMart(ctx context.Context, mart string, year int, src Source, code string) (*Table, error) {
	b := r.query()
	order := ""
	switch mart {
	case "evaluation_scores":
		order = ` ORDER BY CASE stage WHEN 'mid' THEN 1 WHEN 'annual' THEN 2 ELSE 3 END, stage`
	case "payments":
		order = ` ORDER BY CASE tranche WHEN 'signing' THEN 1 WHEN 'mid' THEN 2 ELSE 3 END`
	}
	return b.table(ctx, `SELECT * EXCLUDE (scope_district) FROM `+b.mart(mart, src)+` WHERE year = `+b.arg("year", year)+
		` AND project_code = `+b.arg("code", code)+order)
}

// Lineage returns where the current rows of a project or a community of
// year came from: per kind, submission, file and sheet, the rows (as
// ranges: 3–25, 27) and their count. The total's kind is NULL.
func (r *Read) Lineage(ctx context.Context, year int, project, community string) (*Table, error) {
	b := r.query()
	where := `year = ` + b.arg("year", year)
	if project != "" {
		where += ` AND project_code = ` + b.arg("project", project)
	}
	if community != "" {
		where += ` AND community_code = ` + b.arg("community", community) + ` AND kind IN ('communities', 'facilities', 'project_communities')`
	}
	return b.table(ctx, `WITH l AS (SELECT DISTINCT kind, submission_id, source_file, coalesce(source_sheet, '') AS source_sheet, source_row
			FROM `+b.rel("lineage")+` WHERE `+where+`),
		islands AS (SELECT *, source_row - row_number() OVER (PARTITION BY kind, submission_id, source_file, source_sheet ORDER BY source_row) AS island FROM l),
		ranges AS (SELECT kind, submission_id, source_file, source_sheet, min(source_row) AS first_row, max(source_row) AS last_row, count(*) AS n
			FROM islands GROUP BY kind, submission_id, source_file, source_sheet, island)
		SELECT kind, submission_id, source_file, source_sheet,
			CASE WHEN GROUPING(kind) = 0 THEN string_agg(CASE WHEN first_row = last_row THEN CAST(first_row AS VARCHAR)
				ELSE first_row || '–' || last_row END, ', ' ORDER BY first_row) END AS source_rows,
			min(first_row) AS first_row, sum(n) AS n
		FROM ranges GROUP BY GROUPING SETS ((kind, submission_id, source_file, source_sheet), ())
		ORDER BY kind IS NULL, CASE kind WHEN 'communities' THEN 1 WHEN 'projects' THEN 2 WHEN 'project_communities' THEN 3 WHEN 'staff' THEN 4
			WHEN 'expenditures' THEN 5 WHEN 'activities' THEN 6 WHEN 'evaluations' THEN 7 ELSE 8 END, submission_id, source_file, source_sheet`)
}

// ProjectCommunities returns the communities a project of year serves, as
// the roster has them.
func (r *Read) ProjectCommunities(ctx context.Context, year int, code string) (*Table, error) {
	b := r.query()
	return b.table(ctx, `SELECT pc.community_code, c.community_name, c.street, c.urban_rural, c.resident_population, c.large_community, c.district
		FROM `+b.rel("project_communities")+` pc LEFT JOIN `+b.rel("community_years")+` c ON c.year = pc.year AND c.community_code = pc.community_code
		WHERE pc.year = `+b.arg("year", year)+` AND pc.project_code = `+b.arg("code", code)+` ORDER BY pc.community_code`)
}
