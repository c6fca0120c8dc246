package main

import (
	"context"
	"io"
	"strings"

	"github.com/aifactory/platform/factory"
)

func promote(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var g globals
	fs := flagSet("promote", "<from> <to> [--yes] [--allow-replace name,...]", stderr)
	g.register(fs, false)
	yes := fs.Bool("yes", false, "apply once every gate passes (without it: gates and preview only)")
	allow := fs.String("allow-replace", "", "comma-separated resources (names or URNs) a promotion into prod may replace or delete")
	positional, err := parse(fs, args)
	if err != nil {
		return g.parseFailed("promote", args, err, stdout, stderr)
	}
	if len(positional) != 2 {
		return g.finish("promote", factory.Result{}, factory.BadInput(errText("name the two stacks: aifactory promote dev staging")), stdout, stderr)
	}
	f, err := g.open(ctx, stderr)
	if err != nil {
		return g.finish("promote", factory.Result{}, err, stdout, stderr)
	}
	o := factory.PromoteOptions{Yes: *yes}
	if *allow != "" {
		o.AllowReplace = strings.Split(*allow, ",")
	}
	res, err := f.Promote(ctx, positional[0], positional[1], o)
	return g.finish("promote", res, err, stdout, stderr)
}
