-- City money other than the reward, by district: the community service
-- centre sites subsidised in their first year (marts.site_subsidies; a
-- site already funded gets nothing again, seed 004 annex 2 §4(一)) with
-- the local match they need, and the socialised projects' tranches
-- (marts.payments): what is agreed and what may be paid now.
WITH districts AS (SELECT DISTINCT year, district FROM marts.data_quality),
sites AS (
    SELECT year, district,
           count(*) FILTER (WHERE NOT already_funded) AS sites,
           count(*) FILTER (WHERE already_funded) AS already_funded,
           sum(city_total) AS city_total,
           sum(required_match) AS required_match,
           sum(local_match) AS local_match,
           count(*) FILTER (WHERE NOT match_ok) AS match_short
    FROM marts.site_subsidies
    GROUP BY year, district
),
pay AS (
    SELECT p.year, py.district,
           count(DISTINCT p.project_code) AS paid_projects,
           sum(p.amount) AS tranches_total,
           sum(CASE WHEN p.due THEN p.amount ELSE 0 END) AS amount_due,
           sum(CASE WHEN p.due THEN 0 ELSE p.amount END) AS amount_waiting
    FROM marts.payments p
    JOIN intermediate.project_years py ON py.year = p.year AND py.project_code = p.project_code
    GROUP BY p.year, py.district
)
SELECT d.year, d.district,
       coalesce(s.sites, 0) AS sites, coalesce(s.already_funded, 0) AS already_funded,
       coalesce(s.city_total, 0) AS city_total, coalesce(s.required_match, 0) AS required_match,
       coalesce(s.local_match, 0) AS local_match, coalesce(s.match_short, 0) AS match_short,
       coalesce(s.match_short, 0) = 0 AS match_ok,
       coalesce(p.paid_projects, 0) AS paid_projects,
       coalesce(p.tranches_total, 0) AS tranches_total,
       coalesce(p.amount_due, 0) AS amount_due,
       coalesce(p.amount_waiting, 0) AS amount_waiting
FROM districts d
LEFT JOIN sites s ON s.year = d.year AND s.district = d.district
LEFT JOIN pay p ON p.year = d.year AND p.district = d.district
