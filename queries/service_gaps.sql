-- @description: Projects whose services fall short of the 5+1+2 mix or that had months with
--   too few service days, with the counts. 服务内容或服务天数不达标的项目。
-- @param year: int, default null, only this year (年度); every year when not given
-- @param district: text, default null, only this district (区); all districts when not given
-- @tags: services, compliance
SELECT m.year, py.district, m.project_code, py.project_name,
       m.basic_items, m.basic_sub_items, m.featured_items, m.external_items, m.meets_5_1_2,
       m.service_days, m.months_below_min_days, m.person_times
FROM marts.service_mix m
LEFT JOIN intermediate.project_years py ON py.year = m.year AND py.project_code = m.project_code
WHERE (NOT m.meets_5_1_2 OR m.months_below_min_days > 0)
  AND ($year IS NULL OR m.year = $year)
  AND ($district IS NULL OR py.district = $district)
ORDER BY m.year, py.district, m.project_code
