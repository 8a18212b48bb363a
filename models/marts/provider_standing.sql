-- @materialized: table
-- @description: Each provider's standing by year (DOMAIN §6, seed 004 annex 1 §5(二)): one row per
--   provider (by provider_credit_code) and year in which it holds a project. A provider whose
--   comprehensive_centre project failed an annual evaluation (fewer than evaluation_pass_stars)
--   loses the right to run community comprehensive service centres ("取消运营社会组织日后参与社区综合服务中心的运营资格"):
--   it is disqualified from the next year on, for good. A missing annual evaluation is not a
--   failure. centres_while_disqualified flags the comprehensive_centre contracts it was awarded
--   (a project_code's first year) while disqualified, which the policy forbids.
-- @tags: projects, evaluation
-- @column year: year
-- @column provider_credit_code: the provider's unified social credit code
-- @column provider: its name on its project of that year with the latest contract_start, then the greatest project_code
-- @column projects: its projects that year
-- @column failed_evaluations: its annual evaluations of that year that did not pass
-- @column disqualified: one of its comprehensive_centre projects failed an annual evaluation in an earlier year
-- @column centres_while_disqualified: its comprehensive_centre projects whose project_code first appears that year while it is disqualified
-- @test: unique(year, provider_credit_code)
-- @test: not_null(year, provider_credit_code, provider, projects, failed_evaluations, disqualified, centres_while_disqualified)
-- @test projects: range(1, )
-- @test failed_evaluations: range(0, )
-- @test centres_while_disqualified: range(0, )
-- @assert disqualified_for_good: SELECT a.year, a.provider_credit_code, b.year AS later_year
--   FROM marts.provider_standing a
--   JOIN marts.provider_standing b ON b.provider_credit_code = a.provider_credit_code AND b.year > a.year
--   WHERE a.disqualified AND NOT b.disqualified
-- @assert centres_only_while_disqualified: SELECT year, provider_credit_code, centres_while_disqualified
--   FROM marts.provider_standing WHERE centres_while_disqualified > 0 AND NOT disqualified
WITH projects AS (
    SELECT pr.year, pr.project_code, pr.project_type, pr.provider, pr.provider_credit_code, pr.contract_start,
           coalesce(NOT es.passed, FALSE) AS failed,
           pr.year = min(pr.year) OVER (PARTITION BY pr.project_code) AS first_year
    FROM staging.projects pr
    LEFT JOIN marts.evaluation_scores es
           ON es.year = pr.year AND es.project_code = pr.project_code AND es.stage = 'annual'
),
-- The first year after a comprehensive_centre project of the provider failed its annual evaluation.
disqualified_from AS (
    SELECT provider_credit_code, min(year) + 1 AS year
    FROM projects
    WHERE project_type = 'comprehensive_centre' AND failed
    GROUP BY provider_credit_code
),
named AS (
    SELECT p.*,
           row_number() OVER (PARTITION BY p.year, p.provider_credit_code
                              ORDER BY p.contract_start DESC, p.project_code DESC) AS latest
    FROM projects p
)
SELECT n.year, n.provider_credit_code,
       max(CASE WHEN n.latest = 1 THEN n.provider END) AS provider,
       count(*) AS projects,
       count(CASE WHEN n.failed THEN 1 END) AS failed_evaluations,
       coalesce(max(d.year) <= n.year, FALSE) AS disqualified,
       count(CASE WHEN d.year <= n.year AND n.project_type = 'comprehensive_centre' AND n.first_year THEN 1 END)
           AS centres_while_disqualified
FROM named n
LEFT JOIN disqualified_from d ON d.provider_credit_code = n.provider_credit_code
GROUP BY n.year, n.provider_credit_code
