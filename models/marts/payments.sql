-- @materialized: table
-- @description: Payment tranches of socialised projects (DOMAIN §6, seed 003 §5(2)): one row per
--   socialised project, year and tranche of policy.tranches. A tranche without a condition stage
--   is due at signing; the others when that year's evaluation of that stage passed.
-- @tags: finance, evaluation
-- @column year: year
-- @column project_code: project number
-- @column tranche: signing, mid or annual
-- @column share: share of the contract amount
-- @column amount: share × contract_amount, yuan
-- @column due: the tranche may be paid
-- @test: unique(year, project_code, tranche)
-- @test: not_null(year, project_code, tranche, share, amount, due)
-- @test tranche: relationships(policy.tranches.tranche)
SELECT py.year, py.project_code, t.tranche,
       CAST(t.share AS DOUBLE PRECISION) AS share,
       CAST(t.share * py.contract_amount AS DECIMAL(18,2)) AS amount,
       CASE WHEN t.condition_stage IS NULL THEN TRUE ELSE coalesce(es.passed, FALSE) END AS due
FROM intermediate.project_years py
CROSS JOIN policy.tranches t
LEFT JOIN marts.evaluation_scores es
       ON es.year = py.year AND es.project_code = py.project_code AND es.stage = t.condition_stage
WHERE py.project_type = 'socialised'
