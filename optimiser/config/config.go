// Package config defines a country's lottery configuration: ticket price,
// draw mechanism, prize and cost shares, jackpot grid, regulatory and cash
// constraints, sales-model features and planning horizon. Configurations are
// YAML files, one per country, discovered from a directory so that onboarding
// a country means adding a file and nothing else.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Mechanism types.
const (
	MechanismLotto    = "lotto"
	MechanismPostcode = "postcode"
)

// What happens to an unwon lotto jackpot.
const (
	UnwonRollover = "rollover"
	UnwonLapse    = "lapse"
)

// Sales-model feature names accepted in model.features.
const (
	FeatureLogJackpot        = "log_jackpot"
	FeatureLogJackpotSquared = "log_jackpot_squared"
	FeatureDrawDay           = "draw_day"
	FeatureTrend             = "trend"
	FeatureSeasonality       = "seasonality"
	FeatureMarketingSpend    = "marketing_spend"
)

// KnownFeatures lists every feature the sales model understands, in the
// order the model lays out its design matrix.
var KnownFeatures = []string{
	FeatureLogJackpot,
	FeatureLogJackpotSquared,
	FeatureDrawDay,
	FeatureTrend,
	FeatureSeasonality,
	FeatureMarketingSpend,
}

// Defaults applied when the YAML leaves a field out.
const (
	DefaultSalesTail         = 0.01
	DefaultSeasonalHarmonics = 2
	DefaultWeeklyDiscount    = 1.0
	DefaultStatePoints       = 48
	DefaultHorizonWeeks      = 8
	// DefaultExtrapolationFactor bounds the jackpots the sales model is
	// asked about to [smallest seen / 2, largest seen × 2].
	DefaultExtrapolationFactor = 2.0
	// DefaultMinCoverage and DefaultMaxCoverage bound the walk-forward share
	// of actuals inside the P10–P90 band (0.8 when the spread is right).
	DefaultMinCoverage = 0.65
	DefaultMaxCoverage = 0.95
	// DefaultSelectionTolerance is the walk-forward MAPE difference (0.001 =
	// 0.1 percentage points) within which two candidate models count as
	// tied; the one with fewer terms is chosen.
	DefaultSelectionTolerance = 0.001
	// DefaultMaxStalenessDays is how long before the draw being decided the
	// history may end.
	DefaultMaxStalenessDays = 14
	// DefaultOutlierZ is the robust z-score of a model residual beyond
	// which a row is refused as implausible.
	DefaultOutlierZ = 8.0
	// DefaultPrizeTolerance is the relative margin on the secondary prizes
	// allowed in prizes_paid beyond secondary_prize_share × revenue.
	DefaultPrizeTolerance = 0.5
)

// Country is one country's configuration.
type Country struct {
	// Country is the ISO 3166-1 alpha-2 code, e.g. "NL". It also names the
	// sales-history file (<code in lower case>.csv) in the data directory.
	Country  string `yaml:"country"`
	Name     string `yaml:"name"`
	Currency string `yaml:"currency"`
	// TicketPrice is the price of one ticket for one weekly draw.
	TicketPrice float64 `yaml:"ticket_price"`
	// DrawDay is the weekday of the draw being planned (e.g. "saturday").
	// Games that draw more than once a week list their days in DrawDays
	// instead.
	DrawDay   string    `yaml:"draw_day"`
	DrawDays  []string  `yaml:"draw_days"`
	Mechanism Mechanism `yaml:"mechanism"`
	// SecondaryPrizeShare is the share of ticket revenue paid out as
	// non-jackpot prizes.
	SecondaryPrizeShare float64 `yaml:"secondary_prize_share"`
	// CostShare is the share of ticket revenue spent on operating costs.
	CostShare   float64       `yaml:"cost_share"`
	Jackpot     JackpotGrid   `yaml:"jackpot"`
	Constraints Constraints   `yaml:"constraints"`
	Model       Model         `yaml:"model"`
	Planning    Planning      `yaml:"planning"`
	History     HistoryChecks `yaml:"history"`

	// Source names the file the configuration came from (not part of YAML).
	Source string `yaml:"-"`
	// SHA256 is the hex digest of the YAML bytes (not part of YAML).
	SHA256 string `yaml:"-"`
}

// Mechanism is how the jackpot is drawn.
type Mechanism struct {
	// Type is "lotto" or "postcode".
	Type     string    `yaml:"type"`
	Lotto    *Lotto    `yaml:"lotto"`
	Postcode *Postcode `yaml:"postcode"`
}

// Lotto describes a numbers draw: each ticket wins the jackpot with
// probability WinProbability, so the jackpot may go unwon.
type Lotto struct {
	WinProbability float64 `yaml:"win_probability"`
	// Unwon is "rollover" (the unwon jackpot is carried to the next draw and
	// stays owed) or "lapse" (the unwon jackpot returns to the fund).
	Unwon string `yaml:"unwon"`
}

// Postcode describes a postcode draw: a postcode that has players is drawn,
// so the jackpot is always won, and every ticket held in that postcode wins
// the announced per-ticket prize. The decision variable is that per-ticket
// prize; the payout is the prize times the tickets held in the postcode.
type Postcode struct {
	TicketsInDrawnPostcode []TicketsProbability `yaml:"tickets_in_drawn_postcode"`
}

// TicketsProbability is one point of the distribution of the number of
// tickets held in the drawn postcode.
type TicketsProbability struct {
	Tickets     int     `yaml:"tickets"`
	Probability float64 `yaml:"probability"`
}

// JackpotGrid bounds the announced jackpot and sets its rounding step.
type JackpotGrid struct {
	Min  float64 `yaml:"min"`
	Max  float64 `yaml:"max"`
	Step float64 `yaml:"step"`
}

// Points is the number of announceable jackpots on the grid.
func (g JackpotGrid) Points() int {
	return int((g.Max-g.Min)/g.Step+1e-9) + 1
}

// Value is the jackpot at grid index i.
func (g JackpotGrid) Value(i int) float64 { return g.Min + float64(i)*g.Step }

// Constraints are the hard limits a recommendation must respect.
type Constraints struct {
	// PayoutRatio bounds prizes paid / ticket revenue over a rolling window.
	PayoutRatio *RatioWindow `yaml:"payout_ratio"`
	// CharityShare bounds (revenue − prizes − costs) / revenue over a
	// rolling window: the share left for good causes.
	CharityShare *RatioWindow `yaml:"charity_share"`
	Cash         CashSafety   `yaml:"cash"`
	PerTicketCap *TicketCap   `yaml:"per_ticket_cap"`
	// MaxWeeklyChange limits |J − J_prev| / J_prev. Nil means no limit.
	MaxWeeklyChange *float64 `yaml:"max_weekly_change"`
	// SalesTail sets the plausible sales range used by hard constraints:
	// the forecast's [tail, 1 − tail] quantiles.
	SalesTail float64 `yaml:"sales_tail"`
}

// RatioWindow is a two-sided rolling-window ratio limit; Min or Max may be
// left out for a one-sided rule.
type RatioWindow struct {
	WindowWeeks int      `yaml:"window_weeks"`
	Min         *float64 `yaml:"min"`
	Max         *float64 `yaml:"max"`
}

// CashSafety is the chance constraint
// P(available cash − payouts ≥ Reserve) ≥ 1 − Epsilon.
// Epsilon = 0 means the worst plausible week must be covered.
type CashSafety struct {
	Reserve float64 `yaml:"reserve"`
	Epsilon float64 `yaml:"epsilon"`
}

// TicketCap limits the prize a single ticket can win:
// min(Ceiling, max(Floor, ShareOfProceeds × draw proceeds)). With
// ShareOfProceeds 0 the cap is simply Ceiling.
type TicketCap struct {
	Floor           float64 `yaml:"floor"`
	ShareOfProceeds float64 `yaml:"share_of_proceeds"`
	Ceiling         float64 `yaml:"ceiling"`
}

// Model selects the candidate sales-model regressors, validation, quality
// gate and how far the model may extrapolate.
type Model struct {
	// Features are candidates: walk-forward validation keeps the subset
	// with the lowest out-of-sample error (log_jackpot is always kept).
	Features          []string    `yaml:"features"`
	SeasonalHarmonics int         `yaml:"seasonal_harmonics"`
	Validation        Validation  `yaml:"validation"`
	QualityGate       QualityGate `yaml:"quality_gate"`
	// SelectionTolerance: candidates whose walk-forward MAPE is within this
	// of the best are tied, and the one with the fewest terms wins.
	SelectionTolerance float64 `yaml:"selection_tolerance"`
	// ExtrapolationFactor bounds the jackpots the model is used for to
	// [smallest jackpot in the history / factor, largest × factor].
	ExtrapolationFactor float64 `yaml:"extrapolation_factor"`
}

// HistoryChecks are the plausibility checks applied to a sales history
// before it is trusted.
type HistoryChecks struct {
	// MaxStalenessDays is the longest time between the history's last draw
	// and the draw being decided.
	MaxStalenessDays int `yaml:"max_staleness_days"`
	// OutlierZ is the robust z-score (median and MAD of the fitted model's
	// log residuals) beyond which a row's tickets_sold is refused.
	OutlierZ float64 `yaml:"outlier_z"`
	// PrizeTolerance is the relative margin on secondary prizes in the
	// prizes_paid check.
	PrizeTolerance float64 `yaml:"prize_tolerance"`
}

// Validation is the walk-forward scheme: train on the first InitialWeeks,
// predict the next HorizonWeeks, move forward StepWeeks, repeat.
type Validation struct {
	InitialWeeks int `yaml:"initial_weeks"`
	HorizonWeeks int `yaml:"horizon_weeks"`
	StepWeeks    int `yaml:"step_weeks"`
}

// QualityGate is the worst walk-forward accuracy allowed before the model is
// refused.
type QualityGate struct {
	MaxMAPE float64 `yaml:"max_mape"`
	MinR2   float64 `yaml:"min_r2"`
	// MinCoverage and MaxCoverage bound the share of walk-forward actuals
	// inside the P10–P90 band: too low is an overconfident model, too high
	// one whose intervals are too wide to be useful.
	MinCoverage float64 `yaml:"min_coverage"`
	MaxCoverage float64 `yaml:"max_coverage"`
}

// Planning configures the rollover horizon plan.
type Planning struct {
	HorizonWeeks int `yaml:"horizon_weeks"`
	// WeeklyDiscount multiplies next week's value (1 = no discounting).
	WeeklyDiscount float64 `yaml:"weekly_discount"`
	// StatePoints is the number of jackpot levels in the planning table.
	StatePoints int `yaml:"state_points"`
}

// IsRollover reports whether unwon jackpots are carried forward.
func (c *Country) IsRollover() bool {
	return c.Mechanism.Type == MechanismLotto && c.Mechanism.Lotto != nil && c.Mechanism.Lotto.Unwon == UnwonRollover
}

// HasFeature reports whether the sales model uses the named feature.
func (c *Country) HasFeature(name string) bool {
	for _, f := range c.Model.Features {
		if f == name {
			return true
		}
	}
	return false
}

// Weekday returns the configured draw day (the first of several).
func (c *Country) Weekday() time.Weekday { return c.Weekdays()[0] }

// Weekdays returns the days of the week on which draws take place, in
// calendar order from Sunday.
func (c *Country) Weekdays() []time.Weekday {
	names := c.DrawDays
	if len(names) == 0 {
		names = []string{c.DrawDay}
	}
	var seen [7]bool
	for _, n := range names {
		if d, err := ParseWeekday(n); err == nil {
			seen[d] = true
		}
	}
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if seen[d] {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = []time.Weekday{time.Saturday}
	}
	return out
}

// DrawsPerWeek is the number of scheduled draws in a week.
func (c *Country) DrawsPerWeek() int { return len(c.Weekdays()) }

// DrawDaysLabel names the draw days for outputs, e.g. "saturday" or
// "tuesday,friday".
func (c *Country) DrawDaysLabel() string {
	if len(c.DrawDays) == 0 {
		return c.DrawDay
	}
	var names []string
	for _, d := range c.Weekdays() {
		names = append(names, strings.ToLower(d.String()))
	}
	return strings.Join(names, ",")
}

// DataFile is the conventional file name of the country's sales history.
func (c *Country) DataFile() string { return strings.ToLower(c.Country) + ".csv" }

// ParseWeekday accepts English day names or their three-letter
// abbreviations, in any case.
func ParseWeekday(s string) (time.Weekday, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if t == name || t == name[:3] {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown weekday %q (use monday … sunday)", s)
}

// Parse decodes and validates one YAML configuration. source names the file
// in error messages. Unknown fields are rejected so that a misspelt limit can
// never be silently ignored.
func Parse(data []byte, source string) (*Country, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Country
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config %s: file is empty; it needs at least country, currency, ticket_price, mechanism, jackpot, constraints and model", source)
		}
		return nil, fmt.Errorf("config %s: %s (check the field name and type against the config reference in optimiser/README.md)", source, yamlMessage(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: more than one YAML document; put each country in its own file", source)
	}
	c.applyDefaults()
	c.Source = source
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", source, err)
	}
	return &c, nil
}

// yamlMessage strips the library prefix and flattens multi-line errors.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, "\n  ", "; ")
	return msg
}

func (c *Country) applyDefaults() {
	if c.Constraints.SalesTail == 0 {
		c.Constraints.SalesTail = DefaultSalesTail
	}
	if c.Model.SeasonalHarmonics == 0 && c.HasFeature(FeatureSeasonality) {
		c.Model.SeasonalHarmonics = DefaultSeasonalHarmonics
	}
	if c.Planning.HorizonWeeks == 0 {
		c.Planning.HorizonWeeks = DefaultHorizonWeeks
	}
	if c.Planning.WeeklyDiscount == 0 {
		c.Planning.WeeklyDiscount = DefaultWeeklyDiscount
	}
	if c.Planning.StatePoints == 0 {
		c.Planning.StatePoints = DefaultStatePoints
	}
	m := &c.Model
	if m.ExtrapolationFactor == 0 {
		m.ExtrapolationFactor = DefaultExtrapolationFactor
	}
	if m.SelectionTolerance == 0 {
		m.SelectionTolerance = DefaultSelectionTolerance
	}
	if m.QualityGate.MinCoverage == 0 {
		m.QualityGate.MinCoverage = DefaultMinCoverage
	}
	if m.QualityGate.MaxCoverage == 0 {
		m.QualityGate.MaxCoverage = DefaultMaxCoverage
	}
	h := &c.History
	if h.MaxStalenessDays == 0 {
		h.MaxStalenessDays = DefaultMaxStalenessDays
	}
	if h.OutlierZ == 0 {
		h.OutlierZ = DefaultOutlierZ
	}
	if h.PrizeTolerance == 0 {
		h.PrizeTolerance = DefaultPrizeTolerance
	}
}

// ApplyDefaults fills in the defaults of fields left at zero, as Parse
// does; for configurations built in code.
func (c *Country) ApplyDefaults() { c.applyDefaults() }
