package audit

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/components/scope"
)

// RecorderMode says whether the component creates the account's AWS Config
// recorder and delivery channel in its region, or uses the ones that exist.
type RecorderMode string

// Recorder modes.
const (
	// RecorderCreate creates the recorder, its delivery channel into the
	// audit bucket and starts it. AWS allows one recorder per account and
	// region, so two stacks in one account and region cannot both create it.
	RecorderCreate RecorderMode = "create"
	// RecorderExisting creates only the rules: the account's recorder (set
	// up by a landing zone, say) must record the types in
	// spec.RecordedTypes.
	RecorderExisting RecorderMode = "existing"
)

// Args configures the audit component.
type Args struct {
	// Scope names every resource ("<prefix>-audit-..."), the bucket
	// "<prefix>-audit-<account>", and scopes every policy to the account.
	scope.Scope
	// LogsKeyArn is the platform's customer-managed logs key: it encrypts
	// the trail's log and digest files, the bucket, the log group and the
	// alarm topic.
	LogsKeyArn pulumi.StringInput
	// KMSKeyArns are every customer-managed key of the platform: the Config
	// rules on bucket and topic encryption accept these and no other.
	KMSKeyArns pulumi.StringArrayInput
	// RetentionDays is how long S3 Object Lock (compliance mode) keeps every
	// log, digest and configuration file from deletion or change, by
	// anyone: 1-3653 days, in prod at least spec.RegulatoryRetentionDays.
	RetentionDays int
	// LogRetentionDays is how long the trail's CloudWatch log group keeps
	// events (a value CloudWatch Logs accepts).
	LogRetentionDays int
	// DataEventBucketArns are the buckets whose object-level reads and
	// writes the trail records (the data and model buckets).
	DataEventBucketArns pulumi.StringArrayInput
	// AccessLogBucketName is the platform's server access log bucket: the
	// audit bucket logs there under AccessLogPrefix. Its own encryption is
	// SSE-S3, the only one S3 log delivery supports, so the Config rule on
	// KMS encryption reports it and the alarm routing leaves that one
	// expected result out.
	AccessLogBucketName pulumi.StringInput
	// AlarmEmails are subscribed to the audit alarm topic; at least one.
	AlarmEmails []string
	// PlatformTopicArn is the platform topic (the finops component's
	// alerts topic, encrypted with its own key): every alarm and every
	// NON_COMPLIANT notice goes there too, besides the audit topic. Its
	// topic and key policies must admit this component's alarms
	// (AlarmsARN) and EventBridge rules (EventRulesARN) of this account.
	PlatformTopicArn pulumi.StringInput
	// DeployerRoleArn is the role the platform deploys as: the only
	// principal that changes the audit bucket's configuration.
	DeployerRoleArn string
	// Recorder is RecorderCreate (the default when empty) or RecorderExisting.
	Recorder RecorderMode
	// Protect protects the bucket, trail and log group from deletion by
	// Pulumi. Required in prod. The bucket is retained when removed from
	// the program whatever Protect says: its logs are evidence, locked
	// for RetentionDays.
	Protect bool
}

// Defaults and fixed values.
const (
	// TrailPrefix is the key prefix of CloudTrail's files in the bucket;
	// ConfigPrefix that of AWS Config's snapshots and history.
	TrailPrefix  = "cloudtrail"
	ConfigPrefix = "config"
	// AccessLogPrefix is where the audit bucket's server access logs go in
	// the access log bucket.
	AccessLogPrefix = "audit/"
	// AbortIncompleteMultipartDays removes abandoned uploads.
	AbortIncompleteMultipartDays = 7
)

var (
	emailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	logRetentions  = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	configRetained = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653}
)

// validate reports every invalid argument, each with its field and the fix.
func (a *Args) validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, input := range []struct {
		field   string
		missing bool
	}{
		{"LogsKeyArn", a.LogsKeyArn == nil}, {"KMSKeyArns", a.KMSKeyArns == nil},
		{"DataEventBucketArns", a.DataEventBucketArns == nil}, {"AccessLogBucketName", a.AccessLogBucketName == nil},
		{"PlatformTopicArn", a.PlatformTopicArn == nil},
	} {
		if input.missing {
			fail("%s is required: the trail is encrypted with the platform's keys, records the platform's buckets, is itself access-logged "+
				"and notifies the platform topic (the finops alerts topic)", input.field)
		}
	}
	if err := spec.CheckRetention(a.Environment, a.RetentionDays); err != nil {
		fail("RetentionDays: %v", err)
	}
	if !slices.Contains(logRetentions, a.LogRetentionDays) {
		fail("LogRetentionDays %d: use a retention CloudWatch Logs accepts, one of %v", a.LogRetentionDays, logRetentions)
	}
	if len(a.AlarmEmails) == 0 {
		fail("AlarmEmails: list at least one address, so that an alarm on a sensitive change reaches someone")
	}
	for i, e := range a.AlarmEmails {
		if !emailPattern.MatchString(e) {
			fail("AlarmEmails[%d] %q: use an e-mail address", i, e)
		}
	}
	if !scope.RoleInAccount(a.DeployerRoleArn, a.AccountID) {
		fail("DeployerRoleArn %q: name the IAM role of account %s the platform deploys as; only it may configure the audit bucket", a.DeployerRoleArn, a.AccountID)
	}
	switch a.Recorder {
	case "", RecorderCreate, RecorderExisting:
	default:
		fail("Recorder %q: use %q or %q", a.Recorder, RecorderCreate, RecorderExisting)
	}
	if a.IsProd() && !a.Protect {
		fail("Protect: the prod audit bucket, trail and log group must be protected; set it to true")
	}
	return errors.Join(errs...)
}

// configRetention is the largest retention CW_LOGGROUP_RETENTION_PERIOD_CHECK
// accepts that is no longer than days: the rule knows fewer values than
// CloudWatch Logs does.
func configRetention(days int) int {
	best := configRetained[0]
	for _, v := range configRetained {
		if v <= days {
			best = v
		}
	}
	return best
}
