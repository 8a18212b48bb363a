-- Each project's contract against its funding standard, cost per worker
-- (marts.project_costs) and how the funding was spent (marts.fund_use),
-- with the surplus carried in from the year before (seed 000 §7(1)).
-- surplus_ok is false when the project overspent: spent more than its
-- contract and what it carried in.
SELECT c.year, c.district, c.project_code, py.project_name,
       c.contract_amount, c.standard_amount, c.within_standard,
       c.full_time_staff, c.cost_per_worker,
       f.carried_in, f.spent_total, f.staff_pay, f.staff_share, f.staff_share_ok,
       f.operations_share, f.operations_share_ok, f.management_tax_share,
       f.surplus, NOT f.overspent AS surplus_ok
FROM marts.project_costs c
LEFT JOIN marts.fund_use f ON f.year = c.year AND f.project_code = c.project_code
LEFT JOIN intermediate.project_years py ON py.year = c.year AND py.project_code = c.project_code
