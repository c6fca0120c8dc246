package audit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
)

// The audit component's security claims are proven by evaluating its
// policies with the platform's evaluator (internal/iameval), never by
// reading them.

var (
	dev         = scopetest.Dev()
	auditBucket = "arn:aws:s3:::aifactory-dev-audit-" + account
	trailArn    = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/aifactory-dev-trail"
	recorder    = "arn:aws:iam::123456789012:role/aifactory-dev-config-recorder"
	admin       = "arn:aws:iam::123456789012:role/platform-admin"
	outsider    = "arn:aws:iam::999999999999:role/auditor"
)

// everything is an identity policy that allows every action: the bucket
// policy alone must stop what it stops.
var everything = iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})

func tls(pairs ...string) iameval.Context {
	return iameval.Keys(append([]string{"aws:SecureTransport", "true", "s3:TlsVersion", "1.3"}, pairs...)...)
}

func TestAuditBucketPolicy(t *testing.T) {
	policy := audit.BucketPolicy(dev, deployer)
	trailWrite := func(source, key string) iameval.Request {
		return iameval.Request{Service: audit.CloudTrailService, Action: "s3:PutObject", Resource: auditBucket + "/" + key,
			Context: tls("aws:SourceArn", source, "aws:SourceAccount", iameval.AccountOf(source), "s3:x-amz-acl", "bucket-owner-full-control")}
	}
	logKey := "cloudtrail/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/12/02/x.json.gz"
	for _, tc := range []struct {
		name string
		r    iameval.Request
		want iameval.Effect
	}{
		{"the trail delivers its logs", trailWrite(trailArn, logKey), iameval.Allowed},
		{"the trail delivers its digest files", trailWrite(trailArn, "cloudtrail/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/12/02/d.json.gz"), iameval.Allowed},
		{"the trail checks the bucket", iameval.Request{Service: audit.CloudTrailService, Action: "s3:GetBucketAcl", Resource: auditBucket,
			Context: tls("aws:SourceArn", trailArn, "aws:SourceAccount", account)}, iameval.Allowed},
		{"another account's trail gets nothing", trailWrite("arn:aws:cloudtrail:eu-west-1:999999999999:trail/aifactory-dev-trail", logKey), iameval.NotApplicable},
		{"another trail of the account gets nothing", trailWrite("arn:aws:cloudtrail:eu-west-1:123456789012:trail/shadow", logKey), iameval.NotApplicable},
		{"the trail writes only under its prefix", trailWrite(trailArn, "config/AWSLogs/123456789012/x"), iameval.NotApplicable},
		{"a person cannot add a forged log", iameval.Request{Principal: admin, Action: "s3:PutObject", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"the deployer cannot add one either", iameval.Request{Principal: deployer, Action: "s3:PutObject", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"no one shortens a file's retention", iameval.Request{Principal: admin, Action: "s3:PutObjectRetention", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"no one deletes a log", iameval.Request{Principal: deployer, Action: "s3:DeleteObject", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"no one deletes a version", iameval.Request{Principal: admin, Action: "s3:DeleteObjectVersion", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"the recorder's role is not stopped by the bucket", iameval.Request{Principal: recorder, Action: "s3:PutObject",
			Resource: auditBucket + "/config/AWSLogs/123456789012/Config/eu-west-1/x.json.gz", Context: tls()}, iameval.NotApplicable},
		{"the account's auditors read the logs", iameval.Request{Principal: admin, Action: "s3:GetObject", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.NotApplicable},
		{"another account reads nothing", iameval.Request{Principal: outsider, Action: "s3:GetObject", Resource: auditBucket + "/" + logKey, Context: tls()}, iameval.Denied},
		{"nothing over plain HTTP", iameval.Request{Principal: admin, Action: "s3:GetObject", Resource: auditBucket + "/" + logKey,
			Context: iameval.Keys("aws:SecureTransport", "false")}, iameval.Denied},
		{"nothing over TLS 1.0", iameval.Request{Principal: admin, Action: "s3:GetObject", Resource: auditBucket + "/" + logKey,
			Context: iameval.Keys("aws:SecureTransport", "true", "s3:TlsVersion", "1.0")}, iameval.Denied},
		{"only the deployer changes the Object Lock configuration", iameval.Request{Principal: admin, Action: "s3:PutBucketObjectLockConfiguration",
			Resource: auditBucket, Context: tls()}, iameval.Denied},
		{"only the deployer changes the policy", iameval.Request{Principal: admin, Action: "s3:PutBucketPolicy", Resource: auditBucket, Context: tls()}, iameval.Denied},
		{"only the deployer changes the lifecycle", iameval.Request{Principal: admin, Action: "s3:PutLifecycleConfiguration", Resource: auditBucket, Context: tls()}, iameval.Denied},
		{"the deployer configures the bucket", iameval.Request{Principal: deployer, Action: "s3:PutBucketPolicy", Resource: auditBucket, Context: tls()}, iameval.NotApplicable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iameval.Document(policy, tc.r)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	// With its own policy, the recorder delivers; a role allowed everything
	// by IAM still cannot.
	recorderPolicy := audit.RecorderPolicy(dev, logsKey)
	configKey := auditBucket + "/config/AWSLogs/123456789012/Config/eu-west-1/2026/12/2/ConfigSnapshot/x.json.gz"
	for _, tc := range []struct {
		name      string
		principal string
		identity  iamdoc.Document
		resource  string
		acl       string
		want      iameval.Decision
	}{
		{"the recorder delivers a snapshot", recorder, recorderPolicy, configKey, "bucket-owner-full-control", iameval.Allow},
		{"the recorder writes only under config/", recorder, recorderPolicy, auditBucket + "/cloudtrail/AWSLogs/123456789012/x", "bucket-owner-full-control", iameval.ImplicitDeny},
		{"the recorder hands over ownership", recorder, recorderPolicy, configKey, "private", iameval.ImplicitDeny},
		{"an administrator allowed everything cannot", admin, everything, configKey, "bucket-owner-full-control", iameval.ExplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{tc.identity}, Resource: []iamdoc.Document{policy}},
				iameval.Request{Principal: tc.principal, Action: "s3:PutObject", Resource: tc.resource, Context: tls("s3:x-amz-acl", tc.acl)})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Decision, got.Reason)
		})
	}
}

func TestRecorderUsesTheLogsKeyOnlyThroughS3(t *testing.T) {
	doc := audit.RecorderPolicy(dev, logsKey)
	for _, tc := range []struct {
		name string
		via  string
		key  string
		want iameval.Effect
	}{
		{"through S3", "s3.eu-west-1.amazonaws.com", logsKey, iameval.Allowed},
		{"directly", "", logsKey, iameval.NotApplicable},
		{"another key", "s3.eu-west-1.amazonaws.com", dataKey, iameval.NotApplicable},
	} {
		ctx := iameval.Context{}
		if tc.via != "" {
			ctx = iameval.Keys("kms:ViaService", tc.via)
		}
		got, err := iameval.Document(doc, iameval.Request{Principal: recorder, Action: "kms:GenerateDataKey", Resource: tc.key, Context: ctx})
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.name)
	}
}

func TestOnlyTheTrailAndConfigOfThisAccountAssumeTheirRoles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		doc     iamdoc.Document
		service string
		ctx     iameval.Context
		want    iameval.Effect
	}{
		{"CloudTrail for this trail", audit.TrailLogsTrustPolicy(dev), audit.CloudTrailService,
			iameval.Keys("aws:SourceArn", trailArn, "aws:SourceAccount", account), iameval.Allowed},
		{"CloudTrail for another trail", audit.TrailLogsTrustPolicy(dev), audit.CloudTrailService,
			iameval.Keys("aws:SourceArn", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/shadow", "aws:SourceAccount", account), iameval.NotApplicable},
		{"CloudTrail for another account", audit.TrailLogsTrustPolicy(dev), audit.CloudTrailService,
			iameval.Keys("aws:SourceArn", "arn:aws:cloudtrail:eu-west-1:999999999999:trail/aifactory-dev-trail", "aws:SourceAccount", "999999999999"), iameval.NotApplicable},
		{"Config for this account", audit.RecorderTrustPolicy(dev), audit.ConfigService, iameval.Keys("aws:SourceAccount", account), iameval.Allowed},
		{"Config for another account", audit.RecorderTrustPolicy(dev), audit.ConfigService, iameval.Keys("aws:SourceAccount", "999999999999"), iameval.NotApplicable},
		{"another service", audit.RecorderTrustPolicy(dev), "ec2.amazonaws.com", iameval.Keys("aws:SourceAccount", account), iameval.NotApplicable},
	} {
		got, err := iameval.Document(tc.doc, iameval.Request{Service: tc.service, Action: "sts:AssumeRole", Resource: "*", Context: tc.ctx})
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.name)
	}
}

func TestTrailWritesOnlyItsOwnStreams(t *testing.T) {
	doc := audit.TrailLogsPolicy(dev)
	group := "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/aifactory-dev-trail"
	for resource, want := range map[string]iameval.Effect{
		group + ":log-stream:123456789012_CloudTrail_eu-west-1":                 iameval.Allowed,
		group + ":log-stream:123456789012_CloudTrail_us-east-1":                 iameval.Allowed,
		"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/other:log-stream:x": iameval.NotApplicable,
	} {
		got, err := iameval.Document(doc, iameval.Request{Principal: "arn:aws:iam::123456789012:role/aifactory-dev-trail-logs", Action: "logs:PutLogEvents", Resource: resource})
		require.NoError(t, err)
		assert.Equal(t, want, got, resource)
	}
}

func TestOnlyTheAuditAlarmsAndRulesPublishToTheTopic(t *testing.T) {
	doc := audit.TopicPolicy(dev)
	topic := "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-audit-alarms"
	publish := func(service, source string) iameval.Request {
		return iameval.Request{Service: service, Action: "sns:Publish", Resource: topic,
			Context: iameval.Keys("aws:SourceArn", source, "aws:SourceAccount", iameval.AccountOf(source), "aws:SecureTransport", "true")}
	}
	for _, tc := range []struct {
		name string
		r    iameval.Request
		want iameval.Effect
	}{
		{"an audit alarm", publish(audit.AlarmsService, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-audit-iam-policy-changes"), iameval.Allowed},
		{"another alarm of the account", publish(audit.AlarmsService, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:someone-else"), iameval.NotApplicable},
		{"another account's alarm", publish(audit.AlarmsService, "arn:aws:cloudwatch:eu-west-1:999999999999:alarm:aifactory-dev-audit-x"), iameval.NotApplicable},
		{"the non-compliance rule", publish(audit.EventsService, "arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-audit-noncompliant"), iameval.Allowed},
		{"the log bucket's rule", publish(audit.EventsService, "arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-audit-noncompliant-log-bucket"), iameval.Allowed},
		{"another rule", publish(audit.EventsService, "arn:aws:events:eu-west-1:123456789012:rule/marketing"), iameval.NotApplicable},
		{"an account subscribes", iameval.Request{Principal: admin, Action: "sns:Subscribe", Resource: topic, Context: iameval.Keys("aws:SecureTransport", "true")}, iameval.Allowed},
		{"another account does not", iameval.Request{Principal: outsider, Action: "sns:Subscribe", Resource: topic, Context: iameval.Keys("aws:SecureTransport", "true")}, iameval.NotApplicable},
		{"nothing over plain HTTP", iameval.Request{Principal: admin, Action: "sns:Subscribe", Resource: topic, Context: iameval.Keys("aws:SecureTransport", "false")}, iameval.Denied},
	} {
		got, err := iameval.Document(doc, tc.r)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.name)
	}
}
