-- The services each project delivered (marts.service_mix) against the
-- "5+1+2" minimums of the policy, one flag per minimum.
SELECT m.year, py.district, m.project_code, py.project_name,
       m.basic_items, m.basic_items >= p.mix_basic_items_min AS basic_items_ok,
       m.basic_sub_items, m.basic_sub_items >= p.mix_basic_sub_items_min AS basic_sub_items_ok,
       m.featured_items, m.featured_items >= p.mix_featured_items_min AS featured_items_ok,
       m.external_items, m.external_items >= p.mix_external_sub_items_min AS external_items_ok,
       m.meets_5_1_2, m.person_times, m.service_days,
       m.months_below_min_days, m.months_below_min_days = 0 AS service_days_ok
FROM marts.service_mix m
LEFT JOIN intermediate.project_years py ON py.year = m.year AND py.project_code = m.project_code
CROSS JOIN staging.params p
