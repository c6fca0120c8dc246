package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/weekly"
)

// predict prints sales forecasts for given jackpots.
func (a *app) predict(ctx context.Context, args []string) error {
	o := &options{}
	var jackpots, week string
	var asJSON bool
	fs := a.flagSet("predict", o, "country", "data", "model")
	fs.StringVar(&jackpots, "jackpot", "", "comma-separated jackpots to forecast")
	fs.StringVar(&week, "week", "", "week_start to forecast (default: the week after the history)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "predict"); err != nil {
		return err
	}
	if jackpots == "" {
		return &usageError{"predict: --jackpot is required (e.g. --jackpot 100000,250000)"}
	}
	var js []float64
	for _, s := range strings.Split(jackpots, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v > 0) || v > 1e15 {
			return &usageError{fmt.Sprintf("predict: --jackpot %q is not a positive amount", s)}
		}
		js = append(js, v)
	}
	c, h, err := a.loadCountryHistory(ctx, o)
	if err != nil {
		return err
	}
	art, err := a.loadModel(ctx, o, c)
	if err != nil {
		return err
	}
	if art == nil {
		if art, err = weekly.Train(c, h.History, a.env.now()); err != nil {
			return err
		}
	}
	if err := art.Check(); err != nil {
		return err
	}
	start := h.NextWeekStart()
	if week != "" {
		if start, err = time.Parse(dataset.DateLayout, week); err != nil {
			return &usageError{fmt.Sprintf("predict: --week %q is not a date like 2025-01-04", week)}
		}
	}
	in := sales.Inputs{WeekStart: start, DrawDay: c.Weekday(), MarketingSpend: h.Last().MarketingSpend}
	if err := art.Model.CheckInputs(in); err != nil {
		return err
	}
	type row struct {
		Jackpot    float64 `json:"jackpot"`
		Mean       float64 `json:"mean"`
		P10        float64 `json:"p10"`
		P50        float64 `json:"p50"`
		P90        float64 `json:"p90"`
		Elasticity float64 `json:"elasticity"`
	}
	var rows []row
	for _, j := range js {
		f := art.Model.Forecast(in, j)
		rows = append(rows, row{j, f.Mean(), f.Quantile(0.1), f.Median(), f.Quantile(0.9), art.Model.Elasticity(j)})
	}
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(struct {
			Country      string `json:"country"`
			WeekStart    string `json:"week_start"`
			ModelVersion string `json:"model_version"`
			Forecasts    []row  `json:"forecasts"`
		}{c.Country, start.Format(dataset.DateLayout), art.ModelVersion, rows})
	}
	fmt.Fprintf(a.env.stdout, "%s tickets forecast for week %s (%s draw), model %s\n", c.Country, start.Format(dataset.DateLayout), c.DrawDay, art.ModelVersion)
	tw := newTable(a.env.stdout)
	fmt.Fprintln(tw, "JACKPOT\tMEAN\tP10\tP50\tP90\tELASTICITY")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%.3f\n", c.Currency, money(r.Jackpot), count(r.Mean), count(r.P10), count(r.P50), count(r.P90), r.Elasticity)
	}
	return tw.Flush()
}
