package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/buildinfo"
	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/aifactory/platform/optimiser/weekly"
)

// Exit codes.
const (
	exitOK         = 0
	exitError      = 1 // bad input, I/O or internal error
	exitUsage      = 2 // unknown command or flag
	exitInfeasible = 3 // no jackpot satisfies the constraints
	exitGate       = 4 // sales model worse than its quality gate
)

// EnvImageDigest carries the container image digest into metadata.json.
const EnvImageDigest = "OPTIMISER_IMAGE_DIGEST"

// DefaultOut is where outputs go when --out is not given.
const DefaultOut = "out/optimiser"

// Names of the bundled inputs in outputs.
const (
	bundledConfigs = "bundled:configs"
	bundledData    = "bundled:data"
)

// environment is everything the CLI takes from the process, so tests can
// run it in-process.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	s3             storage.ObjectStoreFactory
	secrets        func(context.Context) (cash.SecretFetcher, error)
}

const usage = `optimiser — weekly jackpot recommendation

Usage:
  optimiser run       [flags]                      every configured country
  optimiser recommend --country CC [flags]         one country
  optimiser train     --country CC [flags]         fit, validate and save the model
  optimiser predict   --country CC --jackpot J[,J…] [flags]
  optimiser backtest  --country CC [flags]
  optimiser version

Inputs (local paths or s3://bucket/prefix):
  --config-dir DIR   country YAML configs (default: bundled configs)
  --data-dir DIR     sales histories, <cc>.csv per country (default: bundled SYNTHETIC data)
  --data FILE        one country's history (recommend/train/predict/backtest)
  --model FILE       a model.json from "train" (default: train in-process)

Outputs:
  --out DIR          output root (default: out/optimiser); files go to DIR/<CC>/

Cash (never from a file in the repository):
  --cash AMOUNT | CC=AMOUNT,…   or OPTIMISER_CASH_<CC>, OPTIMISER_CASH
  --cash-secret ID              or OPTIMISER_CASH_SECRET_ID: Secrets Manager JSON {"NL": 5e7, …}
  Without cash, the safety net is reported (required cash) but not enforced
  and the status is cash_unchecked.

Other environment: OPTIMISER_IMAGE_DIGEST (recorded in metadata.json).
Exit codes: 0 ok, 1 error, 2 usage, 3 infeasible, 4 model below quality gate.
On any non-zero exit nothing is written.
`

// usageError marks command-line mistakes (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// infeasibleError marks runs whose constraints admit no jackpot (exit 3).
type infeasibleError struct{ countries []string }

func (e *infeasibleError) Error() string {
	return fmt.Sprintf("no feasible jackpot for %s; see infeasible_because and conflicts above; nothing was written", strings.Join(e.countries, ", "))
}

func run(ctx context.Context, args []string, env environment) int {
	if env.getenv == nil {
		env.getenv = func(string) string { return "" }
	}
	if env.now == nil {
		env.now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(env.stderr, usage)
		return exitUsage
	}
	a := &app{env: env, resolver: &storage.Resolver{S3: env.s3}}
	var err error
	switch args[0] {
	case "run":
		err = a.runAll(ctx, args[1:])
	case "recommend":
		err = a.recommend(ctx, args[1:])
	case "train":
		err = a.train(ctx, args[1:])
	case "predict":
		err = a.predict(ctx, args[1:])
	case "backtest":
		err = a.backtest(ctx, args[1:])
	case "version":
		bi := buildinfo.Read()
		fmt.Fprintf(env.stdout, "optimiser %s (commit %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, usage)
	default:
		err = &usageError{fmt.Sprintf("unknown command %q; commands: run, recommend, train, predict, backtest, version", args[0])}
	}
	return exitCode(err, env.stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "optimiser:", err)
	var ue *usageError
	var ie *infeasibleError
	var ge *sales.GateError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ie):
		return exitInfeasible
	case errors.As(err, &ge):
		return exitGate
	}
	return exitError
}

type app struct {
	env      environment
	resolver *storage.Resolver
}

// flags shared by the subcommands.
type options struct {
	configDir, dataDir, data, model, out string
	country, cash, cashSecret            string
	seed                                 int64
}

func (a *app) flagSet(name string, o *options, with ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.env.stderr)
	fs.StringVar(&o.configDir, "config-dir", "", "directory of country YAML configs (default: bundled)")
	fs.StringVar(&o.dataDir, "data-dir", "", "directory of <cc>.csv sales histories (default: bundled synthetic data)")
	for _, w := range with {
		switch w {
		case "country":
			fs.StringVar(&o.country, "country", "", "country code, e.g. NL")
		case "data":
			fs.StringVar(&o.data, "data", "", "one country's sales history CSV")
		case "model":
			fs.StringVar(&o.model, "model", "", "model.json from the train command (default: train now)")
		case "out":
			fs.StringVar(&o.out, "out", DefaultOut, "output root; files go to <out>/<CC>/")
		case "cash":
			fs.StringVar(&o.cash, "cash", "", "available cash: AMOUNT or CC=AMOUNT,…")
			fs.StringVar(&o.cashSecret, "cash-secret", "", "Secrets Manager secret holding {\"CC\": amount}")
		case "seed":
			fs.Int64Var(&o.seed, "seed", 1, "seed of the Monte Carlo cash cross-check")
		}
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("%s: unexpected argument %q (flags start with --)", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// writeFailure says whether a failed write left anything behind: only when
// undoing it failed too.
func writeFailure(what string, err error) error {
	var undo *storage.UndoError
	if errors.As(err, &undo) {
		return fmt.Errorf("writing %s failed and could not be fully undone; check the destination: %w", what, err)
	}
	return fmt.Errorf("writing %s (nothing was written): %w", what, err)
}

func needCountry(o *options, cmd string) error {
	if o.country == "" {
		return &usageError{cmd + ": --country is required (e.g. --country NL)"}
	}
	return nil
}

// loadCountry reads the configurations and returns the one --country names,
// with the source of the configurations.
func (a *app) loadCountry(ctx context.Context, o *options) (*config.Country, string, error) {
	cs, src, err := a.loadConfigs(ctx, o)
	if err != nil {
		return nil, "", err
	}
	c, err := config.Find(cs, o.country)
	if err != nil {
		return nil, "", err
	}
	return c, src, nil
}

// loadCountryHistory is loadCountry plus that country's sales history.
func (a *app) loadCountryHistory(ctx context.Context, o *options) (*config.Country, *history, error) {
	c, _, err := a.loadCountry(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	h, err := a.loadHistory(ctx, o, c)
	if err != nil {
		return nil, nil, err
	}
	return c, h, nil
}

// loadConfigs reads every configuration in the config directory.
func (a *app) loadConfigs(ctx context.Context, o *options) ([]*config.Country, string, error) {
	dir, err := a.openDir(ctx, o.configDir, bundled.Configs(), bundledConfigs)
	if err != nil {
		return nil, "", err
	}
	names, err := dir.List(ctx)
	if err != nil {
		return nil, "", err
	}
	var files []config.File
	for _, n := range names {
		if !config.IsConfigFile(n) {
			continue
		}
		b, err := dir.Read(ctx, n)
		if err != nil {
			return nil, "", err
		}
		files = append(files, config.File{Name: n, Data: b})
	}
	cs, err := config.ParseAll(files)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dir.URI(), err)
	}
	return cs, dir.URI(), nil
}

func (a *app) openDir(ctx context.Context, uri string, fallback fs.FS, fallbackName string) (storage.Dir, error) {
	if uri == "" {
		return storage.FSDir(fallback, fallbackName), nil
	}
	return a.resolver.OpenDir(ctx, uri)
}

// history is a loaded sales history and where it came from.
type history struct {
	*dataset.History
	source    string
	synthetic bool
}

func (a *app) loadHistory(ctx context.Context, o *options, c *config.Country) (*history, error) {
	var b []byte
	var source string
	if o.data != "" {
		var err error
		if b, err = a.resolver.ReadFile(ctx, o.data); err != nil {
			return nil, fmt.Errorf("sales history for %s: %w", c.Country, err)
		}
		source = o.data
	} else {
		dir, err := a.openDir(ctx, o.dataDir, bundled.Data(), bundledData)
		if err != nil {
			return nil, err
		}
		if b, err = dir.Read(ctx, c.DataFile()); err != nil {
			return nil, fmt.Errorf("no sales history for %s: expected %s in %s (%v); add the file or pass --data", c.Country, c.DataFile(), dir.URI(), errors.Unwrap(err))
		}
		source = strings.TrimSuffix(dir.URI(), "/") + "/" + c.DataFile()
	}
	h, err := dataset.Parse(b, source)
	if err != nil {
		return nil, err
	}
	return &history{History: h, source: source, synthetic: o.data == "" && o.dataDir == ""}, nil
}

func (a *app) loadModel(ctx context.Context, o *options, c *config.Country) (*sales.Artefact, error) {
	if o.model == "" {
		return nil, nil
	}
	b, err := a.resolver.ReadFile(ctx, o.model)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", o.model, err)
	}
	return sales.LoadArtefact(b, o.model, c)
}

func (a *app) cashResolver(o *options, single bool, configured []*config.Country) (*cash.Resolver, error) {
	countries := make([]string, 0, len(configured))
	for _, c := range configured {
		countries = append(countries, c.Country)
	}
	r, err := cash.NewResolver(cash.Sources{
		Flag: o.cash, SecretID: o.cashSecret, Getenv: a.env.getenv, Secrets: a.env.secrets, Single: single, Countries: countries,
	})
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return r, nil
}

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
	now := a.env.now()
	out, err := weekly.Recommend(weekly.Input{Config: c, History: h.History, Model: model, Cash: amount.Value, Seed: o.seed, Now: now})
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
		Config: c, DataSHA256: h.SHA256, DataSource: h.source, ConfigSource: configSource + "/" + c.Source,
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
	fs := a.flagSet("recommend", o, "country", "data", "model", "out", "cash", "seed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "recommend"); err != nil {
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
	return a.finish(ctx, o, []*countryRun{r})
}

// runAll handles every configured country, all or nothing.
func (a *app) runAll(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("run", o, "out", "cash", "seed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cs, src, err := a.loadConfigs(ctx, o)
	if err != nil {
		return err
	}
	cr, err := a.cashResolver(o, false, cs)
	if err != nil {
		return err
	}
	var runs []*countryRun
	for _, c := range cs {
		r, err := a.recommendOne(ctx, o, c, src, cr)
		if err != nil {
			return fmt.Errorf("%s: nothing was written: %w", c.Country, err)
		}
		runs = append(runs, r)
	}
	return a.finish(ctx, o, runs)
}

// finish prints the summary and writes every output, unless some country
// is infeasible, in which case its explanation is printed and nothing is
// written.
func (a *app) finish(ctx context.Context, o *options, runs []*countryRun) error {
	printTable(a.env.stdout, runs)
	var infeasible []string
	var files []storage.File
	for _, r := range runs {
		if r.out.Result.Status == optimise.StatusInfeasible {
			infeasible = append(infeasible, r.out.Config.Country)
			fmt.Fprintf(a.env.stdout, "\n%s %s:\n", r.out.Config.Country, report.RecommendationFile)
			a.env.stdout.Write(r.files[0].Data)
		}
		files = append(files, r.files...)
	}
	if len(infeasible) > 0 {
		return &infeasibleError{countries: infeasible}
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	// Every recommendation before any metadata: a reader that waits for
	// metadata.json never sees a half set.
	ordered := make([]storage.File, 0, len(files))
	for _, f := range files {
		if strings.HasSuffix(f.Name, report.RecommendationFile) {
			ordered = append(ordered, f)
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, report.RecommendationFile) {
			ordered = append(ordered, f)
		}
	}
	if err := sink.WriteAll(ctx, ordered); err != nil {
		return writeFailure("outputs to "+sink.URI(), err)
	}
	fmt.Fprintf(a.env.stdout, "\nwrote %d files to %s\n", len(ordered), sink.URI())
	return nil
}

// train fits, validates and saves the sales model.
func (a *app) train(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("train", o, "country", "data", "out")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "train"); err != nil {
		return err
	}
	c, h, err := a.loadCountryHistory(ctx, o)
	if err != nil {
		return err
	}
	art, err := weekly.Train(c, h.History, a.env.now())
	if err != nil {
		return err
	}
	printModel(a.env.stdout, art)
	if err := art.Check(); err != nil {
		return err
	}
	b, err := art.Marshal()
	if err != nil {
		return err
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	name := c.Country + "/model.json"
	if err := sink.WriteAll(ctx, []storage.File{{Name: name, Data: b}}); err != nil {
		return writeFailure("the model", err)
	}
	fmt.Fprintf(a.env.stdout, "wrote %s/%s\n", strings.TrimSuffix(sink.URI(), "/"), name)
	return nil
}

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
	if err := weekly.CheckColumns(c, h.History); err != nil {
		return err
	}
	metrics, preds, err := sales.WalkForward(sales.SpecFor(c), h.History, c.Model.Validation)
	if err != nil {
		return err
	}
	var replayed []weekly.ReplayWeek
	if replay > 0 {
		if replayed, err = weekly.Replay(c, h.History, replay, o.seed); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(a.env.stdout).Encode(struct {
			Country     string              `json:"country"`
			WalkForward sales.Metrics       `json:"walk_forward"`
			Gate        config.QualityGate  `json:"quality_gate"`
			Predictions []sales.Prediction  `json:"predictions"`
			Replay      []weekly.ReplayWeek `json:"replay"`
		}{c.Country, metrics, c.Model.QualityGate, preds, replayed})
	}
	fmt.Fprintf(a.env.stdout, "%s walk-forward (%d folds, %d predictions): MAPE %.2f%% (gate ≤ %.2f%%), R² %.3f (gate ≥ %.3f), P10–P90 coverage %.0f%%\n",
		c.Country, metrics.Folds, metrics.Predictions, 100*metrics.MAPE, 100*c.Model.QualityGate.MaxMAPE, metrics.R2, c.Model.QualityGate.MinR2, 100*metrics.CoverageP10P90)
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
	if !(metrics.MAPE <= c.Model.QualityGate.MaxMAPE && metrics.R2 >= c.Model.QualityGate.MinR2) {
		return &sales.GateError{Country: c.Country, Gate: sales.GateResult{MaxMAPE: c.Model.QualityGate.MaxMAPE, MinR2: c.Model.QualityGate.MinR2,
			Failures: []string{fmt.Sprintf("MAPE %.2f%%, R² %.3f", 100*metrics.MAPE, metrics.R2)}}}
	}
	return nil
}
