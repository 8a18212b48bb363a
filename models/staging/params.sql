-- @materialized: view
-- @description: The scalar policy parameters (policy/parameters.csv) as one typed row, so a
--   model reads them by name: `CROSS JOIN staging.params p … p.coverage_target_urban`. Every
--   parameter has a column here (a Go test keeps the two in step); a missing one fails not_null.
--   Values are DECIMAL(38,9), so comparisons with them are exact.
-- @tags: policy
-- @column coverage_target_urban: share of a district's urban communities a purchased service must cover [ratio; seed 003 §2]
-- @column coverage_target_rural: share of a district's rural communities (villages) a purchased service must cover [ratio; seed 003 §2]
-- @column base_standard_amount: funding standard of a centre with the base team (50万元及以下) [yuan/year; seed 000 §2(1)]
-- @column base_team_full_time_staff: full-time staff the base standard pays for (全职工作人员5名及以上) [persons; seed 000 §2(1)]
-- @column base_team_social_workers: registered social workers of the base team (注册社工3-4名); extra social workers are counted above this [persons; seed 000 §2(1)]
-- @column large_community_population_min: a community is large when resident_population ≥ this (3万人以上) … [persons; seed 000 §2(1)]
-- @column large_community_area_km2_min: … and area_km2 ≥ this (2平方公里以上); a blank area is not large [km2; seed 000 §2(1)]
-- @column large_extra_staff_max: extra full-time staff paid for in a large community (再配置全职工人员2-4名) [persons; seed 000 §2(1)]
-- @column large_extra_social_workers_max: of the extra staff at most this many social workers (其中社工1-3名) [persons; seed 000 §2(1)]
-- @column extra_social_worker_cost: cost of an extra social worker (9.3万元) [yuan/year; seed 000 §2(1)]
-- @column extra_assistant_cost: cost of an extra assistant (7.6万元) [yuan/year; seed 000 §2(1)]
-- @column staffing_min_full_time: minimum full-time staff (not supervisors) [persons; seed 000 §2(1)]
-- @column staffing_min_full_time_large: minimum full-time staff (not supervisors) when a covered community is large: the base team plus the least of 再配置全职工人员2-4名 (the district's approval taken as given: assumption) [persons; seed 000 §2(1)]
-- @column staffing_min_party_members: minimum party members among full-time staff (须有一名是中共党员) [persons; seed 000 §2(1)]
-- @column staffing_min_registered_sw: minimum registered social workers among full-time staff [persons; seed 000 §2(1)]
-- @column staff_pay_share_min: staff pay ≥ this share of after-tax funding (不低于…80%) [ratio; seed 000 §7(1)]
-- @column operations_share_min: office/site plus service operations ≥ this share of funding (不得低于…10%) [ratio; seed 000 §7(1)]
-- @column mix_basic_items_min: 5+1+2: basic major items (tables 1–3) at least [major items; seed 000 §3(1)]
-- @column mix_basic_sub_items_min: basic sub-items at least (不少于25项) [sub-items; seed 000 §3(1)]
-- @column mix_featured_items_min: 5+1+2: featured major items (table 4) at least [major items; seed 000 §3(2)]
-- @column mix_external_sub_items_min: 5+1+2: external cooperation sub-items (table 5) at least [sub-items; seed 000 §3(3)]
-- @column eval_indicator_weight: indicator score (0–100) weighs 40 % [points per indicator point; seed 004 annex 1 §5]
-- @column eval_participation_points: participation weighs 30 % of 100 points [points; seed 004 annex 1 §5]
-- @column eval_satisfaction_points: satisfaction weighs 30 % of 100 points [points; seed 004 annex 1 §5]
-- @column participation_full_mark_rate: person-times ≥ this share of resident population earns the full participation points (30%以上为满分) [ratio; seed 004 annex 1 §5(一)2]
-- @column evaluation_pass_stars: an evaluation passes with at least this many stars [stars; seed 004 annex 1 §5(二)]
-- @column score_tolerance: numerical tolerance when a computed (floating-point) score is compared with a band boundary; not a policy number [points; DOMAIN §6]
-- @column service_days_min_per_month: service days a month at least [days; seed 004 annex 1 §4(三)2]
-- @column centre_area_min_m2: total floor area of a centre's rooms at least (不少于1500平方米) [m2; seed 004 annex 1 §4(一)]
-- @column centre_optional_rooms_share_min: optional rooms present at least this share of the catalogue's optional rooms (不少于…50%) [ratio; seed 004 annex 1 §4(一)]
-- @column centre_expansion_rooms_min: rooms outside the catalogue at least [rooms; seed 004 annex 1 §4(一)]
-- @column site_renovation_rate: renovation standard per m² (685元/平方米) [yuan/m2; seed 004 annex 2 §3]
-- @column site_renovation_area_max_m2: renovated area subsidised at most (不超过2300平方米) [m2; seed 004 annex 2 §3]
-- @column site_renovation_city_share: city's share of the renovation cost (5:5) [ratio; seed 004 annex 2 §3]
-- @column site_equipment_city: equipment subsidy per site (50万元) [yuan; seed 004 annex 2 §3]
-- @column site_operations_city_max: operations subsidy at most (and at most the contract amount) [yuan/year; seed 004 annex 2 §3]
-- @column site_city_total_max: city subsidy per site at most [yuan; seed 004 annex 2 §3]
-- @column local_match_share_min: district + street funding ≥ this share of the city subsidy [ratio; seed 004 §6(二)]
-- @column contract_term_years: a contract runs this many years (一签三年) [years; seed 000 §5(1)]
-- @column contract_renewals_max: renewals allowed after the term (两次延期运作) [renewals; seed 000 §5(3)]
-- @column contract_renewal_years: years of each renewal (每次两年) [years; seed 000 §5(3)]
-- @column contract_renewal_min_score: evaluation total needed for a renewal (良好 read as ≥ 80; seed 000 §5(3)) [points; assumption]
-- @test: not_null(coverage_target_urban, coverage_target_rural, base_standard_amount, base_team_full_time_staff, base_team_social_workers, large_community_population_min, large_community_area_km2_min, large_extra_staff_max, large_extra_social_workers_max, extra_social_worker_cost, extra_assistant_cost, staffing_min_full_time, staffing_min_full_time_large, staffing_min_party_members, staffing_min_registered_sw, staff_pay_share_min, operations_share_min, mix_basic_items_min, mix_basic_sub_items_min, mix_featured_items_min, mix_external_sub_items_min, eval_indicator_weight, eval_participation_points, eval_satisfaction_points, participation_full_mark_rate, evaluation_pass_stars, score_tolerance, service_days_min_per_month, centre_area_min_m2, centre_optional_rooms_share_min, centre_expansion_rooms_min, site_renovation_rate, site_renovation_area_max_m2, site_renovation_city_share, site_equipment_city, site_operations_city_max, site_city_total_max, local_match_share_min, contract_term_years, contract_renewals_max, contract_renewal_years, contract_renewal_min_score)
-- @assert one_row: SELECT count(*) AS n FROM staging.params HAVING count(*) <> 1
-- @assert reward_rate_years_overlap: SELECT a.year_from, a.year_to, b.year_from AS other_from
--   FROM policy.reward_rates a JOIN policy.reward_rates b
--   ON a.year_from < b.year_from AND (a.year_to IS NULL OR a.year_to >= b.year_from)
-- @assert star_bands_overlap: SELECT a.stars, b.stars AS other FROM policy.star_bands a JOIN policy.star_bands b
--   ON a.stars < b.stars AND (a.max_score_exclusive IS NULL OR b.min_score IS NULL OR a.max_score_exclusive > b.min_score)
--   AND (b.max_score_exclusive IS NULL OR a.min_score IS NULL OR b.max_score_exclusive > a.min_score)
-- @assert tranche_shares_sum_to_one: SELECT sum(share) AS total FROM policy.tranches HAVING sum(share) <> 1
SELECT
    CAST(max(CASE WHEN name = 'coverage_target_urban' THEN value END) AS DECIMAL(38,9)) AS coverage_target_urban,
    CAST(max(CASE WHEN name = 'coverage_target_rural' THEN value END) AS DECIMAL(38,9)) AS coverage_target_rural,
    CAST(max(CASE WHEN name = 'base_standard_amount' THEN value END) AS DECIMAL(38,9)) AS base_standard_amount,
    CAST(max(CASE WHEN name = 'base_team_full_time_staff' THEN value END) AS DECIMAL(38,9)) AS base_team_full_time_staff,
    CAST(max(CASE WHEN name = 'base_team_social_workers' THEN value END) AS DECIMAL(38,9)) AS base_team_social_workers,
    CAST(max(CASE WHEN name = 'large_community_population_min' THEN value END) AS DECIMAL(38,9)) AS large_community_population_min,
    CAST(max(CASE WHEN name = 'large_community_area_km2_min' THEN value END) AS DECIMAL(38,9)) AS large_community_area_km2_min,
    CAST(max(CASE WHEN name = 'large_extra_staff_max' THEN value END) AS DECIMAL(38,9)) AS large_extra_staff_max,
    CAST(max(CASE WHEN name = 'large_extra_social_workers_max' THEN value END) AS DECIMAL(38,9)) AS large_extra_social_workers_max,
    CAST(max(CASE WHEN name = 'extra_social_worker_cost' THEN value END) AS DECIMAL(38,9)) AS extra_social_worker_cost,
    CAST(max(CASE WHEN name = 'extra_assistant_cost' THEN value END) AS DECIMAL(38,9)) AS extra_assistant_cost,
    CAST(max(CASE WHEN name = 'staffing_min_full_time' THEN value END) AS DECIMAL(38,9)) AS staffing_min_full_time,
    CAST(max(CASE WHEN name = 'staffing_min_full_time_large' THEN value END) AS DECIMAL(38,9)) AS staffing_min_full_time_large,
    CAST(max(CASE WHEN name = 'staffing_min_party_members' THEN value END) AS DECIMAL(38,9)) AS staffing_min_party_members,
    CAST(max(CASE WHEN name = 'staffing_min_registered_sw' THEN value END) AS DECIMAL(38,9)) AS staffing_min_registered_sw,
    CAST(max(CASE WHEN name = 'staff_pay_share_min' THEN value END) AS DECIMAL(38,9)) AS staff_pay_share_min,
    CAST(max(CASE WHEN name = 'operations_share_min' THEN value END) AS DECIMAL(38,9)) AS operations_share_min,
    CAST(max(CASE WHEN name = 'mix_basic_items_min' THEN value END) AS DECIMAL(38,9)) AS mix_basic_items_min,
    CAST(max(CASE WHEN name = 'mix_basic_sub_items_min' THEN value END) AS DECIMAL(38,9)) AS mix_basic_sub_items_min,
    CAST(max(CASE WHEN name = 'mix_featured_items_min' THEN value END) AS DECIMAL(38,9)) AS mix_featured_items_min,
    CAST(max(CASE WHEN name = 'mix_external_sub_items_min' THEN value END) AS DECIMAL(38,9)) AS mix_external_sub_items_min,
    CAST(max(CASE WHEN name = 'eval_indicator_weight' THEN value END) AS DECIMAL(38,9)) AS eval_indicator_weight,
    CAST(max(CASE WHEN name = 'eval_participation_points' THEN value END) AS DECIMAL(38,9)) AS eval_participation_points,
    CAST(max(CASE WHEN name = 'eval_satisfaction_points' THEN value END) AS DECIMAL(38,9)) AS eval_satisfaction_points,
    CAST(max(CASE WHEN name = 'participation_full_mark_rate' THEN value END) AS DECIMAL(38,9)) AS participation_full_mark_rate,
    CAST(max(CASE WHEN name = 'evaluation_pass_stars' THEN value END) AS DECIMAL(38,9)) AS evaluation_pass_stars,
    CAST(max(CASE WHEN name = 'score_tolerance' THEN value END) AS DECIMAL(38,9)) AS score_tolerance,
    CAST(max(CASE WHEN name = 'service_days_min_per_month' THEN value END) AS DECIMAL(38,9)) AS service_days_min_per_month,
    CAST(max(CASE WHEN name = 'centre_area_min_m2' THEN value END) AS DECIMAL(38,9)) AS centre_area_min_m2,
    CAST(max(CASE WHEN name = 'centre_optional_rooms_share_min' THEN value END) AS DECIMAL(38,9)) AS centre_optional_rooms_share_min,
    CAST(max(CASE WHEN name = 'centre_expansion_rooms_min' THEN value END) AS DECIMAL(38,9)) AS centre_expansion_rooms_min,
    CAST(max(CASE WHEN name = 'site_renovation_rate' THEN value END) AS DECIMAL(38,9)) AS site_renovation_rate,
    CAST(max(CASE WHEN name = 'site_renovation_area_max_m2' THEN value END) AS DECIMAL(38,9)) AS site_renovation_area_max_m2,
    CAST(max(CASE WHEN name = 'site_renovation_city_share' THEN value END) AS DECIMAL(38,9)) AS site_renovation_city_share,
    CAST(max(CASE WHEN name = 'site_equipment_city' THEN value END) AS DECIMAL(38,9)) AS site_equipment_city,
    CAST(max(CASE WHEN name = 'site_operations_city_max' THEN value END) AS DECIMAL(38,9)) AS site_operations_city_max,
    CAST(max(CASE WHEN name = 'site_city_total_max' THEN value END) AS DECIMAL(38,9)) AS site_city_total_max,
    CAST(max(CASE WHEN name = 'local_match_share_min' THEN value END) AS DECIMAL(38,9)) AS local_match_share_min,
    CAST(max(CASE WHEN name = 'contract_term_years' THEN value END) AS DECIMAL(38,9)) AS contract_term_years,
    CAST(max(CASE WHEN name = 'contract_renewals_max' THEN value END) AS DECIMAL(38,9)) AS contract_renewals_max,
    CAST(max(CASE WHEN name = 'contract_renewal_years' THEN value END) AS DECIMAL(38,9)) AS contract_renewal_years,
    CAST(max(CASE WHEN name = 'contract_renewal_min_score' THEN value END) AS DECIMAL(38,9)) AS contract_renewal_min_score
FROM policy.parameters
