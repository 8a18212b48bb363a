-- Payment tranches of socialised projects (marts.payments) with the
-- project's district and name, in the order of policy.tranches.
SELECT p.year, py.district, p.project_code, py.project_name, p.tranche, t.seq AS tranche_seq,
       p.share, p.amount, p.due,
       CASE WHEN p.due THEN p.amount ELSE 0 END AS amount_due
FROM marts.payments p
LEFT JOIN intermediate.project_years py ON py.year = p.year AND py.project_code = p.project_code
LEFT JOIN policy.tranches t ON t.tranche = p.tranche
