-- The year's findings in a few sentences, for the first page of the
-- annual report: the city's coverage against its targets with the
-- communities still uncovered, the annual evaluations' stars, the money,
-- the rules most broken, and each district in one sentence; each figure
-- beside the year before's. A district's report has its own sentence (the
-- city's have no district).
WITH
cov AS (
    SELECT year, urban_rural, sum(communities) AS communities, sum(covered) AS covered,
           max(target_rate) AS target,
           count(*) FILTER (WHERE meets_target) AS districts_meeting,
           count(*) AS districts,
           string_agg(CASE WHEN NOT meets_target THEN district || '（' || format('{:.1f}%', coverage_rate * 100) || '）' END, '、' ORDER BY district) AS below
    FROM marts.coverage GROUP BY ALL
),
cov2 AS (
    SELECT c.*, c.covered / nullif(c.communities, 0) AS rate, p.covered / nullif(p.communities, 0) AS rate_prev
    FROM cov c LEFT JOIN cov p ON p.year = c.year - 1 AND p.urban_rural = c.urban_rural
),
ev AS (
    SELECT py.year,
           count(*) AS projects, count(e.project_code) AS evaluated,
           count(*) FILTER (WHERE e.stars = 5) AS five, count(*) FILTER (WHERE e.stars = 4) AS four,
           count(*) FILTER (WHERE e.stars = 3) AS three, count(*) FILTER (WHERE NOT e.passed) AS failed
    FROM intermediate.project_years py
    LEFT JOIN marts.evaluation_scores e ON e.year = py.year AND e.project_code = py.project_code AND e.stage = 'annual'
    GROUP BY py.year
),
ev2 AS (SELECT e.*, p.failed AS failed_prev, p.five AS five_prev FROM ev e LEFT JOIN ev p ON p.year = e.year - 1),
money AS (
    SELECT c.year, sum(c.contract_amount) AS contracts, sum(f.spent_total) AS spent,
           count(*) FILTER (WHERE f.overspent) AS overspent, count(*) FILTER (WHERE NOT c.within_standard) AS over_standard
    FROM marts.project_costs c LEFT JOIN marts.fund_use f ON f.year = c.year AND f.project_code = c.project_code
    GROUP BY c.year
),
money2 AS (SELECT m.*, p.contracts AS contracts_prev FROM money m LEFT JOIN money p ON p.year = m.year - 1),
rewards AS (SELECT year, sum(allocation) AS allocation FROM marts.city_rewards GROUP BY year),
rewards2 AS (SELECT r.*, p.allocation AS allocation_prev FROM rewards r LEFT JOIN rewards p ON p.year = r.year - 1),
sites AS (
    SELECT year, count(*) FILTER (WHERE NOT already_funded) AS sites, sum(city_total) AS city_total,
           count(*) FILTER (WHERE NOT match_ok) AS match_short
    FROM marts.site_subsidies GROUP BY year
),
rules AS (
    SELECT s.year, count(*) FILTER (WHERE NOT s.compliant) AS staffing_short,
           (SELECT count(*) FROM marts.service_mix m WHERE m.year = s.year AND NOT m.meets_5_1_2) AS mix_short,
           (SELECT count(*) FROM marts.facility_compliance f WHERE f.year = s.year AND NOT f.compliant) AS rooms_short,
           (SELECT count(*) FROM marts.facility_compliance f WHERE f.year = s.year) AS centres,
           (SELECT coalesce(sum(centres_while_disqualified), 0) FROM marts.provider_standing ps WHERE ps.year = s.year) AS awarded_while_disqualified
    FROM marts.staffing s GROUP BY s.year
),
dq AS (
    SELECT year, sum(files) AS files, sum(rows_rejected) AS rejected, count(*) FILTER (WHERE kinds_missing_count > 0) AS incomplete
    FROM marts.data_quality GROUP BY year
),
city AS (
    SELECT year, 1 AS seq,
           '城市社区覆盖率 ' || format('{:.1f}%', rate * 100) || coalesce('（上年 ' || format('{:.1f}%', rate_prev * 100) || '）', '') ||
           '，目标 ' || format('{:g}%', CAST(target * 100 AS DOUBLE)) || '：' ||
           CASE WHEN districts_meeting = districts THEN '各区均已达标。'
                ELSE CAST(districts - districts_meeting AS VARCHAR) || ' 个区未达标，尚有 ' || CAST(communities - covered AS VARCHAR) || ' 个城市社区未覆盖（名单见“未覆盖社区”）。' END AS finding
    FROM cov2 WHERE urban_rural = 'urban'
    UNION ALL
    SELECT year, 2,
           '农村社区覆盖率 ' || format('{:.1f}%', rate * 100) || coalesce('（上年 ' || format('{:.1f}%', rate_prev * 100) || '）', '') ||
           '，目标 ' || format('{:g}%', CAST(target * 100 AS DOUBLE)) || '：' ||
           CASE WHEN districts_meeting = districts THEN '各区均已达标。'
                ELSE '未达标的区：' || below || '。' END
    FROM cov2 WHERE urban_rural = 'rural'
    UNION ALL
    SELECT year, 3,
           '年度评估：' || CAST(projects AS VARCHAR) || ' 个项目中 ' || CAST(evaluated AS VARCHAR) || ' 个已评估，五星 ' || CAST(five AS VARCHAR) ||
           ' 个、四星 ' || CAST(four AS VARCHAR) || ' 个、三星 ' || CAST(three AS VARCHAR) || ' 个，不合格 ' || CAST(failed AS VARCHAR) || ' 个' ||
           coalesce('（上年 ' || CAST(failed_prev AS VARCHAR) || ' 个）', '') ||
           CASE WHEN failed > 0 THEN '，不合格项目见“不合格项目”。' ELSE '。' END
    FROM ev2
    UNION ALL
    SELECT year, 4,
           '项目经费：合同金额合计 ' || format('{:,.1f}', CAST(contracts / 10000 AS DOUBLE)) || ' 万元' ||
           coalesce('（上年 ' || format('{:,.1f}', CAST(contracts_prev / 10000 AS DOUBLE)) || ' 万元）', '') ||
           '，支出 ' || format('{:,.1f}', CAST(coalesce(spent, 0) / 10000 AS DOUBLE)) || ' 万元；超出经费标准的合同 ' || CAST(over_standard AS VARCHAR) ||
           ' 个，超支项目 ' || CAST(overspent AS VARCHAR) || ' 个。'
    FROM money2
    UNION ALL
    SELECT r.year, 5,
           '市级资金：奖励资金分配 ' || format('{:,.1f}', CAST(r.allocation / 10000 AS DOUBLE)) || ' 万元' ||
           coalesce('（上年 ' || format('{:,.1f}', CAST(r.allocation_prev / 10000 AS DOUBLE)) || ' 万元）', '') ||
           CASE WHEN s.sites > 0 THEN
               '；社区综合服务中心示范点补贴 ' || format('{:,.1f}', CAST(s.city_total / 10000 AS DOUBLE)) || ' 万元（' || CAST(s.sites AS VARCHAR) || ' 个示范点' ||
               CASE WHEN s.match_short > 0 THEN '，' || CAST(s.match_short AS VARCHAR) || ' 个配套不足' ELSE '' END || '）'
           ELSE '；本年度没有新的社区综合服务中心示范点' END || '。'
    FROM rewards2 r LEFT JOIN sites s ON s.year = r.year
    UNION ALL
    SELECT year, 6,
           '达标情况：人员配备不达标 ' || CAST(staffing_short AS VARCHAR) || ' 个项目，“5+1+2”服务内容不达标 ' || CAST(mix_short AS VARCHAR) ||
           ' 个项目，功能室不达标的中心 ' || CAST(rooms_short AS VARCHAR) || ' 个（共 ' || CAST(centres AS VARCHAR) || ' 个）' ||
           CASE WHEN awarded_while_disqualified > 0 THEN '；取消运营资格后又新承接中心 ' || CAST(awarded_while_disqualified AS VARCHAR) || ' 个（见“承接机构”）' ELSE '' END || '。'
    FROM rules
    UNION ALL
    SELECT year, 7,
           '数据：' || CAST(files AS VARCHAR) || ' 个报送文件纳入本报告，' || CAST(rejected AS VARCHAR) || ' 行数据因错误未入库' ||
           CASE WHEN incomplete > 0 THEN '，' || CAST(incomplete AS VARCHAR) || ' 个区报送不全' ELSE '' END || '（见附录二、附录三）。'
    FROM dq
),
dcov AS (
    SELECT year, district,
           max(CASE WHEN urban_rural = 'urban' THEN coverage_rate END) AS urban_rate,
           max(CASE WHEN urban_rural = 'urban' THEN communities - covered END) AS urban_uncovered,
           max(CASE WHEN urban_rural = 'rural' THEN coverage_rate END) AS rural_rate,
           bool_and(meets_target) AS meets
    FROM marts.coverage GROUP BY ALL
),
dev AS (
    SELECT py.year, py.district, count(*) FILTER (WHERE NOT e.passed) AS failed, count(*) AS projects
    FROM intermediate.project_years py
    LEFT JOIN marts.evaluation_scores e ON e.year = py.year AND e.project_code = py.project_code AND e.stage = 'annual'
    GROUP BY ALL
),
district AS (
    SELECT d.year, d.district, 1 AS seq,
           d.district || '：' || CAST(coalesce(v.projects, 0) AS VARCHAR) || ' 个项目；' ||
           concat_ws('，',
               '城市社区覆盖率 ' || format('{:.1f}%', c.urban_rate * 100) || CASE WHEN c.urban_uncovered > 0 THEN '（' || CAST(c.urban_uncovered AS VARCHAR) || ' 个未覆盖）' ELSE '' END,
               '农村 ' || format('{:.1f}%', c.rural_rate * 100)) ||
           '；年度评估不合格 ' || CAST(coalesce(v.failed, 0) AS VARCHAR) || ' 个' ||
           coalesce('；市级奖励 ' || format('{:,.1f}', CAST(r.allocation / 10000 AS DOUBLE)) || ' 万元', '') || '。' AS finding
    FROM (SELECT DISTINCT year, district FROM marts.data_quality) d
    LEFT JOIN dcov c ON c.year = d.year AND c.district = d.district
    LEFT JOIN dev v ON v.year = d.year AND v.district = d.district
    LEFT JOIN marts.city_rewards r ON r.year = d.year AND r.district = d.district
)
SELECT year, CAST(NULL AS VARCHAR) AS district, 0 AS scope, seq, finding FROM city
UNION ALL
SELECT year, district, 1, seq, finding FROM district
