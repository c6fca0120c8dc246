package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PolicyConfig is a policy config file (policy/config/<env>.json) read for
// the callers that check resources without the engine: drift detection on
// refreshed state, the cleanup job, tests. It gives each control the level
// and settings the pack would run it with.
type PolicyConfig struct {
	levels   map[string]Level
	settings map[string]Settings
}

// ParsePolicyConfig reads a policy config file strictly: an unknown
// control, level or setting is an error naming it.
func ParsePolicyConfig(b []byte) (PolicyConfig, error) {
	var raw map[string]map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil {
		return PolicyConfig{}, fmt.Errorf("policy config: %w", err)
	}
	pc := PolicyConfig{levels: map[string]Level{}, settings: map[string]Settings{}}
	var errs []string
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		props := raw[name]
		c, ok := Lookup(name)
		if !ok {
			if name == "all" || name == "cannot-verify" {
				continue
			}
			errs = append(errs, fmt.Sprintf("%s: not a control of the catalogue", name))
			continue
		}
		level := c.Level
		rest := map[string]any{}
		for k, v := range props {
			if k != "enforcementLevel" {
				rest[k] = v
				continue
			}
			s, _ := v.(string)
			switch Level(s) {
			case Mandatory, Advisory, Disabled:
				level = Level(s)
			default:
				errs = append(errs, fmt.Sprintf("%s: enforcementLevel %v is not mandatory, advisory or disabled", name, v))
			}
		}
		settings, err := c.Configure(DefaultSettings(), rest)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
		}
		pc.levels[name], pc.settings[name] = level, settings
	}
	if len(errs) > 0 {
		return PolicyConfig{}, fmt.Errorf("policy config:\n  - %s", strings.Join(errs, "\n  - "))
	}
	return pc, nil
}

// Level is the level the config gives a control (its default when the
// config does not name it).
func (pc PolicyConfig) Level(control string) Level {
	if l, ok := pc.levels[control]; ok {
		return l
	}
	if c, ok := Lookup(control); ok {
		return c.Level
	}
	return Disabled
}

// Evaluate runs every control the config does not disable, with its
// settings, on the resources, and settles what the stack decides.
func (pc PolicyConfig) Evaluate(resources []Resource) []Finding {
	var out []Finding
	for _, c := range Catalogue() {
		if pc.Level(c.Name) == Disabled {
			continue
		}
		s, ok := pc.settings[c.Name]
		if !ok {
			s = DefaultSettings()
		}
		out = append(out, c.Evaluate(resources, s)...)
	}
	return Settle(out, resources)
}
