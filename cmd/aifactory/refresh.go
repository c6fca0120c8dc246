package main

import (
	"context"
	"io"

	"github.com/aifactory/platform/factory"
)

func refresh(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return stackCommand(ctx, "refresh", args, stdout, stderr, func(ctx context.Context, f *factory.Factory, stack string) (factory.Result, error) {
		return f.Refresh(ctx, stack)
	})
}
