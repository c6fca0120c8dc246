// Command catalogue prints the policy pack's control catalogue for
// auditors: every control with its framework ids (AWS Security Hub FSBP,
// Checkov), default enforcement level, the resource types it inspects, its
// settings, and each environment's enforcement level and thresholds from the
// policy config files.
//
//	go run ./policy/cmd/catalogue -format markdown > controls.md
//	go run ./policy/cmd/catalogue -format json -config-dir policy/config
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

const defaultConfigDir = "policy/config"

func main() {
	format := flag.String("format", "markdown", "output format: markdown or json")
	configDir := flag.String("config-dir", defaultConfigDir, "directory of per-environment policy config files (<env>.json); empty for none")
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config-dir" })
	if err := run(os.Stdout, *format, *configDir, explicit); err != nil {
		fmt.Fprintln(os.Stderr, "catalogue:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, format, configDir string, explicitDir bool) error {
	envs, err := loadEnvironments(configDir)
	if errors.Is(err, fs.ErrNotExist) && !explicitDir {
		envs, err = nil, nil
	}
	if err != nil {
		return err
	}
	c, err := build(envs)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case "markdown", "md":
		return writeMarkdown(w, c)
	}
	return fmt.Errorf("unknown -format %q: use markdown or json", format)
}

// Catalogue is the JSON document the command prints.
type Catalogue struct {
	Pack         string    `json:"pack"`
	Version      string    `json:"version"`
	Environments []string  `json:"environments,omitempty"`
	Controls     []Control `json:"controls"`
}

// Control is one control in the catalogue document.
type Control struct {
	Name          string                 `json:"name"`
	Category      string                 `json:"category"`
	Scope         string                 `json:"scope"`
	DefaultLevel  string                 `json:"defaultLevel"`
	Requirement   string                 `json:"requirement"`
	Description   string                 `json:"description"`
	FSBP          []string               `json:"fsbp"`
	Checkov       []string               `json:"checkov"`
	ResourceTypes []string               `json:"resourceTypes"`
	Params        []Param                `json:"params,omitempty"`
	Environments  map[string]Environment `json:"environments,omitempty"`
}

// Param is a setting of a control.
type Param struct {
	Key         string `json:"key"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Default     any    `json:"default,omitempty"`
}

// Environment is a control's enforcement in one environment.
type Environment struct {
	Level    string         `json:"level"`
	Settings map[string]any `json:"settings,omitempty"`
}

// envConfig is one environment's policy config file.
type envConfig struct {
	name string
	cfg  map[string]map[string]any
}

func loadEnvironments(dir string) ([]envConfig, error) {
	if dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []envConfig
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var cfg map[string]map[string]any
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, envConfig{name: strings.TrimSuffix(filepath.Base(f), ".json"), cfg: cfg})
	}
	// Promotion order first, then any other environment by name.
	rank := map[string]int{"dev": 0, "staging": 1, "prod": 2}
	sort.Slice(out, func(i, j int) bool {
		ri, iok := rank[out[i].name]
		rj, jok := rank[out[j].name]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

func build(envs []envConfig) (Catalogue, error) {
	c := Catalogue{Pack: pack.Name, Version: pack.Version}
	for _, e := range envs {
		c.Environments = append(c.Environments, e.name)
	}
	defaults := rules.DefaultSettings()
	for _, rc := range rules.Catalogue() {
		ctl := Control{
			Name: rc.Name, Category: string(rc.Category), Scope: string(rc.Scope), DefaultLevel: string(rc.Level),
			Requirement: rc.Requirement, Description: rc.Description(),
			FSBP: nonNil(rc.FSBP), Checkov: nonNil(rc.Checkov), ResourceTypes: rc.ResourceTypes,
		}
		for _, p := range rc.Params {
			param := Param{Key: p.Key, Type: p.Type, Description: p.Description}
			if p.Default {
				param.Default = p.Value(defaults)
			}
			ctl.Params = append(ctl.Params, param)
		}
		for _, e := range envs {
			if ctl.Environments == nil {
				ctl.Environments = map[string]Environment{}
			}
			env, err := environment(rc, e)
			if err != nil {
				return Catalogue{}, err
			}
			ctl.Environments[e.name] = env
		}
		c.Controls = append(c.Controls, ctl)
	}
	return c, nil
}

// environment is a control's level and effective settings in one
// environment, as the pack applies them.
func environment(rc rules.Control, e envConfig) (Environment, error) {
	entry := e.cfg[rc.Name]
	level := string(rc.Level)
	props := map[string]any{}
	for k, v := range entry {
		if k == "enforcementLevel" {
			if s, ok := v.(string); ok {
				level = s
			}
			continue
		}
		props[k] = v
	}
	defaults := rules.DefaultSettings()
	defaults.Environment = e.name
	s, err := rc.Configure(defaults, props)
	if err != nil {
		return Environment{}, fmt.Errorf("%s.json: %w", e.name, err)
	}
	env := Environment{Level: level}
	for _, p := range rc.Params {
		if env.Settings == nil {
			env.Settings = map[string]any{}
		}
		env.Settings[p.Key] = p.Value(s)
	}
	return env, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeMarkdown(w io.Writer, c Catalogue) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Control catalogue: %s %s\n\n", c.Pack, c.Version)
	b.WriteString("Every control of the policy pack, with the nearest AWS Security Hub Foundational Security Best Practices (FSBP) controls and Checkov checks. ")
	b.WriteString("Resource controls check one resource at a time; stack controls check relations between resources (a bucket and its separate configuration resources). ")
	b.WriteString("During a preview, a control that needs a value computed by a resource that does not exist yet reports it under the advisory policy " + "`" + pack.CannotVerify + "`" + " and decides during the update.\n\n")

	header := "| Control | Category | Scope | Default | FSBP | Checkov |"
	sep := "|---|---|---|---|---|---|"
	for _, e := range c.Environments {
		header += " " + e + " |"
		sep += "---|"
	}
	b.WriteString(header + "\n" + sep + "\n")
	for _, ctl := range c.Controls {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s | %s |", ctl.Name, ctl.Name, ctl.Category, ctl.Scope, ctl.DefaultLevel,
			dash(strings.Join(ctl.FSBP, ", ")), dash(strings.Join(ctl.Checkov, ", ")))
		for _, e := range c.Environments {
			fmt.Fprintf(&b, " %s |", ctl.Environments[e].Level)
		}
		b.WriteString("\n")
	}

	for _, cat := range rules.Categories() {
		fmt.Fprintf(&b, "\n## %s\n", cat)
		for _, ctl := range c.Controls {
			if ctl.Category != string(cat) {
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n%s\n\n", ctl.Name, ctl.Requirement)
			fmt.Fprintf(&b, "- Framework ids: FSBP %s; Checkov %s\n", dash(strings.Join(ctl.FSBP, ", ")), dash(strings.Join(ctl.Checkov, ", ")))
			fmt.Fprintf(&b, "- Scope: %s; default enforcement: %s\n", ctl.Scope, ctl.DefaultLevel)
			types := make([]string, len(ctl.ResourceTypes))
			for i, t := range ctl.ResourceTypes {
				types[i] = "`" + t + "`"
			}
			fmt.Fprintf(&b, "- Resource types: %s\n", strings.Join(types, ", "))
			if len(ctl.Params) == 0 {
				continue
			}
			b.WriteString("\n| Setting | Type | Default |")
			for _, e := range c.Environments {
				b.WriteString(" " + e + " |")
			}
			b.WriteString(" Meaning |\n|---|---|---|")
			for range c.Environments {
				b.WriteString("---|")
			}
			b.WriteString("---|\n")
			for _, p := range ctl.Params {
				fmt.Fprintf(&b, "| `%s` | %s | %s |", p.Key, p.Type, value(p.Default))
				for _, e := range c.Environments {
					fmt.Fprintf(&b, " %s |", value(ctl.Environments[e].Settings[p.Key]))
				}
				fmt.Fprintf(&b, " %s |\n", p.Description)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func value(v any) string {
	switch t := v.(type) {
	case nil:
		return "(from the stack)"
	case []string:
		if len(t) == 0 {
			return "(none)"
		}
		return strings.Join(t, ", ")
	case string:
		if t == "" {
			return "(from the stack)"
		}
		return t
	}
	return fmt.Sprint(v)
}
