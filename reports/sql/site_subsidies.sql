-- City subsidies of the community comprehensive service centre sites
-- (marts.site_subsidies): one row per site, in its first contract year,
-- with the project's name and the names of the communities it covers. A
-- site whose community an earlier centre covered is already funded: no
-- city money again (seed 004 annex 2 §4(一)).
SELECT s.year, s.district, s.project_code, py.project_name, s.community_codes,
       (SELECT string_agg(c.community_name, '、' ORDER BY c.community_code)
        FROM staging.project_communities pc
        JOIN intermediate.community_years c ON c.year = pc.year AND c.community_code = pc.community_code
        WHERE pc.year = s.year AND pc.project_code = s.project_code) AS community_names,
       s.total_area_m2, s.subsidised_area_m2, s.renovation_city, s.equipment_city, s.operations_city,
       s.city_total, s.required_match, s.local_match, s.match_ok, s.already_funded
FROM marts.site_subsidies s
LEFT JOIN intermediate.project_years py ON py.year = s.year AND py.project_code = s.project_code
