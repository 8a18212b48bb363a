-- How many projects and centres of each district break each rule of the
-- policy, one row per year and district: staffing (marts.staffing), the
-- "5+1+2" service mix and the service days (marts.service_mix), the
-- centres' rooms (marts.facility_compliance), and centres newly awarded to
-- a provider disqualified from running them (marts.provider_standing,
-- seed 004 annex 1 §5(二)). The projects are listed in 社区服务项目明细.
WITH districts AS (SELECT DISTINCT year, district FROM marts.data_quality),
staff AS (
    SELECT year, district, count(*) AS projects, count(*) FILTER (WHERE NOT compliant) AS staffing_short
    FROM marts.staffing GROUP BY ALL
),
mix AS (
    SELECT m.year, py.district,
           count(*) FILTER (WHERE NOT m.meets_5_1_2) AS mix_short,
           count(*) FILTER (WHERE m.months_below_min_days > 0) AS days_short
    FROM marts.service_mix m
    JOIN intermediate.project_years py ON py.year = m.year AND py.project_code = m.project_code
    GROUP BY ALL
),
rooms AS (
    SELECT f.year, c.district, count(*) AS centres, count(*) FILTER (WHERE NOT f.compliant) AS rooms_short
    FROM marts.facility_compliance f
    JOIN intermediate.community_years c ON c.year = f.year AND c.community_code = f.community_code
    GROUP BY ALL
),
awards AS (
    SELECT pr.year, pr.district, count(*) AS awarded_while_disqualified
    FROM staging.projects pr
    JOIN marts.provider_standing ps ON ps.year = pr.year AND ps.provider_credit_code = pr.provider_credit_code
    WHERE pr.project_type = 'comprehensive_centre' AND ps.disqualified
      AND pr.year = (SELECT min(p2.year) FROM staging.projects p2 WHERE p2.project_code = pr.project_code)
    GROUP BY ALL
)
SELECT d.year, d.district,
       coalesce(s.projects, 0) AS projects,
       coalesce(s.staffing_short, 0) AS staffing_short,
       coalesce(m.mix_short, 0) AS mix_short,
       coalesce(m.days_short, 0) AS days_short,
       coalesce(r.centres, 0) AS centres,
       coalesce(r.rooms_short, 0) AS rooms_short,
       coalesce(a.awarded_while_disqualified, 0) AS awarded_while_disqualified,
       coalesce(s.staffing_short, 0) = 0 AS staffing_ok,
       coalesce(m.mix_short, 0) = 0 AS mix_ok,
       coalesce(m.days_short, 0) = 0 AS days_ok,
       coalesce(r.rooms_short, 0) = 0 AS rooms_ok,
       coalesce(a.awarded_while_disqualified, 0) = 0 AS awards_ok
FROM districts d
LEFT JOIN staff s ON s.year = d.year AND s.district = d.district
LEFT JOIN mix m ON m.year = d.year AND m.district = d.district
LEFT JOIN rooms r ON r.year = d.year AND r.district = d.district
LEFT JOIN awards a ON a.year = d.year AND a.district = d.district
