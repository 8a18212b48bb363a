package data

import "context"

// Scorecard returns each district's figures of every year (of one
// district when district is not ""): coverage against the targets, the
// annual evaluations' stars and pass rate, and data quality. Ordered by
// district, then year.
func (r *Read) Scorecard(ctx context.Context, src Source, district string) (*Table, error) {
	if src.Closed() {
		src = Official // a closed version is of one year; a trend reads the official figures
	}
	b := r.query()
	where := "true"
	if district != "" {
		where = "scope_district = " + b.arg("district", district)
	}
	return b.table(ctx, `WITH cov AS (SELECT year, scope_district AS district,
			CAST(sum(covered) FILTER (WHERE urban_rural = 'urban') AS DOUBLE) / sum(communities) FILTER (WHERE urban_rural = 'urban') AS urban_rate,
			CAST(sum(covered) FILTER (WHERE urban_rural = 'rural') AS DOUBLE) / sum(communities) FILTER (WHERE urban_rural = 'rural') AS rural_rate,
			bool_and(meets_target) FILTER (WHERE urban_rural = 'urban') AS urban_ok,
			bool_and(meets_target) FILTER (WHERE urban_rural = 'rural') AS rural_ok,
			sum(communities) AS communities
			FROM `+b.mart("coverage", src)+` WHERE `+where+` GROUP BY ALL),
		ev AS (SELECT year, scope_district AS district, count(*) AS evaluated, avg(stars) AS avg_stars,
			CAST(count(*) FILTER (WHERE passed) AS DOUBLE) / count(*) AS passed_rate, avg(total_score) AS avg_score
			FROM `+b.mart("evaluation_scores", src)+` WHERE stage = 'annual' AND `+where+` GROUP BY ALL),
		dq AS (SELECT year, scope_district AS district, sum(rows_current) AS rows_current, sum(rows_rejected) AS rows_rejected,
			CAST(sum(rows_rejected) AS DOUBLE) / nullif(sum(rows_current) + sum(rows_rejected), 0) AS rejected_share,
			sum(kinds_missing_count) AS kinds_missing_count
			FROM `+b.mart("data_quality", src)+` WHERE `+where+` GROUP BY ALL),
		keys AS (SELECT year, district FROM cov UNION SELECT year, district FROM ev UNION SELECT year, district FROM dq)
		SELECT k.district, CAST(k.year AS VARCHAR) AS year, cov.communities, cov.urban_rate, cov.urban_ok, cov.rural_rate, cov.rural_ok,
			ev.evaluated, round(ev.avg_stars, 2) AS avg_stars, ev.passed_rate, round(ev.avg_score, 2) AS avg_score,
			dq.rows_current, dq.rows_rejected, dq.rejected_share, dq.kinds_missing_count
		FROM keys k LEFT JOIN cov USING (year, district) LEFT JOIN ev USING (year, district) LEFT JOIN dq USING (year, district)
		WHERE k.district IS NOT NULL
		ORDER BY k.district, k.year`)
}
