package main

import (
	"context"
	"io"

	"github.com/aifactory/platform/factory"
)

func preview(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return stackCommand(ctx, "preview", args, stdout, stderr, func(ctx context.Context, f *factory.Factory, stack string) (factory.Result, error) {
		return f.Preview(ctx, stack)
	})
}

// stackCommand runs an operation that takes one stack and no other argument.
func stackCommand(ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	op func(context.Context, *factory.Factory, string) (factory.Result, error),
) int {
	var g globals
	fs := flagSet(name, "<stack> [flags]", stderr)
	g.register(fs, true)
	positional, err := parse(fs, args)
	if err != nil {
		return g.parseFailed(name, args, err, stdout, stderr)
	}
	stack, rest, err := g.stackArg(positional)
	if err == nil && len(rest) > 0 {
		err = factory.BadInput(errUnexpected(rest))
	}
	if err != nil {
		return g.finish(name, factory.Result{}, err, stdout, stderr)
	}
	f, err := g.open(ctx, stderr)
	if err != nil {
		return g.finish(name, factory.Result{}, err, stdout, stderr)
	}
	res, err := op(ctx, f, stack)
	return g.finish(name, res, err, stdout, stderr)
}
