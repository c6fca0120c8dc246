package report

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart colours. Bars are drawn in one flat colour and nothing else in
// the picture uses it, so a reader (or a test) can count them.
var (
	BarColor    = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	BudgetColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// Chart sizes.
const (
	chartWidth  = 8 * vg.Inch
	chartHeight = 4 * vg.Inch
)

// Chart is a bar chart of the report.
type Chart struct {
	// File is the PNG's file name in the report's directory.
	File   string
	Title  string
	Labels []string
	Values []float64
	// Marks are optional reference values per bar (budgets), drawn as
	// lines; zero draws none.
	Marks []float64
	YAxis string
}

// Charts returns the report's charts: cost per team (with budgets), cost per
// service, and budget burn per budgeted team.
func (r *Report) Charts() []Chart {
	team := Chart{File: "cost-by-team.png", Title: fmt.Sprintf("Cost by team, %s (%s)", r.Month, r.Currency), YAxis: r.Currency}
	for _, t := range r.Teams {
		team.Labels = append(team.Labels, t.Team)
		team.Values = append(team.Values, t.Cost)
		team.Marks = append(team.Marks, t.Budget)
	}
	service := Chart{File: "cost-by-service.png", Title: fmt.Sprintf("Cost by service, %s (%s)", r.Month, r.Currency), YAxis: r.Currency}
	for _, s := range r.ChartServices() {
		service.Labels = append(service.Labels, s.Service)
		service.Values = append(service.Values, s.Cost)
	}
	burn := Chart{File: "budget-burn.png", Title: fmt.Sprintf("Budget burn, %s (%% of monthly budget)", r.Month), YAxis: "%"}
	for _, t := range r.Teams {
		if t.Budget > 0 {
			burn.Labels = append(burn.Labels, t.Team)
			burn.Values = append(burn.Values, t.Burn*100)
			burn.Marks = append(burn.Marks, 100)
		}
	}
	return []Chart{team, service, burn}
}

// OtherServices labels the services the service chart groups together.
const OtherServices = "other services"

// MinChartShare is the share of the month's cost below which a service is
// grouped into OtherServices in the chart (the table lists every service):
// a bar for a few cents next to hundreds of dollars would be invisible.
const MinChartShare = 0.01

// ChartServices are the bars of the service chart: the services with at
// least MinChartShare of the month, then the rest as one bar.
func (r *Report) ChartServices() []ServiceCost {
	var out []ServiceCost
	other := ServiceCost{Service: OtherServices}
	n := 0
	for _, s := range r.Services {
		if r.Total > 0 && s.Cost/r.Total < MinChartShare {
			other.Cost += s.Cost
			n++
			continue
		}
		out = append(out, s)
	}
	if n > 0 {
		other.Service = fmt.Sprintf("%s (%d)", OtherServices, n)
		out = append(out, other)
	}
	return out
}

// MinBarShare is the least height of a bar with a positive value, as a
// share of the tallest bar.
const MinBarShare = 0.02

// PNG renders the chart.
func (c Chart) PNG() ([]byte, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.Y.Label.Text = c.YAxis
	p.Y.Min = 0
	values := make(plotter.Values, len(c.Values))
	copy(values, c.Values)
	// A positive value too small to see is drawn at MinBarShare of the
	// tallest bar, so that every team and service shows; the tables carry
	// the exact figures.
	tallest := 0.0
	for _, v := range values {
		tallest = max(tallest, v)
	}
	for i, v := range values {
		if v > 0 && v < tallest*MinBarShare {
			values[i] = tallest * MinBarShare
		}
	}
	if len(values) == 0 {
		// An empty month still gets its (empty) chart.
		p.NominalX("no data")
		p.Add(plotter.NewGrid())
		return render(p)
	}
	bars, err := plotter.NewBarChart(values, vg.Points(32))
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.File, err)
	}
	bars.Color = BarColor
	bars.LineStyle.Width = 0
	p.Add(bars)
	maxY := 0.0
	for i, m := range c.Marks {
		maxY = max(maxY, m, c.Values[i])
		if m <= 0 {
			continue
		}
		mark, err := plotter.NewLine(plotter.XYs{{X: float64(i) - 0.4, Y: m}, {X: float64(i) + 0.4, Y: m}})
		if err != nil {
			return nil, err
		}
		mark.Color = BudgetColor
		mark.Width = vg.Points(2)
		mark.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(mark)
	}
	for _, v := range c.Values {
		maxY = max(maxY, v)
	}
	if maxY > 0 {
		p.Y.Max = maxY * 1.1
	}
	p.NominalX(c.Labels...)
	p.X.Min, p.X.Max = -0.6, float64(len(values))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	return render(p)
}

func render(p *plot.Plot) ([]byte, error) {
	w, err := p.WriterTo(chartWidth, chartHeight, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
