package main

import (
	"errors"
	"fmt"

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

// printInfeasible shows why a country has no feasible jackpot: its
// recommendation.json, which is not written.
func (a *app) printInfeasible(r *countryRun) {
	fmt.Fprintf(a.env.stdout, "\n%s %s (not written):\n", r.out.Config.Country, report.RecommendationFile)
	a.env.stdout.Write(r.files[0].Data)
}
