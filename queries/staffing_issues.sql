-- @description: Projects whose team misses a staffing minimum (full-time staff: 5, or 7 for a
--   project covering a large community; registered social workers, party members, a social
--   worker as lead), with the failing ones named. 人员配置不达标的项目。
-- @param year: int, default null, only this year (年度); every year when not given
-- @param district: text, default null, only this district (区); all districts when not given
-- @tags: staffing, compliance
SELECT s.year, s.district, s.project_code, py.project_name, py.provider,
       s.full_time_staff, s.required_full_time, s.registered_social_workers, s.party_members, s.lead_is_social_worker,
       s.issues
FROM marts.staffing s
LEFT JOIN intermediate.project_years py ON py.year = s.year AND py.project_code = s.project_code
WHERE NOT s.compliant
  AND ($year IS NULL OR s.year = $year)
  AND ($district IS NULL OR s.district = $district)
ORDER BY s.year, s.district, s.project_code
