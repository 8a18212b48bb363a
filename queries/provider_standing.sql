-- @description: Providers to watch: those disqualified from running community comprehensive
--   service centres (a centre of theirs failed an annual evaluation in an earlier year, seed 004
--   annex 1 §5(二)), with the centres awarded to them since, which the policy forbids, and those
--   with an annual evaluation failed this year (failed_centres: their centres that failed, which
--   disqualify them from next year). 承接机构运营资格：已取消资格及本年度评估未通过的机构。
-- @param year: int, default null, only this year (年度); every year when not given
-- @tags: evaluation, compliance, projects
WITH projects AS (
    SELECT pr.year, pr.project_code, pr.project_type, pr.provider_credit_code,
           pr.year = min(pr.year) OVER (PARTITION BY pr.project_code) AS first_year,
           coalesce(NOT es.passed, FALSE) AS failed
    FROM staging.projects pr
    LEFT JOIN marts.evaluation_scores es
           ON es.year = pr.year AND es.project_code = pr.project_code AND es.stage = 'annual'
),
codes AS (
    SELECT year, provider_credit_code,
           string_agg(CASE WHEN project_type = 'comprehensive_centre' AND failed THEN project_code END,
                      ',' ORDER BY project_code) AS failed_centres,
           string_agg(CASE WHEN project_type = 'comprehensive_centre' AND first_year THEN project_code END,
                      ',' ORDER BY project_code) AS new_centres
    FROM projects
    GROUP BY year, provider_credit_code
),
since AS (
    SELECT provider_credit_code, min(year) + 1 AS disqualified_since
    FROM projects
    WHERE project_type = 'comprehensive_centre' AND failed
    GROUP BY provider_credit_code
)
SELECT ps.year, ps.provider_credit_code, ps.provider, ps.projects, ps.failed_evaluations,
       coalesce(c.failed_centres, '') AS failed_centres,
       ps.disqualified,
       CASE WHEN ps.disqualified THEN s.disqualified_since END AS disqualified_since,
       ps.centres_while_disqualified,
       CASE WHEN ps.disqualified THEN coalesce(c.new_centres, '') ELSE '' END AS centres_awarded_while_disqualified
FROM marts.provider_standing ps
LEFT JOIN codes c ON c.year = ps.year AND c.provider_credit_code = ps.provider_credit_code
LEFT JOIN since s ON s.provider_credit_code = ps.provider_credit_code
WHERE (ps.disqualified OR ps.failed_evaluations > 0)
  AND ($year IS NULL OR ps.year = $year)
ORDER BY ps.year, ps.disqualified DESC, ps.centres_while_disqualified DESC, ps.provider_credit_code
