package audit_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// auditProgram builds the audit component the way the platform program
// does (required tags, an explicit provider) on keys and buckets that are
// outputs of other resources, so they are unknown at preview.
var auditProgram = enginetest.ComponentProgram(scopetest.TeamTagsIn("dev", "platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
	use := pulumi.Provider(provider)
	account, err := aws.GetCallerIdentity(ctx, nil, use)
	if err != nil {
		return err
	}
	sc := scopetest.Dev()
	sc.AccountID = account.AccountId
	keys := pulumi.StringArray{}
	var logs *kms.Key
	for _, purpose := range []string{"data", "logs"} {
		k, err := kms.NewKey(ctx, purpose, &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)}, use)
		if err != nil {
			return err
		}
		keys = append(keys, k.Arn)
		if purpose == "logs" {
			logs = k
		}
	}
	buckets := map[string]*s3.BucketV2{}
	for _, purpose := range []string{"data", "models", "access-logs"} {
		if buckets[purpose], err = s3.NewBucketV2(ctx, purpose, &s3.BucketV2Args{Bucket: pulumi.String(sc.BucketName(purpose))}, use); err != nil {
			return err
		}
	}
	// The platform topic stands in for the finops component's.
	platform, err := sns.NewTopic(ctx, "platform", &sns.TopicArgs{KmsMasterKeyId: logs.Arn}, use)
	if err != nil {
		return err
	}
	c, err := audit.New(ctx, "audit", &audit.Args{
		Scope:               sc,
		LogsKeyArn:          logs.Arn,
		KMSKeyArns:          keys,
		RetentionDays:       1,
		LogRetentionDays:    30,
		DataEventBucketArns: pulumi.StringArray{buckets["data"].Arn, buckets["models"].Arn},
		AccessLogBucketName: buckets["access-logs"].Bucket,
		AlarmEmails:         []string{"security@aifactory.example"},
		PlatformTopicArn:    platform.Arn,
		DeployerRoleArn:     "arn:aws:iam::" + account.AccountId + ":role/aifactory-deployer",
	}, pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("trailArn", c.TrailArn)
	ctx.Export("bucketName", c.BucketName)
	ctx.Export("topicArn", c.TopicArn)
	ctx.Export("configRules", c.ConfigRules)
	ctx.Export("alarms", c.Alarms)
	return nil
})

func TestEngineAuditTrailPreviewsUpsAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "audit-dev", auditProgram)
	// With the policy pack: the bare stand-in buckets around the component
	// fail the preview, and only they do; the component's own resources
	// pass every mandatory control.
	checked, err := engine.Preview(context.Background(), s, enginetest.Pack(t).PreviewOptions("dev")...)
	require.Error(t, err, "the bare buckets around the component break mandatory controls")
	require.NotEmpty(t, checked.Mandatory())
	for _, f := range checked.Mandatory() {
		assert.NotContains(t, f.URN, audit.Type, "%s: %s", f.Policy, f.Message)
	}
	assert.Positive(t, checked.ResourcePoliciesRan["audit-trail"], "the trail is checked by the catalogue's audit-trail control")

	preview := enginetest.Preview(t, s)
	types := preview.CountByType()
	for typ, want := range map[string]int{
		audit.Type: 1, bucketType: 4, lockType: 1, policyType: 1, loggingType: 1, trailType: 1, logGroupType: 1,
		recorderType: 1, channelType: 1, statusType: 1, ruleType: len(spec.ConfigRules), topicType: 2, subscriptionType: 1,
		filterType: len(spec.Events), alarmType: len(spec.Events) + 1, eventRuleType: 2, eventTargetType: 4,
	} {
		assert.Equal(t, want, types[typ], typ)
	}

	up := enginetest.Up(t, s)
	assert.Regexp(t, `^arn:aws:cloudtrail:eu-west-1:123456789012:trail/`, up.Outputs["trailArn"])
	assert.Equal(t, "aifactory-dev-audit-123456789012", up.Outputs["bucketName"])
	assert.Len(t, up.Outputs["configRules"], len(spec.ConfigRules))
	assert.Len(t, up.Outputs["alarms"], len(spec.Events))

	enginetest.ExpectNoChanges(t, s)
	left := enginetest.Destroy(t, s)
	for _, typ := range []string{trailType, recorderType, ruleType, bucketType} {
		assert.False(t, strings.Contains(left, typ), "no %s left in state after destroy", typ)
	}
}
