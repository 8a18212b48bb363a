-- The policy parameters the city reward rule applies in a year, with
-- their sources, for the calculation sheet: the reward rate, the budget,
-- the pass mark of the annual evaluation and the funding standard.
-- number is the value the formulas use; text is how it reads.
WITH years AS (SELECT DISTINCT year FROM marts.city_rewards),
param AS (SELECT name, value, unit, source FROM policy.parameters)
SELECT y.year, 1 AS seq, 'reward_rate' AS parameter, '奖励比例' AS label,
       CAST(r.rate AS DECIMAL(18,6)) AS number,
       format('{:g}', CAST(r.rate * 100 AS DOUBLE)) || '%' AS value,
       r.source || coalesce('；' || nullif(r.note, ''), '') AS source
FROM years y
LEFT JOIN policy.reward_rates r ON y.year >= r.year_from AND (r.year_to IS NULL OR y.year <= r.year_to)
UNION ALL
SELECT y.year, 2, 'reward_budget', '年度预算（元）',
       CAST(b.budget AS DECIMAL(18,6)),
       CASE WHEN b.budget IS NULL THEN '未设预算（不调整）' ELSE CAST(b.budget AS VARCHAR) END,
       coalesce(b.source, '政策未设本年度预算')
FROM years y
LEFT JOIN policy.reward_budget b ON b.year = y.year
UNION ALL
SELECT y.year, 3, 'evaluation_pass_stars', '年度评估合格所需星级',
       CAST(p.value AS DECIMAL(18,6)), CAST(CAST(p.value AS INTEGER) AS VARCHAR) || ' 星及以上', p.source
FROM years y CROSS JOIN param p WHERE p.name = 'evaluation_pass_stars'
UNION ALL
SELECT y.year, 4, 'star_band_' || CAST(s.stars AS VARCHAR), s.label_zh,
       CAST(s.min_score AS DECIMAL(18,6)),
       concat_ws('，', format('{:g}', CAST(s.min_score AS DOUBLE)) || ' 分及以上',
                       '低于 ' || format('{:g}', CAST(s.max_score_exclusive AS DOUBLE)) || ' 分'),
       s.source
FROM years y CROSS JOIN policy.star_bands s
UNION ALL
SELECT y.year, 5, p.name,
       CASE p.name WHEN 'base_standard_amount' THEN '经费标准（基本）（元）'
                   WHEN 'extra_social_worker_cost' THEN '大型社区增配社工（元/人）'
                   ELSE '大型社区增配其他人员（元/人）' END,
       CAST(p.value AS DECIMAL(18,6)), CAST(CAST(p.value AS DECIMAL(18,2)) AS VARCHAR), p.source
FROM years y CROSS JOIN param p
WHERE p.name IN ('base_standard_amount', 'extra_social_worker_cost', 'extra_assistant_cost')
