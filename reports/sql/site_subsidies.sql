-- City subsidies of community comprehensive service centres
-- (marts.site_subsidies) with the community's district and name.
SELECT s.year, c.district, s.community_code, c.community_name, s.project_code,
       s.subsidised_area_m2, s.renovation_city, s.equipment_city, s.operations_city,
       s.city_total, s.required_match, s.local_match, s.match_ok
FROM marts.site_subsidies s
LEFT JOIN intermediate.community_years c ON c.year = s.year AND c.community_code = s.community_code
