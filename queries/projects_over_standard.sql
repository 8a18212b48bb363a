-- @description: Projects whose contract amount exceeds their funding standard, with the
--   standard and the excess in yuan, largest excess first. 合同金额超过经费标准的项目。
-- @param year: int, default null, only this year (年度); every year when not given
-- @param district: text, default null, only this district (区); all districts when not given
-- @tags: finance, compliance
SELECT c.year, c.district, c.project_code, py.project_name, c.contract_amount, c.standard_amount,
       c.contract_amount - c.standard_amount AS excess,
       c.full_time_staff, c.registered_social_workers, c.large_community
FROM marts.project_costs c
LEFT JOIN intermediate.project_years py ON py.year = c.year AND py.project_code = c.project_code
WHERE NOT c.within_standard
  AND ($year IS NULL OR c.year = $year)
  AND ($district IS NULL OR c.district = $district)
ORDER BY excess DESC, c.year, c.project_code
