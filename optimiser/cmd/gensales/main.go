// Command gensales writes SYNTHETIC weekly sales histories, one CSV per
// country, from the scenarios documented in optimiser/synthetic. The bundled
// sample data is produced with the defaults:
//
//	go run ./optimiser/cmd/gensales -config-dir optimiser/bundled/configs -out optimiser/bundled/data
//
// Flags:
//
//	-config-dir  directory of country YAML configs (price, mechanism, grid)
//	-out         output directory for <country>.csv
//	-seed        base seed (default 20240601); each country uses
//	             seed + 256·code[0] + code[1] so countries differ but every
//	             run is reproducible
//	-country     only this country (default: every configured country that
//	             has a scenario)
//	-weeks       override the scenario's number of weeks
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/synthetic"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gensales", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configDir := fs.String("config-dir", "optimiser/bundled/configs", "directory of country YAML configs")
	out := fs.String("out", "optimiser/bundled/data", "output directory")
	seed := fs.Uint64("seed", synthetic.DefaultSeed, "base random seed")
	only := fs.String("country", "", "generate only this country code")
	weeks := fs.Int("weeks", 0, "override the number of weeks")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := generate(*configDir, *out, *seed, *only, *weeks, stdout); err != nil {
		fmt.Fprintln(stderr, "gensales:", err)
		return 1
	}
	return 0
}

func generate(configDir, out string, seed uint64, only string, weeks int, stdout io.Writer) error {
	entries, err := os.ReadDir(configDir)
	if err != nil {
		return err
	}
	var files []config.File
	for _, e := range entries {
		if e.IsDir() || !config.IsConfigFile(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(configDir, e.Name()))
		if err != nil {
			return err
		}
		files = append(files, config.File{Name: e.Name(), Data: b})
	}
	countries, err := config.ParseAll(files)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	wrote := 0
	for _, c := range countries {
		if only != "" && !strings.EqualFold(only, c.Country) {
			continue
		}
		s, ok := synthetic.Scenarios[c.Country]
		if !ok {
			if only != "" {
				return fmt.Errorf("no synthetic scenario for %s; add one to optimiser/synthetic", c.Country)
			}
			continue
		}
		if weeks > 0 {
			s.Weeks = weeks
		}
		countrySeed := synthetic.CountrySeed(seed, c.Country)
		data, err := synthetic.Generate(c, s, countrySeed)
		if err != nil {
			return err
		}
		path := filepath.Join(out, c.DataFile())
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d weeks, seed %d → %s (SYNTHETIC)\n", c.Country, s.Weeks, countrySeed, path)
		wrote++
	}
	if wrote == 0 {
		return errors.New("nothing generated: no configured country has a synthetic scenario")
	}
	return nil
}
