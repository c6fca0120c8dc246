package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/storage"
)

// writeFailure says whether a failed write left anything behind: only when
// undoing it failed too.
func writeFailure(what string, err error) error {
	var undo *storage.UndoError
	if errors.As(err, &undo) {
		return fmt.Errorf("writing %s failed and could not be fully undone; check the destination: %w", what, err)
	}
	return fmt.Errorf("writing %s (nothing was written): %w", what, err)
}

// finish prints the summary and writes every output, unless some country
// is infeasible, in which case its explanation is printed and nothing is
// written.
func (a *app) finish(ctx context.Context, o *options, runs []*countryRun) error {
	printTable(a.env.stdout, runs)
	var infeasible []string
	var files []storage.File
	for _, r := range runs {
		if r.out.Result.Status == optimise.StatusInfeasible {
			infeasible = append(infeasible, r.out.Config.Country)
			fmt.Fprintf(a.env.stdout, "\n%s %s:\n", r.out.Config.Country, report.RecommendationFile)
			a.env.stdout.Write(r.files[0].Data)
		}
		files = append(files, r.files...)
	}
	if len(infeasible) > 0 {
		return &infeasibleError{countries: infeasible}
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	// Every recommendation before any metadata: a reader that waits for
	// metadata.json never sees a half set.
	ordered := make([]storage.File, 0, len(files))
	for _, f := range files {
		if strings.HasSuffix(f.Name, report.RecommendationFile) {
			ordered = append(ordered, f)
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, report.RecommendationFile) {
			ordered = append(ordered, f)
		}
	}
	if err := sink.WriteAll(ctx, ordered); err != nil {
		return writeFailure("outputs to "+sink.URI(), err)
	}
	fmt.Fprintf(a.env.stdout, "\nwrote %d files to %s\n", len(ordered), sink.URI())
	return nil
}
