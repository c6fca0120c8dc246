// Package cleanup is the platform's lifecycle cleanup job: it finds the
// ephemeral compute that outlived its purpose and removes it, so that idle
// and expired resources stop costing money without anyone remembering them.
//
// It acts only on resources that carry the platform's tags, project and
// environment, with the values of the stack it runs for; anything else in
// the account is never touched. Its rules:
//
//   - studio-app-idle: Studio apps (every app type, including those that
//     SageMaker's built-in idle shutdown does not cover, such as the Studio
//     Classic JupyterServer, KernelGateway, RStudio and Canvas apps) idle for
//     longer than the environment's limit are deleted;
//   - studio-space-expired: spaces past their expires-at tag lose their apps
//     and are deleted;
//   - emr-cluster-expired: EMR clusters past expires-at are terminated
//     (termination-protected clusters are reported, not forced);
//   - ebs-volume-unattached: unattached EBS volumes older than the configured
//     age are deleted; a volume tagged keep-snapshot=true is snapshotted
//     first and deleted only once its snapshot has completed;
//   - sagemaker-endpoint-expired: real-time endpoints past expires-at are
//     deleted;
//   - notebook-instance-expired: notebook instances past expires-at are
//     stopped, then deleted on the next run.
//
// Every decision is logged as one JSON line (resource, rule, action,
// outcome, reason) and a summary is published to the platform's topic. The
// job is idempotent: a second run finds nothing more to do, and an
// interrupted run leaves every resource either untouched or fully acted on,
// to be finished by the next run. In dry-run mode (the default in dev) it
// decides and logs but changes nothing.
package cleanup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Rule names, as they appear in the decision log and the summary.
const (
	RuleStudioAppIdle       = "studio-app-idle"
	RuleStudioSpaceExpired  = "studio-space-expired"
	RuleEMRClusterExpired   = "emr-cluster-expired"
	RuleEBSVolumeUnattached = "ebs-volume-unattached"
	RuleEndpointExpired     = "sagemaker-endpoint-expired"
	RuleNotebookExpired     = "notebook-instance-expired"
)

// Rules lists every rule in the order the job runs them: apps before the
// spaces that hold them, so that an expired space's apps are gone first.
func Rules() []string {
	return []string{RuleStudioAppIdle, RuleStudioSpaceExpired, RuleEMRClusterExpired, RuleEBSVolumeUnattached, RuleEndpointExpired, RuleNotebookExpired}
}

// Tags the job reads besides the platform's required tags.
const (
	// KeepSnapshotTag set to "true" on a volume makes the job snapshot it
	// before deleting it.
	KeepSnapshotTag = "keep-snapshot"
	// SourceVolumeTag marks the snapshots the job takes with the volume they
	// preserve, so that a second run finds them instead of taking another.
	SourceVolumeTag = "cleanup-source-volume"
)

// Config is what one run acts on and how.
type Config struct {
	// Project and Environment are the values of the platform's project and
	// environment tags: only resources carrying both are considered.
	Project     string
	Environment string
	// DryRun decides and logs without changing anything.
	DryRun bool
	// StudioIdleLimit is how long a Studio app may go without user activity;
	// at least an hour (SageMaker's own minimum idle timeout).
	StudioIdleLimit time.Duration
	// VolumeMinAge is how old an unattached EBS volume must be before it is
	// deleted; at least an hour, so a volume between two attachments is safe.
	VolumeMinAge time.Duration
	// TopicArn receives the run's summary; empty publishes nothing.
	TopicArn string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log receives one JSON line per decision; discarded when nil.
	Log io.Writer
}

// Minimum limits: anything shorter would remove work in progress.
const (
	MinStudioIdleLimit = time.Hour
	MinVolumeAge       = time.Hour
)

// Validate reports every malformed field, each with its name and the fix.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Project) == "" {
		errs = append(errs, errors.New("Project is empty: set it to the platform's project tag value (e.g. aifactory); the job acts only on resources tagged with it"))
	}
	if strings.TrimSpace(c.Environment) == "" {
		errs = append(errs, errors.New("Environment is empty: set it to the stack's environment tag value (dev, staging or prod)"))
	}
	if c.StudioIdleLimit < MinStudioIdleLimit {
		errs = append(errs, fmt.Errorf("StudioIdleLimit %s: set at least %s, SageMaker's minimum idle timeout", c.StudioIdleLimit, MinStudioIdleLimit))
	}
	if c.VolumeMinAge < MinVolumeAge {
		errs = append(errs, fmt.Errorf("VolumeMinAge %s: set at least %s so a volume between two attachments is not deleted", c.VolumeMinAge, MinVolumeAge))
	}
	if c.TopicArn != "" && !strings.HasPrefix(c.TopicArn, "arn:") {
		errs = append(errs, fmt.Errorf("TopicArn %q: give the SNS topic's ARN, or leave it empty to publish nothing", c.TopicArn))
	}
	return errors.Join(errs...)
}

// Job is one configured cleanup job.
type Job struct {
	cfg     Config
	clients Clients
	log     *slog.Logger
	now     time.Time
	sum     *Summary
}

// ErrInterrupted is returned when the context ends before every rule ran.
var ErrInterrupted = errors.New("cleanup interrupted; the next run finishes the work")

// Run runs every rule once and publishes the summary. The summary is
// returned even when Run fails. A failed action does not stop the run; it
// is reported in the summary (Failed) and the log. Run returns an error
// only when the configuration is invalid or the run was interrupted.
func Run(ctx context.Context, cfg Config, clients Clients) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cleanup config: %w", err)
	}
	if err := clients.validate(); err != nil {
		return nil, err
	}
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	out := cfg.Log
	if out == nil {
		out = io.Discard
	}
	j := &Job{cfg: cfg, clients: clients, now: clock().UTC()}
	j.log = slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			// The run's clock, not the wall clock: one run, one time.
			if a.Key == slog.TimeKey {
				return slog.String(slog.TimeKey, j.now.Format(time.RFC3339))
			}
			return a
		},
	}))
	j.sum = newSummary(cfg, j.now)

	rules := map[string]func(context.Context) error{
		RuleStudioAppIdle:       j.studioApps,
		RuleStudioSpaceExpired:  j.studioSpaces,
		RuleEMRClusterExpired:   j.emrClusters,
		RuleEBSVolumeUnattached: j.volumes,
		RuleEndpointExpired:     j.endpoints,
		RuleNotebookExpired:     j.notebooks,
	}
	var runErr error
	for _, name := range Rules() {
		if ctx.Err() != nil {
			j.sum.Interrupted = true
			runErr = ErrInterrupted
			break
		}
		if err := rules[name](ctx); err != nil {
			if ctx.Err() != nil {
				j.sum.Interrupted = true
				runErr = ErrInterrupted
				break
			}
			// The rule could not list its resources even after the SDK's
			// retries: record it and go on with the other rules.
			j.sum.RuleErrors = append(j.sum.RuleErrors, RuleError{Rule: name, Error: err.Error()})
			j.log.Error("rule failed", "rule", name, "error", err.Error())
		}
	}
	j.sum.Finished = clock().UTC()
	// Publish even after an interruption, on a context of its own, so that
	// the platform hears about the partial run.
	pubCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := j.publish(pubCtx); err != nil {
		j.sum.PublishError = err.Error()
		j.log.Error("publishing the summary failed", "topic", cfg.TopicArn, "error", err.Error())
	}
	j.log.Info("summary", "summary", j.sum)
	return j.sum, runErr
}

// platform reports whether tags carry the platform's project and environment.
func (j *Job) platform(tags map[string]string) bool {
	return tags[tagkeys.Project] == j.cfg.Project && tags[tagkeys.Environment] == j.cfg.Environment
}

// owned is every rule's first check: a resource whose tags are not the
// platform's is recorded as ignored and owned returns false; the
// platform's own gets the decision's team.
func (j *Job) owned(d *Decision, tags map[string]string) bool {
	if !j.platform(tags) {
		j.ignored(d.Rule, d.Kind, d.Resource)
		return false
	}
	d.Team = tags[tagkeys.Team]
	return true
}

// pastExpiry is the expiry rules' check of an owned resource: its
// decision's reason says why, and a resource not past its expires-at is
// recorded as kept and pastExpiry returns false.
func (j *Job) pastExpiry(d *Decision, tags map[string]string) bool {
	expired, why := j.expired(tags)
	d.Reason = why
	if !expired {
		d.Action, d.Outcome = ActionNone, OutcomeKept
		j.record(*d)
	}
	return expired
}

// expiry reads the expires-at tag: an RFC 3339 time or a date (end of that
// day is not assumed: a date means its midnight UTC, as the policy reads it).
func expiry(tags map[string]string) (time.Time, string) {
	v, ok := tags[tagkeys.ExpiresAt]
	if !ok || strings.TrimSpace(v) == "" {
		return time.Time{}, "no " + tagkeys.ExpiresAt + " tag"
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t, ""
		}
	}
	return time.Time{}, fmt.Sprintf("%s tag %q is not an RFC 3339 time or date", tagkeys.ExpiresAt, v)
}

// expired decides the expiry rules: past expires-at, or why not.
func (j *Job) expired(tags map[string]string) (bool, string) {
	at, problem := expiry(tags)
	if problem != "" {
		return false, problem + "; kept"
	}
	if !j.now.After(at) {
		return false, "expires at " + at.UTC().Format(time.RFC3339)
	}
	return true, "expired at " + at.UTC().Format(time.RFC3339)
}
