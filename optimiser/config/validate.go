package config

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
)

// FieldError is one problem with one field, named by its YAML path.
type FieldError struct {
	Field   string
	Problem string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// ValidationError lists every problem found in a configuration, so that a
// broken file can be fixed in one pass.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return "invalid configuration:\n" + strings.Join(lines, "\n")
}

// Fields returns the names of the offending fields.
func (e *ValidationError) Fields() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Field
	}
	return out
}

type checker struct{ problems []FieldError }

func (k *checker) add(field, format string, args ...any) {
	k.problems = append(k.problems, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (k *checker) positive(field string, v float64) {
	if !finite(v) || v <= 0 {
		k.add(field, "must be a number > 0, got %v", v)
	}
}

func (k *checker) share(field string, v float64) {
	if !finite(v) || v < 0 || v >= 1 {
		k.add(field, "must be a share in [0, 1), got %v", v)
	}
}

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Validate checks every field and reports all problems at once.
func (c *Country) Validate() error {
	k := &checker{}
	if !countryCode.MatchString(c.Country) {
		k.add("country", "must be an ISO 3166-1 alpha-2 code in capitals such as NL, got %q", c.Country)
	}
	if !currencyCode.MatchString(c.Currency) {
		k.add("currency", "must be an ISO 4217 code in capitals such as EUR, got %q", c.Currency)
	}
	k.positive("ticket_price", c.TicketPrice)
	switch {
	case len(c.DrawDays) > 0 && c.DrawDay != "":
		k.add("draw_days", "give either draw_day (one draw a week) or draw_days (several), not both")
	case len(c.DrawDays) > 0:
		seen := map[time.Weekday]bool{}
		for i, d := range c.DrawDays {
			wd, err := ParseWeekday(d)
			if err != nil {
				k.add(fmt.Sprintf("draw_days[%d]", i), "%v", err)
			} else if seen[wd] {
				k.add(fmt.Sprintf("draw_days[%d]", i), "%s is listed twice", wd)
			}
			seen[wd] = true
		}
	default:
		if _, err := ParseWeekday(c.DrawDay); err != nil {
			k.add("draw_day", "%v", err)
		}
	}
	c.validateMechanism(k)
	k.share("secondary_prize_share", c.SecondaryPrizeShare)
	k.share("cost_share", c.CostShare)
	if finite(c.SecondaryPrizeShare) && finite(c.CostShare) && c.SecondaryPrizeShare+c.CostShare >= 1 {
		k.add("cost_share", "secondary_prize_share + cost_share must be < 1 so that a ticket earns a margin, got %v", c.SecondaryPrizeShare+c.CostShare)
	}
	c.validateJackpot(k)
	c.validateConstraints(k)
	c.validateModel(k)
	c.validatePlanning(k)
	h := c.History
	if h.MaxStalenessDays < 1 || h.MaxStalenessDays > 3660 {
		k.add("history.max_staleness_days", "must be between 1 and 3660, got %d", h.MaxStalenessDays)
	}
	if !finite(h.OutlierZ) || h.OutlierZ < 3 {
		k.add("history.outlier_z", "must be ≥ 3 (a robust z-score), got %v", h.OutlierZ)
	}
	if !finite(h.PrizeTolerance) || h.PrizeTolerance < 0 || h.PrizeTolerance > 10 {
		k.add("history.prize_tolerance", "must be in [0, 10], got %v", h.PrizeTolerance)
	}
	if len(k.problems) > 0 {
		return &ValidationError{Problems: k.problems}
	}
	return nil
}

func (c *Country) validateMechanism(k *checker) {
	m := c.Mechanism
	switch m.Type {
	case MechanismLotto:
		if m.Lotto == nil {
			k.add("mechanism.lotto", "is required when mechanism.type is lotto (win_probability and unwon)")
		} else {
			if !finite(m.Lotto.WinProbability) || m.Lotto.WinProbability <= 0 || m.Lotto.WinProbability >= 1 {
				k.add("mechanism.lotto.win_probability", "must be the per-ticket jackpot probability in (0, 1), got %v", m.Lotto.WinProbability)
			}
			if m.Lotto.Unwon != UnwonRollover && m.Lotto.Unwon != UnwonLapse {
				k.add("mechanism.lotto.unwon", "must be rollover or lapse, got %q", m.Lotto.Unwon)
			}
		}
		if m.Postcode != nil {
			k.add("mechanism.postcode", "must be left out when mechanism.type is lotto")
		}
	case MechanismPostcode:
		if m.Postcode == nil || len(m.Postcode.TicketsInDrawnPostcode) == 0 {
			k.add("mechanism.postcode.tickets_in_drawn_postcode", "is required when mechanism.type is postcode: list {tickets, probability} points")
		} else {
			c.validatePostcode(k, m.Postcode)
		}
		if m.Lotto != nil {
			k.add("mechanism.lotto", "must be left out when mechanism.type is postcode")
		}
	default:
		k.add("mechanism.type", "must be lotto or postcode, got %q", m.Type)
	}
}

func (c *Country) validatePostcode(k *checker, p *Postcode) {
	seen := map[int]bool{}
	sum := 0.0
	for i, pt := range p.TicketsInDrawnPostcode {
		field := fmt.Sprintf("mechanism.postcode.tickets_in_drawn_postcode[%d]", i)
		if pt.Tickets < 1 {
			k.add(field+".tickets", "must be ≥ 1 (only postcodes with players are drawn), got %d", pt.Tickets)
		}
		if seen[pt.Tickets] {
			k.add(field+".tickets", "value %d is listed twice", pt.Tickets)
		}
		seen[pt.Tickets] = true
		if !finite(pt.Probability) || pt.Probability <= 0 || pt.Probability > 1 {
			k.add(field+".probability", "must be in (0, 1], got %v", pt.Probability)
		} else {
			sum += pt.Probability
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		k.add("mechanism.postcode.tickets_in_drawn_postcode", "probabilities must add up to 1, got %v", sum)
	}
}

func (c *Country) validateJackpot(k *checker) {
	j := c.Jackpot
	k.positive("jackpot.min", j.Min)
	k.positive("jackpot.max", j.Max)
	k.positive("jackpot.step", j.Step)
	if finite(j.Min) && finite(j.Max) && j.Max < j.Min {
		k.add("jackpot.max", "must be ≥ jackpot.min (%v), got %v", j.Min, j.Max)
	}
	if finite(j.Min) && finite(j.Max) && finite(j.Step) && j.Step > 0 && j.Max >= j.Min {
		if n := (j.Max - j.Min) / j.Step; n > 1e6 {
			k.add("jackpot.step", "gives %.0f grid points; use a step of at least %v", n, (j.Max-j.Min)/1e6)
		}
	}
}

func (c *Country) validateConstraints(k *checker) {
	cs := c.Constraints
	validateRatio(k, "constraints.payout_ratio", cs.PayoutRatio)
	validateRatio(k, "constraints.charity_share", cs.CharityShare)
	if !finite(cs.Cash.Reserve) || cs.Cash.Reserve < 0 {
		k.add("constraints.cash.reserve", "must be ≥ 0 (the cash that must remain after paying prizes), got %v", cs.Cash.Reserve)
	}
	if !finite(cs.Cash.Epsilon) || cs.Cash.Epsilon < 0 || cs.Cash.Epsilon >= 0.5 {
		k.add("constraints.cash.epsilon", "must be in [0, 0.5): the allowed chance of ending below the reserve (0 = worst case), got %v", cs.Cash.Epsilon)
	}
	if t := cs.PerTicketCap; t != nil {
		if !finite(t.Floor) || t.Floor < 0 {
			k.add("constraints.per_ticket_cap.floor", "must be ≥ 0, got %v", t.Floor)
		}
		if !finite(t.ShareOfProceeds) || t.ShareOfProceeds < 0 || t.ShareOfProceeds > 1 {
			k.add("constraints.per_ticket_cap.share_of_proceeds", "must be in [0, 1], got %v", t.ShareOfProceeds)
		}
		k.positive("constraints.per_ticket_cap.ceiling", t.Ceiling)
		if finite(t.Floor) && finite(t.Ceiling) && t.Floor > t.Ceiling {
			k.add("constraints.per_ticket_cap.floor", "must not exceed ceiling (%v), got %v", t.Ceiling, t.Floor)
		}
	}
	if d := cs.MaxWeeklyChange; d != nil && (!finite(*d) || *d <= 0) {
		k.add("constraints.max_weekly_change", "must be a fraction > 0 of last week's jackpot (e.g. 0.25), got %v", *d)
	}
	if !finite(cs.SalesTail) || cs.SalesTail <= 0 || cs.SalesTail >= 0.5 {
		k.add("constraints.sales_tail", "must be in (0, 0.5), got %v", cs.SalesTail)
	}
}

func validateRatio(k *checker, field string, r *RatioWindow) {
	if r == nil {
		return
	}
	if r.WindowWeeks < 1 || r.WindowWeeks > 520 {
		k.add(field+".window_weeks", "must be between 1 and 520, got %d", r.WindowWeeks)
	}
	if r.Min == nil && r.Max == nil {
		k.add(field, "needs min, max or both")
	}
	if r.Min != nil && (!finite(*r.Min) || *r.Min < 0 || *r.Min > 1) {
		k.add(field+".min", "must be a ratio in [0, 1], got %v", *r.Min)
	}
	if r.Max != nil && (!finite(*r.Max) || *r.Max < 0 || *r.Max > 1) {
		k.add(field+".max", "must be a ratio in [0, 1], got %v", *r.Max)
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		k.add(field+".min", "must not exceed max (%v), got %v", *r.Max, *r.Min)
	}
}

func (c *Country) validateModel(k *checker) {
	m := c.Model
	known := map[string]bool{}
	for _, f := range KnownFeatures {
		known[f] = true
	}
	seen := map[string]bool{}
	for i, f := range m.Features {
		if !known[f] {
			k.add(fmt.Sprintf("model.features[%d]", i), "unknown feature %q; known features: %s", f, strings.Join(KnownFeatures, ", "))
		}
		if seen[f] {
			k.add(fmt.Sprintf("model.features[%d]", i), "feature %q is listed twice", f)
		}
		seen[f] = true
	}
	if !seen[FeatureLogJackpot] {
		k.add("model.features", "must include %s: the optimiser needs sales to respond to the jackpot", FeatureLogJackpot)
	}
	if seen[FeatureSeasonality] && (m.SeasonalHarmonics < 1 || m.SeasonalHarmonics > 6) {
		k.add("model.seasonal_harmonics", "must be between 1 and 6, got %d", m.SeasonalHarmonics)
	}
	v := m.Validation
	if v.InitialWeeks < 26 {
		k.add("model.validation.initial_weeks", "must be ≥ 26 so that the first fold sees half a year, got %d", v.InitialWeeks)
	}
	if v.HorizonWeeks < 1 {
		k.add("model.validation.horizon_weeks", "must be ≥ 1, got %d", v.HorizonWeeks)
	}
	if v.StepWeeks < 1 {
		k.add("model.validation.step_weeks", "must be ≥ 1, got %d", v.StepWeeks)
	}
	g := m.QualityGate
	if !finite(g.MaxMAPE) || g.MaxMAPE <= 0 || g.MaxMAPE > 1 {
		k.add("model.quality_gate.max_mape", "must be in (0, 1] (0.08 means 8%%), got %v", g.MaxMAPE)
	}
	if !finite(g.MinR2) || g.MinR2 > 1 {
		k.add("model.quality_gate.min_r2", "must be ≤ 1, got %v", g.MinR2)
	}
	if !finite(g.MinCoverage) || g.MinCoverage < 0 || g.MinCoverage > 0.8 {
		k.add("model.quality_gate.min_coverage", "must be in [0, 0.8] (a right P10–P90 band holds 80%% of actuals), got %v", g.MinCoverage)
	}
	if !finite(g.MaxCoverage) || g.MaxCoverage < 0.8 || g.MaxCoverage > 1 {
		k.add("model.quality_gate.max_coverage", "must be in [0.8, 1], got %v", g.MaxCoverage)
	}
	if !finite(m.SelectionTolerance) || m.SelectionTolerance < 0 || m.SelectionTolerance > 0.1 {
		k.add("model.selection_tolerance", "must be a MAPE difference in [0, 0.1] (0.001 = 0.1 percentage points), got %v", m.SelectionTolerance)
	}
	if !finite(m.ExtrapolationFactor) || m.ExtrapolationFactor < 1 || m.ExtrapolationFactor > 100 {
		k.add("model.extrapolation_factor", "must be in [1, 100]: jackpots are kept within [smallest seen / factor, largest seen × factor], got %v", m.ExtrapolationFactor)
	}
}

func (c *Country) validatePlanning(k *checker) {
	p := c.Planning
	if p.HorizonWeeks < 1 || p.HorizonWeeks > 52 {
		k.add("planning.horizon_weeks", "must be between 1 and 52, got %d", p.HorizonWeeks)
	}
	if !finite(p.WeeklyDiscount) || p.WeeklyDiscount <= 0 || p.WeeklyDiscount > 1 {
		k.add("planning.weekly_discount", "must be in (0, 1], got %v", p.WeeklyDiscount)
	}
	if p.StatePoints < 8 || p.StatePoints > 400 {
		k.add("planning.state_points", "must be between 8 and 400, got %d", p.StatePoints)
	}
}

// sortedKeys is used for deterministic messages.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
