// Package buildinfo reports which code produced an output: the version and
// commit stamped at link time (-ldflags "-X ...buildinfo.Version=v1.2.3
// -X ...buildinfo.Commit=<sha>"), falling back to the Go build information
// (module version, VCS revision) when they were not stamped.
package buildinfo

import (
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

// Read returns the build's version information.
func Read() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
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
