package main

import (
	"context"
	"io"

	imagepkg "github.com/aifactory/platform/factory/image"
)

// image builds (and with --push pushes) the optimiser's container image;
// its flags are those of package image.
func image(_ context.Context, args []string, stdout, stderr io.Writer) int {
	return imagepkg.Main(args, stdout, stderr)
}
