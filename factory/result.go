package factory

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/finops/cost"
)

// Result is what every operation of the tool reports: the engine's result
// (summary, changes, policy findings, outputs, duration) and, where the
// operation makes them, its release record, the promotion gates it
// checked, the drift it found and the team it vended.
type Result struct {
	engine.Result
	// Release is the record a successful up wrote.
	Release *Release `json:"release,omitempty"`
	// Chain is the verified release chain, newest first (release verify).
	Chain []Release `json:"chain,omitempty"`
	// Gates are the promotion gates, passed or not.
	Gates []Gate `json:"gates,omitempty"`
	// Drift lists the resources whose real state differs from the code.
	Drift []Drift `json:"drift,omitempty"`
	// Vended describes a vended (or removed) team.
	Vended *Vended `json:"vended,omitempty"`
	// Cost is the modelled monthly cost of the stack.
	Cost *cost.Report `json:"cost,omitempty"`
}

// MarshalJSON writes the engine's fields and the tool's side by side.
func (r Result) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(r.Result)
	if err != nil {
		return nil, err
	}
	type extra struct {
		Release *Release     `json:"release,omitempty"`
		Chain   []Release    `json:"chain,omitempty"`
		Gates   []Gate       `json:"gates,omitempty"`
		Drift   []Drift      `json:"drift,omitempty"`
		Vended  *Vended      `json:"vended,omitempty"`
		Cost    *cost.Report `json:"cost,omitempty"`
	}
	more, err := json.Marshal(extra{r.Release, r.Chain, r.Gates, r.Drift, r.Vended, r.Cost})
	if err != nil {
		return nil, err
	}
	if string(more) == "{}" {
		return base, nil
	}
	// Both are JSON objects: join their members.
	return append(append(base[:len(base)-1], ','), more[1:]...), nil
}

// Write prints the result for people.
func (r Result) Write(w io.Writer) error {
	if r.Cost != nil {
		return r.Cost.Write(w)
	}
	if len(r.Changes) > 0 || len(r.Summary) > 0 {
		if err := r.Result.Write(w); err != nil {
			return err
		}
	}
	for _, g := range r.Gates {
		mark := "ok  "
		if !g.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "gate %s %s: %s\n", mark, g.Name, g.Detail)
	}
	for _, d := range r.Drift {
		fmt.Fprintf(w, "drift %s %s (%s): %v", d.Kind, d.Name, d.Type, d.Properties)
		for _, v := range d.Violations {
			fmt.Fprintf(w, " [%s %s]", v.Level, v.Policy)
		}
		fmt.Fprintln(w)
	}
	if r.Release != nil {
		fmt.Fprintf(w, "release %s: commit %s, image %s, cleanup image %s, parent %s\n", short(r.Release.Hash), short(r.Release.Commit),
			orNone(r.Release.Image), orNone(r.Release.CleanupImage), orNone(short(r.Release.Parent)))
		if rel := r.Release; rel.Dirty {
			from := "changes not in commit " + short(rel.Commit)
			if rel.Branch != "" {
				from += fmt.Sprintf(" (held on branch %s at %s)", rel.Branch, short(rel.BranchCommit))
			}
			fmt.Fprintf(w, "release %s is dirty: it ran from %s: %s; it cannot be promoted: %s\n",
				short(rel.Hash), from, strings.Join(rel.DirtyFiles, ", "), dirtyFix(rel))
		}
	}
	for i, rel := range r.Chain {
		fmt.Fprintf(w, "chain[%d] %s %s (commit %s, promoted from %s)\n", i, rel.Stack, short(rel.Hash), short(rel.Commit), orNone(short(rel.Parent)))
	}
	if v := r.Vended; v != nil {
		fmt.Fprintf(w, "team %s %s in stack %s\n", v.Team, v.Action, r.Stack)
		if v.StudioURL != "" {
			fmt.Fprintf(w, "  Studio:       %s\n", v.StudioURL)
		}
		if v.AccessPointAlias != "" {
			fmt.Fprintf(w, "  access point: %s (s3://%s/%s)\n", v.AccessPointAlias, v.AccessPointAlias, v.Prefix)
		}
		if v.Branch != "" {
			fmt.Fprintf(w, "  committed on branch %s (%s)\n", v.Branch, short(v.Commit))
		}
	}
	return nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
