-- @materialized: table
-- @description: City subsidies of the community comprehensive service centre demonstration sites
--   (DOMAIN §6, seed 004 annex 2 §3, §4(一), §6(二)): one row per site, a comprehensive_centre
--   project in the first year its project_code appears (of any type); its later contract years
--   have no row, since the city funds a site once (equipment "一次性", operations "全额资助一年",
--   "每个示范点市财政资助总额不超过200万元"). The site's area is that of every facility row of its
--   covered communities that year (Σ marts.facility_compliance.total_area_m2). A site is already funded when a comprehensive_centre project
--   of an earlier year covered one of its communities ("市级资金已资助的项目，不予以重复资助"; a
--   community's centre is funded once as a whole: assumption): its city amounts and required match
--   are then 0 and the match is ok. Amounts are exact DECIMAL, rounded to the fen (half away from
--   zero) at the end; match_ok compares the exact amounts.
-- @tags: facilities, finance
-- @column year: the site's first year (the earliest year with a row of its project_code)
-- @column project_code: comprehensive_centre project
-- @column district: district
-- @column community_codes: its covered communities that year, sorted, comma-separated
-- @column total_area_m2: Σ area_m2 of that year's facility rows of all its covered communities, m² (0 when none)
-- @column subsidised_area_m2: min(total_area_m2, site_renovation_area_max_m2)
-- @column renovation_city: site_renovation_city_share × site_renovation_rate × subsidised_area_m2, yuan (0 when already funded)
-- @column equipment_city: site_equipment_city, yuan (0 when already funded)
-- @column operations_city: min(site_operations_city_max, contract_amount), yuan (0 when already funded)
-- @column city_total: min(site_city_total_max, renovation_city + equipment_city + operations_city), yuan (0 when already funded)
-- @column required_match: local_match_share_min × city_total, yuan (0 when already funded)
-- @column local_match: district_funding + street_funding of that year, yuan
-- @column match_ok: local_match ≥ required_match (true when already funded)
-- @column already_funded: a comprehensive_centre project of an earlier year covered one of its communities
-- @test: unique(project_code)
-- @test: not_null(year, project_code, district, community_codes, total_area_m2, subsidised_area_m2, renovation_city, equipment_city, operations_city, city_total, required_match, local_match, match_ok, already_funded)
-- @test project_code: relationships(intermediate.project_years.project_code)
-- @test total_area_m2: range(0, )
-- @assert first_year_only: SELECT s.year, s.project_code, py.year AS earlier_year
--   FROM marts.site_subsidies s
--   JOIN intermediate.project_years py ON py.project_code = s.project_code AND py.year < s.year
-- @assert within_city_total_max: SELECT s.year, s.project_code, s.city_total FROM marts.site_subsidies s
--   CROSS JOIN staging.params p WHERE s.city_total > p.site_city_total_max
-- @assert funded_once: SELECT year, project_code, city_total, required_match, match_ok FROM marts.site_subsidies
--   WHERE already_funded AND (renovation_city <> 0 OR equipment_city <> 0 OR operations_city <> 0
--   OR city_total <> 0 OR required_match <> 0 OR NOT match_ok)
WITH first_years AS (
    SELECT project_code, min(year) AS year
    FROM intermediate.project_years
    GROUP BY project_code
),
sites AS (
    SELECT py.year, py.project_code, py.district, py.contract_amount, py.local_funding
    FROM intermediate.project_years py
    JOIN first_years fy ON fy.project_code = py.project_code AND fy.year = py.year
    WHERE py.project_type = 'comprehensive_centre'
),
site_communities AS (
    SELECT s.year, s.project_code, pc.community_code
    FROM sites s
    JOIN staging.project_communities pc ON pc.year = s.year AND pc.project_code = s.project_code
),
areas AS (
    SELECT sc.year, sc.project_code,
           string_agg(sc.community_code, ',' ORDER BY sc.community_code) AS community_codes,
           CAST(coalesce(sum(fa.total_area_m2), 0) AS DECIMAL(18,2)) AS total_area_m2
    FROM site_communities sc
    LEFT JOIN marts.facility_compliance fa ON fa.year = sc.year AND fa.community_code = sc.community_code
    GROUP BY sc.year, sc.project_code
),
-- A community listed by a comprehensive_centre row of an earlier year (funded or not).
funded_before AS (
    SELECT DISTINCT sc.project_code
    FROM site_communities sc
    JOIN staging.project_communities pc ON pc.community_code = sc.community_code AND pc.year < sc.year
    JOIN intermediate.project_years py ON py.year = pc.year AND py.project_code = pc.project_code
    WHERE py.project_type = 'comprehensive_centre'
),
amounts AS (
    SELECT s.year, s.project_code, s.district, s.local_funding,
           coalesce(a.community_codes, '') AS community_codes,
           coalesce(a.total_area_m2, 0) AS total_area_m2,
           fb.project_code IS NOT NULL AS already_funded,
           least(coalesce(a.total_area_m2, 0), p.site_renovation_area_max_m2) AS area,
           CAST(p.site_renovation_city_share * p.site_renovation_rate
                * least(coalesce(a.total_area_m2, 0), p.site_renovation_area_max_m2) AS DECIMAL(38,12)) AS renovation,
           CAST(p.site_equipment_city AS DECIMAL(38,12)) AS equipment,
           CAST(least(p.site_operations_city_max, s.contract_amount) AS DECIMAL(38,12)) AS operations
    FROM sites s
    LEFT JOIN areas a ON a.year = s.year AND a.project_code = s.project_code
    LEFT JOIN funded_before fb ON fb.project_code = s.project_code
    CROSS JOIN staging.params p
),
funded AS (
    SELECT a.year, a.project_code, a.district, a.community_codes, a.total_area_m2, a.area,
           a.local_funding, a.already_funded,
           CASE WHEN a.already_funded THEN CAST(0 AS DECIMAL(38,12)) ELSE a.renovation END AS renovation,
           CASE WHEN a.already_funded THEN CAST(0 AS DECIMAL(38,12)) ELSE a.equipment END AS equipment,
           CASE WHEN a.already_funded THEN CAST(0 AS DECIMAL(38,12)) ELSE a.operations END AS operations,
           CASE WHEN a.already_funded THEN CAST(0 AS DECIMAL(38,12))
                ELSE CAST(least(p.site_city_total_max, a.renovation + a.equipment + a.operations) AS DECIMAL(38,12))
           END AS city_total
    FROM amounts a
    CROSS JOIN staging.params p
),
matched AS (
    SELECT f.*, CAST(p.local_match_share_min * f.city_total AS DECIMAL(38,12)) AS required
    FROM funded f
    CROSS JOIN staging.params p
)
SELECT m.year, m.project_code, m.district, m.community_codes, m.total_area_m2,
       CAST(m.area AS DECIMAL(18,2)) AS subsidised_area_m2,
       CAST(m.renovation AS DECIMAL(18,2)) AS renovation_city,
       CAST(m.equipment AS DECIMAL(18,2)) AS equipment_city,
       CAST(m.operations AS DECIMAL(18,2)) AS operations_city,
       CAST(m.city_total AS DECIMAL(18,2)) AS city_total,
       CAST(m.required AS DECIMAL(18,2)) AS required_match,
       CAST(m.local_funding AS DECIMAL(18,2)) AS local_match,
       m.local_funding >= m.required AS match_ok,
       m.already_funded
FROM matched m
