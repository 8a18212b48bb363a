-- @materialized: table
-- @description: Whether each project's team meets the staffing minimums (DOMAIN §6, seed 000
--   §2(1)): one row per project and year; a project without staff rows has zeros.
-- @tags: staffing
-- @column year: year
-- @column project_code: project number
-- @column district: district
-- @column full_time_staff: full-time staff whose role is not supervisor
-- @column registered_social_workers: of them, registered social workers
-- @column party_members: of them, party members
-- @column lead_is_social_worker: a lead row (full-time or not) has registered_sw
-- @column supervisors: rows with role supervisor
-- @column compliant: all four minimums hold (staffing_min_full_time, staffing_min_registered_sw, staffing_min_party_members, lead)
-- @column issues: the failing ones as column names, comma-separated, in column order; empty when compliant
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, full_time_staff, registered_social_workers, party_members, lead_is_social_worker, supervisors, compliant, issues)
-- @test project_code: relationships(intermediate.project_years.project_code)
-- @assert issues_iff_not_compliant: SELECT year, project_code, compliant, issues FROM marts.staffing
--   WHERE compliant <> (issues = '')
WITH checks AS (
    SELECT py.year, py.project_code, py.district,
           py.full_time_staff, py.registered_social_workers, py.party_members,
           py.lead_is_social_worker, py.supervisors,
           py.full_time_staff < p.staffing_min_full_time AS low_full_time,
           py.registered_social_workers < p.staffing_min_registered_sw AS low_sw,
           py.party_members < p.staffing_min_party_members AS low_party
    FROM intermediate.project_years py
    CROSS JOIN staging.params p
)
SELECT year, project_code, district, full_time_staff, registered_social_workers, party_members,
       lead_is_social_worker, supervisors,
       NOT (low_full_time OR low_sw OR low_party OR NOT lead_is_social_worker) AS compliant,
       concat_ws(',',
           CASE WHEN low_full_time THEN 'full_time_staff' END,
           CASE WHEN low_sw THEN 'registered_social_workers' END,
           CASE WHEN low_party THEN 'party_members' END,
           CASE WHEN NOT lead_is_social_worker THEN 'lead_is_social_worker' END) AS issues
FROM checks
