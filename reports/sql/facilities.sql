-- Each community service centre against the room standard
-- (marts.facility_compliance), with its district, street and name and one
-- flag per rule of the policy.
WITH catalogue AS (
    SELECT count(CASE WHEN required THEN 1 END) AS required_rooms,
           count(CASE WHEN NOT required THEN 1 END) AS optional_rooms
    FROM policy.rooms
)
SELECT f.year, c.district, c.street, f.community_code, c.community_name,
       f.total_area_m2, f.total_area_m2 >= p.centre_area_min_m2 AS area_ok,
       f.required_rooms_ok, f.required_rooms_ok >= k.required_rooms AS required_ok,
       f.optional_rooms_ok, f.optional_rooms_ok >= p.centre_optional_rooms_share_min * k.optional_rooms AS optional_ok,
       f.expansion_rooms, f.expansion_rooms >= p.centre_expansion_rooms_min AS expansion_ok,
       f.compliant
FROM marts.facility_compliance f
LEFT JOIN intermediate.community_years c ON c.year = f.year AND c.community_code = f.community_code
CROSS JOIN catalogue k
CROSS JOIN staging.params p
