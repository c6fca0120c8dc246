// Package report defines the optimiser's output contract —
// recommendation.json and metadata.json — and builds both from a
// recommendation. Field names are part of the contract with the pipeline and
// must only change together with SchemaVersion.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/sales"
)

// SchemaVersion of recommendation.json and metadata.json.
const SchemaVersion = 2

// Output file names.
const (
	RecommendationFile = "recommendation.json"
	MetadataFile       = "metadata.json"
)

// Recommendation is recommendation.json.
type Recommendation struct {
	SchemaVersion      int          `json:"schema_version"`
	Country            string       `json:"country"`
	Currency           string       `json:"currency"`
	WeekStart          string       `json:"week_start"`
	DrawDate           string       `json:"draw_date"`
	DrawDay            string       `json:"draw_day"`
	Mechanism          string       `json:"mechanism"`
	UnwonJackpot       string       `json:"unwon_jackpot,omitempty"`
	Status             string       `json:"status"`
	RecommendedJackpot *float64     `json:"recommended_jackpot"`
	ClosestJackpot     *float64     `json:"closest_jackpot,omitempty"`
	ExpectedTickets    *Quantiles   `json:"expected_tickets"`
	WinProbability     *float64     `json:"win_probability"`
	Payout             *Payout      `json:"payout"`
	ExpectedNetRevenue *float64     `json:"expected_net_revenue"`
	Objective          *float64     `json:"objective"`
	Cash               *Cash        `json:"cash"`
	Constraints        []Constraint `json:"constraints"`
	InfeasibleBecause  []string     `json:"infeasible_because,omitempty"`
	Conflicts          []Conflict   `json:"conflicts,omitempty"`
	ObjectiveCurve     []CurvePoint `json:"objective_curve"`
	FeasibleRanges     [][2]float64 `json:"feasible_ranges"`
	Plan               *Plan        `json:"plan"`
	Model              Model        `json:"model"`
	History            History      `json:"history"`
	Search             Search       `json:"search"`
	Notes              []string     `json:"notes,omitempty"`
}

// Quantiles of tickets sold.
type Quantiles struct {
	Mean float64 `json:"mean"`
	P10  float64 `json:"p10"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
}

// Payout summarises the week's total prize payout.
type Payout struct {
	Mean               float64 `json:"mean"`
	P10                float64 `json:"p10"`
	P50                float64 `json:"p50"`
	P90                float64 `json:"p90"`
	AtRisk             float64 `json:"at_risk"`
	WorstPlausible     float64 `json:"worst_plausible"`
	WinningTicketsMean float64 `json:"winning_tickets_mean"`
	WinningTicketsMax  float64 `json:"winning_tickets_max"`
}

// Cash is the cash safety net at the recommendation.
type Cash struct {
	Checked             bool     `json:"checked"`
	Available           *float64 `json:"available"`
	Required            float64  `json:"required"`
	Reserve             float64  `json:"reserve"`
	Epsilon             float64  `json:"epsilon"`
	SimulatedExceedance float64  `json:"simulated_exceedance"`
	SimulationSamples   int      `json:"simulation_samples"`
}

// Constraint is one constraint at the recommendation.
type Constraint struct {
	Name     string   `json:"name"`
	Bound    string   `json:"bound"`
	Value    *float64 `json:"value"`
	Limit    float64  `json:"limit"`
	Slack    *float64 `json:"slack"`
	Unit     string   `json:"unit"`
	Binding  bool     `json:"binding"`
	Enforced bool     `json:"enforced"`
	Scenario string   `json:"scenario,omitempty"`
}

// Conflict explains an infeasible problem.
type Conflict struct {
	Name    string       `json:"name"`
	Bound   string       `json:"bound"`
	HoldsOn [][2]float64 `json:"holds_on"`
}

// CurvePoint is one point of the objective curve.
type CurvePoint struct {
	Jackpot            float64  `json:"jackpot"`
	Objective          float64  `json:"objective"`
	ExpectedNetRevenue float64  `json:"expected_net_revenue"`
	ExpectedTickets    float64  `json:"expected_tickets"`
	Feasible           bool     `json:"feasible"`
	Violated           []string `json:"violated,omitempty"`
	Optimum            bool     `json:"optimum,omitempty"`
}

// Plan summarises the rollover horizon plan.
type Plan struct {
	HorizonWeeks       int     `json:"horizon_weeks"`
	HorizonDraws       int     `json:"horizon_draws"`
	Levels             int     `json:"levels"`
	NextJackpotIfWon   float64 `json:"next_jackpot_if_won"`
	NextJackpotIfUnwon float64 `json:"next_jackpot_if_unwon"`
}

// Model summarises the sales model used.
type Model struct {
	Version         string   `json:"version"`
	TrainedAt       string   `json:"trained_at"`
	Features        []string `json:"features"`
	MAPE            float64  `json:"mape"`
	R2              float64  `json:"r2"`
	CoverageP10P90  float64  `json:"coverage_p10_p90"`
	GateMaxMAPE     float64  `json:"gate_max_mape"`
	GateMinR2       float64  `json:"gate_min_r2"`
	GateMinCoverage float64  `json:"gate_min_coverage"`
	GateMaxCoverage float64  `json:"gate_max_coverage"`
	GatePassed      bool     `json:"gate_passed"`
	// Candidates is each configured feature subset's walk-forward error
	// and interval coverage, the chosen one first.
	Candidates []sales.Candidate `json:"candidates"`
	// JackpotRange is the range of jackpots the model is used for: those of
	// the history widened by model.extrapolation_factor.
	JackpotRange [2]float64 `json:"jackpot_range"`
}

// History describes the sales history behind the recommendation.
type History struct {
	// Granularity is "weekly" (week_start rows) or "draw" (draw_date rows).
	Granularity string `json:"granularity"`
	// LastDraw is the date of the history's last draw; StalenessDays the
	// days from it to the draw being decided.
	LastDraw      string `json:"last_draw"`
	StalenessDays int    `json:"staleness_days"`
}

// Search reports the optimiser's effort.
type Search struct {
	GridPoints          int `json:"grid_points"`
	Evaluations         int `json:"evaluations"`
	ExplainEvaluations  int `json:"explain_evaluations"`
	PlanningEvaluations int `json:"planning_evaluations"`
}

// Inputs are what a recommendation is built from.
type Inputs struct {
	Config    *config.Country
	WeekStart time.Time
	// DrawDate is the draw being decided; DrawLevel whether the history has
	// one row per draw.
	DrawDate  time.Time
	DrawLevel bool
	// HistoryLast is the date of the history's last draw.
	HistoryLast   time.Time
	StalenessDays int
	Model         *sales.Artefact
	Result        *optimise.Result
	Cash          *float64
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// BuildRecommendation assembles recommendation.json.
func BuildRecommendation(in Inputs) Recommendation {
	c, res, a := in.Config, in.Result, in.Model
	r := Recommendation{
		SchemaVersion:  SchemaVersion,
		Country:        c.Country,
		Currency:       c.Currency,
		WeekStart:      in.WeekStart.Format("2006-01-02"),
		DrawDate:       in.DrawDate.Format("2006-01-02"),
		DrawDay:        strings.ToLower(in.DrawDate.Weekday().String()),
		Mechanism:      c.Mechanism.Type,
		Status:         res.Status,
		Constraints:    []Constraint{},
		ObjectiveCurve: []CurvePoint{},
		FeasibleRanges: [][2]float64{},
		Model: Model{
			Version: a.ModelVersion, TrainedAt: a.TrainedAt.Format(time.RFC3339), Features: a.Model.Spec.Features,
			MAPE: a.WalkForward.MAPE, R2: a.WalkForward.R2, CoverageP10P90: a.WalkForward.CoverageP10P90,
			GateMaxMAPE: a.QualityGate.MaxMAPE, GateMinR2: a.QualityGate.MinR2,
			GateMinCoverage: a.QualityGate.MinCoverage, GateMaxCoverage: a.QualityGate.MaxCoverage, GatePassed: a.QualityGate.Passed,
			Candidates: a.Candidates,
		},
		History: History{Granularity: "weekly", LastDraw: in.HistoryLast.Format("2006-01-02"), StalenessDays: in.StalenessDays},
		Search:  Search{GridPoints: res.GridPoints, Evaluations: res.SearchEvaluations, ExplainEvaluations: res.ExplainEvaluations},
	}
	if c.Mechanism.Lotto != nil {
		r.UnwonJackpot = c.Mechanism.Lotto.Unwon
	}
	if in.DrawLevel {
		r.History.Granularity = "draw"
	}
	lo, hi := a.Model.Range(c.Model.ExtrapolationFactor)
	r.Model.JackpotRange = [2]float64{lo, hi}
	if res.Plan != nil {
		r.Search.PlanningEvaluations = res.Plan.Evaluations
	}
	r.InfeasibleBecause = res.InfeasibleBecause
	for _, cf := range res.Conflicts {
		out := Conflict{Name: cf.Name, Bound: string(cf.Bound), HoldsOn: [][2]float64{}}
		for _, rg := range cf.HoldsOn {
			out.HoldsOn = append(out.HoldsOn, [2]float64{rg.From, rg.To})
		}
		r.Conflicts = append(r.Conflicts, out)
	}
	for _, cr := range res.Constraints {
		out := Constraint{Name: cr.Name, Bound: string(cr.Bound), Limit: cr.Limit, Unit: cr.Unit, Binding: cr.Binding, Enforced: cr.Enforced, Scenario: cr.Scenario}
		if cr.Enforced {
			out.Value, out.Slack = ptr(cr.Value), ptr(cr.Slack)
		}
		r.Constraints = append(r.Constraints, out)
	}
	// The curve spans the whole allowed interval, infeasible problems included.
	for _, p := range res.Curve {
		r.ObjectiveCurve = append(r.ObjectiveCurve, CurvePoint{Jackpot: p.Jackpot, Objective: p.Objective, ExpectedNetRevenue: p.NetRevenue, ExpectedTickets: p.ExpectedTickets, Feasible: p.Feasible, Violated: p.Violated, Optimum: p.Optimum})
	}
	for _, rg := range res.FeasibleRanges {
		r.FeasibleRanges = append(r.FeasibleRanges, [2]float64{rg.From, rg.To})
	}
	b := res.Best
	if b == nil {
		r.Notes = append(r.Notes, "no announceable jackpot satisfies every constraint; see infeasible_because and conflicts")
		if res.Closest != nil {
			r.ClosestJackpot = ptr(res.Closest.Jackpot)
			r.Cash = &Cash{Checked: in.Cash != nil, Available: in.Cash, Required: res.Closest.RequiredCash, Reserve: c.Constraints.Cash.Reserve, Epsilon: c.Constraints.Cash.Epsilon}
			r.Notes = append(r.Notes, "constraints are shown at closest_jackpot, the jackpot that violates them least")
		}
		return r
	}
	r.RecommendedJackpot = ptr(b.Jackpot)
	sd, mu := b.TicketsLogSD, b.TicketsLogMean
	r.ExpectedTickets = &Quantiles{
		Mean: b.ExpectedTickets,
		P10:  math.Exp(mu + sd*z10), P50: math.Exp(mu), P90: math.Exp(mu + sd*z90),
	}
	r.WinProbability = ptr(b.WinProbability)
	r.ExpectedNetRevenue = ptr(b.NetRevenue)
	r.Objective = ptr(b.Objective)
	if p := res.Payout; p != nil {
		r.Payout = &Payout{Mean: p.Mean, P10: p.P10, P50: p.P50, P90: p.P90, AtRisk: p.AtRisk, WorstPlausible: p.WorstPlausible, WinningTicketsMean: p.WinnersMean, WinningTicketsMax: p.WinnersMax}
	}
	r.Cash = &Cash{
		Checked: in.Cash != nil, Available: in.Cash, Required: b.RequiredCash,
		Reserve: c.Constraints.Cash.Reserve, Epsilon: c.Constraints.Cash.Epsilon,
	}
	if s := res.Simulation; s != nil {
		r.Cash.SimulatedExceedance, r.Cash.SimulationSamples = s.ExceedanceShare, s.Samples
	}
	if in.Cash == nil {
		r.Notes = append(r.Notes, "available cash was not supplied (flag --cash, OPTIMISER_CASH or the cash secret): the cash safety net is not enforced; cash.required is the cash this jackpot needs")
	}
	if res.Plan != nil {
		r.Plan = &Plan{HorizonWeeks: res.Plan.HorizonWeeks, HorizonDraws: res.Plan.HorizonDraws, Levels: res.Plan.Levels, NextJackpotIfWon: res.Plan.NextIfWon, NextJackpotIfUnwon: res.Plan.NextIfUnwon}
	}
	return r
}

// z-scores of the 10th and 90th percentiles.
const (
	z10 = -1.2815515655446004
	z90 = 1.2815515655446004
)

// Metadata is metadata.json: what produced the recommendation, so that it
// can be reproduced and audited.
type Metadata struct {
	SchemaVersion int       `json:"schema_version"`
	Country       string    `json:"country"`
	CodeVersion   string    `json:"code_version"`
	Commit        string    `json:"commit"`
	GoVersion     string    `json:"go_version"`
	ImageDigest   string    `json:"image_digest,omitempty"`
	DataSHA256    string    `json:"data_sha256"`
	ConfigSHA256  string    `json:"config_sha256"`
	ModelSHA256   string    `json:"model_sha256"`
	ModelVersion  string    `json:"model_version"`
	DataSource    string    `json:"data_source"`
	ConfigSource  string    `json:"config_source"`
	SyntheticData bool      `json:"synthetic_data"`
	Seed          int64     `json:"seed"`
	GeneratedAt   time.Time `json:"generated_at"`
	CashSource    string    `json:"cash_source"`
}

// MetadataInputs are the provenance facts of one recommendation.
type MetadataInputs struct {
	Config        *config.Country
	DataSHA256    string
	DataSource    string
	ConfigSource  string
	ModelJSON     []byte
	ModelVersion  string
	SyntheticData bool
	Seed          int64
	Now           time.Time
	ImageDigest   string
	CashSource    string
}

// BuildMetadata assembles metadata.json.
func BuildMetadata(in MetadataInputs) Metadata {
	bi := buildinfo.Read()
	sum := sha256.Sum256(in.ModelJSON)
	return Metadata{
		SchemaVersion: SchemaVersion,
		Country:       in.Config.Country,
		CodeVersion:   bi.Version,
		Commit:        bi.Commit,
		GoVersion:     bi.GoVersion,
		ImageDigest:   in.ImageDigest,
		DataSHA256:    in.DataSHA256,
		ConfigSHA256:  in.Config.SHA256,
		ModelSHA256:   hex.EncodeToString(sum[:]),
		ModelVersion:  in.ModelVersion,
		DataSource:    in.DataSource,
		ConfigSource:  in.ConfigSource,
		SyntheticData: in.SyntheticData,
		Seed:          in.Seed,
		GeneratedAt:   in.Now.UTC().Truncate(time.Second),
		CashSource:    in.CashSource,
	}
}

// Marshal renders an output as indented JSON with a trailing newline.
func Marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
