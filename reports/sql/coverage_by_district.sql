-- Coverage by district (marts.coverage), urban and rural side by side, with
-- the year before's rate: one row per year and district, for the 覆盖率
-- sheet and its chart. A district without rural (or urban) communities has
-- blanks on that side; the year before is blank in a district's first year.
WITH d AS (
    SELECT year, district,
           max(CASE WHEN urban_rural = 'urban' THEN communities END)   AS urban_communities,
           max(CASE WHEN urban_rural = 'urban' THEN covered END)       AS urban_covered,
           max(CASE WHEN urban_rural = 'urban' THEN coverage_rate END) AS urban_rate,
           max(CASE WHEN urban_rural = 'urban' THEN target_rate END)   AS urban_target,
           bool_and(CASE WHEN urban_rural = 'urban' THEN meets_target END) AS urban_meets,
           max(CASE WHEN urban_rural = 'urban' THEN shortfall END)     AS urban_shortfall,
           max(CASE WHEN urban_rural = 'rural' THEN communities END)   AS rural_communities,
           max(CASE WHEN urban_rural = 'rural' THEN covered END)       AS rural_covered,
           max(CASE WHEN urban_rural = 'rural' THEN coverage_rate END) AS rural_rate,
           max(CASE WHEN urban_rural = 'rural' THEN target_rate END)   AS rural_target,
           bool_and(CASE WHEN urban_rural = 'rural' THEN meets_target END) AS rural_meets,
           max(CASE WHEN urban_rural = 'rural' THEN shortfall END)     AS rural_shortfall
    FROM marts.coverage
    GROUP BY year, district
)
SELECT d.*,
       p.urban_rate AS urban_rate_prev, p.urban_covered AS urban_covered_prev, p.urban_communities AS urban_communities_prev,
       p.rural_rate AS rural_rate_prev, p.rural_covered AS rural_covered_prev, p.rural_communities AS rural_communities_prev
FROM d
LEFT JOIN d p ON p.year = d.year - 1 AND p.district = d.district
