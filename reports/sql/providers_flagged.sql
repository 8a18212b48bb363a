-- The providers a planner must watch (marts.provider_standing): those
-- disqualified from running community comprehensive service centres (from
-- the year after one of their centres failed an annual evaluation, for
-- good; seed 004 annex 1 §5(二)) and those with a failed annual evaluation
-- this year, one row per provider with the districts it works in and the
-- centres awarded to it while disqualified, which the policy forbids. The
-- standing is city-wide, so the rows have no district to filter by.
WITH projects AS (
    SELECT pr.year, pr.district, pr.project_code, pr.project_type, pr.provider_credit_code,
           pr.year = min(pr.year) OVER (PARTITION BY pr.project_code) AS first_year,
           coalesce(NOT es.passed, FALSE) AS failed
    FROM staging.projects pr
    LEFT JOIN marts.evaluation_scores es
           ON es.year = pr.year AND es.project_code = pr.project_code AND es.stage = 'annual'
),
since AS (
    SELECT provider_credit_code, min(year) + 1 AS disqualified_since
    FROM projects
    WHERE project_type = 'comprehensive_centre' AND failed
    GROUP BY provider_credit_code
),
p AS (
    SELECT p.year, p.provider_credit_code,
           string_agg(DISTINCT p.district, '、' ORDER BY p.district) AS districts,
           count(*) AS projects,
           count(CASE WHEN p.failed THEN 1 END) AS failed_evaluations,
           count(CASE WHEN ps.disqualified AND p.project_type = 'comprehensive_centre' AND p.first_year THEN 1 END)
               AS centres_while_disqualified,
           string_agg(CASE WHEN ps.disqualified AND p.project_type = 'comprehensive_centre' AND p.first_year THEN p.project_code END,
                      '、' ORDER BY p.project_code) AS awarded_centres
    FROM projects p
    JOIN marts.provider_standing ps ON ps.year = p.year AND ps.provider_credit_code = p.provider_credit_code
    GROUP BY p.year, p.provider_credit_code
)
SELECT p.year, ps.provider, p.provider_credit_code, p.districts,
       p.projects, p.failed_evaluations, ps.disqualified,
       CASE WHEN ps.disqualified THEN CAST(s.disqualified_since AS VARCHAR) || '年度起' ELSE '' END AS disqualified_since,
       p.centres_while_disqualified, coalesce(p.awarded_centres, '') AS awarded_centres,
       p.centres_while_disqualified > 0 AS awarded_while_disqualified,
       p.failed_evaluations > 0 AS has_failed
FROM p
JOIN marts.provider_standing ps ON ps.year = p.year AND ps.provider_credit_code = p.provider_credit_code
LEFT JOIN since s ON s.provider_credit_code = p.provider_credit_code
WHERE ps.disqualified OR p.failed_evaluations > 0
