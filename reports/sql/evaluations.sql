-- Evaluation totals and stars (marts.evaluation_scores) with each
-- project's district and name; stages in the order they happen.
SELECT e.year, py.district, e.project_code, py.project_name, e.stage,
       CASE e.stage WHEN 'mid' THEN 1 WHEN 'annual' THEN 2 ELSE 3 END AS stage_seq,
       e.indicator_score, e.participation_rate, e.participation_score, e.satisfaction_score,
       e.total_score, e.stars, e.passed
FROM marts.evaluation_scores e
LEFT JOIN intermediate.project_years py ON py.year = e.year AND py.project_code = e.project_code
