package main

import (
	"context"
	"io"

	"github.com/aifactory/platform/factory"
)

func drift(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return stackCommand(ctx, "drift", args, stdout, stderr, func(ctx context.Context, f *factory.Factory, stack string) (factory.Result, error) {
		return f.Drift(ctx, stack)
	})
}
