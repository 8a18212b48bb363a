-- @materialized: table
-- @description: One row per current project and year with everything the project marts share:
--   contract and funding, staff counts (zeros without staff rows), the communities it covers
--   (their number, population and whether any is large) and its funding standard
--   (seed 000 §2(1)): base_standard_amount, plus, in a large community, extra_social_worker_cost
--   per extra social worker and extra_assistant_cost per other extra staff, where
--   extra = min(max(full_time_staff − base_team_full_time_staff, 0), large_extra_staff_max) and
--   extra_sw = min(max(registered_social_workers − base_team_social_workers, 0),
--   large_extra_social_workers_max, extra).
-- @tags: projects, staffing, finance
-- @column year: year
-- @column project_code: project number
-- @column district: district
-- @column project_name: project name
-- @column project_type: party_mass_centre, comprehensive_centre or socialised
-- @column provider: provider organisation
-- @column contract_start: contract start
-- @column contract_end: contract end
-- @column contract_amount: contract amount, yuan
-- @column city_funding: city funding, yuan
-- @column district_funding: district funding, yuan
-- @column street_funding: street funding, yuan
-- @column local_funding: district_funding + street_funding
-- @column full_time_staff: full-time staff, supervisors aside
-- @column registered_social_workers: of them registered social workers
-- @column party_members: of them party members
-- @column lead_is_social_worker: a lead is a registered social worker
-- @column supervisors: supervisors
-- @column covered_communities: communities listed in community_codes
-- @column covered_population: Σ resident_population of the covered communities (that year's roster)
-- @column large_community: any covered community is large
-- @column extra_staff: extra staff paid for (0 unless large)
-- @column extra_social_workers: of them social workers
-- @column extra_other_staff: of them other staff
-- @column standard_amount: the funding standard, yuan
-- @column submission_id: submission of the project row
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, contract_amount, full_time_staff, large_community, standard_amount)
-- @test extra_staff: range(0, )
WITH covered AS (
    SELECT pc.year, pc.project_code,
           count(*) AS covered_communities,
           CAST(sum(cy.resident_population) AS BIGINT) AS covered_population,
           count(CASE WHEN cy.large_community THEN 1 END) > 0 AS large_community
    FROM staging.project_communities pc
    LEFT JOIN intermediate.community_years cy
           ON cy.year = pc.year AND cy.community_code = pc.community_code
    GROUP BY pc.year, pc.project_code
),
facts AS (
    SELECT pr.year, pr.project_code, pr.district, pr.project_name, pr.project_type, pr.provider,
           pr.contract_start, pr.contract_end, pr.contract_amount,
           pr.city_funding, pr.district_funding, pr.street_funding,
           pr.district_funding + pr.street_funding AS local_funding,
           coalesce(s.full_time_staff, 0) AS full_time_staff,
           coalesce(s.registered_social_workers, 0) AS registered_social_workers,
           coalesce(s.party_members, 0) AS party_members,
           coalesce(s.lead_is_social_worker, FALSE) AS lead_is_social_worker,
           coalesce(s.supervisors, 0) AS supervisors,
           coalesce(c.covered_communities, 0) AS covered_communities,
           c.covered_population,
           coalesce(c.large_community, FALSE) AS large_community,
           pr.submission_id
    FROM staging.projects pr
    LEFT JOIN intermediate.project_staff s ON s.year = pr.year AND s.project_code = pr.project_code
    LEFT JOIN covered c ON c.year = pr.year AND c.project_code = pr.project_code
),
extra AS (
    SELECT f.*,
           CASE WHEN f.large_community
                THEN CAST(least(greatest(f.full_time_staff - p.base_team_full_time_staff, 0), p.large_extra_staff_max) AS INTEGER)
                ELSE 0 END AS extra_staff
    FROM facts f
    CROSS JOIN staging.params p
),
extra_sw AS (
    SELECT e.*,
           CAST(least(greatest(e.registered_social_workers - p.base_team_social_workers, 0),
                      p.large_extra_social_workers_max, e.extra_staff) AS INTEGER) AS extra_social_workers
    FROM extra e
    CROSS JOIN staging.params p
)
SELECT x.year, x.project_code, x.district, x.project_name, x.project_type, x.provider,
       x.contract_start, x.contract_end, x.contract_amount,
       x.city_funding, x.district_funding, x.street_funding, x.local_funding,
       x.full_time_staff, x.registered_social_workers, x.party_members, x.lead_is_social_worker,
       x.supervisors, x.covered_communities, x.covered_population, x.large_community,
       x.extra_staff, x.extra_social_workers,
       x.extra_staff - x.extra_social_workers AS extra_other_staff,
       CAST(p.base_standard_amount
            + p.extra_social_worker_cost * x.extra_social_workers
            + p.extra_assistant_cost * (x.extra_staff - x.extra_social_workers) AS DECIMAL(18,2)) AS standard_amount,
       x.submission_id
FROM extra_sw x
CROSS JOIN staging.params p
