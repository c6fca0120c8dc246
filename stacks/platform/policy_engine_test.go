package platform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
	"github.com/aifactory/platform/stacks/platform"
)

// TestEnginePolicyPackPassesEveryStack previews each shipped stack through
// the real engine with the policy pack and the environment's policy config
// attached: no mandatory finding, and every policy of the pack ran.
func TestEnginePolicyPackPassesEveryStack(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	p := enginetest.Pack(t)
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s, err := env.Stack(ctx, stack, platform.Program, "")
			require.NoError(t, err)
			res, err := engine.Preview(ctx, s, p.PreviewOptions(stack)...)
			require.NoError(t, err, "preview of %s with the policy pack failed:\n%s", stack, describe(res.Mandatory()))
			assert.Empty(t, res.Mandatory(), describe(res.Mandatory()))
			assert.Equal(t, pack.Version, res.Packs[pack.Name], "the pack ran")
			for _, c := range rules.Catalogue() {
				switch {
				case c.Scope == rules.ResourceScope:
					assert.Positive(t, res.ResourcePoliciesRan[c.Name], "%s analyzed no resource", c.Name)
				case c.Level == rules.Mandatory:
					assert.Contains(t, res.StackPoliciesPassed, c.Name)
				}
			}
			for _, e := range res.Policy {
				assert.Equal(t, pack.Name, e.Pack)
				assert.Contains(t, []string{"team-budget", pack.CannotVerify}, e.Policy, "only advisory findings are expected:\n%s", e.Message)
				// The cleanup job's repository, task definition and schedule
				// are verified at preview, not merely not refused: their
				// hardening is known before anything exists (its roles'
				// policies name the finops key, known only after up).
				if strings.HasPrefix(e.Resource, "finops-cleanup") {
					for _, control := range []string{"ecs-task-hardened", "ecs-separate-roles", "ecr-hardened", "scheduler-kms", "instance-type-allowlist"} {
						assert.NotContains(t, e.Message, control, "%s on %s", e.Policy, e.Resource)
					}
				}
			}
		})
	}
}

// brokenCase is an inline program that breaks one control.
type brokenCase struct {
	name string
	// defaultTags are the provider's default tags; the full dev set when nil.
	defaultTags tagging.Set
	program     func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error
	policy      string
	resource    string // name of the resource the finding is on
	// accounts runs the pack with the dev config and accountIds set to the
	// stand-in provider's account, as an operator configures it.
	accounts bool
}

// standInAccount is the account of the stand-in AWS provider
// (internal/offline/standinaws), the offline engine's "own" account.
const standInAccount = "123456789012"

// devConfig is the dev policy config, with the stand-in account configured
// when the case asks for it.
func devConfig(t *testing.T, p *engine.PolicyPack, accounts bool) string {
	t.Helper()
	if accounts {
		return p.ConfigFile("dev")
	}
	b, err := os.ReadFile(p.ConfigFile("dev"))
	require.NoError(t, err)
	var cfg map[string]map[string]any
	require.NoError(t, json.Unmarshal(b, &cfg))
	for _, policy := range cfg {
		delete(policy, "accountIds")
	}
	out, err := json.Marshal(cfg)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "dev-without-accounts.json")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	return path
}

func devTags() tagging.Set {
	return tagging.Set{
		tagkeys.Team: "platform", tagkeys.Project: "aifactory", tagkeys.CostCenter: "CC-4100-PLATFORM",
		tagkeys.Environment: "dev", tagkeys.DataClassification: "confidential", tagkeys.Owner: "ml-platform@aifactory.example",
	}
}

func brokenCases() []brokenCase {
	admin, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}}).JSON()
	sagemakerTrust, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("sagemaker.amazonaws.com"), Action: iamdoc.Strings{"sts:AssumeRole"}}).JSON()
	return []brokenCase{
		{
			name: "untagged bucket", defaultTags: tagging.Set{},
			policy: "required-tags", resource: "untagged",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := s3.NewBucketV2(ctx, "untagged", &s3.BucketV2Args{}, opts...)
				return err
			},
		},
		{
			name: "bucket without encryption configuration", policy: "s3-sse-kms", resource: "plain",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				b, err := s3.NewBucketV2(ctx, "plain", &s3.BucketV2Args{}, opts...)
				if err != nil {
					return err
				}
				_, err = s3.NewBucketPublicAccessBlock(ctx, "plain", &s3.BucketPublicAccessBlockArgs{
					Bucket: b.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
					IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
				}, opts...)
				return err
			},
		},
		{
			name: "access point open to the internet", policy: "s3-access-point-vpc", resource: "open",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				b, err := s3.NewBucketV2(ctx, "shared", &s3.BucketV2Args{}, opts...)
				if err != nil {
					return err
				}
				_, err = s3.NewAccessPoint(ctx, "open", &s3.AccessPointArgs{Bucket: b.ID(), Name: pulumi.String("open")}, opts...)
				return err
			},
		},
		{
			name: "SageMaker domain not VpcOnly", policy: "sagemaker-vpc-only", resource: "studio",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				role, err := iam.NewRole(ctx, "studio", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(sagemakerTrust)}, opts...)
				if err != nil {
					return err
				}
				_, err = sagemaker.NewDomain(ctx, "studio", &sagemaker.DomainArgs{
					DomainName: pulumi.String("studio"), AuthMode: pulumi.String("IAM"),
					AppNetworkAccessType: pulumi.String("PublicInternetOnly"),
					VpcId:                pulumi.String("vpc-0123456789abcdef0"),
					SubnetIds:            pulumi.StringArray{pulumi.String("subnet-0123456789abcdef0")},
					DefaultUserSettings:  &sagemaker.DomainDefaultUserSettingsArgs{ExecutionRole: role.Arn},
				}, opts...)
				return err
			},
		},
		{
			name: "EMR cluster without security configuration", policy: "emr-security-configuration", resource: "spark",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := emr.NewCluster(ctx, "spark", &emr.ClusterArgs{
					ReleaseLabel: pulumi.String("emr-7.2.0"), ServiceRole: pulumi.String("EMR_DefaultRole_V2"),
					MasterInstanceGroup: &emr.ClusterMasterInstanceGroupArgs{InstanceType: pulumi.String("m5.xlarge")},
					Ec2Attributes:       &emr.ClusterEc2AttributesArgs{InstanceProfile: pulumi.String("EMR_EC2_DefaultRole"), SubnetId: pulumi.String("subnet-0123456789abcdef0")},
					Tags:                pulumi.StringMap{tagkeys.ExpiresAt: pulumi.String("2030-01-01T00:00:00Z")},
				}, opts...)
				return err
			},
		},
		{
			name: "IAM policy allowing * on *", policy: "iam-no-admin", resource: "admin",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := iam.NewPolicy(ctx, "admin", &iam.PolicyArgs{Policy: pulumi.String(admin)}, opts...)
				return err
			},
		},
		{
			name: "log group without KMS", policy: "logs-kms-retention", resource: "app-logs",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := cloudwatch.NewLogGroup(ctx, "app-logs", &cloudwatch.LogGroupArgs{RetentionInDays: pulumi.Int(30)}, opts...)
				return err
			},
		},
		{
			name: "security group open to the world", policy: "sg-no-world-ingress", resource: "ssh",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := ec2.NewSecurityGroup(ctx, "ssh", &ec2.SecurityGroupArgs{
					VpcId: pulumi.String("vpc-0123456789abcdef0"),
					Ingress: ec2.SecurityGroupIngressArray{&ec2.SecurityGroupIngressArgs{
						Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(22), ToPort: pulumi.Int(22),
						CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")},
					}},
				}, opts...)
				return err
			},
		},
		{
			name: "interface endpoint without a policy", policy: "vpc-endpoint-policy", resource: "sts",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := ec2.NewVpcEndpoint(ctx, "sts", &ec2.VpcEndpointArgs{
					VpcId: pulumi.String("vpc-0123456789abcdef0"), ServiceName: pulumi.String("com.amazonaws.eu-west-1.sts"),
					VpcEndpointType: pulumi.String("Interface"), PrivateDnsEnabled: pulumi.Bool(true),
					SubnetIds: pulumi.StringArray{pulumi.String("subnet-0123456789abcdef0")},
				}, opts...)
				return err
			},
		},
		{
			name: "bucket policy open to everyone", policy: "resource-policy-no-public", resource: "shared",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				b, err := s3.NewBucketV2(ctx, "shared", &s3.BucketV2Args{Bucket: pulumi.String("aifactory-dev-shared")}, opts...)
				if err != nil {
					return err
				}
				// One statement as an object, the action in lower case.
				policy := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:getobject","Resource":"arn:aws:s3:::aifactory-dev-shared/*"}}`
				_, err = s3.NewBucketPolicy(ctx, "shared", &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: pulumi.String(policy)}, opts...)
				return err
			},
		},
		{
			name: "key administered by another account", policy: "resource-policy-no-public", resource: "shared", accounts: true,
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				policy, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::210987654321:root"),
					Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}}).JSON()
				_, err := kms.NewKey(ctx, "shared", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), Policy: pulumi.String(policy)}, opts...)
				return err
			},
		},
		{
			name: "public-read bucket ACL", policy: "s3-acl-no-public", resource: "public",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				b, err := s3.NewBucketV2(ctx, "public", &s3.BucketV2Args{}, opts...)
				if err != nil {
					return err
				}
				_, err = s3.NewBucketAclV2(ctx, "public", &s3.BucketAclV2Args{Bucket: b.ID(), Acl: pulumi.String("public-read")}, opts...)
				return err
			},
		},
		{
			name: "legacy bucket with a public ACL", policy: "s3-acl-no-public", resource: "legacy-acl",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := s3.NewBucket(ctx, "legacy-acl", &s3.BucketArgs{Acl: pulumi.String("public-read")}, opts...)
				return err
			},
		},
		{
			name: "legacy bucket on SSE-S3", policy: "s3-sse-kms", resource: "legacy",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := s3.NewBucket(ctx, "legacy", &s3.BucketArgs{
					ServerSideEncryptionConfiguration: &s3.BucketServerSideEncryptionConfigurationArgs{
						Rule: &s3.BucketServerSideEncryptionConfigurationRuleArgs{
							ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs{
								SseAlgorithm: pulumi.String("AES256"),
							},
						},
					},
				}, opts...)
				return err
			},
		},
		{
			name: "PassRole on every role", policy: "iam-no-privilege-escalation", resource: "pass-any",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := iam.NewPolicy(ctx, "pass-any", &iam.PolicyArgs{
					Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","IAM:PassRole"],"Resource":"*"}]}`),
				}, opts...)
				return err
			},
		},
		{
			name: "service role for tasks of any account", policy: "iam-trust-confused-deputy", resource: "task",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				trust, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("ecs-tasks.amazonaws.com"), Action: iamdoc.Strings{"sts:AssumeRole"}}).JSON()
				_, err := iam.NewRole(ctx, "task", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(trust)}, opts...)
				return err
			},
		},
		{
			name: "internet gateway without internet egress", policy: "no-internet-path", resource: "igw",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := ec2.NewInternetGateway(ctx, "igw", &ec2.InternetGatewayArgs{VpcId: pulumi.String("vpc-0123456789abcdef0")}, opts...)
				return err
			},
		},
		{
			name: "IAM user with an access key", policy: "iam-no-users-or-keys", resource: "ci-bot",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				u, err := iam.NewUser(ctx, "ci-bot", &iam.UserArgs{}, opts...)
				if err != nil {
					return err
				}
				_, err = iam.NewAccessKey(ctx, "ci-bot", &iam.AccessKeyArgs{User: u.Name}, opts...)
				return err
			},
		},
	}
}

// brokenStack prepares a stack for a broken inline program: an explicit AWS
// provider with default tags, as the platform's program builds it, and a
// stack file that disables default providers.
func brokenStack(t *testing.T, env *offline.Env, tc brokenCase) auto.Stack {
	t.Helper()
	ctx := context.Background()
	config := filepath.Join(t.TempDir(), "Pulumi.broken.yaml")
	require.NoError(t, os.WriteFile(config, []byte("config:\n  pulumi:disable-default-providers:\n    - aws\n  aifactory:environment: dev\n"), 0o644))
	tags := tc.defaultTags
	if tags == nil {
		tags = devTags()
	}
	program := func(ctx *pulumi.Context) error {
		provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
			Region:      pulumi.String("eu-west-1"),
			DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: tags.StringMap()},
		})
		if err != nil {
			return err
		}
		return tc.program(ctx, pulumi.Provider(provider))
	}
	name := "broken-" + strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "-"), "*", "star")
	s, err := env.Stack(ctx, name, program, config)
	require.NoError(t, err)
	return s
}

// TestEnginePolicyPackStopsBrokenPrograms previews deliberately broken
// programs: each preview fails with the pack's mandatory finding on the
// broken resource.
func TestEnginePolicyPackStopsBrokenPrograms(t *testing.T) {
	env := enginetest.Env(t)
	p := enginetest.Pack(t)
	for _, tc := range brokenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := brokenStack(t, env, tc)
			res, err := engine.Preview(context.Background(), s, p.PreviewOptionsWith(devConfig(t, p, tc.accounts))...)
			require.Error(t, err, "a mandatory violation must fail the preview")
			assertFinding(t, res, tc)
		})
	}
}

// TestEnginePolicyPackDirectoryForm runs the documented command line,
// --policy-pack policy, on a broken program.
func TestEnginePolicyPackDirectoryForm(t *testing.T) {
	env := enginetest.Env(t)
	p := enginetest.Pack(t)
	tc := brokenCases()[0]
	ctx := context.Background()
	s := brokenStack(t, env, tc)
	// The engine runs a `runtime: go` pack directory with the policy-go
	// analyzer plugin when no Go language host is installed.
	require.NoError(t, env.InstallPlugin(ctx, "analyzer", "policy-go", pack.Version, p.Binary))
	res, err := engine.Preview(ctx, s, optpreview.PolicyPacks(p.Dir), optpreview.PolicyPackConfigs(p.ConfigFile("dev")))
	require.Error(t, err)
	assertFinding(t, res, tc)
}

func assertFinding(t *testing.T, res engine.Result, tc brokenCase) {
	t.Helper()
	for _, e := range res.Policy {
		if e.Policy == tc.policy && strings.HasSuffix(e.URN, "::"+tc.resource) {
			assert.Equal(t, pack.Name, e.Pack)
			assert.Equal(t, "mandatory", e.Level)
			assert.Contains(t, e.Message, "Fix: ", "the finding says how to fix it")
			return
		}
	}
	t.Fatalf("no %s finding on %s; findings:\n%s", tc.policy, tc.resource, describe(res.Policy))
}

func describe(findings []engine.Finding) string {
	var b strings.Builder
	for _, e := range findings {
		fmt.Fprintf(&b, "[%s] %s on %s:\n%s\n", e.Level, e.Policy, e.URN, e.Message)
	}
	return b.String()
}

// TestEnginePolicyPackDecidesAtUp: what a preview cannot verify, the
// update decides before it changes the resource. The dev stack goes up with
// the pack attached without a mandatory finding and with nothing left
// unverified; an admin policy built from a computed ARN passes the preview
// as "cannot verify" and then stops the update before it is created.
func TestEnginePolicyPackDecidesAtUp(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	p := enginetest.Pack(t)

	t.Run("dev stack", func(t *testing.T) {
		s, err := env.Stack(ctx, "dev-policy-up", platform.Program, env.Root+"/Pulumi.dev.yaml")
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = s.Destroy(ctx, optdestroy.SuppressProgress()) })
		// With the environment's account configured, as an operator does
		// before the first update: grants to named accounts are decided.
		res, err := engine.Up(ctx, s, p.UpOptionsWith(devConfig(t, p, true))...)
		require.NoError(t, err, describe(res.Mandatory()))
		assert.Greater(t, res.Summary["create"], 40)
		for _, e := range res.Policy {
			assert.Equal(t, "team-budget", e.Policy, "during the update every value is known:\n%s", e.Message)
		}
	})

	t.Run("account the pack cannot place", func(t *testing.T) {
		tc := brokenCase{
			name: "key of an unplaced account decided at up", policy: "resource-policy-no-public", resource: "admin-key",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				policy, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::" + standInAccount + ":root"),
					Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}}).JSON()
				_, err := kms.NewKey(ctx, "admin-key", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), Policy: pulumi.String(policy)}, opts...)
				return err
			},
		}
		// A config without accountIds, and a key policy that names no
		// account of its own: the preview cannot tell whether the account is
		// the environment's and says so; the update stops.
		s := brokenStack(t, env, tc)
		res, err := engine.Preview(ctx, s, p.PreviewOptionsWith(devConfig(t, p, false))...)
		require.NoError(t, err, "an undecided account must not fail the preview:\n%s", describe(res.Mandatory()))
		unverified := false
		for _, e := range res.Policy {
			if e.Policy == pack.CannotVerify && strings.HasSuffix(e.URN, "::admin-key") {
				unverified = true
				assert.Contains(t, e.Message, "resource-policy-no-public")
				assert.Contains(t, e.Message, "accountIds")
			}
		}
		assert.True(t, unverified, "the preview must say it cannot place the account:\n%s", describe(res.Policy))

		t.Cleanup(func() { _, _ = s.Destroy(ctx, optdestroy.SuppressProgress()) })
		up, err := engine.Up(ctx, s, p.UpOptionsWith(devConfig(t, p, false))...)
		require.Error(t, err, "the update must stop at the key")
		assertFinding(t, up, tc)

		// With the account configured the same key passes.
		configured := tc
		configured.name = "key of the configured account"
		s2 := brokenStack(t, env, configured)
		t.Cleanup(func() { _, _ = s2.Destroy(ctx, optdestroy.SuppressProgress()) })
		res, err = engine.Preview(ctx, s2, p.PreviewOptionsWith(devConfig(t, p, true))...)
		require.NoError(t, err, describe(res.Mandatory()))
		for _, e := range res.Policy {
			if strings.HasSuffix(e.URN, "::admin-key") {
				assert.NotContains(t, e.Message, "resource-policy-no-public", "the account is decided")
			}
		}
	})

	t.Run("admin policy from a computed ARN", func(t *testing.T) {
		tc := brokenCase{
			name: "admin policy decided at up", policy: "iam-no-admin", resource: "escalate",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				trust, _ := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("ecs-tasks.amazonaws.com"), Action: iamdoc.Strings{"sts:AssumeRole"},
					Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {standInAccount}}}}).JSON()
				// The role is compliant: only the policy built from its ARN is not.
				role, err := iam.NewRole(ctx, "task", &iam.RoleArgs{
					AssumeRolePolicy: pulumi.String(trust),
					Tags:             pulumi.StringMap{"purpose": pulumi.String("pipeline")},
				}, opts...)
				if err != nil {
					return err
				}
				policy := role.Arn.ApplyT(func(arn string) (string, error) {
					return iamdoc.New(iamdoc.Statement{Sid: "For" + strings.ReplaceAll(arn, ":", ""), Effect: iamdoc.Allow,
						Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}}).JSON()
				}).(pulumi.StringOutput)
				_, err = iam.NewRolePolicy(ctx, "escalate", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, opts...)
				return err
			},
		}
		s := brokenStack(t, env, tc)
		res, err := engine.Preview(ctx, s, p.PreviewOptions("dev")...)
		require.NoError(t, err, "an unknown value must not fail the preview:\n%s", describe(res.Mandatory()))
		unverified := false
		for _, e := range res.Policy {
			if e.Policy == pack.CannotVerify && strings.HasSuffix(e.URN, "::escalate") {
				unverified = true
				assert.Equal(t, "advisory", e.Level)
				assert.Contains(t, e.Message, "iam-no-admin")
			}
		}
		assert.True(t, unverified, "the preview must say it cannot verify the policy:\n%s", describe(res.Policy))

		t.Cleanup(func() { _, _ = s.Destroy(ctx, optdestroy.SuppressProgress()) })
		up, err := engine.Up(ctx, s, p.UpOptions("dev")...)
		require.Error(t, err, "the update must stop at the admin policy")
		assertFinding(t, up, tc)
		state, err := s.Export(ctx)
		require.NoError(t, err)
		assert.NotContains(t, string(state.Deployment), "aws:iam/rolePolicy:RolePolicy", "the policy was never created")
	})
}

// BenchmarkEnginePolicyPackOverhead previews the dev stack through the
// engine without a policy pack, with the AI Factory pack and the dev policy
// config, and with a pack that has no policies (enginetest.EmptyPack), in
// the same run. "ratio" is how much longer the preview takes with the pack
// (target: under 1.3x); "ratio-empty-pack" is the same for the empty pack:
// the engine's own cost of running any pack (plugin start-up, a remediation
// and an analysis call per resource, the stack analysis), which no pack can
// go below.
func BenchmarkEnginePolicyPackOverhead(b *testing.B) {
	env := enginetest.Env(b)
	ctx := context.Background()
	p := enginetest.Pack(b)
	empty := enginetest.EmptyPack(b)
	s, err := env.Stack(ctx, "dev", platform.Program, "")
	require.NoError(b, err)
	variants := [][]optpreview.Option{
		nil,
		p.PreviewOptions("dev"),
		{optpreview.PolicyPacks(empty)},
	}
	run := func(opts []optpreview.Option) time.Duration {
		start := time.Now()
		_, err := engine.Preview(ctx, s, opts...)
		require.NoError(b, err)
		return time.Since(start)
	}
	// Warm up: plugin start-up paths and the Go build cache.
	for _, v := range variants {
		run(v)
	}
	b.ResetTimer()
	total := make([]time.Duration, len(variants))
	var withRatios, floorRatios []float64
	for i := range b.N {
		// Rotate the order so that drift on a shared machine hits every
		// variant, and compare the variants of one round with each other.
		round := make([]time.Duration, len(variants))
		for j := range variants {
			k := (i + j) % len(variants)
			round[k] = run(variants[k])
			total[k] += round[k]
		}
		withRatios = append(withRatios, round[1].Seconds()/round[0].Seconds())
		floorRatios = append(floorRatios, round[2].Seconds()/round[0].Seconds())
	}
	without, with := total[0].Seconds(), total[1].Seconds()
	// The median of the rounds' ratios: one round slowed down by the
	// machine does not move it.
	b.ReportMetric(median(withRatios), "ratio")
	b.ReportMetric(median(floorRatios), "ratio-empty-pack")
	b.ReportMetric(without/float64(b.N), "s/preview-without")
	b.ReportMetric(with/float64(b.N), "s/preview-with")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
