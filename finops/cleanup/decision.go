package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Actions the job takes.
const (
	ActionNone      = "none"
	ActionDelete    = "delete"
	ActionTerminate = "terminate"
	ActionStop      = "stop"
	ActionSnapshot  = "snapshot"
)

// Outcomes of a decision.
const (
	// OutcomeDone: the action was performed.
	OutcomeDone = "done"
	// OutcomeDryRun: the action would have been performed.
	OutcomeDryRun = "dry-run"
	// OutcomeFailed: AWS refused the action (after the SDK's retries).
	OutcomeFailed = "failed"
	// OutcomeDeferred: a step was taken or is under way; the next run finishes it.
	OutcomeDeferred = "deferred"
	// OutcomeKept: the resource is the platform's but within its limits.
	OutcomeKept = "kept"
	// OutcomeSkipped: eligible, but the job may not act on it (e.g.
	// termination protection) or it is in a transitional state.
	OutcomeSkipped = "skipped"
	// OutcomeIgnored: not the platform's resource; never touched.
	OutcomeIgnored = "ignored"
)

// Decision is one line of the action log.
type Decision struct {
	// Rule that decided.
	Rule string `json:"rule"`
	// Kind of resource: sagemaker-app, sagemaker-space, emr-cluster,
	// ebs-volume, sagemaker-endpoint, notebook-instance.
	Kind string `json:"kind"`
	// Resource is the ARN, or the id where the resource has no ARN in the API.
	Resource string `json:"resource"`
	// Team is the resource's team tag.
	Team    string `json:"team,omitempty"`
	Action  string `json:"action"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	DryRun  bool   `json:"dryRun"`
	// Facts for costing what the action reclaims (see finops/report):
	// instances by type and market, or the volume's size and type.
	Instances []Instance `json:"instances,omitempty"`
	SizeGiB   int        `json:"sizeGiB,omitempty"`
	// VolumeType is the EBS type of a volume (gp3, gp2, io2...).
	VolumeType string `json:"volumeType,omitempty"`
	// At is the run's time.
	At time.Time `json:"at"`
}

// Instance is a number of instances of one type on one market, as a
// decision records what it reclaims.
type Instance struct {
	Type string `json:"type"`
	// Market is on-demand or spot.
	Market string `json:"market"`
	Count  int    `json:"count"`
}

// Markets of Instance.
const (
	OnDemand = "on-demand"
	Spot     = "spot"
)

// Acted reports whether the decision removed or stopped something (or
// would have, in a dry run).
func (d Decision) Acted() bool {
	return d.Outcome == OutcomeDone || d.Outcome == OutcomeDryRun
}

// Summary is what a run did.
type Summary struct {
	Project     string    `json:"project"`
	Environment string    `json:"environment"`
	DryRun      bool      `json:"dryRun"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	// Counts maps rule to outcome to the number of decisions.
	Counts map[string]map[string]int `json:"counts"`
	// Actions are the decisions that acted, would have acted, failed or
	// were deferred; kept and ignored resources are only counted.
	Actions []Decision `json:"actions"`
	// Failed counts the failed actions.
	Failed int `json:"failed"`
	// RuleErrors are rules that could not list their resources.
	RuleErrors  []RuleError `json:"ruleErrors,omitempty"`
	Interrupted bool        `json:"interrupted,omitempty"`
	// PublishError says why the summary could not be published.
	PublishError string `json:"publishError,omitempty"`
}

// RuleError is a rule that failed as a whole.
type RuleError struct {
	Rule  string `json:"rule"`
	Error string `json:"error"`
}

func newSummary(cfg Config, now time.Time) *Summary {
	return &Summary{Project: cfg.Project, Environment: cfg.Environment, DryRun: cfg.DryRun, Started: now, Counts: map[string]map[string]int{}}
}

// OK reports whether the run finished without failures.
func (s *Summary) OK() bool {
	return s.Failed == 0 && len(s.RuleErrors) == 0 && !s.Interrupted
}

// Count returns how many decisions of any rule had the outcome.
func (s *Summary) Count(outcome string) int {
	n := 0
	for _, byOutcome := range s.Counts {
		n += byOutcome[outcome]
	}
	return n
}

// Subject is the summary's one-line title (at most 100 characters, SNS's limit).
func (s *Summary) Subject() string {
	var parts []string
	for _, o := range []string{OutcomeDone, OutcomeDryRun, OutcomeDeferred, OutcomeFailed} {
		if n := s.Count(o); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing to do")
	}
	mode := ""
	if s.DryRun {
		mode = " (dry run)"
	}
	if s.Interrupted {
		mode += " (interrupted)"
	}
	subject := fmt.Sprintf("%s-%s cleanup: %s%s", s.Project, s.Environment, strings.Join(parts, ", "), mode)
	if len(subject) > 100 {
		subject = subject[:100]
	}
	return subject
}

// record logs a decision and adds it to the summary.
func (j *Job) record(d Decision) {
	d.DryRun = j.cfg.DryRun
	d.At = j.now
	if j.sum.Counts[d.Rule] == nil {
		j.sum.Counts[d.Rule] = map[string]int{}
	}
	j.sum.Counts[d.Rule][d.Outcome]++
	switch d.Outcome {
	case OutcomeKept, OutcomeIgnored:
	default:
		j.sum.Actions = append(j.sum.Actions, d)
	}
	level := slog.LevelInfo
	if d.Outcome == OutcomeFailed {
		j.sum.Failed++
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("rule", d.Rule), slog.String("kind", d.Kind), slog.String("resource", d.Resource),
		slog.String("action", d.Action), slog.String("outcome", d.Outcome), slog.String("reason", d.Reason),
		slog.Bool("dryRun", d.DryRun),
	}
	if d.Team != "" {
		attrs = append(attrs, slog.String("team", d.Team))
	}
	if len(d.Instances) > 0 {
		attrs = append(attrs, slog.Any("instances", d.Instances))
	}
	if d.SizeGiB > 0 {
		attrs = append(attrs, slog.Int("sizeGiB", d.SizeGiB), slog.String("volumeType", d.VolumeType))
	}
	j.log.LogAttrs(context.Background(), level, "decision", attrs...)
}

// act performs an action unless the run is a dry run, and records the outcome.
func (j *Job) act(ctx context.Context, d Decision, do func(context.Context) error) {
	if j.cfg.DryRun {
		d.Outcome = OutcomeDryRun
		j.record(d)
		return
	}
	if err := do(ctx); err != nil {
		d.Outcome = OutcomeFailed
		d.Reason = d.Reason + "; " + err.Error()
		j.record(d)
		return
	}
	if d.Outcome == "" {
		d.Outcome = OutcomeDone
	}
	j.record(d)
}

func (j *Job) publish(ctx context.Context) error {
	if j.cfg.TopicArn == "" {
		return nil
	}
	sort.SliceStable(j.sum.Actions, func(a, b int) bool { return j.sum.Actions[a].Resource < j.sum.Actions[b].Resource })
	body, err := json.MarshalIndent(j.sum, "", "  ")
	if err != nil {
		return err
	}
	// SNS messages are at most 256 KB; a run that acted on thousands of
	// resources publishes its counts and points to the log instead.
	if len(body) > 250_000 {
		short := *j.sum
		short.Actions = nil
		if body, err = json.MarshalIndent(short, "", "  "); err != nil {
			return err
		}
	}
	_, err = j.clients.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(j.cfg.TopicArn),
		Subject:  aws.String(j.sum.Subject()),
		Message:  aws.String(string(body)),
	})
	return err
}

// tagMap turns key/value pairs into a map.
func tagMap[T any](tags []T, kv func(T) (*string, *string)) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := kv(t)
		out[aws.ToString(k)] = aws.ToString(v)
	}
	return out
}

// ignored records a resource that is not the platform's.
func (j *Job) ignored(rule, kind, resource string) {
	j.record(Decision{Rule: rule, Kind: kind, Resource: resource, Action: ActionNone, Outcome: OutcomeIgnored,
		Reason: fmt.Sprintf("not tagged %s=%s and %s=%s", tagkeys.Project, j.cfg.Project, tagkeys.Environment, j.cfg.Environment)})
}
