package optimise_test

import (
	"math"
	"testing"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/weekly"
	"github.com/stretchr/testify/require"
)

// powerSales is N = a·J^b·exp(c·(log J − centre)²) with a fixed log
// spread: with c = 0 it is the power curve N = a·J^b whose optimum is known
// in closed form.
type powerSales struct{ logA, b, c, centre, sd float64 }

func (s powerSales) Forecast(_ int, j float64) (float64, float64) {
	u := math.Log(j) - s.centre
	return s.logA + s.b*math.Log(j) + s.c*u*u, s.sd
}

func ptr(v float64) *float64 { return &v }

// lapseConfig is the analytic check's setting: lotto, lapse, margin per
// ticket m = 2.5 × (1 − 0.15 − 0.10) = 1.875, p = 2.2e-8, no binding
// constraint.
func lapseConfig() *config.Country {
	c := &config.Country{
		Country: "XX", Currency: "EUR", TicketPrice: 2.5, DrawDay: "saturday",
		Mechanism:           config.Mechanism{Type: config.MechanismLotto, Lotto: &config.Lotto{WinProbability: 2.2e-8, Unwon: config.UnwonLapse}},
		SecondaryPrizeShare: 0.15, CostShare: 0.10,
		Jackpot:     config.JackpotGrid{Min: 1e6, Max: 100e6, Step: 10e3},
		Constraints: config.Constraints{Cash: config.CashSafety{Reserve: 0, Epsilon: 0}, SalesTail: 0.01},
		Model:       config.Model{Features: []string{config.FeatureLogJackpot}, Validation: config.Validation{InitialWeeks: 26, HorizonWeeks: 1, StepWeeks: 1}, QualityGate: config.QualityGate{MaxMAPE: 1, MinR2: 0}},
		Planning:    config.Planning{HorizonWeeks: 1, WeeklyDiscount: 1, StatePoints: 16},
	}
	c.ApplyDefaults()
	return c
}

// bundledProblems builds next week's problem for every bundled country from
// its sample history, with the sales model fitted on it.
func bundledProblems(t testing.TB, cash *float64) map[string]*optimise.Problem {
	t.Helper()
	countries, err := bundled.Countries()
	require.NoError(t, err)
	out := map[string]*optimise.Problem{}
	for _, bc := range countries {
		m, err := sales.Fit(sales.SpecFor(bc.Config), bc.History)
		require.NoError(t, err)
		f, err := weekly.Forecaster(m, bc.Config, bc.History)
		require.NoError(t, err)
		out[bc.Config.Country] = weekly.Problem(bc.Config, bc.History, f, cash, 1)
	}
	return out
}
