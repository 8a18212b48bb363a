-- @materialized: view
-- @description: Each distinct room of each centre and year, by its largest area when listed more
--   than once, matched with the room catalogue (policy.rooms). A room not in the catalogue is an
--   expansion room.
-- @tags: facilities
-- @column year: year
-- @column community_code: community of the centre
-- @column room: room name
-- @column area_m2: largest area listed for the room, m²
-- @column listed: how many rows list the room
-- @column in_catalogue: the room is in policy.rooms
-- @column required: the catalogue marks it required (NULL for expansion rooms)
-- @column min_area_m2: the catalogue's minimum area (NULL for expansion rooms)
-- @column meets_min_area: a catalogue room with at least its minimum area
-- @test: unique(year, community_code, room)
SELECT f.year, f.community_code, f.room,
       max(f.area_m2) AS area_m2,
       count(*) AS listed,
       r.room IS NOT NULL AS in_catalogue,
       r.required,
       r.min_area_m2,
       coalesce(r.room IS NOT NULL AND max(f.area_m2) >= r.min_area_m2, FALSE) AS meets_min_area
FROM staging.facilities f
LEFT JOIN policy.rooms r ON r.room = f.room
GROUP BY f.year, f.community_code, f.room, r.room, r.required, r.min_area_m2
