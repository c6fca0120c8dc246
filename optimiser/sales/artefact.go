package sales

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// FormatVersion is the artefact schema version; readers refuse others.
const FormatVersion = 2

// Artefact is a trained, validated model with everything needed to audit
// it: the data and config it came from, its accuracy and its gate.
type Artefact struct {
	FormatVersion      int       `json:"format_version"`
	ModelVersion       string    `json:"model_version"`
	Country            string    `json:"country"`
	TrainedAt          time.Time `json:"trained_at"`
	TrainingDataSHA256 string    `json:"training_data_sha256"`
	ConfigSHA256       string    `json:"config_sha256"`
	TrainingWeeks      WeekRange `json:"training_weeks"`
	Model              *Model    `json:"model"`
	// CandidateFeatures are the configured features; Candidates the
	// walk-forward validation of each subset, the chosen one marked.
	CandidateFeatures []string    `json:"candidate_features"`
	Candidates        []Candidate `json:"candidates"`
	// SelectionTolerance is the tie tolerance the candidates were chosen with.
	SelectionTolerance float64           `json:"selection_tolerance"`
	WalkForward        Metrics           `json:"walk_forward"`
	QualityGate        GateResult        `json:"quality_gate"`
	Validation         config.Validation `json:"validation"`
}

// WeekRange is the span of weeks a model was trained on.
type WeekRange struct {
	First string `json:"first"`
	Last  string `json:"last"`
	Count int    `json:"count"`
}

// GateResult records the quality gate applied to the walk-forward metrics.
type GateResult struct {
	MaxMAPE     float64  `json:"max_mape"`
	MinR2       float64  `json:"min_r2"`
	MinCoverage float64  `json:"min_coverage"`
	MaxCoverage float64  `json:"max_coverage"`
	Passed      bool     `json:"passed"`
	Failures    []string `json:"failures,omitempty"`
}

// GateError is returned when a model is worse than its country's gate; such
// a model must not be used to publish a recommendation.
type GateError struct {
	Country string
	Gate    GateResult
}

func (e *GateError) Error() string {
	return fmt.Sprintf("sales model for %s fails its quality gate: %s; investigate the data or relax model.quality_gate only with sign-off", e.Country, strings.Join(e.Gate.Failures, "; "))
}

// Train chooses the model's features by walk-forward validation (Select),
// fits the chosen model on the whole history and applies the quality gate
// to its walk-forward metrics. A failed gate is recorded in the artefact and
// reported by Check, not by Train, so that the failing metrics can still be
// inspected.
func Train(c *config.Country, h *dataset.History, now time.Time) (*Artefact, error) {
	spec, metrics, candidates, err := Select(c, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Country, err)
	}
	m, err := Fit(spec, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Country, err)
	}
	a := &Artefact{
		FormatVersion:      FormatVersion,
		Country:            c.Country,
		TrainedAt:          now.UTC().Truncate(time.Second),
		TrainingDataSHA256: h.SHA256,
		ConfigSHA256:       c.SHA256,
		TrainingWeeks: WeekRange{
			First: h.Weeks[0].Start.Format(dataset.DateLayout),
			Last:  h.Last().Start.Format(dataset.DateLayout),
			Count: h.Len(),
		},
		Model:              m,
		CandidateFeatures:  append([]string(nil), c.Model.Features...),
		Candidates:         candidates,
		SelectionTolerance: c.Model.SelectionTolerance,
		WalkForward:        metrics,
		QualityGate:        ApplyGate(c.Model.QualityGate, metrics),
		Validation:         c.Model.Validation,
	}
	a.ModelVersion = fmt.Sprintf("%s-%s-%s", c.Country, a.TrainingWeeks.Last, a.fingerprint()[:12])
	return a, nil
}

// ApplyGate checks walk-forward metrics against a quality gate: MAPE, R² and
// P10–P90 interval coverage.
func ApplyGate(g config.QualityGate, m Metrics) GateResult {
	r := GateResult{MaxMAPE: g.MaxMAPE, MinR2: g.MinR2, MinCoverage: g.MinCoverage, MaxCoverage: g.MaxCoverage, Passed: true}
	if m.MAPE > g.MaxMAPE {
		r.Failures = append(r.Failures, fmt.Sprintf("walk-forward MAPE %.2f%% > max %.2f%% (model.quality_gate.max_mape)", 100*m.MAPE, 100*g.MaxMAPE))
	}
	if m.R2 < g.MinR2 {
		r.Failures = append(r.Failures, fmt.Sprintf("walk-forward R² %.3f < min %.3f (model.quality_gate.min_r2)", m.R2, g.MinR2))
	}
	if m.CoverageP10P90 < g.MinCoverage {
		r.Failures = append(r.Failures, fmt.Sprintf("walk-forward P10–P90 coverage %.0f%% < min %.0f%%: the intervals are overconfident (model.quality_gate.min_coverage)", 100*m.CoverageP10P90, 100*g.MinCoverage))
	}
	if m.CoverageP10P90 > g.MaxCoverage {
		r.Failures = append(r.Failures, fmt.Sprintf("walk-forward P10–P90 coverage %.0f%% > max %.0f%%: the intervals are too wide (model.quality_gate.max_coverage)", 100*m.CoverageP10P90, 100*g.MaxCoverage))
	}
	r.Passed = len(r.Failures) == 0
	return r
}

// Check returns a GateError if the model failed its gate.
func (a *Artefact) Check() error {
	if !a.QualityGate.Passed {
		return &GateError{Country: a.Country, Gate: a.QualityGate}
	}
	return nil
}

// fingerprint hashes what determines predictions, so that the version
// changes whenever the model would forecast differently.
func (a *Artefact) fingerprint() string {
	b, _ := json.Marshal(struct {
		M    *Model
		Data string
	}{a.Model, a.TrainingDataSHA256})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Marshal returns the artefact's JSON.
func (a *Artefact) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// LoadArtefact parses and checks an artefact and that it belongs to the
// configuration it is about to be used with.
func LoadArtefact(data []byte, source string, c *config.Country) (*Artefact, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var a Artefact
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("model artefact %s: not a valid artefact: %v", source, err)
	}
	if a.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("model artefact %s: format_version %d, this build reads %d; retrain with the train command", source, a.FormatVersion, FormatVersion)
	}
	if a.Country != c.Country {
		return nil, fmt.Errorf("model artefact %s: trained for %s, not %s", source, a.Country, c.Country)
	}
	if err := a.Model.check(); err != nil {
		return nil, fmt.Errorf("model artefact %s: %w", source, err)
	}
	if strings.Join(c.Model.Features, ",") != strings.Join(a.CandidateFeatures, ",") {
		return nil, fmt.Errorf("model artefact %s: trained with candidate features %v, but the config now asks for %v; retrain with the train command", source, a.CandidateFeatures, c.Model.Features)
	}
	for _, f := range a.Model.Spec.Features {
		if !c.HasFeature(f) {
			return nil, fmt.Errorf("model artefact %s: uses feature %s, which the config does not list; retrain with the train command", source, f)
		}
	}
	if a.Model.Spec.has(config.FeatureSeasonality) && a.Model.Spec.Harmonics != c.Model.SeasonalHarmonics {
		return nil, fmt.Errorf("model artefact %s: trained with %d seasonal harmonics, the config asks for %d; retrain with the train command", source, a.Model.Spec.Harmonics, c.Model.SeasonalHarmonics)
	}
	return &a, nil
}

func (m *Model) check() error {
	if m == nil {
		return errors.New("model is missing")
	}
	k := len(m.Terms)
	if k == 0 || len(m.Coefficients) != k || len(m.CovarianceScale) != k {
		return fmt.Errorf("model has %d terms, %d coefficients and a %d-row covariance", k, len(m.Coefficients), len(m.CovarianceScale))
	}
	for _, r := range m.CovarianceScale {
		if len(r) != k {
			return errors.New("covariance is not square")
		}
	}
	if want := m.termNames(); strings.Join(want, ",") != strings.Join(m.Terms, ",") {
		return fmt.Errorf("terms %v do not match spec (expected %v)", m.Terms, want)
	}
	for _, v := range append([]float64{m.ResidualSD, m.LogJackpotCentre}, m.Coefficients...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("model has non-finite parameters")
		}
	}
	if m.ResidualSD < 0 {
		return errors.New("residual_sd is negative")
	}
	if !(m.JackpotMin > 0 && m.JackpotMax >= m.JackpotMin && !math.IsInf(m.JackpotMax, 0)) {
		return errors.New("jackpot_min and jackpot_max must give the training jackpot range")
	}
	return nil
}
