// Package modfiles reads the pinned versions from the repository's module
// files, the one home of every version: go.mod for the Go SDKs and
// tools/pulumi/go.mod for the Pulumi CLI.
package modfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// Module paths whose versions the project pins.
const (
	PulumiPkg   = "github.com/pulumi/pulumi/pkg/v3"
	PulumiSDK   = "github.com/pulumi/pulumi/sdk/v3"
	AWSProvider = "github.com/pulumi/pulumi-aws/sdk/v6"
)

// Pins are the versions read from the module files.
type Pins struct {
	// PulumiCLI is tools/pulumi/go.mod's pulumi/pkg version, e.g. v3.259.0.
	PulumiCLI string
	// PulumiSDK is go.mod's pulumi/sdk version, e.g. v3.259.0.
	PulumiSDK string
	// AWSProvider is go.mod's pulumi-aws version without the v, e.g. 6.83.4.
	AWSProvider string
}

// Read reads the pins below the repository root.
func Read(root string) (Pins, error) {
	main, err := requirements(filepath.Join(root, "go.mod"))
	if err != nil {
		return Pins{}, err
	}
	tools, err := requirements(filepath.Join(root, "tools", "pulumi", "go.mod"))
	if err != nil {
		return Pins{}, err
	}
	p := Pins{PulumiCLI: tools[PulumiPkg], PulumiSDK: main[PulumiSDK], AWSProvider: strings.TrimPrefix(main[AWSProvider], "v")}
	switch {
	case p.PulumiCLI == "":
		return Pins{}, fmt.Errorf("tools/pulumi/go.mod does not require %s", PulumiPkg)
	case p.PulumiSDK == "":
		return Pins{}, fmt.Errorf("go.mod does not require %s", PulumiSDK)
	case p.AWSProvider == "":
		return Pins{}, fmt.Errorf("go.mod does not require %s", AWSProvider)
	}
	return p, nil
}

func requirements(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseLax(path, b, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range f.Require {
		out[r.Mod.Path] = r.Mod.Version
	}
	return out, nil
}
