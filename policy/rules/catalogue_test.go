package rules_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/facts/awstypes/awsschema"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/policy/rules"
)

// The control names are part of the pack's interface: CI config, policy
// config files and auditors' reports refer to them.
var catalogueNames = []string{
	"required-tags", "ttl-tag",
	"s3-sse-kms", "ebs-encrypted", "emr-security-configuration", "sagemaker-kms", "sns-kms", "sqs-kms",
	"logs-kms-retention", "ecr-hardened", "sfn-encryption-logging", "kms-rotation", "ecs-storage-kms",
	"scheduler-kms", "emr-studio-kms",
	"s3-public-access-block", "s3-access-point-vpc", "s3-tls-only", "sagemaker-vpc-only", "emr-private",
	"sg-no-world-ingress", "ecs-task-hardened", "vpc-flow-logs", "subnet-no-public-ip", "vpc-endpoint-private-dns",
	"vpc-endpoint-policy", "resource-policy-no-public", "s3-acl-no-public", "no-internet-path",
	"iam-no-admin", "iam-no-service-wildcard", "iam-session-limits", "iam-trust-restricted", "iam-no-users-or-keys",
	"ecs-separate-roles", "iam-no-privilege-escalation", "iam-trust-confused-deputy",
	"emr-auto-termination", "sagemaker-idle-shutdown", "instance-type-allowlist", "team-budget", "team-budget-fit",
	"s3-versioning-lifecycle", "prod-protect", "audit-trail",
	"sagemaker-endpoint-kms", "sagemaker-model-isolated", "sagemaker-endpoint-data-capture", "sagemaker-endpoint-instance-allowlist",
	"sagemaker-endpoint-ttl",
}

func TestCatalogueNamesAreStable(t *testing.T) {
	var names []string
	for _, c := range rules.Catalogue() {
		names = append(names, c.Name)
	}
	assert.Equal(t, catalogueNames, names)
}

var (
	sdkOnce      sync.Once
	sdkResources []awsschema.Resource
	sdkErr       error
)

// sdk scans the pulumi-aws SDK the module pins, once per test binary.
func sdk(t *testing.T) []awsschema.Resource {
	t.Helper()
	sdkOnce.Do(func() {
		var dir string
		if dir, sdkErr = awsschema.SDKDir(); sdkErr == nil {
			sdkResources, sdkErr = awsschema.Scan(dir)
		}
	})
	require.NoError(t, sdkErr)
	return sdkResources
}

func TestEveryControlIsDescribedForAuditors(t *testing.T) {
	tokens := map[string]bool{}
	for _, r := range sdk(t) {
		tokens[r.Token] = true
	}
	id := regexp.MustCompile(`^(CKV2?_AWS_\d+|[A-Za-z][A-Za-z0-9]*\.\d+)$`)
	for _, c := range rules.Catalogue() {
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, c.Name)
		assert.Contains(t, rules.Categories(), c.Category, c.Name)
		assert.Contains(t, []rules.Level{rules.Mandatory, rules.Advisory}, c.Level, c.Name)
		assert.True(t, strings.HasSuffix(c.Requirement, "."), "%s: the requirement is a sentence", c.Name)
		for _, fid := range slices.Concat(c.FSBP, c.Checkov) {
			assert.Regexp(t, id, fid, c.Name)
			assert.Contains(t, c.Description(), fid, "%s: the description names its framework ids", c.Name)
		}
		for _, fid := range c.Checkov {
			assert.True(t, strings.HasPrefix(fid, "CKV"), "%s: %s is not a Checkov id", c.Name, fid)
		}
		require.NotEmpty(t, c.ResourceTypes, c.Name)
		for _, typ := range c.ResourceTypes {
			if typ == rules.AllAWSTypes {
				continue
			}
			assert.True(t, tokens[typ], "%s inspects %s, which pulumi-aws does not have", c.Name, typ)
		}
		if c.Scope == rules.StackScope {
			// The engine passes no policy config to stack policies.
			assert.Empty(t, c.Params, "%s: a stack control cannot be configured", c.Name)
		}
	}
}

func TestInspectedTypesAreEveryNamedTypeOnce(t *testing.T) {
	got := rules.InspectedTypes()
	assert.True(t, slices.IsSorted(got))
	assert.Equal(t, len(got), len(slices.Compact(slices.Clone(got))), "each type once")
	assert.NotContains(t, got, rules.AllAWSTypes)
	for _, c := range rules.Catalogue() {
		for _, typ := range c.ResourceTypes {
			if typ != rules.AllAWSTypes {
				assert.Contains(t, got, typ, c.Name)
			}
		}
	}
}

func TestConfigureAppliesThresholdsAndRejectsMistakes(t *testing.T) {
	logs, _ := rules.Lookup("logs-kms-retention")
	got, err := logs.Configure(rules.DefaultSettings(), map[string]any{"minimumRetentionDays": float64(30)})
	require.NoError(t, err)
	assert.Equal(t, 30, got.MinLogRetentionDays)

	allow, _ := rules.Lookup("instance-type-allowlist")
	got, err = allow.Configure(rules.DefaultSettings(), map[string]any{"sagemakerInstanceTypes": []any{"ml.t3.medium"}, "maxEcsTaskCpu": float64(2048)})
	require.NoError(t, err)
	assert.Equal(t, []string{"ml.t3.medium"}, got.SageMakerInstanceTypes)
	assert.Equal(t, 2048, got.MaxECSTaskCPU)

	egress, _ := rules.Lookup("no-internet-path")
	got, err = egress.Configure(rules.DefaultSettings(), map[string]any{"allowInternetEgress": true})
	require.NoError(t, err)
	assert.True(t, got.AllowInternetEgress)

	deputy, _ := rules.Lookup("iam-trust-confused-deputy")
	got, err = deputy.Configure(rules.DefaultSettings(), map[string]any{"accountIds": []any{"123456789012"}, "servicesWithoutSourceKeys": []any{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"123456789012"}, got.AccountIDs)
	assert.Empty(t, got.ServicesWithoutSourceKeys)

	tags, _ := rules.Lookup("required-tags")
	got, err = tags.Configure(rules.DefaultSettings(), map[string]any{"environment": "staging"})
	require.NoError(t, err)
	assert.Equal(t, "staging", got.Environment)

	for _, tc := range []struct {
		control string
		props   map[string]any
		want    string
	}{
		{"logs-kms-retention", map[string]any{"minimumRetentionDay": float64(30)}, `unknown key "minimumRetentionDay" (known keys: minimumRetentionDays)`},
		{"logs-kms-retention", map[string]any{"minimumRetentionDays": "30"}, "minimumRetentionDays must be an integer"},
		{"logs-kms-retention", map[string]any{"minimumRetentionDays": 1.5}, "minimumRetentionDays must be an integer"},
		{"logs-kms-retention", map[string]any{"minimumRetentionDays": float64(0)}, "minimumRetentionDays must be at least 1"},
		{"required-tags", map[string]any{"requiredKeys": []any{"team", 3}}, "requiredKeys must be a list of strings"},
		{"required-tags", map[string]any{"environment": true}, "environment must be a string"},
		{"sns-kms", map[string]any{"key": "x"}, "it takes no settings, only enforcementLevel"},
		{"resource-policy-no-public", map[string]any{"accountIds": []any{"12345"}}, `accountIds: "12345" is not a 12-digit AWS account id`},
		{"no-internet-path", map[string]any{"allowInternetEgress": "false"}, "allowInternetEgress must be true or false"},
	} {
		c, _ := rules.Lookup(tc.control)
		_, err := c.Configure(rules.DefaultSettings(), tc.props)
		require.Error(t, err, tc.want)
		assert.Contains(t, err.Error(), tc.want)
		assert.Contains(t, err.Error(), "policy config of "+tc.control)
	}
}

func TestSchemaDefaultsAreTheDefaultSettings(t *testing.T) {
	d := rules.DefaultSettings()
	assert.Equal(t, tagkeys.Required(), d.RequiredTagKeys)
	for _, c := range rules.Catalogue() {
		for _, p := range c.Params {
			s := p.Schema(d)
			assert.Equal(t, p.Type, s["type"], "%s.%s", c.Name, p.Key)
			def, hasDefault := s["default"]
			if p.Key == "environment" {
				assert.False(t, hasDefault, "the environment comes from the stack, never a fixed default")
				continue
			}
			require.True(t, hasDefault, "%s.%s", c.Name, p.Key)
			// The default round-trips through Configure to the same settings.
			got, err := c.Configure(d, map[string]any{p.Key: def})
			require.NoError(t, err, "%s.%s", c.Name, p.Key)
			assert.Equal(t, p.Value(d), p.Value(got), "%s.%s", c.Name, p.Key)
		}
	}
}

// TestEvaluateRunsTheWholeCatalogue: what the pack does on a stack, as a
// library call: resource and stack controls, with key references settled.
func TestEvaluateRunsTheWholeCatalogue(t *testing.T) {
	b := compliantBucket("data")
	stack := append(b.replace("pab", nil).list(),
		res(tTopic, "alerts", map[string]any{"tags": fullTags()}),
		res(tUser, "alice", nil),
		dependsOn(res(tLogGroup, "flow", map[string]any{"kmsKeyId": computed, "retentionInDays": 365, "tags": fullTags()}), "kmsKeyId", b["key"]),
	)
	s := devSettings()
	findings := rules.Evaluate(stack, s)
	byControl := map[string][]rules.Verdict{}
	for _, f := range findings {
		byControl[f.Control] = append(byControl[f.Control], f.Verdict)
	}
	controls := make([]string, 0, len(byControl))
	for c := range byControl {
		controls = append(controls, c)
	}
	sort.Strings(controls)
	// The key has no tags, the user must not exist, the topic has no key,
	// the bucket has no public access block, and every team needs a budget;
	// the log group's key comes from the stack, so nothing is left to verify.
	assert.Equal(t, []string{"iam-no-users-or-keys", "required-tags", "s3-public-access-block", "sns-kms", "team-budget"}, controls)
	for c, verdicts := range byControl {
		for _, v := range verdicts {
			assert.Equal(t, rules.Violation, v, c)
		}
	}
}
