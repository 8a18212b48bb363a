-- @description: Evaluations that did not pass, lowest score first, with the score parts: the
--   projects to rectify (整改). 未通过评估的项目。
-- @param year: int, default null, only this year (年度); every year when not given
-- @param stage: text, default annual, evaluation stage: mid, annual or final
-- @tags: evaluation, compliance
SELECT e.year, py.district, e.project_code, py.project_name, py.provider, e.stage,
       e.total_score, e.stars, e.indicator_score, e.participation_score, e.satisfaction_score
FROM marts.evaluation_scores e
LEFT JOIN intermediate.project_years py ON py.year = e.year AND py.project_code = e.project_code
WHERE NOT e.passed
  AND e.stage = $stage
  AND ($year IS NULL OR e.year = $year)
ORDER BY e.total_score, e.year, e.project_code
