package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/storage"
)

// SummaryFile is the machine-readable record of a run, written to the
// output root: every country's status, exit code and files.
const SummaryFile = "summary.json"

// countryResult is one country's outcome in a run.
type countryResult struct {
	country string
	source  string // config file
	run     *countryRun
	err     error
	// outcome is the recommendation status (optimal, cash_unchecked) or why
	// the country failed (infeasible, gate_failed, error).
	outcome string
	code    int
	written []string
}

func (r *countryResult) failed() bool { return r.code != exitOK }

// runAll handles every configured country. Each succeeds or fails on its
// own: a failing country writes nothing, the others are written, and the
// exit code says whether any failed.
func (a *app) runAll(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("run", o, "out", "cash", "seed", "draw")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkDrawFlag(o); err != nil {
		return err
	}
	cs, failedConfigs, src, err := a.loadConfigs(ctx, o)
	if err != nil {
		return err
	}
	cr, err := a.cashResolver(o, false, cs, failedConfigs...)
	if err != nil {
		return err
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	var results []*countryResult
	for _, f := range failedConfigs {
		results = append(results, failure(&countryResult{country: f.Country, source: f.Name}, fmt.Errorf("%s: %w", strings.TrimSuffix(src, "/"), f.Err)))
	}
	for _, c := range cs {
		res := &countryResult{country: c.Country, source: c.Source}
		results = append(results, res)
		r, err := a.recommendOne(ctx, o, c, src, cr)
		if err != nil {
			failure(res, err)
			continue
		}
		res.run, res.outcome = r, r.out.Result.Status
		if r.out.Result.Status == optimise.StatusInfeasible {
			failure(res, &infeasibleError{countries: []string{c.Country}})
			continue
		}
		// Each country is its own set: all of its files or none.
		if err := sink.WriteAll(ctx, r.files); err != nil {
			failure(res, writeFailure(c.Country+" outputs to "+sink.URI(), err))
			continue
		}
		for _, f := range r.files {
			res.written = append(res.written, f.Name)
		}
	}
	sortResults(results)
	printTable(a.env.stdout, results)
	for _, r := range results {
		if r.outcome == optimise.StatusInfeasible && r.run != nil {
			a.printInfeasible(r.run)
		}
	}
	code := runExitCode(results)
	if err := a.writeSummary(ctx, sink, o, results, code); err != nil {
		return err
	}
	written := 0
	for _, r := range results {
		written += len(r.written)
	}
	fmt.Fprintf(a.env.stdout, "\nwrote %d files and %s to %s\n", written, SummaryFile, sink.URI())
	var failed []string
	for _, r := range results {
		if r.failed() {
			failed = append(failed, r.country)
			fmt.Fprintf(a.env.stderr, "optimiser: %s failed (exit %d), nothing of it was written: %v\n", r.country, r.code, r.err)
		}
	}
	if len(failed) > 0 {
		return &countriesFailed{countries: failed, of: len(results), code: code}
	}
	return nil
}

// failure records a country's error and its exit code.
func failure(r *countryResult, err error) *countryResult {
	r.err = err
	r.code = codeOf(err)
	switch r.code {
	case exitInfeasible:
		r.outcome = optimise.StatusInfeasible
	case exitGate:
		r.outcome = "gate_failed"
	default:
		r.outcome = "error"
	}
	return r
}

func sortResults(rs []*countryResult) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].country < rs[j-1].country; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// runExitCode is 0 when every country succeeded; when some failed, the
// shared exit code of their failures (3 all infeasible, 4 all below their
// quality gate), else 1.
func runExitCode(rs []*countryResult) int {
	code := exitOK
	for _, r := range rs {
		switch {
		case !r.failed():
		case code == exitOK:
			code = r.code
		case code != r.code:
			code = exitError
		}
	}
	return code
}

// countriesFailed is a run in which some countries failed; the exit code is
// runExitCode's.
type countriesFailed struct {
	countries []string
	of, code  int
}

func (e *countriesFailed) Error() string {
	return fmt.Sprintf("%d of %d countries failed (%s); the others were written; see %s", len(e.countries), e.of, strings.Join(e.countries, ", "), SummaryFile)
}

// Summary is summary.json.
type Summary struct {
	SchemaVersion int              `json:"schema_version"`
	CodeVersion   string           `json:"code_version"`
	GeneratedAt   time.Time        `json:"generated_at"`
	Draw          string           `json:"draw,omitempty"`
	ExitCode      int              `json:"exit_code"`
	Countries     []SummaryCountry `json:"countries"`
}

// SummaryCountry is one country's line of summary.json.
type SummaryCountry struct {
	Country string `json:"country"`
	Config  string `json:"config"`
	// Status is "written" or "failed".
	Status string `json:"status"`
	// Outcome is optimal, cash_unchecked, infeasible, gate_failed or error.
	Outcome            string   `json:"outcome"`
	ExitCode           int      `json:"exit_code"`
	Error              string   `json:"error,omitempty"`
	DrawDate           string   `json:"draw_date,omitempty"`
	RecommendedJackpot *float64 `json:"recommended_jackpot,omitempty"`
	Files              []string `json:"files"`
}

func (a *app) writeSummary(ctx context.Context, sink storage.Sink, o *options, rs []*countryResult, code int) error {
	s := Summary{SchemaVersion: 1, CodeVersion: buildinfo.Read().Version, GeneratedAt: a.env.now().UTC().Truncate(time.Second), Draw: o.draw, ExitCode: code}
	for _, r := range rs {
		line := SummaryCountry{Country: r.country, Config: r.source, Status: "written", Outcome: r.outcome, ExitCode: r.code, Files: r.written}
		if line.Files == nil {
			line.Files = []string{}
		}
		if r.failed() {
			line.Status, line.Error = "failed", r.err.Error()
		}
		if r.run != nil {
			line.DrawDate = r.run.out.Recommendation.DrawDate
			line.RecommendedJackpot = r.run.out.Recommendation.RecommendedJackpot
		}
		s.Countries = append(s.Countries, line)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := sink.WriteAll(ctx, []storage.File{{Name: SummaryFile, Data: append(b, '\n')}}); err != nil {
		return writeFailure(SummaryFile, err)
	}
	return nil
}
