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
// on until the month's end. Dry-run decisions are what it would have
// reclaimed.
type Reclaimed struct {
	Total  float64         `json:"total"`
	DryRun float64         `json:"dryRun"`
	ByTeam []ReclaimedTeam `json:"byTeam"`
	// Actions counts the actions taken (and dry-run actions) in the month.
	Actions       int `json:"actions"`
	DryRunActions int `json:"dryRunActions"`
	// Unpriced counts actions on resources the price table does not know.
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
		text := strings.TrimSpace(sc.Text())
		if text == "" || !strings.HasPrefix(text, "{") {
			continue
		}
		var head struct {
			Msg string `json:"msg"`
		}
		if err := json.Unmarshal([]byte(text), &head); err != nil {
			return nil, fmt.Errorf("action log line %d is not JSON: %w", line, err)
		}
		if head.Msg != "decision" {
			continue
		}
		var d struct {
			cleanup.Decision
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal([]byte(text), &d); err != nil {
			return nil, fmt.Errorf("action log line %d: %w", line, err)
		}
		d.Decision.At = d.Time
		out = append(out, d.Decision)
	}
	return out, sc.Err()
}

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

func reclaimed(actions []cleanup.Decision, p *cost.Prices, start, end time.Time) Reclaimed {
	var r Reclaimed
	byTeam := map[string]float64{}
	for _, d := range actions {
		if !d.Acted() || d.At.Before(start) || !d.At.Before(end) {
			continue
		}
		h, ok := hourly(d, p)
		if !ok {
			r.Unpriced++
			continue
		}
		amount := h * end.Sub(d.At).Hours()
		if d.DryRun || d.Outcome == cleanup.OutcomeDryRun {
			r.DryRun += amount
			r.DryRunActions++
			continue
		}
		r.Total += amount
		r.Actions++
		team := d.Team
		if team == "" {
			team = Untagged
		}
		byTeam[team] += amount
	}
	for t, a := range byTeam {
		r.ByTeam = append(r.ByTeam, ReclaimedTeam{Team: t, Amount: a})
	}
	sort.Slice(r.ByTeam, func(i, j int) bool { return r.ByTeam[i].Team < r.ByTeam[j].Team })
	return r
}
