package optimise

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"
)

// minLogSD keeps degenerate (zero-spread) forecasts away from 0/0.
const minLogSD = 1e-12

// zLimit is where the standard normal's tails stop mattering (Φ(−9) ≈ 1e-19).
const zLimit = 9.0

var (
	hermiteX, hermiteW   = hermiteNodes(32)
	legendreX, legendreW = legendreNodes(48)
)

func hermiteNodes(n int) ([]float64, []float64) {
	x, w := make([]float64, n), make([]float64, n)
	quad.Hermite{}.FixedLocations(x, w, math.Inf(-1), math.Inf(1))
	for i := range w {
		// Turn ∫ f(x) e^{−x²} dx into E[f(Z)] for Z ~ N(0, 1).
		x[i] *= math.Sqrt2
		w[i] /= math.SqrtPi
	}
	return x, w
}

func legendreNodes(n int) ([]float64, []float64) {
	x, w := make([]float64, n), make([]float64, n)
	quad.Legendre{}.FixedLocations(x, w, -1, 1)
	return x, w
}

func normCDF(z float64) float64      { return distuv.UnitNormal.CDF(z) }
func normQuantile(q float64) float64 { return distuv.UnitNormal.Quantile(q) }

// lognormal is the forecast distribution of tickets sold.
type lognormal struct{ mu, sd float64 }

func newLognormal(mu, sd float64) lognormal { return lognormal{mu: mu, sd: math.Max(sd, minLogSD)} }

func (d lognormal) quantile(q float64) float64 { return math.Exp(d.mu + d.sd*normQuantile(q)) }
func (d lognormal) mean() float64              { return math.Exp(d.mu + d.sd*d.sd/2) }

// z is the standard score of log(x); −∞ for x ≤ 0.
func (d lognormal) z(x float64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	return (math.Log(x) - d.mu) / d.sd
}

// expect returns E[f(N)] by Gauss–Hermite quadrature.
func (d lognormal) expect(f func(n float64) float64) float64 {
	s := 0.0
	for i, x := range hermiteX {
		s += hermiteW[i] * f(math.Exp(d.mu+d.sd*x))
	}
	return s
}

// winProbability is the chance that at least one of n tickets wins.
func winProbability(p, n float64) float64 { return -math.Expm1(-p * n) }

// payoutModel is the distribution of one week's prize payout: the jackpot
// payout plus secondary prizes, which are a share of ticket revenue.
type payoutModel struct {
	jackpot float64
	// perTicket is the secondary prize paid per ticket sold (share × price).
	perTicket float64
	tickets   lognormal

	lotto bool
	p     float64 // lotto: per-ticket jackpot probability

	// postcode: tickets held in the drawn postcode, with probabilities.
	kValues, kProbs []float64
}

// partialWin is G(z) = ∫_{−∞}^{z} P(win | N = e^{μ+σu}) φ(u) du, the chance
// that the jackpot is won and log-sales are below μ + σz.
func (m payoutModel) partialWin(z float64) float64 {
	if z <= -zLimit {
		return 0
	}
	hi := math.Min(z, zLimit)
	half, mid := (hi+zLimit)/2, (hi-zLimit)/2
	s := 0.0
	for i, x := range legendreX {
		u := mid + half*x
		n := math.Exp(m.tickets.mu + m.tickets.sd*u)
		s += legendreW[i] * winProbability(m.p, n) * math.Exp(-u*u/2)
	}
	return s * half / math.Sqrt(2*math.Pi)
}

// cdf is P(payout ≤ x).
func (m payoutModel) cdf(x float64) float64 {
	if x < 0 {
		return 0
	}
	if m.lotto {
		if m.perTicket == 0 {
			if x >= m.jackpot {
				return 1
			}
			return 1 - m.tickets.expect(func(n float64) float64 { return winProbability(m.p, n) })
		}
		// P(aN ≤ x) − P(won, aN ≤ x) + P(won, aN ≤ x − J)
		zx := m.tickets.z(x / m.perTicket)
		zj := m.tickets.z((x - m.jackpot) / m.perTicket)
		return normCDF(zx) - m.partialWin(zx) + m.partialWin(zj)
	}
	f := 0.0
	for i, k := range m.kValues {
		rest := x - m.jackpot*k
		if rest < 0 {
			continue
		}
		if m.perTicket == 0 {
			f += m.kProbs[i]
		} else {
			f += m.kProbs[i] * normCDF(m.tickets.z(rest/m.perTicket))
		}
	}
	return f
}

// worst is the largest plausible payout: the jackpot is won (by the fullest
// postcode) and sales are at their upper plausible quantile.
func (m payoutModel) worst(tail float64) float64 {
	return m.jackpot*m.maxWinners() + m.perTicket*m.tickets.quantile(1-tail)
}

func (m payoutModel) maxWinners() float64 {
	if m.lotto {
		return 1
	}
	return m.kValues[len(m.kValues)-1]
}

// quantile is the smallest payout x with P(payout ≤ x) ≥ q, found by
// bisection on the monotone cdf.
func (m payoutModel) quantile(q float64) float64 {
	lo := 0.0
	hi := m.jackpot*m.maxWinners() + m.perTicket*math.Exp(m.tickets.mu+zLimit*m.tickets.sd)
	if m.cdf(lo) >= q {
		return 0
	}
	for range 200 {
		if hi-lo <= 1e-10*hi {
			break
		}
		mid := (lo + hi) / 2
		if m.cdf(mid) >= q {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// expectedJackpotPayout is E[jackpot paid this week].
func (m payoutModel) expectedJackpotPayout(winProb float64) float64 {
	if m.lotto {
		return m.jackpot * winProb
	}
	e := 0.0
	for i, k := range m.kValues {
		e += k * m.kProbs[i]
	}
	return m.jackpot * e
}
