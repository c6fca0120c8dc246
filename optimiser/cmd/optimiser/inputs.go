package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/aifactory/platform/optimiser/weekly"
)

// loadCountry reads the configurations and returns the one --country names,
// with the source of the configurations. Another country's broken file does
// not stop it (it is reported on stderr).
func (a *app) loadCountry(ctx context.Context, o *options) (*config.Country, string, error) {
	cs, failed, src, err := a.loadConfigs(ctx, o)
	if err != nil {
		return nil, "", err
	}
	for _, f := range failed {
		if strings.EqualFold(f.Country, o.country) {
			return nil, "", fmt.Errorf("%s: %w", src, f.Err)
		}
	}
	c, err := config.Find(cs, o.country)
	if err != nil {
		if len(failed) > 0 {
			return nil, "", fmt.Errorf("%w (%s: %v)", err, src, failed[0].Err)
		}
		return nil, "", err
	}
	for _, f := range failed {
		fmt.Fprintf(a.env.stderr, "optimiser: warning: %s/%s is not used: %v\n", strings.TrimSuffix(src, "/"), f.Name, f.Err)
	}
	return c, src, nil
}

// loadCountryHistory is loadCountry plus that country's sales history.
func (a *app) loadCountryHistory(ctx context.Context, o *options) (*config.Country, *history, error) {
	c, _, err := a.loadCountry(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	h, err := a.loadHistory(ctx, o, c)
	if err != nil {
		return nil, nil, err
	}
	return c, h, nil
}

// loadConfigs reads every configuration in the config directory; each file
// is parsed on its own, and those that fail are returned apart.
func (a *app) loadConfigs(ctx context.Context, o *options) ([]*config.Country, []config.FileFailure, string, error) {
	dir, err := a.openDir(ctx, o.configDir, bundled.Configs(), bundledConfigs)
	if err != nil {
		return nil, nil, "", err
	}
	names, err := dir.List(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	var files []config.File
	for _, n := range names {
		if !config.IsConfigFile(n) {
			continue
		}
		b, err := dir.Read(ctx, n)
		if err != nil {
			return nil, nil, "", err
		}
		files = append(files, config.File{Name: n, Data: b})
	}
	if len(files) == 0 {
		return nil, nil, "", fmt.Errorf("%s: no country configuration files (*.yaml) found; add one per country", dir.URI())
	}
	cs, failed := config.ParseEach(files)
	return cs, failed, dir.URI(), nil
}

func (a *app) openDir(ctx context.Context, uri string, fallback fs.FS, fallbackName string) (storage.Dir, error) {
	if uri == "" {
		return storage.FSDir(fallback, fallbackName), nil
	}
	return a.resolver.OpenDir(ctx, uri)
}

// history is a loaded sales history and where it came from.
type history struct {
	*dataset.History
	source    string
	synthetic bool
}

func (a *app) loadHistory(ctx context.Context, o *options, c *config.Country) (*history, error) {
	var b []byte
	var source string
	if o.data != "" {
		var err error
		if b, err = a.resolver.ReadFile(ctx, o.data); err != nil {
			return nil, fmt.Errorf("sales history for %s: %w", c.Country, err)
		}
		source = o.data
	} else {
		dir, err := a.openDir(ctx, o.dataDir, bundled.Data(), bundledData)
		if err != nil {
			return nil, err
		}
		if b, err = dir.Read(ctx, c.DataFile()); err != nil {
			return nil, fmt.Errorf("no sales history for %s: expected %s in %s (%v); add the file or pass --data", c.Country, c.DataFile(), dir.URI(), errors.Unwrap(err))
		}
		source = strings.TrimSuffix(dir.URI(), "/") + "/" + c.DataFile()
	}
	h, err := dataset.Parse(b, source)
	if err != nil {
		return nil, err
	}
	return &history{History: h, source: source, synthetic: o.data == "" && o.dataDir == ""}, nil
}

func (a *app) loadModel(ctx context.Context, o *options, c *config.Country) (*sales.Artefact, error) {
	if o.model == "" {
		return nil, nil
	}
	b, err := a.resolver.ReadFile(ctx, o.model)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", o.model, err)
	}
	return sales.LoadArtefact(b, o.model, c)
}

func (a *app) cashResolver(o *options, single bool, configured []*config.Country, failed ...config.FileFailure) (*cash.Resolver, error) {
	countries := make([]string, 0, len(configured))
	for _, c := range configured {
		countries = append(countries, c.Country)
	}
	for _, f := range failed {
		// A country whose config is broken is still a country: its cash
		// entry is not a typo.
		countries = append(countries, f.Country)
	}
	r, err := cash.NewResolver(cash.Sources{
		Flag: o.cash, SecretID: o.cashSecret, Getenv: a.env.getenv, Secrets: a.env.secrets, Single: single, Countries: countries, Require: o.requireCash,
	})
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return r, nil
}

// drawFor is the draw --draw asks to decide for a country: a date, "next"
// (the first scheduled draw after today, as in the pipeline) or, when empty,
// the zero time (the draw after the history).
func (a *app) drawFor(o *options, c *config.Country) (time.Time, error) {
	switch o.draw {
	case "":
		return time.Time{}, nil
	case "next":
		return weekly.NextDrawAfter(c, a.env.now()), nil
	}
	t, err := time.Parse(dataset.DateLayout, o.draw)
	if err != nil {
		return time.Time{}, &usageError{fmt.Sprintf("--draw %q is not a date like 2025-01-04 or next", o.draw)}
	}
	return t, nil
}
