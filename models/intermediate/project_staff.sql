-- @materialized: view
-- @description: Staff counts of each project and year (seed 000 §2(1)). Counts are of full-time
--   staff whose role is not supervisor; supervisors are counted apart; the lead is a social
--   worker when a lead row (full-time or not) is a registered social worker.
-- @tags: staffing
-- @column year: year
-- @column project_code: project number
-- @column staff_rows: staff rows of the project
-- @column full_time_staff: full-time staff, supervisors aside
-- @column registered_social_workers: of them, registered social workers
-- @column party_members: of them, party members
-- @column lead_is_social_worker: a lead row has registered_sw
-- @column supervisors: rows with role supervisor
-- @test: unique(year, project_code)
SELECT year, project_code,
       count(*) AS staff_rows,
       count(CASE WHEN full_time AND coalesce(role, '') <> 'supervisor' THEN 1 END) AS full_time_staff,
       count(CASE WHEN full_time AND coalesce(role, '') <> 'supervisor' AND registered_sw THEN 1 END) AS registered_social_workers,
       count(CASE WHEN full_time AND coalesce(role, '') <> 'supervisor' AND party_member THEN 1 END) AS party_members,
       count(CASE WHEN role = 'lead' AND registered_sw THEN 1 END) > 0 AS lead_is_social_worker,
       count(CASE WHEN role = 'supervisor' THEN 1 END) AS supervisors
FROM staging.staff
GROUP BY year, project_code
