-- The projects that failed their annual evaluation (marts.evaluation_scores)
-- and those without one, by name, one row per year and district: they get
-- no city reward and their last payment waits (需整改).
WITH py AS (
    SELECT py.year, py.district, py.project_code, py.project_name, e.passed, e.total_score
    FROM intermediate.project_years py
    LEFT JOIN marts.evaluation_scores e
           ON e.year = py.year AND e.project_code = py.project_code AND e.stage = 'annual'
)
SELECT year, district,
       count(*) FILTER (WHERE NOT passed) AS failed,
       coalesce(string_agg(project_name || '（' || project_code || '，' || format('{:.2f}', CAST(total_score AS DOUBLE)) || '分）', '；' ORDER BY project_code)
                FILTER (WHERE NOT passed), '') AS failed_projects,
       count(*) FILTER (WHERE passed IS NULL) AS not_evaluated,
       coalesce(string_agg(project_name || '（' || project_code || '）', '；' ORDER BY project_code)
                FILTER (WHERE passed IS NULL), '') AS not_evaluated_projects
FROM py
GROUP BY year, district
HAVING count(*) FILTER (WHERE NOT passed) > 0 OR count(*) FILTER (WHERE passed IS NULL) > 0
