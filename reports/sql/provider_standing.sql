-- Each provider holding a project in a district that year, with its
-- standing (marts.provider_standing, seed 004 annex 1 §5(二)): whether it
-- has lost the right to run community comprehensive service centres (from
-- the year after one of its centres failed an annual evaluation, for
-- good), since when, and the centres awarded to it in the district while
-- disqualified, which the policy forbids. projects, failed_evaluations
-- and the awards are the district's; the standing is the provider's.
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
districts AS (
    SELECT p.year, p.district, p.provider_credit_code,
           count(*) AS projects,
           count(CASE WHEN p.failed THEN 1 END) AS failed_evaluations,
           count(CASE WHEN ps.disqualified AND p.project_type = 'comprehensive_centre' AND p.first_year THEN 1 END)
               AS centres_while_disqualified,
           string_agg(CASE WHEN ps.disqualified AND p.project_type = 'comprehensive_centre' AND p.first_year THEN p.project_code END,
                      '、' ORDER BY p.project_code) AS awarded_centres
    FROM projects p
    JOIN marts.provider_standing ps ON ps.year = p.year AND ps.provider_credit_code = p.provider_credit_code
    GROUP BY p.year, p.district, p.provider_credit_code
)
SELECT d.year, d.district, ps.provider, ps.provider_credit_code,
       d.projects, d.failed_evaluations, ps.disqualified,
       CASE WHEN ps.disqualified THEN CAST(s.disqualified_since AS VARCHAR) || '年度起' ELSE '' END AS disqualified_since,
       d.centres_while_disqualified, coalesce(d.awarded_centres, '') AS awarded_centres,
       d.centres_while_disqualified > 0 AS awarded_while_disqualified,
       d.failed_evaluations > 0 AS has_failed
FROM districts d
JOIN marts.provider_standing ps ON ps.year = d.year AND ps.provider_credit_code = d.provider_credit_code
LEFT JOIN since s ON s.provider_credit_code = d.provider_credit_code
