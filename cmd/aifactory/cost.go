package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aifactory/platform/factory"
)

func costCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var g globals
	fs := flagSet("cost", "<stack> [--from YYYY-MM-DD] [--lines]", stderr)
	g.register(fs, true)
	from := fs.String("from", "", "first day of the modelled month (YYYY-MM-DD); expires-at tags within it end resources early")
	lines := fs.Bool("lines", false, "also print every priced resource and the basis of its figure")
	positional, err := parse(fs, args)
	if err != nil {
		return g.parseFailed("cost", args, err, stdout, stderr)
	}
	stack, rest, err := g.stackArg(positional)
	if err == nil && len(rest) > 0 {
		err = factory.BadInput(errUnexpected(rest))
	}
	var o factory.CostOptions
	if err == nil && *from != "" {
		if o.From, err = time.Parse("2006-01-02", *from); err != nil {
			err = factory.BadInput(fmt.Errorf("--from %q is not a date such as 2026-12-01", *from))
		}
	}
	if err != nil {
		return g.finish("cost", factory.Result{}, err, stdout, stderr)
	}
	f, err := g.open(ctx, stderr)
	if err != nil {
		return g.finish("cost", factory.Result{}, err, stdout, stderr)
	}
	res, err := f.Cost(ctx, stack, o)
	code := g.finish("cost", res, err, stdout, stderr)
	if code == factory.ExitOK && *lines && !g.json && res.Cost != nil {
		fmt.Fprintln(stdout)
		if err := res.Cost.WriteLines(stdout); err != nil {
			fmt.Fprintf(stderr, "aifactory cost: %v\n", err)
			return factory.ExitFailure
		}
	}
	return code
}
