// Package sales fits and validates the weekly ticket-sales model
//
//	log(tickets) = β0 + β1·u + β2·u² + draw-day effects + trend + seasonal
//	               terms + β·log(1 + marketing spend),  u = log J − mean log J
//
// by ordinary least squares (gonum), validates it walk-forward, and turns it
// into lognormal forecasts whose spread includes parameter uncertainty. The
// quadratic term matters: sales are flat for small jackpots and steep near
// record levels, which a single log-log line cannot express.
package sales

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"gonum.org/v1/gonum/mat"
)

// Spec selects the regressors.
type Spec struct {
	Features  []string `json:"features"`
	Harmonics int      `json:"seasonal_harmonics"`
}

// SpecFor returns the model specification of a country configuration.
func SpecFor(c *config.Country) Spec {
	return Spec{Features: append([]string(nil), c.Model.Features...), Harmonics: c.Model.SeasonalHarmonics}
}

func (s Spec) has(name string) bool {
	for _, f := range s.Features {
		if f == name {
			return true
		}
	}
	return false
}

// Model is a fitted sales model. Its exported fields are its JSON form.
type Model struct {
	Spec Spec `json:"spec"`
	// Terms names the design-matrix columns, in order.
	Terms        []string  `json:"terms"`
	Coefficients []float64 `json:"coefficients"`
	// ResidualSD is the standard deviation of log-sales residuals.
	ResidualSD float64 `json:"residual_sd"`
	// CovarianceScale is (XᵀX)⁻¹, used for the forecast's parameter
	// uncertainty.
	CovarianceScale [][]float64 `json:"covariance_scale"`
	// LogJackpotCentre is the mean log jackpot of the training weeks; the
	// jackpot terms are centred on it to keep the fit well conditioned.
	LogJackpotCentre float64 `json:"log_jackpot_centre"`
	// TrendOrigin is the first training week; trend is in years since.
	TrendOrigin time.Time `json:"trend_origin"`
	// BaselineDrawDay is the most common draw day; other days get dummies.
	BaselineDrawDay string   `json:"baseline_draw_day,omitempty"`
	DrawDayTerms    []string `json:"draw_day_terms,omitempty"`
	Observations    int      `json:"observations"`
	// JackpotMin and JackpotMax are the smallest and largest jackpots in
	// the training data: beyond them the model extrapolates.
	JackpotMin float64 `json:"jackpot_min"`
	JackpotMax float64 `json:"jackpot_max"`
	InSampleR2 float64 `json:"in_sample_r2"`
}

// Inputs are the non-jackpot facts of a week to forecast.
type Inputs struct {
	WeekStart      time.Time
	DrawDay        time.Weekday
	MarketingSpend float64
}

// Forecast is a lognormal forecast of tickets sold.
type Forecast struct {
	// LogMean and LogSD parameterise log(tickets) ~ Normal(LogMean, LogSD²).
	LogMean, LogSD float64
}

// Quantile returns the q-quantile of tickets sold.
func (f Forecast) Quantile(q float64) float64 {
	return math.Exp(f.LogMean + f.LogSD*normalQuantile(q))
}

// Mean is the expected number of tickets.
func (f Forecast) Mean() float64 { return math.Exp(f.LogMean + f.LogSD*f.LogSD/2) }

// Median is the median number of tickets, the point forecast used for
// accuracy metrics.
func (f Forecast) Median() float64 { return math.Exp(f.LogMean) }

// Term name prefixes.
const (
	termIntercept   = "intercept"
	termDrawDay     = "draw_day:"
	termSeasonalSin = "season_sin_"
	termSeasonalCos = "season_cos_"
)

// ErrNotIdentifiable wraps fits whose design matrix is degenerate.
var ErrNotIdentifiable = errors.New("sales model cannot be identified")

// MinWeeks is the smallest history the model can be fitted on.
func MinWeeks(s Spec) int { return len(s.Features) + 2*s.Harmonics + 7 + 12 }

// Fit estimates the model on a history.
func Fit(spec Spec, h *dataset.History) (*Model, error) {
	n := h.Len()
	if n == 0 {
		return nil, fmt.Errorf("%w: the history is empty", ErrNotIdentifiable)
	}
	if spec.has(config.FeatureMarketingSpend) && !h.Columns.MarketingSpend {
		return nil, fmt.Errorf("model feature %s needs column %s in the sales history; add the column or remove the feature from model.features", config.FeatureMarketingSpend, dataset.ColMarketingSpend)
	}
	m := &Model{Spec: spec, TrendOrigin: h.Weeks[0].Start, Observations: n}
	sumLog := 0.0
	m.JackpotMin, m.JackpotMax = math.Inf(1), 0
	for _, w := range h.Weeks {
		sumLog += math.Log(w.JackpotAnnounced)
		m.JackpotMin, m.JackpotMax = math.Min(m.JackpotMin, w.JackpotAnnounced), math.Max(m.JackpotMax, w.JackpotAnnounced)
	}
	m.LogJackpotCentre = sumLog / float64(n)
	if spec.has(config.FeatureDrawDay) && h.Columns.DrawDay {
		m.chooseDrawDays(h.Weeks)
	}
	m.Terms = m.termNames()
	k := len(m.Terms)
	if n < MinWeeks(spec) || n <= k+5 {
		return nil, fmt.Errorf("%w: %d weeks of history for %d model terms; supply at least %d weeks", ErrNotIdentifiable, n, k, max(MinWeeks(spec), k+6))
	}

	x := mat.NewDense(n, k, nil)
	y := mat.NewVecDense(n, nil)
	row := make([]float64, k)
	for i, w := range h.Weeks {
		m.design(row, Inputs{WeekStart: w.Start, DrawDay: w.DrawDay, MarketingSpend: w.MarketingSpend}, w.JackpotAnnounced)
		x.SetRow(i, row)
		y.SetVec(i, math.Log(w.TicketsSold))
	}
	if err := m.checkVariation(x); err != nil {
		return nil, err
	}

	var qr mat.QR
	qr.Factorize(x)
	if c := qr.Cond(); c > 1e12 || math.IsNaN(c) {
		return nil, fmt.Errorf("%w: model terms are collinear (condition number %.3g); drop a feature from model.features", ErrNotIdentifiable, c)
	}
	var beta mat.VecDense
	if err := qr.SolveVecTo(&beta, false, y); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotIdentifiable, err)
	}
	m.Coefficients = make([]float64, k)
	for j := range k {
		m.Coefficients[j] = beta.AtVec(j)
	}

	var fitted mat.VecDense
	fitted.MulVec(x, &beta)
	ssRes, ssTot, mean := 0.0, 0.0, mat.Sum(y)/float64(n)
	for i := range n {
		r := y.AtVec(i) - fitted.AtVec(i)
		ssRes += r * r
		d := y.AtVec(i) - mean
		ssTot += d * d
	}
	m.ResidualSD = math.Sqrt(ssRes / float64(n-k))
	if ssTot > 0 {
		m.InSampleR2 = 1 - ssRes/ssTot
	}

	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	var chol mat.Cholesky
	if ok := chol.Factorize(&xtx); !ok {
		return nil, fmt.Errorf("%w: XᵀX is not positive definite; drop a feature from model.features", ErrNotIdentifiable)
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotIdentifiable, err)
	}
	m.CovarianceScale = make([][]float64, k)
	for i := range k {
		m.CovarianceScale[i] = make([]float64, k)
		for j := range k {
			m.CovarianceScale[i][j] = inv.At(i, j)
		}
	}
	return m, nil
}

// chooseDrawDays picks the most common day as baseline and gives every
// other observed day its own effect.
func (m *Model) chooseDrawDays(weeks []dataset.Week) {
	var count [7]int
	for _, w := range weeks {
		count[w.DrawDay]++
	}
	base := time.Saturday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if count[d] > count[base] {
			base = d
		}
	}
	m.BaselineDrawDay = base.String()
	for d := time.Sunday; d <= time.Saturday; d++ {
		if d != base && count[d] > 0 {
			m.DrawDayTerms = append(m.DrawDayTerms, d.String())
		}
	}
}

func (m *Model) termNames() []string {
	s := m.Spec
	names := []string{termIntercept}
	if s.has(config.FeatureLogJackpot) {
		names = append(names, config.FeatureLogJackpot)
	}
	if s.has(config.FeatureLogJackpotSquared) {
		names = append(names, config.FeatureLogJackpotSquared)
	}
	for _, d := range m.DrawDayTerms {
		names = append(names, termDrawDay+d)
	}
	if s.has(config.FeatureTrend) {
		names = append(names, config.FeatureTrend)
	}
	if s.has(config.FeatureSeasonality) {
		for k := 1; k <= s.Harmonics; k++ {
			names = append(names, fmt.Sprintf("%s%d", termSeasonalSin, k), fmt.Sprintf("%s%d", termSeasonalCos, k))
		}
	}
	if s.has(config.FeatureMarketingSpend) {
		names = append(names, config.FeatureMarketingSpend)
	}
	return names
}

// design fills row with the regressors of one week; the term order matches
// termNames.
func (m *Model) design(row []float64, in Inputs, jackpot float64) {
	s := m.Spec
	u := math.Log(jackpot) - m.LogJackpotCentre
	i := 0
	put := func(v float64) { row[i] = v; i++ }
	put(1)
	if s.has(config.FeatureLogJackpot) {
		put(u)
	}
	if s.has(config.FeatureLogJackpotSquared) {
		put(u * u)
	}
	for _, d := range m.DrawDayTerms {
		if in.DrawDay.String() == d {
			put(1)
		} else {
			put(0)
		}
	}
	if s.has(config.FeatureTrend) {
		put(in.WeekStart.Sub(m.TrendOrigin).Hours() / 24 / 365.25)
	}
	if s.has(config.FeatureSeasonality) {
		phase := 2 * math.Pi * yearFraction(in.WeekStart)
		for k := 1; k <= s.Harmonics; k++ {
			put(math.Sin(float64(k) * phase))
			put(math.Cos(float64(k) * phase))
		}
	}
	if s.has(config.FeatureMarketingSpend) {
		put(math.Log1p(in.MarketingSpend))
	}
}

func yearFraction(t time.Time) float64 {
	start := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	return t.Sub(start).Hours() / 24 / 365.25
}

// checkVariation names a regressor that never varies, the usual cause of an
// unidentifiable fit (e.g. a constant jackpot or marketing budget).
func (m *Model) checkVariation(x *mat.Dense) error {
	n, k := x.Dims()
	for j := 1; j < k; j++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range n {
			v := x.At(i, j)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if hi-lo < 1e-9 {
			return fmt.Errorf("%w: term %s has the same value in every training week (check the history's %s column, or drop the feature from model.features)", ErrNotIdentifiable, m.Terms[j], columnOf(m.Terms[j]))
		}
	}
	return nil
}

func columnOf(term string) string {
	switch term {
	case config.FeatureLogJackpot, config.FeatureLogJackpotSquared:
		return dataset.ColJackpotAnnounced
	case config.FeatureMarketingSpend:
		return dataset.ColMarketingSpend
	case config.FeatureTrend:
		return dataset.ColWeekStart
	}
	if len(term) > len(termDrawDay) && term[:len(termDrawDay)] == termDrawDay {
		return dataset.ColDrawDay
	}
	return dataset.ColWeekStart
}

// CheckInputs verifies that a week can be forecast: its draw day must have
// been seen in training when the model has draw-day effects.
func (m *Model) CheckInputs(in Inputs) error {
	if m.BaselineDrawDay == "" {
		return nil
	}
	if in.DrawDay.String() == m.BaselineDrawDay {
		return nil
	}
	for _, d := range m.DrawDayTerms {
		if d == in.DrawDay.String() {
			return nil
		}
	}
	return fmt.Errorf("draw day %s never occurs in the training history, so its sales effect is unknown; set draw_day to one of %s or add history for that day", in.DrawDay, append([]string{m.BaselineDrawDay}, m.DrawDayTerms...))
}

// Forecast returns the forecast for a week and an announced jackpot.
func (m *Model) Forecast(in Inputs, jackpot float64) Forecast {
	return m.ForWeek(in).Forecast(jackpot)
}

// Week is a model specialised to one week, so that the optimiser's many
// jackpot evaluations cost a few multiplications each.
type Week struct {
	base, bu, bu2    float64
	centre, sigma    float64
	q0, qu, qu2      float64 // var factor: x_fᵀAx_f, 2(Ax_f)_u, 2(Ax_f)_u2
	auu, auu2, au2u2 float64
}

// ForWeek specialises the model to a week.
func (m *Model) ForWeek(in Inputs) Week {
	k := len(m.Terms)
	row := make([]float64, k)
	// Evaluate with the jackpot at the centre so that u = 0: the jackpot
	// terms then vanish from row, leaving the fixed part x_f.
	m.design(row, in, math.Exp(m.LogJackpotCentre))
	iu, iu2 := m.index(config.FeatureLogJackpot), m.index(config.FeatureLogJackpotSquared)
	w := Week{centre: m.LogJackpotCentre, sigma: m.ResidualSD}
	a := m.CovarianceScale
	ax := make([]float64, k)
	for i := range k {
		w.base += row[i] * m.Coefficients[i]
		for j := range k {
			ax[i] += a[i][j] * row[j]
		}
	}
	for i := range k {
		w.q0 += row[i] * ax[i]
	}
	if iu >= 0 {
		w.bu = m.Coefficients[iu]
		w.qu = 2 * ax[iu]
		w.auu = a[iu][iu]
	}
	if iu2 >= 0 {
		w.bu2 = m.Coefficients[iu2]
		w.qu2 = 2 * ax[iu2]
		w.au2u2 = a[iu2][iu2]
	}
	if iu >= 0 && iu2 >= 0 {
		w.auu2 = a[iu][iu2]
	}
	return w
}

func (m *Model) index(term string) int {
	for i, t := range m.Terms {
		if t == term {
			return i
		}
	}
	return -1
}

// Forecast returns the lognormal forecast for an announced jackpot. The
// spread is σ·√(1 + xᵀ(XᵀX)⁻¹x): residual noise plus parameter
// uncertainty, which widens away from the jackpots seen in training.
func (w Week) Forecast(jackpot float64) Forecast {
	u := math.Log(jackpot) - w.centre
	u2 := u * u
	mu := w.base + w.bu*u + w.bu2*u2
	q := w.q0 + w.qu*u + w.qu2*u2 + w.auu*u2 + 2*w.auu2*u2*u + w.au2u2*u2*u2
	if q < 0 {
		q = 0
	}
	return Forecast{LogMean: mu, LogSD: w.sigma * math.Sqrt(1+q)}
}

// Range returns the jackpots the model may be used for: those seen in
// training, widened by factor on both sides.
func (m *Model) Range(factor float64) (lo, hi float64) {
	return m.JackpotMin / factor, m.JackpotMax * factor
}

// Extrapolates reports whether a jackpot lies outside the range of the
// training data widened by factor.
func (m *Model) Extrapolates(jackpot, factor float64) bool {
	lo, hi := m.Range(factor)
	return jackpot < lo*(1-1e-12) || jackpot > hi*(1+1e-12)
}

// Elasticity is d log(tickets) / d log(jackpot) at a jackpot.
func (m *Model) Elasticity(jackpot float64) float64 {
	u := math.Log(jackpot) - m.LogJackpotCentre
	e := 0.0
	if i := m.index(config.FeatureLogJackpot); i >= 0 {
		e += m.Coefficients[i]
	}
	if i := m.index(config.FeatureLogJackpotSquared); i >= 0 {
		e += 2 * m.Coefficients[i] * u
	}
	return e
}

// Coefficient returns a named coefficient and whether the model has it.
func (m *Model) Coefficient(term string) (float64, bool) {
	if i := m.index(term); i >= 0 {
		return m.Coefficients[i], true
	}
	return 0, false
}
