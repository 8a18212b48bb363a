-- The policy in force in a year, as a planner reads it: every parameter
-- by its Chinese name, with its value in its unit and its source (cited
-- by title and 文号 when the report is written), then the year's reward
-- rate and budget, the star bands and the payment tranches. One row per
-- item, in the order of the policy's chapters. The tolerance the models
-- compare scores with is no policy and is left out.
WITH years AS (SELECT DISTINCT year FROM marts.data_quality),
labels(name, seq, label, unit, kind) AS (VALUES
    ('coverage_target_urban', 10, '城市社区覆盖目标', '', 'percent'),
    ('coverage_target_rural', 11, '农村社区覆盖目标', '', 'percent'),
    ('base_standard_amount', 20, '项目经费标准（基本配置）', '元/年', 'yuan'),
    ('base_team_full_time_staff', 21, '基本配置全职人员', '名', 'number'),
    ('base_team_social_workers', 22, '基本配置注册社工', '名', 'number'),
    ('large_community_population_min', 23, '大型社区常住人口（不少于）', '人', 'number'),
    ('large_community_area_km2_min', 24, '大型社区面积（不小于）', '平方公里', 'number'),
    ('large_extra_staff_max', 25, '大型社区增配全职人员（至多）', '名', 'number'),
    ('large_extra_social_workers_max', 26, '大型社区增配社工（至多）', '名', 'number'),
    ('extra_social_worker_cost', 27, '增配社工经费', '元/人/年', 'yuan'),
    ('extra_assistant_cost', 28, '增配其他人员经费', '元/人/年', 'yuan'),
    ('staffing_min_full_time', 30, '全职人员（不少于）', '名', 'number'),
    ('staffing_min_full_time_large', 31, '服务大型社区的项目全职人员（不少于）', '名', 'number'),
    ('staffing_min_registered_sw', 32, '注册社工（不少于）', '名', 'number'),
    ('staffing_min_party_members', 33, '党员（不少于）', '名', 'number'),
    ('staff_pay_share_min', 40, '人员薪酬占税后经费（不低于）', '', 'percent'),
    ('operations_share_min', 41, '办公场地与服务运作经费占比（不低于）', '', 'percent'),
    ('mix_basic_items_min', 50, '基础服务大项（不少于）', '项', 'number'),
    ('mix_basic_sub_items_min', 51, '基础服务细项（不少于）', '项', 'number'),
    ('mix_featured_items_min', 52, '特色服务（不少于）', '项', 'number'),
    ('mix_external_sub_items_min', 53, '外部合作细项（不少于）', '项', 'number'),
    ('service_days_min_per_month', 54, '每月服务天数（不少于）', '天', 'number'),
    ('eval_indicator_weight', 60, '评估指标得分权重', '', 'percent'),
    ('eval_participation_points', 61, '参与度得分满分', '分', 'number'),
    ('eval_satisfaction_points', 62, '满意度得分满分', '分', 'number'),
    ('participation_full_mark_rate', 63, '参与度得满分的参与率（不低于）', '', 'percent'),
    ('evaluation_pass_stars', 64, '年度评估合格星级（不低于）', '星', 'number'),
    ('centre_area_min_m2', 70, '社区综合服务中心功能室总面积（不少于）', '平方米', 'number'),
    ('centre_optional_rooms_share_min', 71, '可选功能室达标比例（不低于）', '', 'percent'),
    ('centre_expansion_rooms_min', 72, '拓展功能室（不少于）', '个', 'number'),
    ('site_renovation_rate', 80, '示范点装修补贴标准', '元/平方米', 'yuan'),
    ('site_renovation_area_max_m2', 81, '示范点装修补贴面积（至多）', '平方米', 'number'),
    ('site_renovation_city_share', 82, '装修费用市级承担比例', '', 'percent'),
    ('site_equipment_city', 83, '示范点设备补贴', '元', 'yuan'),
    ('site_operations_city_max', 84, '示范点运营补贴（至多）', '元/年', 'yuan'),
    ('site_city_total_max', 85, '示范点市级补贴合计（至多）', '元', 'yuan'),
    ('local_match_share_min', 86, '区、街道配套占市级补贴（不低于）', '', 'percent'),
    ('contract_term_years', 90, '服务合同期限', '年', 'number'),
    ('contract_renewals_max', 91, '期满后延期（至多）', '次', 'number'),
    ('contract_renewal_years', 92, '每次延期', '年', 'number'),
    ('contract_renewal_min_score', 93, '延期所需评估总分（不低于）', '分', 'number')
),
params AS (
    SELECT p.name, coalesce(l.seq, 99) AS seq, coalesce(l.label, p.name) AS label,
           CASE l.kind
               WHEN 'percent' THEN format('{:g}', CAST(p.value * 100 AS DOUBLE)) || '%'
               WHEN 'yuan' THEN format('{:,.0f}', CAST(p.value AS DOUBLE)) || ' ' || l.unit
               ELSE format('{:g}', CAST(p.value AS DOUBLE)) || coalesce(' ' || nullif(l.unit, ''), '')
           END AS value,
           p.source
    FROM policy.parameters p
    LEFT JOIN labels l ON l.name = p.name
    WHERE p.name <> 'score_tolerance'
)
SELECT y.year, p.seq, p.label, p.value, p.source FROM years y CROSS JOIN params p
UNION ALL
SELECT y.year, 100, '市级奖励比例（' || CAST(y.year AS VARCHAR) || '年度）',
       format('{:g}', CAST(r.rate * 100 AS DOUBLE)) || '%', r.source
FROM years y
JOIN policy.reward_rates r ON y.year >= r.year_from AND (r.year_to IS NULL OR y.year <= r.year_to)
UNION ALL
SELECT y.year, 101, '市级奖励资金预算（' || CAST(y.year AS VARCHAR) || '年度）',
       coalesce(format('{:,.2f}', CAST(b.budget AS DOUBLE)) || ' 元', '未设预算，各区按应得奖励全额分配'),
       coalesce(b.source, '')
FROM years y
LEFT JOIN policy.reward_budget b ON b.year = y.year
UNION ALL
SELECT y.year, 110 + (5 - s.stars), '评估星级：' || s.label_zh,
       concat_ws('，', format('{:g}', CAST(s.min_score AS DOUBLE)) || ' 分及以上',
                       '低于 ' || format('{:g}', CAST(s.max_score_exclusive AS DOUBLE)) || ' 分'),
       s.source
FROM years y CROSS JOIN policy.star_bands s
UNION ALL
SELECT y.year, 120 + t.seq, '分期拨付：' || CASE t.tranche WHEN 'signing' THEN '签约后' WHEN 'mid' THEN '中期评估合格后' WHEN 'annual' THEN '年度评估合格后' ELSE t.tranche END,
       format('{:g}', CAST(t.share * 100 AS DOUBLE)) || '%', t.source
FROM years y CROSS JOIN policy.tranches t
