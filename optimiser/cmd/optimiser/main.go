// Command optimiser trains the weekly ticket-sales model and recommends the
// jackpot to announce for each configured country.
//
//	optimiser run                      every configured country (bundled defaults)
//	optimiser recommend --country NL   one country
//	optimiser train     --country NL   fit, validate and save the sales model
//	optimiser predict   --country NL --jackpot 100000,250000
//	optimiser backtest  --country NL   walk-forward accuracy and decision replay
//
// Run "optimiser help" for flags, environment variables and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aifactory/platform/optimiser/awsio"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], environment{
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		getenv:  os.Getenv,
		now:     time.Now,
		s3:      awsio.NewObjectStore,
		secrets: awsio.NewSecretFetcher,
	})
	stop()
	os.Exit(code)
}
