package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/weekly"
)

// backtest prints walk-forward accuracy and replays recent decisions.
func (a *app) backtest(ctx context.Context, args []string) error {
	o := &options{}
	var replay int
	var asJSON bool
	fs := a.flagSet("backtest", o, "country", "data", "seed")
	fs.IntVar(&replay, "replay", 12, "replay the decision for this many recent weeks (0 = none)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "backtest"); err != nil {
		return err
	}
	c, h, err := a.loadCountryHistory(ctx, o)
	if err != nil {
		return err
	}
	if err := weekly.CheckHistory(c, h.History); err != nil {
		return err
	}
	spec, _, cands, err := sales.Select(c, h.History)
	if err != nil {
		return err
	}
	metrics, preds, err := sales.WalkForward(spec, h.History, c.Model.Validation)
	if err != nil {
		return err
	}
	gate := sales.ApplyGate(c.Model.QualityGate, metrics)
	var replayed []weekly.ReplayWeek
	if replay > 0 {
		if replayed, err = weekly.Replay(c, h.History, replay, o.seed); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(struct {
			Country     string              `json:"country"`
			Features    []string            `json:"features"`
			Candidates  []sales.Candidate   `json:"candidates"`
			WalkForward sales.Metrics       `json:"walk_forward"`
			Gate        config.QualityGate  `json:"quality_gate"`
			Predictions []sales.Prediction  `json:"predictions"`
			Replay      []weekly.ReplayWeek `json:"replay"`
		}{c.Country, spec.Features, cands, metrics, c.Model.QualityGate, preds, replayed})
	}
	g := c.Model.QualityGate
	fmt.Fprintf(a.env.stdout, "%s walk-forward of the chosen model %s (%d folds, %d predictions): MAPE %.2f%% (gate ≤ %.2f%%), R² %.3f (gate ≥ %.3f), P10–P90 coverage %.0f%% (gate %.0f–%.0f%%)\n",
		c.Country, strings.Join(spec.Features, "+"), metrics.Folds, metrics.Predictions, 100*metrics.MAPE, 100*g.MaxMAPE, metrics.R2, g.MinR2, 100*metrics.CoverageP10P90, 100*g.MinCoverage, 100*g.MaxCoverage)
	if len(replayed) > 0 {
		fmt.Fprintf(a.env.stdout, "\nreplay of the last %d weeks (objective = model-expected value of each choice):\n", len(replayed))
		tw := newTable(a.env.stdout)
		fmt.Fprintln(tw, "WEEK\tANNOUNCED\tRECOMMENDED\tSTATUS\tTICKETS ACTUAL\tPREDICTED\tOBJ ANNOUNCED\tOBJ RECOMMENDED\tANNOUNCED BREAKS")
		for _, w := range replayed {
			rec, objRec := "—", "—"
			if w.Recommended != nil {
				rec, objRec = money(*w.Recommended), money(*w.ObjectiveRecommended)
			}
			breaks := strings.Join(w.AnnouncedViolates, ",")
			if breaks == "" {
				breaks = "—"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w.WeekStart.Format(dataset.DateLayout), money(w.Announced), rec, w.Status,
				count(w.ActualTickets), count(w.PredictedTickets), money(w.ObjectiveAnnounced), objRec, breaks)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if !gate.Passed {
		return &sales.GateError{Country: c.Country, Gate: gate}
	}
	return nil
}
