package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/policy/rules"
)

type outcome string

const (
	pass       outcome = "pass"
	violation  outcome = "violation"
	unverified outcome = "unverified"
)

// controlCase is one resource (or, for stack controls, one set of
// resources) and what the control must conclude about it.
type controlCase struct {
	control   string
	name      string
	resources []rules.Resource
	settings  func(*rules.Settings)
	want      outcome
	// contains must appear in a finding's message of the wanted kind.
	contains string
}

func one(r rules.Resource) []rules.Resource { return []rules.Resource{r} }

func devSettings() rules.Settings {
	s := rules.DefaultSettings()
	s.Environment = "dev"
	return s
}

// evaluate runs a control the way the pack does: the control, then the
// stack's dependencies settle what they can.
func evaluate(t testing.TB, tc controlCase) []rules.Finding {
	t.Helper()
	c, ok := rules.Lookup(tc.control)
	require.True(t, ok, "no control %q", tc.control)
	s := devSettings()
	if tc.settings != nil {
		tc.settings(&s)
	}
	return rules.Settle(c.Evaluate(tc.resources, s), tc.resources)
}

func split(findings []rules.Finding) (violations, unverifieds []rules.Finding) {
	for _, f := range findings {
		if f.Verdict == rules.Violation {
			violations = append(violations, f)
		} else {
			unverifieds = append(unverifieds, f)
		}
	}
	return violations, unverifieds
}

func messages(fs []rules.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Message)
	}
	return strings.Join(out, "\n")
}

// runCases runs each case as a subtest named control/case.
func runCases(t *testing.T, cases []controlCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.control+"/"+tc.name, func(t *testing.T) {
			findings := evaluate(t, tc)
			violations, unverifieds := split(findings)
			switch tc.want {
			case pass:
				assert.Empty(t, findings, "compliant resource must pass:\n%s", messages(findings))
			case violation:
				require.NotEmpty(t, violations, "must be a violation; unverified:\n%s", messages(unverifieds))
				assert.Contains(t, messages(violations), tc.contains)
			case unverified:
				assert.Empty(t, violations, "a value that is not known yet must never fail the control:\n%s", messages(violations))
				require.NotEmpty(t, unverifieds, "an undecidable control must say so rather than pass")
				assert.Contains(t, messages(unverifieds), tc.contains)
			}
			for _, f := range findings {
				assert.Equal(t, tc.control, f.Control)
				assert.NotEmpty(t, f.URN)
				if f.Verdict == rules.Violation {
					assert.Contains(t, f.Message, "Fix: ", "a violation says how to fix it")
				}
			}
		})
	}
}

// TestEveryControlHasCases makes the table cover the whole catalogue: a
// compliant and a violating resource, and a computed value, per control.
func TestEveryControlHasCases(t *testing.T) {
	type coverage struct{ pass, violation, computed bool }
	got := map[string]*coverage{}
	for _, tc := range controlCases() {
		c := got[tc.control]
		if c == nil {
			c = &coverage{}
			got[tc.control] = c
		}
		c.pass = c.pass || tc.want == pass
		c.violation = c.violation || tc.want == violation
		for _, r := range tc.resources {
			c.computed = c.computed || hasComputed(r)
		}
	}
	for _, c := range rules.Catalogue() {
		cov := got[c.Name]
		require.NotNil(t, cov, "control %s has no test cases", c.Name)
		assert.True(t, cov.pass, "%s: no compliant case", c.Name)
		assert.True(t, cov.violation, "%s: no violating case", c.Name)
		assert.True(t, cov.computed, "%s: no case with a computed value", c.Name)
	}
}

func hasComputed(r rules.Resource) bool {
	for _, v := range r.Properties.All {
		if v.HasComputed() {
			return true
		}
	}
	return false
}

// controlCases are every category's cases, in catalogue order; the
// category files (tags_test.go, encryption_test.go, ...) hold them beside
// the controls they test.
func controlCases() []controlCase {
	var cases []controlCase
	for _, category := range [][]controlCase{
		tagCases(), encryptionCases(), networkCases(), resourcePolicyCases(), iamCases(), finopsCases(), governanceCases(),
		servingCases(),
	} {
		cases = append(cases, category...)
	}
	return append(cases, budgetFitCases()...)
}
