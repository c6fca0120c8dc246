package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aifactory/platform/factory"
)

func vend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var g globals
	fs := flagSet("vend", "<request.yaml> [--yes] | --remove <team> --stack <stack> [--yes]  (dev; staging and prod by promotion)", stderr)
	g.register(fs, true)
	yes := fs.Bool("yes", false, "apply after a clean preview (without it: validate and preview only)")
	remove := fs.String("remove", "", "offboard this team: its compute and access go, its data prefix stays")
	skip := fs.Bool("skip-promotion", false, "vend into or offboard from staging or prod directly; their release then has no parent until a promotion replaces it")
	positional, err := parse(fs, args)
	if err != nil {
		return g.parseFailed("vend", args, err, stdout, stderr)
	}
	if *remove != "" {
		if g.stack == "" || len(positional) > 0 {
			return g.finish("vend", factory.Result{}, factory.BadInput(errText("offboarding takes --stack and no request file: aifactory vend --remove <team> --stack dev")), stdout, stderr)
		}
		f, err := g.open(ctx, stderr)
		if err != nil {
			return g.finish("vend", factory.Result{}, err, stdout, stderr)
		}
		res, err := f.Offboard(ctx, g.stack, *remove, factory.VendOptions{Yes: *yes, SkipPromotion: *skip})
		return g.finish("vend", res, err, stdout, stderr)
	}
	if len(positional) != 1 {
		return g.finish("vend", factory.Result{}, factory.BadInput(errText("give one request file: aifactory vend request.yaml")), stdout, stderr)
	}
	b, err := os.ReadFile(positional[0])
	if err != nil {
		return g.finish("vend", factory.Result{}, factory.BadInput(fmt.Errorf("reading the request: %w", err)), stdout, stderr)
	}
	req, err := factory.ParseVendRequest(b)
	if err != nil {
		return g.finish("vend", factory.Result{}, err, stdout, stderr)
	}
	if g.stack != "" {
		req.Stack = g.stack
	}
	f, err := g.open(ctx, stderr)
	if err != nil {
		return g.finish("vend", factory.Result{}, err, stdout, stderr)
	}
	res, err := f.Vend(ctx, req, factory.VendOptions{Yes: *yes, SkipPromotion: *skip})
	return g.finish("vend", res, err, stdout, stderr)
}
