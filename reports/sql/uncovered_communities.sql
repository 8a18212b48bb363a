-- The communities no purchased service covers (intermediate.community_years,
-- covered false), by name: one row per year, district and kind (urban,
-- rural), the names grouped by street, for the 未覆盖社区 sheet. Every
-- uncovered urban community is short of the 100 % target; a rural one only
-- while the district is below its rural target (marts.coverage).
WITH u AS (
    SELECT year, district, urban_rural, street,
           count(*) AS n,
           string_agg(community_name, '、' ORDER BY community_code) AS names
    FROM intermediate.community_years
    WHERE NOT covered
    GROUP BY ALL
)
SELECT u.year, u.district, u.urban_rural,
       CASE u.urban_rural WHEN 'urban' THEN 1 ELSE 2 END AS kind_seq,
       sum(u.n) AS uncovered,
       c.communities,
       c.shortfall,
       NOT c.meets_target AS below_target,
       string_agg(u.street || '：' || u.names, '；' ORDER BY u.street) AS communities_by_street
FROM u
LEFT JOIN marts.coverage c ON c.year = u.year AND c.district = u.district AND c.urban_rural = u.urban_rural
GROUP BY u.year, u.district, u.urban_rural, c.communities, c.shortfall, c.meets_target
