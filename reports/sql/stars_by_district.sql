-- The annual evaluations by district (marts.evaluation_scores, stage
-- annual, with intermediate.project_years for the district): the projects,
-- those evaluated, how many got five, four and three stars and how many
-- failed, the pass rate and the year before's, the mean total score.
WITH py AS (
    SELECT py.year, py.district, e.project_code AS evaluated_code, e.stars, e.passed, e.total_score
    FROM intermediate.project_years py
    LEFT JOIN marts.evaluation_scores e
           ON e.year = py.year AND e.project_code = py.project_code AND e.stage = 'annual'
),
d AS (
    SELECT year, district,
           count(*) AS projects,
           count(evaluated_code) AS evaluated,
           count(*) FILTER (WHERE stars = 5) AS five_stars,
           count(*) FILTER (WHERE stars = 4) AS four_stars,
           count(*) FILTER (WHERE stars = 3) AS three_stars,
           count(*) FILTER (WHERE passed) AS passed,
           count(*) FILTER (WHERE NOT passed) AS failed,
           count(*) - count(evaluated_code) AS not_evaluated,
           avg(total_score) AS mean_score
    FROM py
    GROUP BY year, district
)
SELECT d.*,
       d.passed / nullif(d.evaluated, 0) AS pass_rate,
       p.passed / nullif(p.evaluated, 0) AS pass_rate_prev,
       p.passed AS passed_prev, p.evaluated AS evaluated_prev,
       d.failed = 0 AS none_failed,
       d.not_evaluated = 0 AS all_evaluated
FROM d
LEFT JOIN d p ON p.year = d.year - 1 AND p.district = d.district
