// Command imagemain runs image.Main, the `aifactory image` command, for the
// Makefile's image target: go run ./factory/image/internal/imagemain [flags].
package main

import (
	"os"

	"github.com/aifactory/platform/factory/image"
)

func main() {
	os.Exit(image.Main(os.Args[1:], os.Stdout, os.Stderr))
}
