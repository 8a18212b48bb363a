-- @materialized: table
-- @description: Each roster community of each year with the facts the marts share: whether it
--   is a large community (seed 000 §2(1): resident population and area at or above the
--   thresholds; a blank area is not large) and whether a project of that year covers it.
-- @tags: roster
-- @column year: roster year
-- @column district: district
-- @column street: street or town
-- @column community_code: community code
-- @column community_name: community name
-- @column urban_rural: urban or rural
-- @column resident_population: resident population
-- @column area_km2: area in km² (NULL when not given)
-- @column large_community: resident_population ≥ large_community_population_min and area_km2 ≥ large_community_area_km2_min
-- @column covered: listed in community_codes of at least one project of the same year
-- @column submission_id: submission of the roster row
-- @test: unique(year, community_code)
-- @test: not_null(year, district, community_code, urban_rural, large_community, covered)
SELECT c.year, c.district, c.street, c.community_code, c.community_name, c.urban_rural,
       c.resident_population, c.area_km2,
       (c.resident_population >= p.large_community_population_min
        AND c.area_km2 IS NOT NULL
        AND c.area_km2 >= p.large_community_area_km2_min) AS large_community,
       EXISTS (
           SELECT 1
           FROM staging.project_communities pc
           JOIN staging.projects pr ON pr.year = pc.year AND pr.project_code = pc.project_code
           WHERE pc.year = c.year AND pc.community_code = c.community_code
       ) AS covered,
       c.submission_id
FROM staging.communities c
CROSS JOIN staging.params p
