-- @description: Payment tranches of socialised projects that may not be paid yet, because
--   the evaluation they wait on has not passed, with the amount held. 暂不能拨付的款项。
-- @param year: int, default null, only this year (年度); every year when not given
-- @tags: finance, evaluation
SELECT p.year, py.district, p.project_code, py.project_name, p.tranche, p.share, p.amount
FROM marts.payments p
LEFT JOIN intermediate.project_years py ON py.year = p.year AND py.project_code = p.project_code
WHERE NOT p.due
  AND ($year IS NULL OR p.year = $year)
ORDER BY p.year, py.district, p.project_code, p.tranche
