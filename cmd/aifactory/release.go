package main

import (
	"context"
	"io"

	"github.com/aifactory/platform/factory"
)

func release(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		var g globals
		return g.finish("release", factory.Result{}, factory.BadInput(errText("usage: aifactory release verify <stack>")), stdout, stderr)
	}
	return stackCommand(ctx, "release verify", args[1:], stdout, stderr, func(ctx context.Context, f *factory.Factory, stack string) (factory.Result, error) {
		return f.VerifyRelease(ctx, stack)
	})
}
