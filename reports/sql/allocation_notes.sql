-- The notes printed under the allocation table: how the allocation was
-- computed, with the policy in force and its sources. One row per note.
WITH years AS (SELECT DISTINCT year FROM marts.city_rewards),
rate AS (
    SELECT y.year, r.rate, r.source
    FROM years y
    LEFT JOIN policy.reward_rates r ON y.year >= r.year_from AND (r.year_to IS NULL OR y.year <= r.year_to)
),
pass AS (SELECT CAST(value AS INTEGER) AS stars, source FROM policy.parameters WHERE name = 'evaluation_pass_stars'),
budget AS (
    SELECT y.year, b.budget, b.source, sum(c.entitlement) AS entitled
    FROM years y
    LEFT JOIN policy.reward_budget b ON b.year = y.year
    LEFT JOIN marts.city_rewards c ON c.year = y.year
    GROUP BY y.year, b.budget, b.source
)
SELECT r.year, 1 AS seq,
       '奖励比例：' || CAST(r.year AS VARCHAR) || '年度为 ' || format('{:g}', CAST(r.rate * 100 AS DOUBLE)) || '%（依据：' || r.source || '）。' AS note
FROM rate r
UNION ALL
SELECT y.year, 2,
       '计奖项目：本年度年度评估合格（' || CAST(p.stars AS VARCHAR) || ' 星及以上，依据：' || p.source || '）的项目；计奖支出为各项目区级资金与街道资金之和，以该项目经费标准为上限。'
FROM years y CROSS JOIN pass p
UNION ALL
SELECT b.year, 3,
       CASE WHEN b.budget IS NULL
            THEN '预算：本年度未设预算上限，各区按应得奖励全额分配（调整系数为 1）。'
            WHEN b.budget >= b.entitled
            THEN '预算：' || CAST(b.budget AS VARCHAR) || ' 元（依据：' || b.source || '），不低于应得奖励合计，不调整。'
            ELSE '预算：' || CAST(b.budget AS VARCHAR) || ' 元（依据：' || b.source || '），低于应得奖励合计 ' || CAST(b.entitled AS VARCHAR) || ' 元，各区按调整系数 = 预算 ÷ 应得奖励合计 同比例调整。'
       END
FROM budget b
UNION ALL
SELECT y.year, 4, '分配金额 = 应得奖励 × 调整系数，四舍五入到分；各项目明细与每一步的公式见“计算过程”。'
FROM years y
