package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/evidence"
)

// evidenceCommand writes the evidence bundle of a stack's release.
func evidenceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var g globals
	fs := flagSet("evidence", "<stack> [--out dir]", stderr)
	g.register(fs, true)
	out := fs.String("out", "", "directory of the bundle (default evidence/<stack>-<release>); replaced atomically if it exists")
	positional, err := parse(fs, args)
	if err != nil {
		return g.parseFailed("evidence", args, err, stdout, stderr)
	}
	stack, rest, err := g.stackArg(positional)
	if err == nil && len(rest) > 0 {
		err = factory.BadInput(errUnexpected(rest))
	}
	var report evidence.Report
	if err == nil {
		var f *factory.Factory
		if f, err = g.open(ctx, stderr); err == nil {
			report, err = evidence.Generate(ctx, f, stack, *out)
		}
	}
	return finishEvidence(g.json, report, err, stdout, stderr)
}

// finishEvidence prints what was written and the error, and returns the
// exit code.
func finishEvidence(asJSON bool, r evidence.Report, err error, stdout, stderr io.Writer) int {
	if asJSON {
		m := map[string]any{"operation": "evidence", "exitCode": factory.Code(err)}
		if r.Stack != "" {
			m["stack"] = r.Stack
		}
		if r.Release != "" {
			m["release"] = r.Release
		}
		if r.Dir != "" {
			m["directory"], m["totals"] = r.Dir, r.Totals
		}
		if len(r.MandatoryViolations) > 0 {
			m["mandatoryViolations"] = r.MandatoryViolations
		}
		if err != nil {
			m["error"] = err.Error()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(m); jerr != nil {
			fmt.Fprintf(stderr, "aifactory evidence: %v\n", jerr)
			return factory.ExitFailure
		}
	} else if r.Dir != "" {
		var totals []string
		for _, res := range evidence.Results {
			totals = append(totals, fmt.Sprintf("%d %s", r.Totals[res], res))
		}
		fmt.Fprintf(stdout, "evidence of %s release %s written to %s\ncontrols: %s\n", r.Stack, short(r.Release), r.Dir, strings.Join(totals, ", "))
	}
	if err != nil {
		fmt.Fprintf(stderr, "aifactory evidence: %s\n", strings.TrimSpace(err.Error()))
	}
	return factory.Code(err)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
