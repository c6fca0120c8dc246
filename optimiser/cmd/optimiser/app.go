package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/storage"
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
		err = a.version(args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, usage)
	default:
		err = &usageError{fmt.Sprintf("unknown command %q; commands: run, recommend, train, predict, backtest, version", args[0])}
	}
	return exitCode(err, env.stderr)
}

type app struct {
	env      environment
	resolver *storage.Resolver
}
