package image

import (
	"fmt"
	"slices"
	"strings"
)

// Command is one of the platform's programs that runs as a container: the
// main package the image is built from, the package its version and commit
// are stamped into, and what the image runs by default.
type Command struct {
	// Name names the binary (/<Name>, the entrypoint), the image title
	// label and the tarball repository aifactory/<Name>.
	Name string
	// Package is the main package, relative to the module root.
	Package string
	// BuildinfoPackage holds the Version and Commit variables stamped at
	// link time.
	BuildinfoPackage string
	// Cmd is the image's default command (the entrypoint's arguments).
	Cmd []string
	// Volumes are directories the base layer creates, owned by the
	// non-root user so that a volume created from them is writable, and
	// declares as volumes.
	Volumes []string
	// About says what the image runs, for the usage text.
	About string
}

// BinaryPath is where the binary is in the image, and the entrypoint.
func (c Command) BinaryPath() string { return "/" + c.Name }

// DefaultCommand is what an image is built from when no command is named.
const DefaultCommand = "optimiser"

// commands are the programs the platform ships as images.
var commands = []Command{
	{
		Name:             "optimiser",
		Package:          "./optimiser/cmd/optimiser",
		BuildinfoPackage: ModulePath + "/facts/buildinfo",
		// As in optimiser/Dockerfile: the weekly run for every bundled
		// country into the /out volume. The pipeline's tasks give their own.
		Cmd:     []string{"run", "--out", OutDir},
		Volumes: []string{OutDir},
		About:   "the weekly jackpot optimiser, run by the pipeline's Fargate tasks",
	},
	{
		Name:             "cleanup",
		Package:          "./finops/cmd/cleanup",
		BuildinfoPackage: ModulePath + "/facts/buildinfo",
		// A bare run only reports: the scheduled task gives the stack's
		// dry-run setting, a person running the image by hand their flags.
		Cmd:   []string{"-dry-run=true"},
		About: "the lifecycle cleanup job of the finops component",
	},
}

// Commands lists the commands an image can be built from.
func Commands() []Command {
	out := make([]Command, len(commands))
	for i, c := range commands {
		c.Cmd = slices.Clone(c.Cmd)
		c.Volumes = slices.Clone(c.Volumes)
		out[i] = c
	}
	return out
}

// CommandNames are the names Options.Command accepts.
func CommandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.Name
	}
	return names
}

// LookupCommand returns the command called name.
func LookupCommand(name string) (Command, error) {
	for _, c := range Commands() {
		if c.Name == name {
			return c, nil
		}
	}
	return Command{}, fmt.Errorf("command %q: use one of %s", name, strings.Join(CommandNames(), ", "))
}
