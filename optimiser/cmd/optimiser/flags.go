package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/aifactory/platform/optimiser/dataset"
)

// flags shared by the subcommands.
type options struct {
	configDir, dataDir, data, model, out string
	country, cash, cashSecret            string
	seed                                 int64
	requireCash                          bool
	draw                                 string
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
			fs.BoolVar(&o.requireCash, "require-cash", false, "fail a country whose available cash is not supplied (or set OPTIMISER_REQUIRE_CASH=true)")
		case "draw":
			fs.StringVar(&o.draw, "draw", "", "draw to decide: YYYY-MM-DD, or next (the first draw after today, as in the pipeline); default: the draw after the history")
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

func needCountry(o *options, cmd string) error {
	if o.country == "" {
		return &usageError{cmd + ": --country is required (e.g. --country NL)"}
	}
	return nil
}

// checkDrawFlag rejects a malformed --draw before any work is done.
func checkDrawFlag(o *options) error {
	if o.draw == "" || o.draw == "next" {
		return nil
	}
	if _, err := time.Parse(dataset.DateLayout, o.draw); err != nil {
		return &usageError{fmt.Sprintf("--draw %q is not a date like 2025-01-04 or next", o.draw)}
	}
	return nil
}
