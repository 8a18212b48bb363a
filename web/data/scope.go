// Package data is what the web application reads from the warehouse's
// published snapshot: submissions and their problems, the submission
// board, the marts, freshness. It is the one place where a district
// user's view is cut to their district: every read names a relation of
// the table below and gets it through Scope.from, which adds the
// district condition for a district scope. No page, API or download reads
// the warehouse any other way.
package data

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Scope is whose data a reader may see: the whole city, or one district.
type Scope struct {
	// District is the one district seen; "" sees the whole city.
	District string
}

// City is the scope of planners, analysts and admins.
var City = Scope{}

// IsCity reports whether the scope is the whole city.
func (s Scope) IsCity() bool { return s.District == "" }

// ErrNotFound is returned for a row that does not exist in the scope: a
// district user asking for another district's submission is told it is
// not there, exactly as for one that does not exist.
var ErrNotFound = errors.New("not found")

// ErrForbidden is returned when a scope asks for what it may never see
// (another district, a city-only mart).
var ErrForbidden = errors.New("forbidden")

// A relation is a set of rows with the district each belongs to, as the
// SELECT's column scope_district. NULL belongs to no district: only the
// city sees it.
type relation struct {
	sql string
	// cityOnly relations are refused to a district scope altogether.
	cityOnly bool
	// shared relations hold facts of the whole city that are no
	// district's data (who signed a closed year, and when): every scope
	// sees all their rows.
	shared bool
}

// visibleSubmission is the district a submission belongs to. A file
// uploaded through the web application belongs to its uploader's district
// when every row it holds is of that district (or it has none); a file
// dropped into the inbox to the district its rows are of. A file whose
// rows are of several districts (a city-wide service log) belongs to
// none: only the city sees it, its receipt and annotated copy included.
const visibleSubmission = `CASE
	WHEN u.submission_id IS NOT NULL THEN CASE WHEN s.district IS NULL OR s.district = u.district THEN u.district END
	ELSE CASE WHEN s.district NOT LIKE '%,%' THEN s.district END END`

const submissionsSQL = `SELECT s.*, u.user_name AS uploaded_by, u.original_name, u.district AS upload_district,
		(SELECT count(*) FROM raw.orphans o WHERE o.submission_id = s.submission_id AND o.released_by IS NULL) AS orphans_waiting,
		` + visibleSubmission + ` AS scope_district
		FROM raw.submissions s
		LEFT JOIN (SELECT * FROM web.uploads WHERE submission_id IS NOT NULL QUALIFY row_number() OVER (PARTITION BY submission_id ORDER BY uploaded_at) = 1) u
		ON u.submission_id = s.submission_id`

// relations: every set of rows the web application reads, by name.
var relations = map[string]relation{
	"submissions": {sql: submissionsSQL},
	"problems": {sql: `SELECT r.*, u.original_name, (` + visibleSubmission + `) AS scope_district
		FROM raw.rejects r JOIN raw.submissions s USING (submission_id)
		LEFT JOIN (SELECT DISTINCT ON (submission_id) submission_id, district, original_name FROM web.uploads WHERE submission_id IS NOT NULL) u
		ON u.submission_id = r.submission_id`},
	"orphans": {sql: `SELECT o.*, (` + visibleSubmission + `) AS scope_district
		FROM raw.orphans o JOIN raw.submissions s USING (submission_id)
		LEFT JOIN (SELECT DISTINCT ON (submission_id) submission_id, district FROM web.uploads WHERE submission_id IS NOT NULL) u
		ON u.submission_id = o.submission_id`},
	// Every district the city knows: of a district account, or with rows
	// in any year.
	"districts": {sql: `SELECT DISTINCT district, district AS scope_district FROM (
		SELECT district FROM web.users WHERE role = 'district' AND NOT disabled
		UNION ALL SELECT district FROM staging.communities
		UNION ALL SELECT district FROM staging.projects) WHERE district IS NOT NULL`},
	"projects": {sql: `SELECT p.*, p.district AS scope_district FROM staging.projects p`},
	// The drill-down's rows: each community and project of a year with
	// what the models made of it, which projects serve which community,
	// and where every current row came from (file, sheet, row).
	"community_years":     {sql: `SELECT c.*, c.district AS scope_district FROM intermediate.community_years c`},
	"project_years":       {sql: `SELECT p.*, p.district AS scope_district FROM intermediate.project_years p`},
	"project_communities": {sql: `SELECT pc.*, pc.district AS scope_district FROM staging.project_communities pc`},
	"lineage":             {sql: `SELECT l.*, l.district AS scope_district FROM intermediate.lineage l`},
	// The closed versions of the years and their sign-off.
	"versions":    {sql: `SELECT v.*, NULL AS scope_district FROM closed.versions v`, shared: true},
	"communities": {sql: `SELECT c.*, c.district AS scope_district FROM staging.communities c`},
	// What the board counts: the current rows of each kind, year and
	// district, by project (and quarter, and evaluation stage) where the
	// kind is a project's. Rows whose project or community is unknown
	// have no district: only the city sees them.
	"current_rows": {sql: `SELECT 'communities' AS kind, year, district, NULL AS project_code, NULL::INTEGER AS quarter, NULL AS stage, count(*) AS n, district AS scope_district
		FROM staging.communities GROUP BY ALL
		UNION ALL
		SELECT 'projects', year, district, NULL, NULL, NULL, count(*), district FROM staging.projects GROUP BY ALL
		UNION ALL
		SELECT 'staff', s.year, p.district, s.project_code, NULL, NULL, count(*), p.district
		FROM staging.staff s LEFT JOIN staging.projects p USING (year, project_code) GROUP BY ALL
		UNION ALL
		SELECT 'expenditures', e.year, p.district, e.project_code, e.quarter, NULL, count(*), p.district
		FROM staging.expenditures e LEFT JOIN staging.projects p USING (year, project_code) GROUP BY ALL
		UNION ALL
		SELECT 'activities', a.year, p.district, a.project_code, quarter(a.activity_date), NULL, count(*), p.district
		FROM staging.activities a LEFT JOIN staging.projects p USING (year, project_code) GROUP BY ALL
		UNION ALL
		SELECT 'evaluations', v.year, p.district, v.project_code, NULL, v.stage, count(*), p.district
		FROM staging.evaluations v LEFT JOIN staging.projects p USING (year, project_code) GROUP BY ALL
		UNION ALL
		SELECT 'facilities', f.year, c.district, NULL, NULL, NULL, count(*), c.district
		FROM staging.facilities f LEFT JOIN staging.communities c USING (year, community_code) GROUP BY ALL`},
	// The years of current_rows, without counting them: a row of a
	// project's kind has its project's district (of the same year) or
	// none, a facility its community's, so a district's years are those
	// of its communities and projects; the city's are every table's.
	"row_years": {sql: `SELECT year, district AS scope_district FROM staging.communities
		UNION SELECT year, district FROM staging.projects
		UNION SELECT year, NULL FROM staging.staff
		UNION SELECT year, NULL FROM staging.expenditures
		UNION SELECT year, NULL FROM staging.activities
		UNION SELECT year, NULL FROM staging.evaluations
		UNION SELECT year, NULL FROM staging.facilities`},
}

// martDistricts say, for each mart of DOMAIN.md §6, the district its
// rows belong to. A mart whose rows carry no district takes it from the
// project (by year and project_code) or the community its row is of.
var martDistricts = map[string]martDistrict{
	"coverage":            {district: "m.district"},
	"staffing":            {district: "m.district"},
	"project_costs":       {district: "m.district"},
	"fund_use":            {district: "m.district"},
	"city_rewards":        {district: "m.district"},
	"site_subsidies":      {district: "m.district"},
	"data_quality":        {district: "m.district"},
	"evaluation_scores":   {district: "p.district", join: byProject},
	"service_mix":         {district: "p.district", join: byProject},
	"payments":            {district: "p.district", join: byProject},
	"facility_compliance": {district: "c.district", join: `LEFT JOIN staging.communities c ON c.year = m.year AND c.community_code = m.community_code`},
	"submissions":         {district: "v.scope_district", join: bySubmission},
	"rejects":             {district: "v.scope_district", join: bySubmission},
	// A provider works across districts: its standing is the city's.
	"provider_standing": {district: "NULL", cityOnly: true},
}

const (
	byProject    = `LEFT JOIN staging.projects p ON p.year = m.year AND p.project_code = m.project_code`
	bySubmission = `JOIN (` + submissionsSQL + `) v USING (submission_id)`
)

// martDistrict is how a mart's rows find their district.
type martDistrict struct {
	// district is the SQL of a row's district, the mart's row being m;
	// join joins what it needs.
	district, join string
	cityOnly       bool
}

// sql selects the rows of table (a mart of some edition) with their
// scope_district.
func (m martDistrict) sql(table string) string {
	return "SELECT m.*, " + m.district + " AS scope_district FROM " + table + " m " + m.join
}

// martRelations are the marts as /api/marts serves them: the working
// figures (marts.*), each with the district its rows belong to.
var martRelations = func() map[string]relation {
	out := map[string]relation{}
	for name, m := range martDistricts {
		out[name] = relation{sql: m.sql("marts." + name), cityOnly: m.cityOnly}
	}
	return out
}()

// Marts lists the marts /api/marts serves, by name.
func Marts() []string {
	var names []string
	for n := range martRelations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MartCityOnly reports whether a mart is refused to district scopes.
func MartCityOnly(name string) bool { return martRelations[name].cityOnly }

// from returns rel as a parenthesised subquery holding only the rows the
// scope may see, and the argument it binds. This is the one place the
// district condition is written.
func (s Scope) from(rel relation) (string, []any, error) {
	if s.IsCity() || rel.shared {
		return "(" + rel.sql + ")", nil, nil
	}
	if rel.cityOnly {
		return "", nil, ErrForbidden
	}
	return "(SELECT * FROM (" + rel.sql + ") WHERE scope_district = $scope_district)",
		[]any{sql.Named("scope_district", s.District)}, nil
}

// rel returns the relation named name for the scope.
func (s Scope) rel(name string) (string, []any) {
	r, ok := relations[name]
	if !ok {
		panic(fmt.Sprintf("data: no relation %q", name))
	}
	q, args, err := s.from(r)
	if err != nil {
		panic(err) // relations of the table above are never city-only
	}
	return q, args
}

// Allows reports whether the scope may see district d's rows.
func (s Scope) Allows(d string) bool { return s.IsCity() || s.District == d }

// args joins named arguments, dropping duplicates by name (the scope's
// argument appears once even when two relations bind it).
func args(lists ...[]any) []any {
	var out []any
	seen := map[string]bool{}
	for _, l := range lists {
		for _, a := range l {
			if n, ok := a.(sql.NamedArg); ok {
				if seen[n.Name] {
					continue
				}
				seen[n.Name] = true
			}
			out = append(out, a)
		}
	}
	return slices.Clip(out)
}
