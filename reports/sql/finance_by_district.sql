-- The projects' money by district (marts.project_costs and marts.fund_use):
-- contracts (and the year before's), standards, surplus carried in,
-- spending and what is left, and how many projects break each rule of the
-- funding standard (seed 000 §2(1), §7(1)).
WITH d AS (
    SELECT c.year, c.district,
           count(*) AS projects,
           sum(c.contract_amount) AS contract_amount,
           sum(c.standard_amount) AS standard_amount,
           sum(f.carried_in) AS carried_in,
           sum(f.spent_total) AS spent_total,
           sum(f.surplus) AS surplus,
           count(*) FILTER (WHERE NOT c.within_standard) AS over_standard,
           count(*) FILTER (WHERE f.overspent) AS overspent,
           count(*) FILTER (WHERE NOT f.staff_share_ok) AS staff_share_low,
           count(*) FILTER (WHERE NOT f.operations_share_ok) AS operations_share_low
    FROM marts.project_costs c
    LEFT JOIN marts.fund_use f ON f.year = c.year AND f.project_code = c.project_code
    GROUP BY c.year, c.district
)
SELECT d.*, p.contract_amount AS contract_amount_prev, p.spent_total AS spent_total_prev,
       d.over_standard = 0 AS none_over_standard, d.overspent = 0 AS none_overspent,
       d.staff_share_low = 0 AS none_staff_share_low, d.operations_share_low = 0 AS none_operations_share_low
FROM d
LEFT JOIN d p ON p.year = d.year - 1 AND p.district = d.district
