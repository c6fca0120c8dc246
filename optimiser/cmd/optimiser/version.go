package main

import (
	"flag"
	"fmt"

	"github.com/aifactory/platform/facts/buildinfo"
)

// version prints the build's version, commit and Go version. The container
// image test runs it, so it needs no inputs and always exits 0.
func (a *app) version(args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(a.env.stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bi := buildinfo.Read()
	_, err := fmt.Fprintf(a.env.stdout, "optimiser %s (commit %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion)
	return err
}
