package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aifactory/platform/optimiser/storage"
	"github.com/aifactory/platform/optimiser/weekly"
)

// train fits, validates and saves the sales model.
func (a *app) train(ctx context.Context, args []string) error {
	o := &options{}
	fs := a.flagSet("train", o, "country", "data", "out")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := needCountry(o, "train"); err != nil {
		return err
	}
	c, h, err := a.loadCountryHistory(ctx, o)
	if err != nil {
		return err
	}
	art, err := weekly.Train(c, h.History, a.env.now())
	if err != nil {
		return err
	}
	printModel(a.env.stdout, art)
	if err := art.Check(); err != nil {
		return err
	}
	b, err := art.Marshal()
	if err != nil {
		return err
	}
	sink, err := a.resolver.OpenSink(ctx, o.out)
	if err != nil {
		return err
	}
	name := c.Country + "/model.json"
	if err := sink.WriteAll(ctx, []storage.File{{Name: name, Data: b}}); err != nil {
		return writeFailure("the model", err)
	}
	fmt.Fprintf(a.env.stdout, "wrote %s/%s\n", strings.TrimSuffix(sink.URI(), "/"), name)
	return nil
}
