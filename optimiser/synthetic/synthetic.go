// Package synthetic generates SYNTHETIC weekly sales histories for the
// bundled countries. No public postcode-lottery sales series exists, so the
// bundled data is simulated from a known "true" sales model and a historic
// jackpot policy; it lets the pipeline, the tests and a first-time user run
// end to end. It is not real data and must never be used for decisions.
//
// Truth model, per week t:
//
//	log N = log BaseTickets + E·u + C·u² + day effect + Trend·years
//	        + SeasonAmplitude·cos(2π(day of year − SeasonPeakDay)/365.25)
//	        + MarketingElasticity·(log(1+spend) − log(1+MarketingBase)) + ε
//	u = log(J / ReferenceJackpot), ε ~ Normal(0, NoiseSD²)
//
// The jackpot J follows the country's mechanism: postcode and lapse draws
// use campaign weeks around a drifting base level; rollover draws add a share
// of revenue to an unwon jackpot and reset to a seed after a win. Prizes paid
// are the secondary share of revenue (with noise) plus the jackpot payout
// (J for a lotto win, J × tickets in the drawn postcode for a postcode draw).
package synthetic

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// DayEffect is an alternative draw day: how often it occurs and its effect
// on log sales relative to the main draw day.
type DayEffect struct {
	Day       time.Weekday
	Share     float64
	LogEffect float64
}

// Scenario is the synthetic world of one country.
type Scenario struct {
	Country string
	Start   time.Time
	Weeks   int

	BaseTickets      float64
	ReferenceJackpot float64
	Elasticity       float64
	Convexity        float64
	MainDrawDay      time.Weekday
	OtherDrawDays    []DayEffect
	TrendPerYear     float64
	SeasonAmplitude  float64
	SeasonPeakDay    float64
	NoiseSD          float64

	// Marketing spend (0 base = no marketing_spend column).
	MarketingBase       float64
	MarketingSD         float64
	MarketingElasticity float64

	// DrawLevel generates one row per draw (draw_date) on the
	// configuration's draw days instead of one per week; Weeks then counts
	// weeks of draws, and OtherDrawDays give the log effect of each day
	// other than MainDrawDay (their Share is not used).
	DrawLevel bool

	// Historic jackpot policy.
	PolicyLevel     float64   // base jackpot level (postcode/lapse) or seed (rollover)
	PolicyDrift     float64   // weekly log-sd of the base level's random walk
	CampaignShare   float64   // share of campaign weeks (postcode/lapse)
	CampaignFactors []float64 // jackpot multipliers in campaign weeks
	RolloverShare   float64   // share of revenue added to an unwon jackpot
}

// Scenarios are the documented worlds behind the bundled sample data.
// The start date is a Saturday so that week_start matches the draw day.
var Scenarios = map[string]Scenario{
	"NL": {
		Country: "NL", Start: time.Date(2020, 1, 4, 0, 0, 0, 0, time.UTC), Weeks: 260,
		BaseTickets: 3.0e6, ReferenceJackpot: 250000, Elasticity: 0.12, Convexity: 0.05,
		MainDrawDay: time.Saturday, OtherDrawDays: []DayEffect{{time.Sunday, 0.08, -0.06}},
		TrendPerYear: -0.015, SeasonAmplitude: 0.05, SeasonPeakDay: 350, NoiseSD: 0.025,
		MarketingBase: 400000, MarketingSD: 0.35, MarketingElasticity: 0.04,
		PolicyLevel: 200000, PolicyDrift: 0.03, CampaignShare: 0.3, CampaignFactors: []float64{1.5, 2, 3, 4},
	},
	"GB": {
		Country: "GB", Start: time.Date(2020, 1, 4, 0, 0, 0, 0, time.UTC), Weeks: 260,
		BaseTickets: 600000, ReferenceJackpot: 100000, Elasticity: 0.5, Convexity: 0.03,
		MainDrawDay: time.Saturday, OtherDrawDays: []DayEffect{{time.Friday, 0.1, -0.08}},
		TrendPerYear: -0.02, SeasonAmplitude: 0.06, SeasonPeakDay: 355, NoiseSD: 0.03,
		MarketingBase: 150000, MarketingSD: 0.4, MarketingElasticity: 0.05,
		PolicyLevel: 80000, PolicyDrift: 0.03, CampaignShare: 0.3, CampaignFactors: []float64{1.5, 2, 2.5},
	},
	"SE": {
		Country: "SE", Start: time.Date(2020, 1, 4, 0, 0, 0, 0, time.UTC), Weeks: 260,
		BaseTickets: 3.0e6, ReferenceJackpot: 30e6, Elasticity: 0.45, Convexity: 0.12,
		MainDrawDay: time.Saturday, OtherDrawDays: []DayEffect{{time.Wednesday, 0.06, -0.25}},
		TrendPerYear: -0.03, SeasonAmplitude: 0.04, SeasonPeakDay: 0, NoiseSD: 0.03,
		PolicyLevel: 10e6, RolloverShare: 0.12,
	},
}

// DefaultSeed is the base seed of the bundled sample data.
const DefaultSeed = 20240601

// CountrySeed derives a country's seed from the base seed, so that countries
// differ but every run is reproducible: base + 256·code[0] + code[1].
func CountrySeed(base uint64, code string) uint64 {
	return base + 256*uint64(code[0]) + uint64(code[1])
}

// Generate simulates a history for a country under its configuration. The
// same seed always gives the same bytes.
func Generate(c *config.Country, s Scenario, seed uint64) ([]byte, error) {
	if s.Weeks < 1 {
		return nil, fmt.Errorf("synthetic: scenario %s has no weeks", s.Country)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	dateCol := dataset.ColWeekStart
	if s.DrawLevel {
		dateCol = dataset.ColDrawDate
	}
	header := []string{dateCol, dataset.ColTicketsSold, dataset.ColJackpotAnnounced, dataset.ColDrawDay, dataset.ColJackpotWon, dataset.ColPrizesPaid}
	if s.MarketingBase > 0 {
		header = append(header, dataset.ColMarketingSpend)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, err
	}
	lotto := c.Mechanism.Type == config.MechanismLotto
	rollover := c.IsRollover()
	kValues, kCum := postcodeDistribution(c)
	level := s.PolicyLevel
	jackpot := s.PolicyLevel
	rows := s.Weeks
	var draws []time.Time
	if s.DrawLevel {
		for d := s.Start; d.Before(s.Start.AddDate(0, 0, 7*s.Weeks)); d = d.AddDate(0, 0, 1) {
			for _, wd := range c.Weekdays() {
				if d.Weekday() == wd {
					draws = append(draws, d)
				}
			}
		}
		rows = len(draws)
	}
	for t := range rows {
		start := s.Start.AddDate(0, 0, 7*t)
		if s.DrawLevel {
			start = draws[t]
		}
		if !rollover {
			level *= math.Exp(s.PolicyDrift * rng.NormFloat64())
			jackpot = level
			if rng.Float64() < s.CampaignShare && len(s.CampaignFactors) > 0 {
				jackpot *= s.CampaignFactors[rng.IntN(len(s.CampaignFactors))]
			}
		}
		jackpot = snap(c, jackpot)

		day, dayEffect := s.MainDrawDay, 0.0
		if s.DrawLevel {
			day = start.Weekday()
			for _, d := range s.OtherDrawDays {
				if d.Day == day {
					dayEffect = d.LogEffect
				}
			}
		} else {
			u := rng.Float64()
			for _, d := range s.OtherDrawDays {
				if u < d.Share {
					day, dayEffect = d.Day, d.LogEffect
					break
				}
				u -= d.Share
			}
		}
		spend := 0.0
		marketing := 0.0
		if s.MarketingBase > 0 {
			spend = math.Round(s.MarketingBase * math.Exp(s.MarketingSD*rng.NormFloat64()-s.MarketingSD*s.MarketingSD/2))
			marketing = s.MarketingElasticity * (math.Log1p(spend) - math.Log1p(s.MarketingBase))
		}
		years := start.Sub(s.Start).Hours() / 24 / 365.25
		doy := float64(start.YearDay())
		lu := math.Log(jackpot / s.ReferenceJackpot)
		logN := math.Log(s.BaseTickets) + s.Elasticity*lu + s.Convexity*lu*lu + dayEffect +
			s.TrendPerYear*years + s.SeasonAmplitude*math.Cos(2*math.Pi*(doy-s.SeasonPeakDay)/365.25) +
			marketing + s.NoiseSD*rng.NormFloat64()
		tickets := math.Round(math.Exp(logN))
		revenue := tickets * c.TicketPrice

		won := true
		jackpotPaid := 0.0
		if lotto {
			won = rng.Float64() < -math.Expm1(-c.Mechanism.Lotto.WinProbability*tickets)
			if won {
				jackpotPaid = jackpot
			}
		} else {
			k := kValues[sort.SearchFloat64s(kCum, rng.Float64()*kCum[len(kCum)-1])]
			jackpotPaid = jackpot * k
		}
		secondary := c.SecondaryPrizeShare * revenue * math.Exp(0.02*rng.NormFloat64())
		prizes := math.Round(secondary + jackpotPaid)

		rec := []string{
			start.Format(dataset.DateLayout),
			strconv.FormatFloat(tickets, 'f', 0, 64),
			strconv.FormatFloat(jackpot, 'f', -1, 64),
			lowerDay(day),
			strconv.FormatBool(won),
			strconv.FormatFloat(prizes, 'f', 0, 64),
		}
		if s.MarketingBase > 0 {
			rec = append(rec, strconv.FormatFloat(spend, 'f', 0, 64))
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}

		if rollover {
			if won {
				jackpot = s.PolicyLevel * (0.8 + 0.4*rng.Float64())
			} else {
				jackpot += s.RolloverShare * revenue
			}
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func postcodeDistribution(c *config.Country) (values, cum []float64) {
	if c.Mechanism.Postcode == nil {
		return []float64{1}, []float64{1}
	}
	acc := 0.0
	pts := append([]config.TicketsProbability(nil), c.Mechanism.Postcode.TicketsInDrawnPostcode...)
	sort.Slice(pts, func(i, j int) bool { return pts[i].Tickets < pts[j].Tickets })
	for _, p := range pts {
		acc += p.Probability
		values = append(values, float64(p.Tickets))
		cum = append(cum, acc)
	}
	return values, cum
}

// snap rounds to the announceable grid and keeps the jackpot in bounds.
func snap(c *config.Country, j float64) float64 {
	g := c.Jackpot
	j = g.Min + math.Round((j-g.Min)/g.Step)*g.Step
	return math.Min(math.Max(j, g.Min), g.Max)
}

func lowerDay(d time.Weekday) string {
	s := d.String()
	return string(s[0]+'a'-'A') + s[1:]
}
