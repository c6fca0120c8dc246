package pack_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

// recorder is a policyx.PolicyManager that keeps what policies report.
type recorder struct{ reports []report }

type report struct{ message, urn string }

func (r *recorder) ReportViolation(message, urn string) {
	r.reports = append(r.reports, report{message, urn})
}

func build(t *testing.T, preview bool) map[string]policyx.Policy {
	t.Helper()
	s := rules.DefaultSettings()
	s.Environment = "dev"
	p, err := pack.Build(pack.Options{Defaults: s, Preview: preview})
	require.NoError(t, err)
	assert.Equal(t, pack.Name, p.Name())
	assert.Equal(t, pack.Version, p.Version().String())
	out := map[string]policyx.Policy{}
	for _, pol := range p.Policies() {
		out[pol.Name()] = pol
	}
	return out
}

func TestEveryControlIsAPolicyAndCannotVerifyRunsLast(t *testing.T) {
	s := rules.DefaultSettings()
	p, err := pack.Build(pack.Options{Defaults: s, Preview: true})
	require.NoError(t, err)
	policies := p.Policies()
	catalogue := rules.Catalogue()
	require.Len(t, policies, len(catalogue)+1)
	for i, c := range catalogue {
		pol := policies[i]
		assert.Equal(t, c.Name, pol.Name())
		assert.Equal(t, c.Description(), pol.Description())
		want := policyx.EnforcementLevelMandatory
		if c.Level == rules.Advisory {
			want = policyx.EnforcementLevelAdvisory
		}
		assert.Equal(t, want, pol.EnforcementLevel(), c.Name)
		switch c.Scope {
		case rules.StackScope:
			assert.Implements(t, (*policyx.StackValidationPolicy)(nil), pol, c.Name)
		default:
			assert.Implements(t, (*policyx.ResourceValidationPolicy)(nil), pol, c.Name)
			if len(c.Params) > 0 {
				require.NotNil(t, pol.ConfigSchema(), c.Name)
				assert.Len(t, pol.ConfigSchema().Properties, len(c.Params), c.Name)
			}
		}
	}
	last := policies[len(policies)-1]
	assert.Equal(t, pack.CannotVerify, last.Name(), "cannot-verify must run after every other stack policy")
	assert.Equal(t, policyx.EnforcementLevelAdvisory, last.EnforcementLevel())
	assert.Implements(t, (*policyx.StackValidationPolicy)(nil), last)
}

func analyzerResource(typ, name string, props map[string]property.Value) policyx.AnalyzerResource {
	return policyx.AnalyzerResource{Type: typ, Name: name, URN: "urn:pulumi:dev::aifactory::" + typ + "::" + name, Properties: property.NewMap(props)}
}

func validate(t *testing.T, pol policyx.Policy, r policyx.AnalyzerResource, config map[string]any) ([]report, error) {
	t.Helper()
	rec := &recorder{}
	err := pol.(policyx.ResourceValidationPolicy).Validate(context.Background(), policyx.ResourceValidationArgs{Manager: rec, Resource: r, Config: config})
	return rec.reports, err
}

func validateStack(t *testing.T, pol policyx.Policy, rs ...policyx.AnalyzerResource) []report {
	t.Helper()
	rec := &recorder{}
	require.NoError(t, pol.(policyx.StackValidationPolicy).Validate(context.Background(), policyx.StackValidationArgs{Manager: rec, Resources: rs}))
	return rec.reports
}

func TestResourcePoliciesApplyTheirConfig(t *testing.T) {
	policies := build(t, true)
	logs := policies["logs-kms-retention"]
	group := analyzerResource("aws:cloudwatch/logGroup:LogGroup", "flow", map[string]property.Value{
		"kmsKeyId": property.New("arn:aws:kms:eu-west-1:123456789012:key/1"), "retentionInDays": property.New(30.0),
	})

	reports, err := validate(t, logs, group, nil)
	require.NoError(t, err)
	require.Len(t, reports, 1, "365 days is the default minimum")
	assert.Contains(t, reports[0].message, "minimum of 365 days")
	assert.Equal(t, group.URN, reports[0].urn)

	reports, err = validate(t, logs, group, map[string]any{"minimumRetentionDays": 30.0})
	require.NoError(t, err)
	assert.Empty(t, reports, "dev config lowers the minimum to 30")

	_, err = validate(t, logs, group, map[string]any{"minimumRetentionDay": 30.0})
	require.Error(t, err, "a misspelt threshold must stop the run, not be ignored")
	assert.Contains(t, err.Error(), `unknown key "minimumRetentionDay"`)
}

func TestPreviewDefersUnknownsToCannotVerify(t *testing.T) {
	policies := build(t, true)
	topic := analyzerResource("aws:sns/topic:Topic", "alerts", map[string]property.Value{"kmsMasterKeyId": property.New(property.Computed)})
	queue := analyzerResource("aws:sqs/queue:Queue", "jobs", map[string]property.Value{"kmsMasterKeyId": property.New(property.Computed)})
	key := analyzerResource("aws:kms/key:Key", "pipeline", nil)
	// The queue's key comes from a key of the stack; the topic's from nowhere the stack knows.
	queue.PropertyDependencies = map[string][]string{"kmsMasterKeyId": {key.URN}}

	for _, r := range []struct {
		policy string
		res    policyx.AnalyzerResource
	}{{"sns-kms", topic}, {"sqs-kms", queue}} {
		reports, err := validate(t, policies[r.policy], r.res, nil)
		require.NoError(t, err)
		assert.Empty(t, reports, "%s: an unknown value is not a violation during preview", r.policy)
	}

	reports := validateStack(t, policies[pack.CannotVerify], topic, queue, key)
	require.Len(t, reports, 1, "the queue's key reference is settled by its dependency on the stack's key")
	assert.Equal(t, topic.URN, reports[0].urn)
	assert.Contains(t, reports[0].message, "sns-kms: ")
	assert.Contains(t, reports[0].message, "kmsMasterKeyId is computed")

	assert.Empty(t, validateStack(t, policies[pack.CannotVerify], topic, queue, key), "findings are reported once")
}

func TestUpdateFailsWhatIsStillUnknown(t *testing.T) {
	policies := build(t, false)
	topic := analyzerResource("aws:sns/topic:Topic", "alerts", map[string]property.Value{"kmsMasterKeyId": property.New(property.Computed)})
	reports, err := validate(t, policies["sns-kms"], topic, nil)
	require.NoError(t, err)
	require.Len(t, reports, 1)
	assert.Contains(t, reports[0].message, "cannot pass a value that is still unknown")
	assert.Empty(t, validateStack(t, policies[pack.CannotVerify], topic))
}

func TestStackPoliciesSeeTheWholeStack(t *testing.T) {
	policies := build(t, true)
	bucket := analyzerResource("aws:s3/bucketV2:BucketV2", "data", nil)
	reports := validateStack(t, policies["s3-public-access-block"], bucket)
	require.Len(t, reports, 1)
	assert.Equal(t, bucket.URN, reports[0].urn)
	assert.Contains(t, reports[0].message, "no public access block")

	block := analyzerResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data", map[string]property.Value{
		"bucket": property.New(property.Computed), "blockPublicAcls": property.New(true), "blockPublicPolicy": property.New(true),
		"ignorePublicAcls": property.New(true), "restrictPublicBuckets": property.New(true),
	})
	block.PropertyDependencies = map[string][]string{"bucket": {bucket.URN}}
	assert.Empty(t, validateStack(t, policies["s3-public-access-block"], bucket, block))
}

func TestNewTakesTheEnvironmentFromTheStack(t *testing.T) {
	for _, tc := range []struct {
		stack  string
		config map[string]string
		want   string
	}{
		{"prod-eu", map[string]string{pack.EnvironmentConfigKey: "prod"}, "prod"},
		{"dev", nil, "dev"},
	} {
		ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "aifactory", Stack: tc.stack, Config: tc.config, DryRun: true})
		require.NoError(t, err)
		p, err := pack.New(ctx)
		require.NoError(t, err)
		var tags policyx.Policy
		for _, pol := range p.Policies() {
			if pol.Name() == "required-tags" {
				tags = pol
			}
		}
		bucket := analyzerResource("aws:s3/bucketV2:BucketV2", "data", map[string]property.Value{"tags": property.New(map[string]property.Value{
			"team": property.New("t"), "project": property.New("p"), "cost-center": property.New("c"),
			"environment": property.New("staging"), "data-classification": property.New("internal"), "owner": property.New("o"),
		})})
		reports, err := validate(t, tags, bucket, nil)
		require.NoError(t, err)
		require.Len(t, reports, 1, tc.stack)
		assert.Contains(t, reports[0].message, `this stack's environment is "`+tc.want+`"`)
	}
}

func TestPulumiPolicyYAMLDescribesThisPack(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "PulumiPolicy.yaml"))
	require.NoError(t, err)
	var project struct {
		Runtime string `yaml:"runtime"`
		Version string `yaml:"version"`
	}
	require.NoError(t, yaml.Unmarshal(b, &project))
	assert.Equal(t, "go", project.Runtime)
	assert.Equal(t, pack.Version, project.Version)
}

// TestEnvironmentConfigFiles checks policy/config/<env>.json: every policy
// is listed with its level, encryption, public access, tags and IAM are
// mandatory everywhere, every setting is one the control knows, and the
// thresholds tighten from dev to prod.
func TestEnvironmentConfigFiles(t *testing.T) {
	s := rules.DefaultSettings()
	p, err := pack.Build(pack.Options{Defaults: s, Preview: true})
	require.NoError(t, err)
	settings := map[string]map[string]rules.Settings{}
	for _, env := range []string{"dev", "staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "config", env+".json"))
			require.NoError(t, err)
			var cfg map[string]map[string]any
			require.NoError(t, json.Unmarshal(b, &cfg))
			names := map[string]bool{}
			for _, pol := range p.Policies() {
				names[pol.Name()] = true
				entry, ok := cfg[pol.Name()]
				require.True(t, ok, "%s.json does not list %s", env, pol.Name())
				assert.Contains(t, []any{"mandatory", "advisory"}, entry["enforcementLevel"], pol.Name())
			}
			for name := range cfg {
				assert.True(t, names[name], "%s.json configures %s, which the pack does not have", env, name)
			}
			settings[env] = map[string]rules.Settings{}
			for _, c := range rules.Catalogue() {
				entry := cfg[c.Name]
				switch c.Category {
				case rules.Tags, rules.Encryption, rules.Network, rules.IAM:
					assert.Equal(t, "mandatory", entry["enforcementLevel"], "%s must be mandatory in %s", c.Name, env)
				}
				props := map[string]any{}
				for k, v := range entry {
					if k != "enforcementLevel" {
						props[k] = v
					}
				}
				got, err := c.Configure(s, props)
				require.NoError(t, err, "%s.json", env)
				settings[env][c.Name] = got
				if _, ok := props["environment"]; ok {
					assert.Equal(t, env, got.Environment, "%s.json names another environment", env)
				}
			}
		})
	}
	dev, staging, prod := settings["dev"], settings["staging"], settings["prod"]
	assert.LessOrEqual(t, dev["logs-kms-retention"].MinLogRetentionDays, staging["logs-kms-retention"].MinLogRetentionDays)
	assert.LessOrEqual(t, staging["logs-kms-retention"].MinLogRetentionDays, prod["logs-kms-retention"].MinLogRetentionDays)
	assert.GreaterOrEqual(t, prod["logs-kms-retention"].MinLogRetentionDays, 365, "prod keeps logs a year")
	assert.Equal(t, 30, prod["kms-rotation"].MinKMSDeletionWindowDays, "prod keys wait 30 days before deletion")
	assert.Equal(t, []string{"prod"}, prod["prod-protect"].ProtectedEnvironments)
	for _, env := range []map[string]rules.Settings{dev, staging, prod} {
		assert.LessOrEqual(t, env["iam-session-limits"].MaxSessionDurationSeconds, 3600, "sessions last at most an hour")
	}
	for _, typ := range dev["instance-type-allowlist"].SageMakerInstanceTypes {
		assert.Contains(t, prod["instance-type-allowlist"].SageMakerInstanceTypes, typ, "what dev allows, prod allows")
	}
	assert.False(t, strings.Contains(strings.Join(dev["instance-type-allowlist"].SageMakerInstanceTypes, ","), "g4dn"), "no GPUs in dev")
}

// TestAccountsAreTheSameForEveryControl: the controls that know the
// environment's accounts must agree on them within one config file.
func TestAccountsAreTheSameForEveryControl(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		b, err := os.ReadFile(filepath.Join("..", "config", env+".json"))
		require.NoError(t, err)
		var cfg map[string]map[string]any
		require.NoError(t, json.Unmarshal(b, &cfg))
		var first any
		seen := 0
		for _, c := range rules.Catalogue() {
			for _, p := range c.Params {
				if p.Key != "accountIds" {
					continue
				}
				v, ok := cfg[c.Name]["accountIds"]
				require.True(t, ok, "%s.json: %s must list accountIds (empty until the environment's account is known)", env, c.Name)
				if seen == 0 {
					first = v
				}
				assert.Equal(t, first, v, "%s.json: %s names other accounts than the other controls", env, c.Name)
				seen++
			}
		}
		assert.GreaterOrEqual(t, seen, 3, "vpc-endpoint-policy, resource-policy-no-public and iam-trust-confused-deputy know the accounts")
	}
}

// TestInternetEgressMatchesTheStackFiles keeps no-internet-path's
// allowInternetEgress equal to the stack file's
// aifactory:network.allowInternetEgress, which adds the NAT gateway: a
// stack that asks for egress must not fail the pack, and the pack must
// never allow a path the stack does not ask for.
func TestInternetEgressMatchesTheStackFiles(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "Pulumi."+env+".yaml"))
		require.NoError(t, err)
		var stack struct {
			Config struct {
				Network struct {
					AllowInternetEgress *bool `yaml:"allowInternetEgress"`
				} `yaml:"aifactory:network"`
			} `yaml:"config"`
		}
		require.NoError(t, yaml.Unmarshal(b, &stack), env)
		require.NotNil(t, stack.Config.Network.AllowInternetEgress, "Pulumi.%s.yaml states aifactory:network.allowInternetEgress", env)
		b, err = os.ReadFile(filepath.Join("..", "config", env+".json"))
		require.NoError(t, err)
		var policy struct {
			NoInternetPath struct {
				AllowInternetEgress *bool `json:"allowInternetEgress"`
			} `json:"no-internet-path"`
		}
		require.NoError(t, json.Unmarshal(b, &policy))
		require.NotNil(t, policy.NoInternetPath.AllowInternetEgress, "%s.json: no-internet-path must state allowInternetEgress", env)
		assert.Equal(t, *stack.Config.Network.AllowInternetEgress, *policy.NoInternetPath.AllowInternetEgress,
			"%s: Pulumi.%s.yaml and policy/config/%s.json disagree on internet egress", env, env, env)
	}
}
