-- @description: Everything the marts say about one project, one row per year: contract and
--   standard, staffing, fund use, services and its annual evaluation. 单个项目概况。
-- @param project_code: text, the project number (项目编号), e.g. LJ2013-004
-- @param year: int, default null, only this year (年度); every year when not given
-- @tags: projects
SELECT py.year, py.district, py.project_code, py.project_name, py.provider, py.project_type,
       py.contract_amount, c.standard_amount, c.within_standard,
       s.full_time_staff, s.required_full_time, s.registered_social_workers, s.compliant AS staffing_ok, s.issues AS staffing_issues,
       round(f.staff_share, 4) AS staff_share, f.staff_share_ok, f.carried_in, f.surplus, f.overspent,
       m.meets_5_1_2, m.service_days, m.person_times,
       e.total_score AS annual_score, e.stars AS annual_stars, e.passed AS annual_passed
FROM intermediate.project_years py
LEFT JOIN marts.project_costs c ON c.year = py.year AND c.project_code = py.project_code
LEFT JOIN marts.staffing s ON s.year = py.year AND s.project_code = py.project_code
LEFT JOIN marts.fund_use f ON f.year = py.year AND f.project_code = py.project_code
LEFT JOIN marts.service_mix m ON m.year = py.year AND m.project_code = py.project_code
LEFT JOIN marts.evaluation_scores e ON e.year = py.year AND e.project_code = py.project_code AND e.stage = 'annual'
WHERE py.project_code = $project_code
  AND ($year IS NULL OR py.year = $year)
ORDER BY py.year
