package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/finops/cost"
)

// Reclaimed is the waste the cleanup job removed in the month: what the
// resources it deleted, stopped or terminated would have cost had they run
// on until the month's end. Each resource counts once a month, from the
// first decision that removed it (or, in a dry run, would have): the job
// runs daily and a dry run finds the same resource again every day, and a
// notebook instance is stopped by one run and deleted by the next.
//
// Acted and dry-run decisions are counted apart: Total is what the job
// reclaimed, DryRun what it would have reclaimed had dry run been off. A
// resource flagged by dry runs and removed later in the month (dry run
// switched off) appears in both, each from its own first decision; the
// two figures are not to be added.
type Reclaimed struct {
	// Total is the reclaimed waste (acted), ByTeam its split by team.
	Total  float64         `json:"total"`
	ByTeam []ReclaimedTeam `json:"byTeam"`
	// DryRun is the waste the dry-run decisions would have reclaimed,
	// DryRunByTeam its split by team.
	DryRun       float64         `json:"dryRun"`
	DryRunByTeam []ReclaimedTeam `json:"dryRunByTeam,omitempty"`
	// Actions counts the resources removed in the month; DryRunActions
	// those a dry run would have removed. Each resource counts once.
	Actions       int `json:"actions"`
	DryRunActions int `json:"dryRunActions"`
	// Repeated counts the decisions left out because an earlier decision of
	// the month (of the same mode) already counted their resource.
	Repeated int `json:"repeated"`
	// NoCompute counts the resources whose removal stopped no compute and
	// is not priced: a Studio space (its apps are counted on their own), a
	// notebook instance deleted once stopped.
	NoCompute int `json:"noCompute"`
	// Unpriced counts removals of compute the price table does not know.
	Unpriced int `json:"unpriced"`
}

// ReclaimedTeam is one team's reclaimed waste.
type ReclaimedTeam struct {
	Team   string  `json:"team"`
	Amount float64 `json:"amount"`
}

// ReadActions reads the cleanup job's decisions from its log (JSON lines;
// other lines, such as the summary, are skipped).
func ReadActions(r io.Reader) ([]cleanup.Decision, error) {
	var out []cleanup.Decision
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		d, ok, err := parseDecision(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("action log line %d: %w", line, err)
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, sc.Err()
}

// parseDecision reads one line of the job's output: a decision, or
// another line (not JSON, or JSON of another message) to skip.
func parseDecision(text string) (cleanup.Decision, bool, error) {
	text = strings.TrimSpace(text)
	if text == "" || !strings.HasPrefix(text, "{") {
		return cleanup.Decision{}, false, nil
	}
	var head struct {
		Msg string `json:"msg"`
	}
	if err := json.Unmarshal([]byte(text), &head); err != nil {
		return cleanup.Decision{}, false, fmt.Errorf("not JSON: %w", err)
	}
	if head.Msg != DecisionMessage {
		return cleanup.Decision{}, false, nil
	}
	var d struct {
		cleanup.Decision
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return cleanup.Decision{}, false, err
	}
	d.Decision.At = d.Time
	return d.Decision, true, nil
}

// DecisionMessage is the msg of the job's decision lines.
const DecisionMessage = "decision"

// hourly prices what a decision removed, per hour.
func hourly(d cleanup.Decision, p *cost.Prices) (float64, bool) {
	if d.SizeGiB > 0 {
		month, ok := p.EBSMonth(d.VolumeType, float64(d.SizeGiB))
		return month / cost.HoursPerMonth, ok
	}
	if len(d.Instances) == 0 {
		return 0, false
	}
	total := 0.0
	for _, in := range d.Instances {
		var h float64
		var ok bool
		switch d.Kind {
		case "emr-cluster":
			h, ok = p.EC2Hour(in.Type, in.Market == cleanup.Spot, true)
		default:
			h, ok = p.SageMakerHour(in.Type)
		}
		if !ok {
			return 0, false
		}
		total += h * float64(in.Count)
	}
	return total, true
}

// resourceKey identifies the resource a decision is about across rules
// and runs. A Studio app is named by its ARN by the idle-app rule
// (arn:...:app/<domain>/<owner>/<apptype>/<name>, the type in lower case)
// and by its path by the expired-space rule (<domain>/<space>/<AppType>/<name>):
// both become the same key.
func resourceKey(d cleanup.Decision) string {
	if d.Kind == "sagemaker-app" {
		path := d.Resource
		if _, after, ok := strings.Cut(path, ":app/"); ok {
			path = after
		}
		return d.Kind + " " + strings.ToLower(path)
	}
	return d.Kind + " " + d.Resource
}

// dryRun reports whether a decision was a dry run's.
func dryRun(d cleanup.Decision) bool {
	return d.DryRun || d.Outcome == cleanup.OutcomeDryRun
}

func reclaimed(actions []cleanup.Decision, p *cost.Prices, start, end time.Time) Reclaimed {
	var in []cleanup.Decision
	for _, d := range actions {
		if d.Acted() && !d.At.Before(start) && d.At.Before(end) {
			in = append(in, d)
		}
	}
	// The first decision wins: the earliest time the resource was, or
	// would have been, removed.
	sort.SliceStable(in, func(i, j int) bool { return in[i].At.Before(in[j].At) })
	var r Reclaimed
	byTeam := map[bool]map[string]float64{false: {}, true: {}}
	seen := map[string]bool{}
	for _, d := range in {
		dry := dryRun(d)
		key := fmt.Sprintf("%t %s", dry, resourceKey(d))
		if seen[key] {
			r.Repeated++
			continue
		}
		seen[key] = true
		if d.SizeGiB == 0 && len(d.Instances) == 0 {
			r.NoCompute++
			continue
		}
		h, ok := hourly(d, p)
		if !ok {
			r.Unpriced++
			continue
		}
		amount := h * end.Sub(d.At).Hours()
		team := d.Team
		if team == "" {
			team = Untagged
		}
		byTeam[dry][team] += amount
		if dry {
			r.DryRun += amount
			r.DryRunActions++
		} else {
			r.Total += amount
			r.Actions++
		}
	}
	r.ByTeam = teamList(byTeam[false])
	r.DryRunByTeam = teamList(byTeam[true])
	return r
}

func teamList(m map[string]float64) []ReclaimedTeam {
	var out []ReclaimedTeam
	for t, a := range m {
		out = append(out, ReclaimedTeam{Team: t, Amount: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out
}
