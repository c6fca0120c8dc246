// Package archtest holds the tests that keep the module's imports flowing
// one way: config -> stacks -> components -> resources, with leaf packages
// of facts that import nothing of the module, a policy pack that never pulls
// in the Automation API, and components that know nothing of the stacks,
// the stack config, the policy pack or the tool that drive them.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/aifactory/platform"

// leaves import nothing of the module but the other leaves listed for them
// in leafImports: facts every layer may read.
var leaves = []string{
	"facts/awstypes",
	"facts/buildinfo",
	"facts/awstypes/awsschema",
	"facts/tagkeys",
	"facts/versions",
	"facts/versions/modfiles",
	"components/scope",
	"components/analytics/spec",
	"components/pipeline/spec",
	"components/audit/spec",

	"components/serving/spec",
	"components/iamdoc",
	"internal/gobuild",
	"finops/cost",
	"internal/iameval",
	"internal/logfilter",
}

// leafImports are the only module packages a leaf may import: the policy
// evaluator reads the policy documents of iamdoc, and nothing else.
var leafImports = map[string][]string{
	"internal/iameval": {"components/iamdoc"},
}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func (p pkg) rel() string { return strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/") }

// own returns the module packages among paths, relative to the module.
func own(paths []string) []string {
	var out []string
	for _, p := range paths {
		if p == module || strings.HasPrefix(p, module+"/") {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(p, module), "/"))
		}
	}
	return out
}

func under(rel, tree string) bool { return rel == tree || strings.HasPrefix(rel, tree+"/") }

func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	require.NotEmpty(t, pkgs)
	return pkgs
}

// rule says which module packages a package may not import (directly).
type rule struct {
	name   string
	from   func(rel string) bool
	forbid func(imported string) bool
}

func TestImportsFlowOneWay(t *testing.T) {
	isLeaf := func(rel string) bool { return slices.Contains(leaves, rel) }
	rules := []rule{
		{
			name: "components never import stacks, stack config, the policy pack, the tool or the engine kit",
			from: func(rel string) bool { return under(rel, "components") },
			forbid: func(imp string) bool {
				return under(imp, "stacks") || under(imp, "internal/stackconfig") || under(imp, "policy") ||
					under(imp, "factory") || under(imp, "cmd") || under(imp, "internal/offline") || under(imp, "internal/enginetest")
			},
		},
		{
			name:   "stack config reads only leaf packages",
			from:   func(rel string) bool { return under(rel, "internal/stackconfig") },
			forbid: func(imp string) bool { return !isLeaf(imp) },
		},
		{
			name: "stacks compose components from config; they never drive the engine or the pack",
			from: func(rel string) bool { return under(rel, "stacks") },
			forbid: func(imp string) bool {
				return under(imp, "policy") || under(imp, "factory") || under(imp, "cmd") || under(imp, "internal/offline")
			},
		},
		{
			name: "policy rules and the pack know nothing of the platform's code beyond its facts",
			from: func(rel string) bool { return under(rel, "policy") },
			forbid: func(imp string) bool {
				return !under(imp, "policy") && !isLeaf(imp)
			},
		},
		{
			name:   "nothing imports a command",
			from:   func(string) bool { return true },
			forbid: func(imp string) bool { return under(imp, "cmd") || under(imp, "optimiser/cmd") },
		},
		{
			// It reads only the build information every command reports.
			name:   "the optimiser stands alone",
			from:   func(rel string) bool { return under(rel, "optimiser") },
			forbid: func(imp string) bool { return !under(imp, "optimiser") && imp != "facts/buildinfo" },
		},
	}
	pkgs := packages(t)
	t.Run("leaf packages import only their listed leaves", func(t *testing.T) {
		for _, p := range pkgs {
			if !isLeaf(p.rel()) {
				continue
			}
			for _, imp := range own(p.Imports) {
				if !slices.Contains(leafImports[p.rel()], imp) || !isLeaf(imp) {
					t.Errorf("leaf %s imports %s", p.rel(), imp)
				}
			}
		}
	})
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pkgs {
				if !r.from(p.rel()) {
					continue
				}
				for _, imp := range own(p.Imports) {
					if r.forbid(imp) {
						t.Errorf("%s imports %s", p.rel(), imp)
					}
				}
			}
		})
	}
}

// TestPolicyPackNeverPullsInTheAutomationAPI checks the whole dependency
// tree of the pack: the Automation API drives the engine, and a pack the
// engine runs must not carry it.
func TestPolicyPackNeverPullsInTheAutomationAPI(t *testing.T) {
	for _, p := range packages(t) {
		if !under(p.rel(), "policy") {
			continue
		}
		for _, dep := range p.Deps {
			if strings.HasPrefix(dep, "github.com/pulumi/pulumi/sdk/v3/go/auto") {
				t.Errorf("%s depends on %s", p.rel(), dep)
			}
		}
	}
}

func TestEveryLeafExists(t *testing.T) {
	var rels []string
	for _, p := range packages(t) {
		rels = append(rels, p.rel())
	}
	for _, l := range leaves {
		require.Contains(t, rels, l, "the list of leaf packages names a package that does not exist")
	}
}
