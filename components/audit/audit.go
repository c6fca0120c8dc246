// Package audit provides the platform's audit evidence: a tamper-evident
// record of every API call and runtime compliance checks of the resources
// the code created.
//
//   - CloudTrail: one multi-region trail with log file validation (signed,
//     chained digest files), encrypted with the logs key, recording
//     management events and the object-level events of the data and model
//     buckets, into a bucket whose objects S3 Object Lock keeps in
//     compliance mode for the environment's retention (no one, not even
//     the account's root user, can delete or change them before it ends),
//     and into an encrypted CloudWatch log group.
//   - Runtime compliance: an AWS Config recorder and delivery channel for
//     the platform's resource types, and the managed Config rules that
//     check, on the running resources, the catalogue controls AWS has an
//     equivalent for (spec.ConfigRules); each rule carries the control's
//     name and FSBP ids as tags. A rule that turns NON_COMPLIANT notifies
//     the audit topic and the platform topic.
//   - Alarms: metric filters on the trail's log group for the events
//     auditors ask about (spec.Events: IAM and key policy changes, keys
//     disabled, bucket policy changes, CloudTrail or Config stopped,
//     console sign-in without MFA, the root user), each with an alarm to
//     the audit topic and the platform topic.
package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/components/internal/build"
	"github.com/aifactory/platform/components/scope"
)

// Type is the component's type token.
const Type = "aifactory:audit:AuditTrail"

// Names of the component's resources, derived from the scope so that
// policies can name each other before the resources exist.
func BucketName(s scope.Scope) string          { return s.BucketName("audit") }
func TrailName(s scope.Scope) string           { return s.Name("trail") }
func LogGroupName(s scope.Scope) string        { return "/aws/cloudtrail/" + s.Name("trail") }
func TrailLogsRoleName(s scope.Scope) string   { return s.Name("trail-logs") }
func RecorderName(s scope.Scope) string        { return s.Name("config") }
func RecorderRoleName(s scope.Scope) string    { return s.Name("config-recorder") }
func TopicName(s scope.Scope) string           { return s.Name("audit-alarms") }
func MetricNamespace(s scope.Scope) string     { return s.Prefix + "/audit" }
func AlarmName(s scope.Scope, e string) string { return s.Name("audit", e) }

// ComplianceRuleName names the EventBridge rule that sends NON_COMPLIANT
// evaluations to the topic; LogBucketComplianceRuleName the one for the
// access log bucket (see Args.AccessLogBucketName).
func ComplianceRuleName(s scope.Scope) string { return s.Name("audit-noncompliant") }
func LogBucketComplianceRuleName(s scope.Scope) string {
	return s.Name("audit-noncompliant-log-bucket")
}

// UndeliveredAlarmName names the alarm on notices EventBridge could not
// deliver to the topic.
func UndeliveredAlarmName(s scope.Scope) string { return s.Name("audit-noncompliance-undelivered") }

// ConfigRuleName names the Config rule for a managed rule identifier:
// "<prefix>-s3-bucket-ssl-requests-only" for S3_BUCKET_SSL_REQUESTS_ONLY.
func ConfigRuleName(s scope.Scope, identifier string) string {
	return s.Name(strings.ToLower(strings.ReplaceAll(identifier, "_", "-")))
}

// ARNs known from the names.
func TrailARN(s scope.Scope) string  { return s.ARN("cloudtrail", "trail/"+TrailName(s)) }
func TopicARN(s scope.Scope) string  { return s.ARN("sns", TopicName(s)) }
func BucketARN(s scope.Scope) string { return s.BucketARN(BucketName(s)) }
func AlarmsARN(s scope.Scope) string { return s.ARN("cloudwatch", "alarm:"+s.Name("audit")+"-*") }
func EventRulesARN(s scope.Scope) string {
	return s.ARN("events", "rule/"+s.Name("audit-noncompliant")+"*")
}

// DigestPrefix is where CloudTrail writes the trail's signed digest files
// for a region: <TrailPrefix>/AWSLogs/<account>/CloudTrail-Digest/<region>/.
func DigestPrefix(s scope.Scope, region string) string {
	return TrailPrefix + "/AWSLogs/" + s.AccountID + "/CloudTrail-Digest/" + region + "/"
}

// AuditTrail is the audit component (aifactory:audit:AuditTrail).
type AuditTrail struct {
	pulumi.ResourceState

	TrailArn     pulumi.StringOutput `pulumi:"trailArn"`
	BucketName   pulumi.StringOutput `pulumi:"bucketName"`
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
	TopicArn     pulumi.StringOutput `pulumi:"topicArn"`
	// ConfigRules maps each Config rule's name to "<control> <identifier>".
	ConfigRules pulumi.StringMapOutput `pulumi:"configRules"`
	// Alarms are the names of the alarms on sensitive events.
	Alarms pulumi.StringArrayOutput `pulumi:"alarms"`
}

// New creates the audit trail, the runtime compliance checks and the alarms.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*AuditTrail, error) {
	if args == nil {
		return nil, errors.New("audit: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("audit %q: %w", name, err)
	}
	a := *args
	if a.Recorder == "" {
		a.Recorder = RecorderCreate
	}
	c := &AuditTrail{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{Builder: build.New(ctx, name, c, a.Protect), a: &a}

	bucket, err := b.bucket()
	if err != nil {
		return nil, err
	}
	topic, err := b.topic()
	if err != nil {
		return nil, err
	}
	trail, logGroup, err := b.trail(bucket)
	if err != nil {
		return nil, err
	}
	alarms, err := b.alarms(logGroup, topic)
	if err != nil {
		return nil, err
	}
	rules, err := b.compliance(bucket, topic)
	if err != nil {
		return nil, err
	}

	c.TrailArn = trail.Arn
	c.BucketName = bucket.res.Bucket
	c.LogGroupName = logGroup.Name
	c.TopicArn = topic
	c.ConfigRules = rules.ToStringMapOutput()
	c.Alarms = alarms.ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"trailArn":     c.TrailArn,
		"bucketName":   c.BucketName,
		"logGroupName": c.LogGroupName,
		"topicArn":     c.TopicArn,
		"configRules":  c.ConfigRules,
		"alarms":       c.Alarms,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// builder carries what every resource file needs.
type builder struct {
	build.Builder
	a *Args
}

// ControlTags are the tags a Config rule carries: the catalogue control it
// checks at runtime and that control's FSBP ids.
func ControlTags(r spec.ConfigRule) map[string]string {
	tags := map[string]string{"control": r.Control}
	if len(r.FSBP) > 0 {
		tags["fsbp"] = strings.Join(r.FSBP, " ")
	}
	return tags
}
