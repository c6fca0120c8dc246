package sales

import (
	"math"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The optimiser evaluates forecasts through Week, which expands the
// quadratic form xᵀ(XᵀX)⁻¹x in the jackpot terms; it must agree with the
// direct computation.
func TestWeekForecastMatchesDirectComputation(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		m, err := Fit(SpecFor(c.Config), c.History)
		require.NoError(t, err)
		in := Inputs{WeekStart: c.History.NextWeekStart().AddDate(0, 0, 21), DrawDay: time.Saturday, MarketingSpend: 123456}
		w := m.ForWeek(in)
		k := len(m.Terms)
		row := make([]float64, k)
		for _, j := range []float64{c.Config.Jackpot.Min, c.History.Last().JackpotAnnounced, c.Config.Jackpot.Max} {
			m.design(row, in, j)
			mu, q := 0.0, 0.0
			for a := range k {
				mu += row[a] * m.Coefficients[a]
				for b := range k {
					q += row[a] * m.CovarianceScale[a][b] * row[b]
				}
			}
			f := w.Forecast(j)
			assert.InDelta(t, mu, f.LogMean, 1e-9, "%s mean at %.0f", c.Config.Country, j)
			assert.InDelta(t, m.ResidualSD*math.Sqrt(1+q), f.LogSD, 1e-9, "%s spread at %.0f", c.Config.Country, j)
		}
	}
}
