-- @materialized: table
-- @description: Whether each community service centre meets the room standard (DOMAIN §6,
--   seed 004 annex 1 §4(一)): one row per community with facility rows that year. Catalogue rooms
--   count when present with at least their minimum area (a room listed twice counts once, by its
--   largest area); rooms outside the catalogue are expansion rooms.
-- @tags: facilities
-- @column year: year
-- @column community_code: community of the centre
-- @column total_area_m2: Σ area of every room row, m²
-- @column required_rooms_ok: required catalogue rooms present with their minimum area
-- @column optional_rooms_ok: optional catalogue rooms present with their minimum area
-- @column expansion_rooms: distinct rooms not in the catalogue
-- @column compliant: total_area_m2 ≥ centre_area_min_m2, every required room ok, optional_rooms_ok ≥ centre_optional_rooms_share_min × optional rooms of the catalogue, expansion_rooms ≥ centre_expansion_rooms_min
-- @test: unique(year, community_code)
-- @test: not_null(year, community_code, total_area_m2, required_rooms_ok, optional_rooms_ok, expansion_rooms, compliant)
-- @test total_area_m2: range(0, )
WITH totals AS (
    SELECT year, community_code, CAST(coalesce(sum(area_m2), 0) AS DECIMAL(18,2)) AS total_area_m2
    FROM staging.facilities
    GROUP BY year, community_code
),
rooms AS (
    SELECT year, community_code,
           count(CASE WHEN required AND meets_min_area THEN 1 END) AS required_rooms_ok,
           count(CASE WHEN NOT required AND meets_min_area THEN 1 END) AS optional_rooms_ok,
           count(CASE WHEN NOT in_catalogue THEN 1 END) AS expansion_rooms
    FROM intermediate.facility_rooms
    GROUP BY year, community_code
),
catalogue AS (
    SELECT count(CASE WHEN required THEN 1 END) AS required_rooms,
           count(CASE WHEN NOT required THEN 1 END) AS optional_rooms
    FROM policy.rooms
)
SELECT t.year, t.community_code, t.total_area_m2,
       r.required_rooms_ok, r.optional_rooms_ok, r.expansion_rooms,
       t.total_area_m2 >= p.centre_area_min_m2
         AND r.required_rooms_ok >= c.required_rooms
         AND r.optional_rooms_ok >= p.centre_optional_rooms_share_min * c.optional_rooms
         AND r.expansion_rooms >= p.centre_expansion_rooms_min AS compliant
FROM totals t
JOIN rooms r ON r.year = t.year AND r.community_code = t.community_code
CROSS JOIN catalogue c
CROSS JOIN staging.params p
