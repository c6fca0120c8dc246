package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/weekly"
)

// predict prints sales forecasts for given jackpots.
func (a *app) predict(ctx context.Context, args []string) error {
	o := &options{}
	var jackpots, week string
	var asJSON bool
	fs := a.flagSet("predict", o, "country", "data", "model", "draw")
	fs.StringVar(&jackpots, "jackpot", "", "comma-separated jackpots to forecast")
	fs.StringVar(&week, "week", "", "week_start whose draw to forecast (weekly histories; same as --draw with that week's draw day)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "predict"); err != nil {
		return err
	}
	if err := checkDrawFlag(o); err != nil {
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
	draw, err := a.drawFor(o, c)
	if err != nil {
		return err
	}
	if week != "" {
		ws, err := time.Parse(dataset.DateLayout, week)
		if err != nil {
			return &usageError{fmt.Sprintf("predict: --week %q is not a date like 2025-01-04", week)}
		}
		draw = ws.AddDate(0, 0, (int(c.Weekday())-int(ws.Weekday())+7)%7)
	}
	d, err := weekly.Decide(c, h.History, draw)
	if err != nil {
		return err
	}
	in := weekly.InputsFor(c, h.History, d)
	if err := art.Model.CheckInputs(in); err != nil {
		return err
	}
	factor := c.Model.ExtrapolationFactor
	lo, hi := art.Model.Range(factor)
	type row struct {
		Jackpot    float64 `json:"jackpot"`
		Mean       float64 `json:"mean"`
		P10        float64 `json:"p10"`
		P50        float64 `json:"p50"`
		P90        float64 `json:"p90"`
		Elasticity float64 `json:"elasticity"`
		// Extrapolated marks a jackpot outside the range the model may be
		// used for (model.extrapolation_factor around the history's).
		Extrapolated bool `json:"extrapolated"`
	}
	var rows []row
	extrapolated := 0
	for _, j := range js {
		f := art.Model.Forecast(in, j)
		r := row{j, f.Mean(), f.Quantile(0.1), f.Median(), f.Quantile(0.9), art.Model.Elasticity(j), art.Model.Extrapolates(j, factor)}
		for _, q := range []struct {
			name string
			v    float64
		}{{"expected tickets", r.Mean}, {"P10 tickets", r.P10}, {"P50 tickets", r.P50}, {"P90 tickets", r.P90}, {"elasticity", r.Elasticity}} {
			if math.IsNaN(q.v) || math.IsInf(q.v, 0) {
				return fmt.Errorf("%s: %s at jackpot %s is %v: the sales model extrapolates far beyond the jackpots of the history (%s–%s); forecast jackpots within %s–%s (model.extrapolation_factor %g)",
					c.Country, q.name, money(j), q.v, money(art.Model.JackpotMin), money(art.Model.JackpotMax), money(lo), money(hi), factor)
			}
		}
		if r.Extrapolated {
			extrapolated++
		}
		rows = append(rows, r)
	}
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(struct {
			Country      string     `json:"country"`
			WeekStart    string     `json:"week_start"`
			DrawDate     string     `json:"draw_date"`
			ModelVersion string     `json:"model_version"`
			JackpotRange [2]float64 `json:"jackpot_range"`
			Forecasts    []row      `json:"forecasts"`
		}{c.Country, d.WeekStart.Format(dataset.DateLayout), d.DrawDate.Format(dataset.DateLayout), art.ModelVersion, [2]float64{lo, hi}, rows})
	}
	fmt.Fprintf(a.env.stdout, "%s tickets forecast for the draw of %s (%s), model %s\n", c.Country, d.DrawDate.Format(dataset.DateLayout), strings.ToLower(d.DrawDate.Weekday().String()), art.ModelVersion)
	tw := newTable(a.env.stdout)
	fmt.Fprintln(tw, "JACKPOT\tMEAN\tP10\tP50\tP90\tELASTICITY\tRANGE")
	for _, r := range rows {
		flag := "within"
		if r.Extrapolated {
			flag = "EXTRAPOLATED"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%.3f\t%s\n", c.Currency, money(r.Jackpot), count(r.Mean), count(r.P10), count(r.P50), count(r.P90), r.Elasticity, flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if extrapolated > 0 {
		fmt.Fprintf(a.env.stdout, "\n%d jackpot(s) outside %s–%s (the history's %s–%s, model.extrapolation_factor %g): those forecasts are extrapolation and the optimiser never uses them.\n",
			extrapolated, money(lo), money(hi), money(art.Model.JackpotMin), money(art.Model.JackpotMax), factor)
	}
	return nil
}
