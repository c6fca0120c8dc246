package rules_test

import (
	"fmt"
	"testing"

	"github.com/aifactory/platform/policy/rules"
)

// benchResources are the compliant resources of the control cases: every
// type the catalogue inspects, with realistic properties.
func benchResources() []rules.Resource {
	var out []rules.Resource
	for _, tc := range controlCases() {
		if tc.want == pass {
			out = append(out, tc.resources...)
		}
	}
	return out
}

// devConfig is the per-policy config the pack receives for dev, for the
// controls that take any.
var devConfig = map[string]map[string]any{
	"required-tags":           {"environment": "dev", "requiredKeys": []any{"team", "project", "cost-center", "environment", "data-classification", "owner"}},
	"logs-kms-retention":      {"minimumRetentionDays": float64(30)},
	"kms-rotation":            {"minimumDeletionWindowDays": float64(7)},
	"sagemaker-idle-shutdown": {"maxIdleTimeoutMinutes": float64(120)},
}

// BenchmarkPackPerResource is the cost of the whole pack's resource
// controls on one resource, as the pack runs them on every Analyze call:
// each control applies its config, checks the type and evaluates.
func BenchmarkPackPerResource(b *testing.B) {
	resources := benchResources()
	controls := rules.Catalogue()
	defaults := devSettings()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := resources[i%len(resources)]
		for _, c := range controls {
			if c.Scope != rules.ResourceScope || !c.AppliesTo(r.Type) {
				continue
			}
			s, err := c.Configure(defaults, devConfig[c.Name])
			if err != nil {
				b.Fatal(err)
			}
			_ = c.Check(r, s)
		}
	}
}

// BenchmarkStackControlsPerResource is the cost of every stack control on
// a stack, divided by its number of resources.
func BenchmarkStackControlsPerResource(b *testing.B) {
	for _, copies := range []int{1, 10} {
		var stack []rules.Resource
		for i := range copies {
			for _, r := range benchResources() {
				r.URN = fmt.Sprintf("%s-%d", r.URN, i)
				stack = append(stack, r)
			}
		}
		b.Run(fmt.Sprintf("resources=%d", len(stack)), func(b *testing.B) {
			s := devSettings()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for _, c := range rules.Catalogue() {
					if c.Scope == rules.StackScope {
						_ = c.Evaluate(stack, s)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(stack)), "ns/resource")
		})
	}
}
