// Package buildinfo reports which build of one of the platform's commands
// is running (the optimiser, the cleanup job): the version and commit
// stamped at link time by the image builder (-ldflags "-X
// ...facts/buildinfo.Version=v1.2.3 -X ...facts/buildinfo.Commit=<sha>",
// factory/image), falling back to the Go build information (module
// version, VCS revision) when they were not stamped, as for `go run`. A
// leaf: the optimiser, which imports nothing else of the platform, reads
// it too.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time; see the package comment.
var (
	Version = ""
	Commit  = ""
)

// Info describes the running build.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	Modified  bool   `json:"modified,omitempty"`
}

// String is "<version> (commit <commit>, <go version>)".
func (i Info) String() string {
	modified := ""
	if i.Modified {
		modified = ", modified"
	}
	return fmt.Sprintf("%s (commit %s%s, %s)", i.Version, i.Commit, modified, i.GoVersion)
}

// Read returns the build's version information.
func Read() Info {
	return read(Version, Commit, runtime.Version(), debug.ReadBuildInfo)
}

func read(version, commit, goVersion string, buildInfo func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: version, Commit: commit, GoVersion: goVersion}
	if bi, ok := buildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "(devel)"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	return info
}
