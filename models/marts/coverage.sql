-- @materialized: table
-- @description: How far purchased services cover each district's communities (DOMAIN §6,
--   seed 003 §2): one row per year, district and urban/rural type that has roster communities.
--   The target comparison and the shortfall are computed in DECIMAL, so a coverage of exactly
--   the target meets it.
-- @tags: coverage, planning
-- @column year: year
-- @column district: district
-- @column urban_rural: urban or rural
-- @column communities: roster communities of that year, district and type
-- @column covered: of them, listed in community_codes of at least one project of the same year
-- @column coverage_rate: covered / communities
-- @column target_rate: coverage_target_urban or coverage_target_rural
-- @column meets_target: coverage_rate ≥ target_rate
-- @column shortfall: max(0, ⌈target_rate × communities⌉ − covered): communities still to cover
-- @test: unique(year, district, urban_rural)
-- @test: not_null(year, district, urban_rural, communities, covered, coverage_rate, target_rate, meets_target, shortfall)
-- @test urban_rural: accepted_values(urban|rural)
-- @test coverage_rate: range(0, 1)
-- @test target_rate: range(0, 1)
-- @test shortfall: range(0, )
-- @assert covered_within_communities: SELECT year, district, urban_rural FROM marts.coverage WHERE covered > communities
WITH groups AS (
    SELECT year, district, urban_rural,
           count(*) AS communities,
           count(CASE WHEN covered THEN 1 END) AS covered
    FROM intermediate.community_years
    GROUP BY year, district, urban_rural
),
targets AS (
    SELECT g.*,
           CASE g.urban_rural
                WHEN 'urban' THEN p.coverage_target_urban
                WHEN 'rural' THEN p.coverage_target_rural
           END AS target
    FROM groups g
    CROSS JOIN staging.params p
)
SELECT year, district, urban_rural, communities, covered,
       CAST(covered AS DOUBLE PRECISION) / communities AS coverage_rate,
       CAST(target AS DOUBLE PRECISION) AS target_rate,
       covered >= target * communities AS meets_target,
       CAST(greatest(ceil(target * communities) - covered, 0) AS BIGINT) AS shortfall
FROM targets
