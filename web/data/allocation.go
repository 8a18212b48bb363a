package data

import (
	"context"
	"errors"
	"regexp"
)

// Trial is another budget or reward rate for a year's allocation: a 试算
// computed from the mart's eligible spending, never stored, never changing
// the official figures. Empty fields keep the year's own.
type Trial struct {
	Budget string // yuan, at most 2 decimals
	Rate   string // 0 < rate ≤ 1, at most 6 decimals
}

// Active reports whether the trial changes anything.
func (t Trial) Active() bool { return t.Budget != "" || t.Rate != "" }

var (
	budgetRE = regexp.MustCompile(`^\d{1,13}(\.\d{1,2})?$`)
	rateRE   = regexp.MustCompile(`^(0(\.\d{1,6})?|1(\.0{1,6})?)$`)
	// ErrBadTrial is a budget or rate that is not one.
	ErrBadTrial = errors.New("a trial budget is yuan with at most 2 decimals; a trial rate is between 0 and 1 with at most 6 decimals")
)

// Check checks the trial's values.
func (t Trial) Check() error {
	if t.Budget != "" && !budgetRE.MatchString(t.Budget) || t.Rate != "" && !rateRE.MatchString(t.Rate) {
		return ErrBadTrial
	}
	return nil
}

// Allocation returns the reward allocation of year from src, per district
// and in total (district NULL), and with a trial the trial's rate,
// entitlement, budget, scale, allocation, share and the difference from
// the allocation. The trial follows the mart's rule exactly (DOMAIN §6
// marts.city_rewards): entitlement = rate × eligible spending; with a
// budget below Σ entitlement every allocation is eligible spending ×
// budget ÷ Σ eligible spending, computed in integer fen and rounded half
// away from zero — so a trial of the year's own budget and rate gives
// the official allocation to the fen.
func (r *Read) Allocation(ctx context.Context, year int, src Source, trial Trial) (*Table, error) {
	if err := trial.Check(); err != nil {
		return nil, err
	}
	b := r.query()
	var budget, rate any
	if trial.Budget != "" {
		budget = trial.Budget
	}
	if trial.Rate != "" {
		rate = trial.Rate
	}
	return b.table(ctx, `WITH m AS (SELECT * FROM `+b.mart("city_rewards", src)+` WHERE year = `+b.arg("year", year)+`),
	t AS (SELECT m.*,
			CAST(coalesce(CAST(`+b.arg("trial_rate", rate)+` AS DECIMAL(18,6)), CAST(m.reward_rate AS DECIMAL(18,6))) AS DECIMAL(18,6)) AS trial_rate,
			coalesce(CAST(`+b.arg("trial_budget", budget)+` AS DECIMAL(18,2)), m.budget) AS trial_budget
		FROM m),
	e AS (SELECT t.*, CAST(t.trial_rate * t.eligible_spending AS DECIMAL(38,11)) AS entitlement_exact FROM t),
	f AS (SELECT e.*,
			sum(e.entitlement_exact) OVER () AS total_entitlement,
			CAST(e.eligible_spending * 100 AS HUGEINT) AS spending_fen,
			CAST(e.trial_budget * 100 AS HUGEINT) AS budget_fen,
			sum(CAST(e.eligible_spending * 100 AS HUGEINT)) OVER () AS total_spending_fen
		FROM e),
	a AS (SELECT f.*,
			f.trial_budget IS NULL OR f.trial_budget >= f.total_entitlement AS unscaled,
			CASE WHEN f.trial_budget IS NULL OR f.trial_budget >= f.total_entitlement
				THEN CAST(round(f.entitlement_exact, 2) AS DECIMAL(18,2))
				WHEN f.total_spending_fen = 0 THEN CAST(0 AS DECIMAL(18,2))
				ELSE CAST(CAST(sign(f.spending_fen * f.budget_fen)
					* ((abs(f.spending_fen * f.budget_fen) + abs(f.spending_fen * f.budget_fen) + f.total_spending_fen)
					// (f.total_spending_fen + f.total_spending_fen)) AS DECIMAL(38,0)) * 0.01 AS DECIMAL(18,2))
			END AS trial_allocation
		FROM f),
	prev AS (SELECT scope_district AS district, allocation AS prev_allocation FROM `+b.mart("city_rewards", src.ForYear(year-1))+`
		WHERE year = `+b.arg("prev_year", year-1)+`),
	rows AS (SELECT a.*, prev.prev_allocation,
			CASE WHEN a.unscaled THEN 1.0 ELSE CAST(a.trial_budget AS DOUBLE) / CAST(a.total_entitlement AS DOUBLE) END AS trial_scale,
			CASE WHEN sum(a.trial_allocation) OVER () = 0 THEN 0.0
				ELSE CAST(a.trial_allocation AS DOUBLE) / CAST(sum(a.trial_allocation) OVER () AS DOUBLE) END AS trial_share
		FROM a LEFT JOIN prev ON prev.district = a.district)
	SELECT district, sum(eligible_projects) AS eligible_projects, sum(eligible_spending) AS eligible_spending,
		CASE WHEN GROUPING(district) = 0 THEN any_value(reward_rate) END AS reward_rate,
		sum(entitlement) AS entitlement,
		any_value(budget) AS budget,
		CASE WHEN GROUPING(district) = 0 THEN any_value(scale) END AS scale,
		sum(allocation) AS allocation, sum(share) AS share,
		sum(prev_allocation) AS prev_allocation, sum(allocation) - sum(prev_allocation) AS change_allocation,
		any_value(trial_rate) AS trial_rate,
		sum(CAST(round(entitlement_exact, 2) AS DECIMAL(18,2))) AS trial_entitlement,
		any_value(trial_budget) AS trial_budget,
		CASE WHEN GROUPING(district) = 0 THEN any_value(trial_scale) END AS trial_scale,
		sum(trial_allocation) AS trial_allocation, sum(trial_share) AS trial_share,
		sum(trial_allocation) - sum(allocation) AS difference
	FROM rows GROUP BY ROLLUP (district) ORDER BY district IS NULL, district`)
}

// Compare returns, for a year, each district's allocation in the official
// figures and in the working ones, and the difference: what a
// restatement would move.
func (r *Read) Compare(ctx context.Context, year int) (*Table, error) {
	b := r.query()
	y := b.arg("year", year)
	return b.table(ctx, `WITH o AS (SELECT scope_district AS district, allocation FROM `+b.mart("city_rewards", Official)+` WHERE year = `+y+`),
		w AS (SELECT scope_district AS district, allocation FROM `+b.mart("city_rewards", Source{Working: true})+` WHERE year = `+y+`),
		j AS (SELECT coalesce(o.district, w.district) AS d, o.allocation AS official, w.allocation AS working FROM o FULL JOIN w ON o.district = w.district)
		SELECT d AS district, sum(official) AS official, sum(working) AS working,
			sum(coalesce(working, 0)) - sum(coalesce(official, 0)) AS difference
		FROM j GROUP BY ROLLUP (d) ORDER BY d IS NULL, d`)
}
