package platform_test

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	auditspec "github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/internal/mocktest"
	"github.com/aifactory/platform/stacks/platform"
)

func stackConfig(t *testing.T, stack string) map[string]string {
	return mocktest.StackConfig(t, filepath.Join("..", "..", "Pulumi."+stack+".yaml"))
}

func TestEveryStackComposesWithItsGuardrails(t *testing.T) {
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			// Subnet and security group ids shaped like AWS's: the weekly
			// workflow refuses anything else.
			m := &mocktest.Mocks{ID: mocktest.AWSShapedID}
			require.NoError(t, mocktest.RunWith(t, m, stack, stackConfig(t, stack), platform.Program))

			for _, r := range m.Resources() {
				if !strings.HasPrefix(r.Type, "aws:") || !r.Has("tags") {
					continue
				}
				tags := r.Tags()
				assert.Empty(t, tagging.Set(tags).Missing(), "%s %s", r.Type, r.Name)
				assert.Equal(t, stack, tags["environment"], "%s %s", r.Type, r.Name)
			}

			provider := m.Named(t, "pulumi:providers:aws", "aws")
			var defaults struct {
				Tags map[string]string `json:"tags"`
			}
			require.NoError(t, provider.JSON("defaultTags", &defaults))
			assert.Empty(t, tagging.Set(defaults.Tags).Missing(), "provider default tags")

			cfg := stackConfig(t, stack)
			wantAZ := map[string]int{"dev": 2, "staging": 3, "prod": 3}[stack]
			assert.Len(t, m.OfType("aws:ec2/subnet:Subnet"), wantAZ)
			assert.Empty(t, m.OfType("aws:ec2/natGateway:NatGateway"))
			for _, k := range m.OfType("aws:kms/key:Key") {
				assert.Equal(t, stack == "prod", k.Protect, "key %s protection in %s", k.Name, stack)
			}
			var teams []map[string]any
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:teams"]), &teams))
			assert.Len(t, m.OfType("aws:s3/accessPoint:AccessPoint"), len(teams)+1, "one access point per team of the stack file, and the pipeline's")
			buckets := m.OfType("aws:s3/bucketV2:BucketV2")
			assert.Len(t, buckets, 5, "data, models, application logs, access logs and the audit trail")
			for _, b := range buckets {
				assert.Equal(t, stack == "prod", b.Protect, "bucket %s protection in %s", b.Name, stack)
				if b.Name == "audit-bucket" {
					assert.True(t, b.RetainOnDelete, "the audit trail survives a destroy in every environment")
					continue
				}
				assert.Equal(t, stack == "prod", b.RetainOnDelete, "bucket %s retention in %s", b.Name, stack)
			}
			// Captured endpoint data, which nobody may delete, expires per
			// team after the stack file's captureRetentionDays.
			var dataCfg struct {
				CaptureRetentionDays int `json:"captureRetentionDays"`
			}
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:data"]), &dataCfg))
			require.Positive(t, dataCfg.CaptureRetentionDays, "the stack file sets data.captureRetentionDays")
			var rules []struct {
				Filter struct {
					Prefix string `json:"prefix"`
				} `json:"filter"`
				Expiration *struct {
					Days int `json:"days"`
				} `json:"expiration"`
			}
			require.NoError(t, m.Named(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "data-data").JSON("rules", &rules))
			expiring := map[string]int{}
			for _, r := range rules {
				if r.Expiration != nil {
					expiring[r.Filter.Prefix] = r.Expiration.Days
				}
			}
			want := map[string]int{}
			for _, team := range teams {
				want["teams/"+team["name"].(string)+"/serving/"] = dataCfg.CaptureRetentionDays
			}
			assert.Equal(t, want, expiring)
			var auditCfg struct {
				RetentionDays int `json:"retentionDays"`
			}
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:audit"]), &auditCfg))
			var lock struct {
				Rule struct {
					DefaultRetention struct {
						Mode string `json:"mode"`
						Days int    `json:"days"`
					} `json:"defaultRetention"`
				} `json:"rule"`
			}
			locks := m.OfType("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")
			require.Len(t, locks, 1)
			require.NoError(t, locks[0].JSON("", &lock))
			assert.Equal(t, "COMPLIANCE", lock.Rule.DefaultRetention.Mode)
			assert.Equal(t, auditCfg.RetentionDays, lock.Rule.DefaultRetention.Days, "the stack file's audit.retentionDays")
			trails := m.OfType("aws:cloudtrail/trail:Trail")
			require.Len(t, trails, 1)
			assert.Equal(t, stack == "prod", trails[0].Protect)
			assert.Len(t, m.OfType("aws:cfg/rule:Rule"), len(auditspec.ConfigRules))
			// The audit bucket's access logs go to the access log bucket,
			// whose policy admits them.
			logPolicy := m.Named(t, "aws:s3/bucketPolicy:BucketPolicy", "data-access-logs").Str("policy")
			assert.Contains(t, logPolicy, "arn:aws:s3:::aifactory-"+stack+"-audit-123456789012")
			domains := m.OfType("aws:sagemaker/domain:Domain")
			require.Len(t, domains, 1)
			assert.Equal(t, "VpcOnly", domains[0].Str("appNetworkAccessType"))
			assert.Equal(t, stack == "prod", domains[0].Protect)
			assert.Len(t, m.OfType("aws:sagemaker/userProfile:UserProfile"), len(teams))
			var workspaceCfg struct {
				MaxIdle int `json:"maxIdleTimeoutMinutes"`
			}
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:workspace"]), &workspaceCfg))
			var settings struct {
				JupyterLab struct {
					AppLifecycleManagement struct {
						IdleSettings struct {
							IdleTimeoutInMinutes int `json:"idleTimeoutInMinutes"`
						} `json:"idleSettings"`
					} `json:"appLifecycleManagement"`
				} `json:"jupyterLabAppSettings"`
			}
			require.NoError(t, domains[0].JSON("defaultUserSettings", &settings))
			idle := settings.JupyterLab.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes
			assert.Positive(t, idle)
			assert.LessOrEqual(t, idle, workspaceCfg.MaxIdle, "idle shutdown within the environment's bound")
			for _, role := range m.OfType("aws:iam/role:Role") {
				if strings.HasPrefix(role.Name, "workspace-") {
					assert.True(t, role.Has("permissionsBoundary"), role.Name)
					assert.LessOrEqual(t, role.Num("maxSessionDuration"), 3600.0, role.Name)
				}
			}
			assert.Len(t, m.OfType("aws:emr/studio:Studio"), len(teams), "one EMR Studio per team")
			assert.Len(t, m.OfType("aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"), 1, "the VPC's DNS firewall")
			var allowed []string
			require.NoError(t, provider.JSON("allowedAccountIds", &allowed))
			assert.Equal(t, []string{cfg["aifactory:accountId"]}, allowed, "the provider refuses every other account")
			for _, ep := range m.OfType("aws:ec2/vpcEndpoint:VpcEndpoint") {
				assert.True(t, ep.Has("policy"), "%s has an endpoint policy", ep.Name)
			}
			for _, sc := range m.OfType("aws:emr/securityConfiguration:SecurityConfiguration") {
				doc, err := analytics.ParseSecurityConfiguration(sc.Str("configuration"))
				require.NoError(t, err)
				assert.Equal(t, stack != "dev", doc.EncryptionConfiguration.EnableInTransitEncryption, "in-transit encryption in %s", stack)
			}
			assert.Len(t, m.OfType("aws:emr/securityConfiguration:SecurityConfiguration"), 1)
			assert.Len(t, m.OfType("aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"), 1)
			var analyticsCfg struct {
				MaxIdle int `json:"maxIdleTimeoutMinutes"`
			}
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:analytics"]), &analyticsCfg))
			for _, c := range m.OfType("aws:emr/cluster:Cluster") {
				assert.True(t, c.Has("securityConfiguration"), c.Name)
				assert.NotEmpty(t, c.Tags()["expires-at"], c.Name)
				var policy struct {
					IdleTimeout int `json:"idleTimeout"`
				}
				require.NoError(t, c.JSON("autoTerminationPolicy", &policy))
				assert.Positive(t, policy.IdleTimeout, c.Name)
				assert.LessOrEqual(t, policy.IdleTimeout, analyticsCfg.MaxIdle*60, "%s idles no longer than %s allows", c.Name, stack)
			}
			if stack == "dev" {
				assert.Len(t, m.OfType("aws:emr/cluster:Cluster"), 1, "dev ships the example feature-backfill cluster")
				assert.Len(t, m.OfType("aws:emr/instanceFleet:InstanceFleet"), 1, "its Spot task fleet")
			}
			var pipelineCfg struct {
				Countries []string `json:"countries"`
				Schedule  string   `json:"schedule"`
				Timezone  string   `json:"timezone"`
				TaskCPU   int      `json:"taskCpu"`
				History   string   `json:"historyWriterRole"`
			}
			require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:pipeline"]), &pipelineCfg))
			assert.Len(t, m.OfType("aws:s3/bucketObjectv2:BucketObjectv2"), len(pipelineCfg.Countries), "one published configuration per country")
			schedule := m.Named(t, "aws:scheduler/schedule:Schedule", "pipeline-weekly")
			assert.Equal(t, pipelineCfg.Schedule, schedule.Str("scheduleExpression"))
			assert.Equal(t, pipelineCfg.Timezone, schedule.Str("scheduleExpressionTimezone"))
			assert.Equal(t, strconv.Itoa(pipelineCfg.TaskCPU), m.Named(t, "aws:ecs/taskDefinition:TaskDefinition", "pipeline-task").Str("cpu"))
			for _, typ := range []string{"aws:ecr/repository:Repository", "aws:secretsmanager/secret:Secret"} {
				for _, r := range m.OfType(typ) {
					assert.Equal(t, stack == "prod", r.Protect, "%s protection in %s", typ, stack)
				}
			}
			// The data bucket exempts the deployer role for the configurations
			// and the history writer for the histories, each for its prefix.
			dataPolicy := m.Named(t, "aws:s3/bucketPolicy:BucketPolicy", "data-data").Str("policy")
			for sid, role := range map[string]string{
				"DenyOutsideThePerimeterExceptTheServiceRolePipelineConfigs": cfg["aifactory:deployerRoleArn"],
				"DenyOutsideThePerimeterExceptTheServiceRolePipelineData":    "arn:aws:iam::123456789012:role/" + pipelineCfg.History,
			} {
				assert.Contains(t, dataPolicy, `"Sid":"`+sid+`"`)
				assert.Contains(t, dataPolicy, `"`+role+`"`)
			}
			for _, lg := range m.OfType("aws:cloudwatch/logGroup:LogGroup") {
				assert.True(t, lg.Has("kmsKeyId"), lg.Name)
				if stack == "prod" {
					assert.GreaterOrEqual(t, lg.Num("retentionInDays"), 365.0, lg.Name)
				}
			}
		})
	}
}

func TestInvalidConfigStopsBeforeAnyResource(t *testing.T) {
	cfg := stackConfig(t, "prod")
	cfg["aifactory:protect"] = "false"
	m, err := mocktest.Run(t, "prod", cfg, platform.Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aifactory:protect")
	assert.Contains(t, err.Error(), "Pulumi.prod.yaml")
	for _, r := range m.Resources() {
		assert.NotContains(t, r.Type, "aws:", "no resource may be registered when config is invalid")
	}
}

func TestMoreZonesThanTheRegionHasIsAClearError(t *testing.T) {
	cfg := stackConfig(t, "dev")
	cfg["aifactory:network"] = `{"cidr":"10.10.0.0/16","azCount":5}`
	_, err := mocktest.Run(t, "dev", cfg, platform.Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aifactory:network.azCount is 5")
}

func TestAnotherAccountsCredentialsAreRefused(t *testing.T) {
	cfg := stackConfig(t, "dev")
	cfg["aifactory:accountId"] = "210987654321"
	cfg["aifactory:deployerRoleArn"] = "arn:aws:iam::210987654321:role/aifactory-deployer"
	m, err := mocktest.Run(t, "dev", cfg, platform.Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aifactory:accountId")
	assert.Contains(t, err.Error(), "Pulumi.dev.yaml")
	for _, r := range m.Resources() {
		assert.NotContains(t, r.Type, "aws:", "no resource may be registered for another account")
	}
}
