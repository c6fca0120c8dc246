// Command cost prints the modelled monthly cost of a stack: it previews the
// stack offline through the real Pulumi engine (stand-in AWS provider, no
// cloud account), takes the planned resources from the preview's events and
// runs the cost model (finops/cost) on them.
//
//	go run ./finops/cmd/cost -stack dev            # per team and service, the saving
//	go run ./finops/cmd/cost -stack prod -lines    # and every priced resource
//	go run ./finops/cmd/cost -stack dev -json      # for machines
//	go run ./finops/cmd/cost -stack dev -from 2026-12-01   # apply expires-at TTLs within that month
//
// This is the library call behind `aifactory cost <stack>`:
// preview.Plan(ctx, stack) then cost.ModelWith(plan, options).
// Exit codes: 0 success, 1 the preview failed, 2 usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/aifactory/platform/finops/cost"
	"github.com/aifactory/platform/finops/cost/preview"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/stacks/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack to cost: dev, staging or prod")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	lines := fs.Bool("lines", false, "also print every priced resource and the basis of its figure")
	from := fs.String("from", "", "start of the modelled month (YYYY-MM-DD); expires-at tags within it end resources early")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opts := cost.Options{}
	if *from != "" {
		t, err := time.Parse("2006-01-02", *from)
		if err != nil {
			fmt.Fprintf(stderr, "cost: -from %q is not a date such as 2026-12-01\n", *from)
			return 2
		}
		opts.From = t
	}
	root, err := offline.FindRoot()
	if err != nil {
		fmt.Fprintln(stderr, "cost:", err)
		return 1
	}
	if _, err := os.Stat(root + "/Pulumi." + *stack + ".yaml"); err != nil {
		fmt.Fprintf(stderr, "cost: no stack file Pulumi.%s.yaml; choose dev, staging or prod\n", *stack)
		return 2
	}
	dir, err := os.MkdirTemp("", "aifactory-cost-")
	if err != nil {
		fmt.Fprintln(stderr, "cost:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	env, err := offline.Prepare(ctx, offline.Options{Root: root, Dir: dir, Log: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "cost:", err)
		return 1
	}
	s, err := env.Stack(ctx, *stack, platform.Program, "")
	if err != nil {
		fmt.Fprintln(stderr, "cost:", err)
		return 1
	}
	plan, err := preview.Plan(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "cost: previewing %s: %v\n", *stack, err)
		return 1
	}
	rep := cost.ModelWith(plan, opts)
	if *asJSON {
		b, err := rep.JSON()
		if err != nil {
			fmt.Fprintln(stderr, "cost:", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	if err := rep.Write(stdout); err != nil {
		return 1
	}
	if *lines {
		fmt.Fprintln(stdout)
		if err := rep.WriteLines(stdout); err != nil {
			return 1
		}
	}
	return 0
}
