package main

import (
	"context"
	"fmt"
)

// runAll handles every configured country, all or nothing.
func (a *app) runAll(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("run", o, "out", "cash", "seed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cs, src, err := a.loadConfigs(ctx, o)
	if err != nil {
		return err
	}
	cr, err := a.cashResolver(o, false, cs)
	if err != nil {
		return err
	}
	var runs []*countryRun
	for _, c := range cs {
		r, err := a.recommendOne(ctx, o, c, src, cr)
		if err != nil {
			return fmt.Errorf("%s: nothing was written: %w", c.Country, err)
		}
		runs = append(runs, r)
	}
	return a.finish(ctx, o, runs)
}
