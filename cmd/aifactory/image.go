package main

import (
	"context"
	"io"

	imagepkg "github.com/aifactory/platform/factory/image"
)

// image builds (and with --push pushes) a command's container image (the
// optimiser's by default, --command cleanup for the cleanup job);
// its flags are those of package image.
func image(_ context.Context, args []string, stdout, stderr io.Writer) int {
	return imagepkg.Main(args, stdout, stderr)
}
