package data

import "context"

// Providers returns the provider standing of year from src (a city-only
// mart): each provider with its projects, failed annual evaluations,
// whether it is disqualified from running comprehensive centres and since
// when, and the centres it was awarded that year while disqualified;
// disqualified providers first.
func (r *Read) Providers(ctx context.Context, year int, src Source) (*Table, error) {
	b := r.query()
	y := b.arg("year", year)
	return b.table(ctx, `WITH ps AS (SELECT * FROM `+b.mart("provider_standing", src)+` WHERE year = `+y+`),
		failures AS (SELECT p.provider_credit_code, min(e.year) + 1 AS disqualified_since
			FROM `+b.mart("evaluation_scores", Source{Working: true})+` e
			JOIN `+b.rel("projects")+` p ON p.year = e.year AND p.project_code = e.project_code
			WHERE e.stage = 'annual' AND NOT e.passed AND p.project_type = 'comprehensive_centre' AND e.year < `+y+`
			GROUP BY p.provider_credit_code)
		SELECT ps.provider_credit_code, ps.provider, ps.projects, ps.failed_evaluations, ps.disqualified,
			CASE WHEN ps.disqualified THEN f.disqualified_since END AS disqualified_since, ps.centres_while_disqualified
		FROM ps LEFT JOIN failures f USING (provider_credit_code)
		ORDER BY ps.disqualified DESC, ps.centres_while_disqualified DESC, ps.failed_evaluations DESC, ps.provider, ps.provider_credit_code`)
}

// CentresWhileDisqualified returns the comprehensive centres of year whose
// project first appears that year with a provider disqualified then (an
// audit flag: a contract the policy forbids).
func (r *Read) CentresWhileDisqualified(ctx context.Context, year int, src Source) (*Table, error) {
	b := r.query()
	y := b.arg("year", year)
	projects := b.rel("projects")
	return b.table(ctx, `WITH ps AS (SELECT provider_credit_code FROM `+b.mart("provider_standing", src)+` WHERE year = `+y+` AND disqualified),
		first AS (SELECT project_code, min(year) AS first_year FROM `+projects+` GROUP BY project_code)
		SELECT p.project_code, p.project_name, p.district, p.provider, p.provider_credit_code, p.contract_start, p.contract_amount
		FROM `+projects+` p JOIN ps USING (provider_credit_code) JOIN first f ON f.project_code = p.project_code AND f.first_year = p.year
		WHERE p.year = `+y+` AND p.project_type = 'comprehensive_centre' ORDER BY p.district, p.project_code`)
}
