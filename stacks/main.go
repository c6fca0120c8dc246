// Command stacks is the AI Factory Pulumi program: `pulumi up -s dev` runs it
// with the config of Pulumi.dev.yaml. The composition lives in package
// platform so that the Automation API and tests run exactly the same code.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/stacks/platform"
)

func main() {
	pulumi.Run(platform.Program)
}
