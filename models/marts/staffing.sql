-- @materialized: table
-- @description: Whether each project's team meets the staffing minimums (DOMAIN §6, seed 000
--   §2(1)): one row per project and year; a project without staff rows has zeros. A project
--   covering a large community needs staffing_min_full_time_large full-time staff (the base team
--   plus the least of the seed's "再配置全职工人员2-4名"), any other staffing_min_full_time.
-- @tags: staffing
-- @column year: year
-- @column project_code: project number
-- @column district: district
-- @column full_time_staff: full-time staff whose role is not supervisor
-- @column registered_social_workers: of them, registered social workers
-- @column party_members: of them, party members
-- @column lead_is_social_worker: a lead row (full-time or not) has registered_sw
-- @column supervisors: rows with role supervisor
-- @column compliant: all four minimums hold (full_time_staff ≥ required_full_time, staffing_min_registered_sw, staffing_min_party_members, lead)
-- @column issues: the failing ones as column names, comma-separated, in column order; empty when compliant
-- @column required_full_time: full-time staff required: staffing_min_full_time_large when any covered community is large, else staffing_min_full_time
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, full_time_staff, registered_social_workers, party_members, lead_is_social_worker, supervisors, compliant, issues, required_full_time)
-- @test project_code: relationships(intermediate.project_years.project_code)
-- @test required_full_time: range(1, )
-- @assert issues_iff_not_compliant: SELECT year, project_code, compliant, issues FROM marts.staffing
--   WHERE compliant <> (issues = '')
-- @assert full_time_issue_iff_below_required: SELECT year, project_code, full_time_staff, required_full_time, issues
--   FROM marts.staffing
--   WHERE (full_time_staff < required_full_time) <> contains(',' || issues || ',', ',full_time_staff,')
-- @assert required_full_time_by_size: SELECT s.year, s.project_code, s.required_full_time, py.large_community
--   FROM marts.staffing s
--   JOIN intermediate.project_years py ON py.year = s.year AND py.project_code = s.project_code
--   CROSS JOIN staging.params p
--   WHERE s.required_full_time <> CASE WHEN py.large_community THEN p.staffing_min_full_time_large ELSE p.staffing_min_full_time END
WITH required AS (
    SELECT py.year, py.project_code, py.district,
           py.full_time_staff, py.registered_social_workers, py.party_members,
           py.lead_is_social_worker, py.supervisors,
           CAST(CASE WHEN py.large_community THEN p.staffing_min_full_time_large
                     ELSE p.staffing_min_full_time END AS INTEGER) AS required_full_time
    FROM intermediate.project_years py
    CROSS JOIN staging.params p
),
checks AS (
    SELECT r.*,
           r.full_time_staff < r.required_full_time AS low_full_time,
           r.registered_social_workers < p.staffing_min_registered_sw AS low_sw,
           r.party_members < p.staffing_min_party_members AS low_party
    FROM required r
    CROSS JOIN staging.params p
)
SELECT year, project_code, district, full_time_staff, registered_social_workers, party_members,
       lead_is_social_worker, supervisors,
       NOT (low_full_time OR low_sw OR low_party OR NOT lead_is_social_worker) AS compliant,
       concat_ws(',',
           CASE WHEN low_full_time THEN 'full_time_staff' END,
           CASE WHEN low_sw THEN 'registered_social_workers' END,
           CASE WHEN low_party THEN 'party_members' END,
           CASE WHEN NOT lead_is_social_worker THEN 'lead_is_social_worker' END) AS issues,
       required_full_time
FROM checks
