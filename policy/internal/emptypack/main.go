// Command emptypack is a policy pack without policies, served like the
// AI Factory pack. Attached to a preview it costs what the engine spends on
// any policy pack (starting the plugin, two calls per resource, the stack
// analysis): the floor BenchmarkEnginePolicyPackOverhead measures the real
// pack against. It checks nothing and is never attached outside benchmarks.
package main

import (
	"fmt"
	"os"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/aifactory/platform/policy/analyzer"
)

func main() {
	err := analyzer.Main(func(*pulumi.Context) (policyx.PolicyPack, error) {
		return policyx.NewPolicyPack("empty", semver.MustParse("0.0.1"), policyx.EnforcementLevelAdvisory, nil)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
