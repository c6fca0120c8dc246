package config

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// File is a configuration file's name and content.
type File struct {
	Name string
	Data []byte
}

// IsConfigFile reports whether a file name looks like a country config.
func IsConfigFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// ParseAll parses every configuration file, sorted by country code, and
// rejects two files claiming the same country.
func ParseAll(files []File) ([]*Country, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no country configuration files (*.yaml) found; add one per country")
	}
	byCode := map[string]string{}
	var out []*Country
	for _, f := range files {
		c, err := Parse(f.Data, f.Name)
		if err != nil {
			return nil, err
		}
		if prev, dup := byCode[c.Country]; dup {
			return nil, fmt.Errorf("config %s: country %s is already configured in %s; keep one file per country", f.Name, c.Country, prev)
		}
		byCode[c.Country] = f.Name
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Country < out[j].Country })
	return out, nil
}

// FileFailure is a configuration file that could not be used.
type FileFailure struct {
	Name string
	// Country is the code the file is named after (nl.yaml → NL), so that
	// a run can report which country it stopped.
	Country string
	Err     error
}

// ParseEach parses every file on its own: a broken file fails only itself
// (and a second file for an already configured country fails), so that one
// country's mistake does not stop the others. Countries are sorted by code.
func ParseEach(files []File) ([]*Country, []FileFailure) {
	byCode := map[string]string{}
	var out []*Country
	var failed []FileFailure
	for _, f := range files {
		code := strings.ToUpper(strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name)))
		c, err := Parse(f.Data, f.Name)
		if err != nil {
			failed = append(failed, FileFailure{Name: f.Name, Country: code, Err: err})
			continue
		}
		if prev, dup := byCode[c.Country]; dup {
			failed = append(failed, FileFailure{Name: f.Name, Country: c.Country,
				Err: fmt.Errorf("config %s: country %s is already configured in %s; keep one file per country", f.Name, c.Country, prev)})
			continue
		}
		byCode[c.Country] = f.Name
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Country < out[j].Country })
	return out, failed
}

// Find returns the configuration for a country code (case-insensitive).
func Find(countries []*Country, code string) (*Country, error) {
	for _, c := range countries {
		if strings.EqualFold(c.Country, code) {
			return c, nil
		}
	}
	codes := map[string]string{}
	for _, c := range countries {
		codes[c.Country] = c.Source
	}
	return nil, fmt.Errorf("country %q is not configured; configured: %s", code, strings.Join(sortedKeys(codes), ", "))
}
