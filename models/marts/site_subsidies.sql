-- @materialized: table
-- @description: City subsidies for community comprehensive service centres (DOMAIN §6, seed 004
--   annex 2 §3, §6(二)): one row per comprehensive_centre project and covered community with
--   facility rows that year. A centre covering two communities has a row for each, each with the
--   project's full contract and local match. Amounts are exact, rounded to the fen at the end;
--   match_ok compares the exact amounts.
-- @tags: facilities, finance
-- @column year: year
-- @column community_code: covered community with facility rows
-- @column project_code: comprehensive_centre project
-- @column subsidised_area_m2: min(total_area_m2, site_renovation_area_max_m2)
-- @column renovation_city: site_renovation_city_share × site_renovation_rate × subsidised_area_m2, yuan
-- @column equipment_city: site_equipment_city, yuan
-- @column operations_city: min(site_operations_city_max, contract_amount), yuan
-- @column city_total: min(site_city_total_max, renovation_city + equipment_city + operations_city), yuan
-- @column required_match: local_match_share_min × city_total, yuan
-- @column local_match: district_funding + street_funding, yuan
-- @column match_ok: local_match ≥ required_match
-- @test: unique(year, community_code, project_code)
-- @test: not_null(year, community_code, project_code, subsidised_area_m2, renovation_city, equipment_city, operations_city, city_total, required_match, local_match, match_ok)
WITH sites AS (
    SELECT py.year, pc.community_code, py.project_code, py.contract_amount, py.local_funding,
           least(fc.total_area_m2, p.site_renovation_area_max_m2) AS area
    FROM intermediate.project_years py
    JOIN staging.project_communities pc ON pc.year = py.year AND pc.project_code = py.project_code
    JOIN marts.facility_compliance fc ON fc.year = py.year AND fc.community_code = pc.community_code
    CROSS JOIN staging.params p
    WHERE py.project_type = 'comprehensive_centre'
),
amounts AS (
    SELECT s.*,
           CAST(p.site_renovation_city_share * p.site_renovation_rate * s.area AS DECIMAL(38,12)) AS renovation,
           CAST(p.site_equipment_city AS DECIMAL(38,12)) AS equipment,
           CAST(least(p.site_operations_city_max, s.contract_amount) AS DECIMAL(38,12)) AS operations
    FROM sites s
    CROSS JOIN staging.params p
),
totals AS (
    SELECT a.*,
           CAST(least(p.site_city_total_max, a.renovation + a.equipment + a.operations) AS DECIMAL(38,12)) AS city_total
    FROM amounts a
    CROSS JOIN staging.params p
)
SELECT t.year, t.community_code, t.project_code,
       CAST(t.area AS DECIMAL(18,2)) AS subsidised_area_m2,
       CAST(t.renovation AS DECIMAL(18,2)) AS renovation_city,
       CAST(t.equipment AS DECIMAL(18,2)) AS equipment_city,
       CAST(t.operations AS DECIMAL(18,2)) AS operations_city,
       CAST(t.city_total AS DECIMAL(18,2)) AS city_total,
       CAST(p.local_match_share_min * t.city_total AS DECIMAL(18,2)) AS required_match,
       t.local_funding AS local_match,
       t.local_funding >= p.local_match_share_min * t.city_total AS match_ok
FROM totals t
CROSS JOIN staging.params p
