package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/aifactory/platform/optimiser/weekly"
)

// countryRun is one country's computed outputs, not yet written.
type countryRun struct {
	out   *weekly.Output
	files []storage.File
}

func (a *app) recommendOne(ctx context.Context, o *options, c *config.Country, configSource string, cr *cash.Resolver) (*countryRun, error) {
	h, err := a.loadHistory(ctx, o, c)
	if err != nil {
		return nil, err
	}
	model, err := a.loadModel(ctx, o, c)
	if err != nil {
		return nil, err
	}
	amount, err := cr.For(ctx, c.Country)
	if err != nil {
		return nil, err
	}
	draw, err := a.drawFor(o, c)
	if err != nil {
		return nil, err
	}
	now := a.env.now()
	out, err := weekly.Recommend(weekly.Input{Config: c, History: h.History, Model: model, Cash: amount.Value, Seed: o.seed, Now: now, DrawDate: draw})
	if err != nil {
		return nil, err
	}
	if h.synthetic {
		out.Recommendation.Notes = append(out.Recommendation.Notes, "computed from the bundled SYNTHETIC sample history, not real sales data")
	}
	rec, err := report.Marshal(out.Recommendation)
	if err != nil {
		return nil, err
	}
	meta, err := report.Marshal(report.BuildMetadata(report.MetadataInputs{
		Config: c, DataSHA256: h.SHA256, DataSource: h.source, ConfigSource: strings.TrimSuffix(configSource, "/") + "/" + c.Source,
		ModelJSON: out.ModelJSON, ModelVersion: out.Model.ModelVersion, SyntheticData: h.synthetic,
		Seed: o.seed, Now: now, ImageDigest: a.env.getenv(EnvImageDigest), CashSource: amount.Source,
	}))
	if err != nil {
		return nil, err
	}
	// metadata.json goes last: its presence marks a complete set.
	return &countryRun{out: out, files: []storage.File{
		{Name: c.Country + "/" + report.RecommendationFile, Data: rec},
		{Name: c.Country + "/" + report.MetadataFile, Data: meta},
	}}, nil
}

// recommend handles one country.
func (a *app) recommend(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("recommend", o, "country", "data", "model", "out", "cash", "seed", "draw")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "recommend"); err != nil {
		return err
	}
	if err := checkDrawFlag(o); err != nil {
		return err
	}
	c, src, err := a.loadCountry(ctx, o)
	if err != nil {
		return err
	}
	cr, err := a.cashResolver(o, true, []*config.Country{c})
	if err != nil {
		return err
	}
	r, err := a.recommendOne(ctx, o, c, src, cr)
	if err != nil {
		return err
	}
	printTable(a.env.stdout, []*countryResult{{country: c.Country, run: r, outcome: r.out.Result.Status}})
	if r.out.Result.Status == optimise.StatusInfeasible {
		a.printInfeasible(r)
		return &infeasibleError{countries: []string{c.Country}}
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	if err := sink.WriteAll(ctx, r.files); err != nil {
		return writeFailure("outputs to "+sink.URI(), err)
	}
	fmt.Fprintf(a.env.stdout, "\nwrote %d files to %s\n", len(r.files), sink.URI())
	return nil
}
