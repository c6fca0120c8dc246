package main

import (
	"context"
	"io"

	"github.com/aifactory/platform/factory"
)

func destroy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return stackCommand(ctx, "destroy", args, stdout, stderr, func(ctx context.Context, f *factory.Factory, stack string) (factory.Result, error) {
		return f.Destroy(ctx, stack)
	})
}
