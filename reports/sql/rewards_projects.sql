-- Every project of the year with what the city reward rule reads
-- (marts.city_rewards, DOMAIN.md §6): its annual evaluation (a project is
-- eligible when it passed), its district and street funding, and its
-- funding standard, the cap of the spending that counts.
SELECT py.year, py.district, py.project_code, py.project_name,
       es.total_score AS annual_score, es.stars AS annual_stars,
       coalesce(es.passed, FALSE) AS eligible,
       coalesce(py.district_funding, 0) AS district_funding,
       coalesce(py.street_funding, 0) AS street_funding,
       py.standard_amount
FROM intermediate.project_years py
LEFT JOIN marts.evaluation_scores es
       ON es.year = py.year AND es.project_code = py.project_code AND es.stage = 'annual'
