package serving_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/serving"
	"github.com/aifactory/platform/components/serving/spec"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	account      = "123456789012"
	dataBucket   = "aifactory-dev-data-123456789012"
	dataKey      = "arn:aws:kms:eu-west-1:123456789012:key/data"
	workspaceKey = "arn:aws:kms:eu-west-1:123456789012:key/workspace"
	logsKey      = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	runtimeVpce  = "vpce-0runtime"
	s3PrefixList = "pl-12345678"
	endpointSG   = "sg-endpoints"
	deployer     = "arn:aws:iam::123456789012:role/aifactory-deployer"
	versionA     = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-team-a/3"
	versionB     = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-team-b/1"

	modelType    = "aws:sagemaker/model:Model"
	configType   = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
	endpointType = "aws:sagemaker/endpoint:Endpoint"
	groupType    = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
	groupPolType = "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy"
	alarmType    = "aws:cloudwatch/metricAlarm:MetricAlarm"
	targetType   = "aws:appautoscaling/target:Target"
	scalingType  = "aws:appautoscaling/policy:Policy"
	logGroupType = "aws:cloudwatch/logGroup:LogGroup"
	roleType     = "aws:iam/role:Role"
	rolePolType  = "aws:iam/rolePolicy:RolePolicy"
	policyType   = "aws:iam/policy:Policy"
	attachType   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	groupAttach  = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	sgType       = "aws:ec2/securityGroup:SecurityGroup"
)

// args: team-a serves a provisioned, auto-scaled model and a serverless
// one; team-b serves one model at a fixed size; team-c serves nothing.
func args() *serving.Args {
	return &serving.Args{
		Scope: scopetest.Dev(),
		Placement: network.Placement{
			VpcID:                   pulumi.String("vpc-123"),
			SubnetIDs:               pulumi.StringArray{pulumi.String("subnet-a"), pulumi.String("subnet-b")},
			EndpointSecurityGroupID: pulumi.String(endpointSG),
			S3PrefixListID:          pulumi.String(s3PrefixList),
		},
		RuntimeEndpointID: pulumi.String(runtimeVpce),
		DataBucketName:    pulumi.String(dataBucket),
		DataKeyArn:        pulumi.String(dataKey),
		WorkspaceKeyArn:   pulumi.String(workspaceKey),
		LogsKeyArn:        pulumi.String(logsKey),
		LogRetentionDays:  30,
		DeployerRoleArn:   deployer,
		Limits:            spec.Limits{AllowedInstanceTypes: []string{"ml.m5.large", "ml.c5.large"}, MaxInstances: 4, AllowServerless: true, MaxServerlessConcurrency: 5},
		Teams: []serving.Team{
			{
				Name: "team-a", Tags: scopetest.TeamTags("team-a"), StudioRoleName: "aifactory-dev-studio-team-a",
				PeopleRoles: []string{"team-a-analysts"}, PeopleGroups: []string{"team-a-viewers"},
				Approvers: []string{"team-a-approvers"}, Consumers: []string{"pricing-service"},
				Endpoints: []spec.Endpoint{
					{Name: "churn", ModelPackageArn: versionA, InstanceType: "ml.m5.large", MinInstances: 1, MaxInstances: 3,
						DataCapturePercent: 20, Alarms: spec.Alarms{MaxErrorRatePercent: 2, MaxLatencyMs: 250}, ExpiresAt: "2027-12-31T18:00:00Z"},
					{Name: "score", ModelPackageArn: versionA, Serverless: &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 5},
						ExpiresAt: "2027-12-31T18:00:00Z"},
				},
			},
			{
				Name: "team-b", Tags: scopetest.TeamTags("team-b"), StudioRoleName: "aifactory-dev-studio-team-b",
				PeopleRoles: []string{"team-b-analysts"}, Approvers: []string{"team-b-approvers"},
				Endpoints: []spec.Endpoint{
					{Name: "churn", ModelPackageArn: versionB, InstanceType: "ml.c5.large", MinInstances: 2, MaxInstances: 2,
						DataCapturePercent: 100, ExpiresAt: "2027-12-31T18:00:00Z"},
				},
			},
			{Name: "team-c", Tags: scopetest.TeamTags("team-c"), StudioRoleName: "aifactory-dev-studio-team-c"},
		},
	}
}

func build(t *testing.T, a *serving.Args) *mocktest.Mocks {
	t.Helper()
	m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := serving.New(ctx, "serving", a)
		return err
	})
	require.NoError(t, err)
	return m
}

func TestEveryTeamGetsARegistryThatAdmitsOnlyItsRoles(t *testing.T) {
	m := build(t, args())
	require.Len(t, m.OfType(groupType), 3)
	for _, team := range []string{"team-a", "team-b", "team-c"} {
		g := m.Named(t, groupType, "serving-"+team+"-registry")
		assert.Equal(t, "aifactory-dev-"+team, g.Str("modelPackageGroupName"))
		assert.Equal(t, team, g.Tags()["team"])
		assert.False(t, g.Protect, "registries are never protected")
		assert.False(t, g.RetainOnDelete, "dev registries go with the stack")
		doc, err := iamdoc.Parse(m.Named(t, groupPolType, "serving-"+team+"-registry").Str("resourcePolicy"))
		require.NoError(t, err)
		for _, st := range doc.Statement {
			if st.Effect != iamdoc.Allow {
				continue
			}
			for _, p := range st.Principal.AWS {
				assert.True(t, strings.HasPrefix(p, "arn:aws:iam::"+account+":role/"+team+"-") || p == deployer,
					"%s: statement %s admits %s, which is not one of the team's roles", team, st.Sid, p)
			}
		}
	}
}

// A prod registry outlives its team's removal from the stack file: it is
// retained on delete, and not protected, so that offboarding a team is an
// update the engine carries out.
func TestProdRegistriesAreRetainedOnDeleteNotProtected(t *testing.T) {
	a := args()
	a.Scope = scopetest.Scope("prod")
	a.Limits.AllowServerless = false
	a.RetainRegistries = true
	for i := range a.Teams {
		a.Teams[i].Endpoints = nil
	}
	groups := build(t, a).OfType(groupType)
	require.NotEmpty(t, groups)
	for _, g := range groups {
		assert.True(t, g.RetainOnDelete, "%s: retained on delete", g.Name)
		assert.False(t, g.Protect, "%s: not protected", g.Name)
	}
}

func TestModelsServeTheExactVersionIsolatedInTheVPC(t *testing.T) {
	m := build(t, args())
	churn := m.Named(t, modelType, "serving-team-a-churn")
	var in struct {
		Name             string `json:"name"`
		ExecutionRoleArn string `json:"executionRoleArn"`
		PrimaryContainer struct {
			ModelPackageName string `json:"modelPackageName"`
			Image            string `json:"image"`
		} `json:"primaryContainer"`
		EnableNetworkIsolation bool `json:"enableNetworkIsolation"`
		VpcConfig              struct {
			Subnets          []string `json:"subnets"`
			SecurityGroupIDs []string `json:"securityGroupIds"`
		} `json:"vpcConfig"`
	}
	require.NoError(t, churn.JSON("", &in))
	assert.Equal(t, versionA, in.PrimaryContainer.ModelPackageName, "the model is the exact version the stack names")
	assert.Empty(t, in.PrimaryContainer.Image, "the image comes from the version, never from elsewhere")
	assert.True(t, in.EnableNetworkIsolation)
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, in.VpcConfig.Subnets)
	assert.Equal(t, []string{"serving-team-a-id"}, in.VpcConfig.SecurityGroupIDs, "the team's serving group")
	assert.Equal(t, "arn:aws:iam::123456789012:role/serving-team-a", in.ExecutionRoleArn)
	assert.True(t, strings.HasPrefix(in.Name, "aifactory-dev-team-a--churn-"))
	assert.LessOrEqual(t, len(in.Name), spec.MaxNameLength)

	score := m.Named(t, modelType, "serving-team-a-score")
	assert.False(t, score.Has("vpcConfig"), "serverless inference runs outside any VPC")
	assert.False(t, score.Bool("enableNetworkIsolation"), "and refuses network isolation")
}

type configInputs struct {
	KmsKeyArn          string `json:"kmsKeyArn"`
	ProductionVariants []struct {
		VariantName          string `json:"variantName"`
		InstanceType         string `json:"instanceType"`
		InitialInstanceCount int    `json:"initialInstanceCount"`
		ServerlessConfig     *struct {
			MemorySizeInMb int `json:"memorySizeInMb"`
			MaxConcurrency int `json:"maxConcurrency"`
		} `json:"serverlessConfig"`
	} `json:"productionVariants"`
	DataCaptureConfig *struct {
		EnableCapture             bool   `json:"enableCapture"`
		InitialSamplingPercentage int    `json:"initialSamplingPercentage"`
		DestinationS3URI          string `json:"destinationS3Uri"`
		KmsKeyID                  string `json:"kmsKeyId"`
		CaptureOptions            []struct {
			CaptureMode string `json:"captureMode"`
		} `json:"captureOptions"`
	} `json:"dataCaptureConfig"`
}

func TestEndpointConfigurationsEncryptAndCapture(t *testing.T) {
	m := build(t, args())
	var churn configInputs
	require.NoError(t, m.Named(t, configType, "serving-team-a-churn").JSON("", &churn))
	assert.Equal(t, workspaceKey, churn.KmsKeyArn, "volumes encrypted with the workspace key")
	require.Len(t, churn.ProductionVariants, 1)
	v := churn.ProductionVariants[0]
	assert.Equal(t, spec.VariantName, v.VariantName)
	assert.Equal(t, "ml.m5.large", v.InstanceType)
	assert.Equal(t, 1, v.InitialInstanceCount)
	require.NotNil(t, churn.DataCaptureConfig)
	c := churn.DataCaptureConfig
	assert.True(t, c.EnableCapture)
	assert.Equal(t, 20, c.InitialSamplingPercentage, "the sampling rate from config")
	assert.Equal(t, "s3://"+dataBucket+"/teams/team-a/serving/churn/", c.DestinationS3URI, "the team's own prefix")
	assert.Equal(t, dataKey, c.KmsKeyID, "captured data encrypted with the data key")
	var modes []string
	for _, o := range c.CaptureOptions {
		modes = append(modes, o.CaptureMode)
	}
	assert.ElementsMatch(t, []string{"Input", "Output"}, modes, "requests and responses")

	var score configInputs
	require.NoError(t, m.Named(t, configType, "serving-team-a-score").JSON("", &score))
	require.NotNil(t, score.ProductionVariants[0].ServerlessConfig)
	assert.Equal(t, 2048, score.ProductionVariants[0].ServerlessConfig.MemorySizeInMb)
	assert.Equal(t, 5, score.ProductionVariants[0].ServerlessConfig.MaxConcurrency)
	assert.Empty(t, score.KmsKeyArn, "serverless has no volume; AWS refuses a key")
	assert.Nil(t, score.DataCaptureConfig, "serverless inference cannot capture")
}

func TestEndpointsDeployBlueGreenWithRollbackAlarms(t *testing.T) {
	m := build(t, args())
	var ep struct {
		Name             string            `json:"name"`
		Tags             map[string]string `json:"tags"`
		DeploymentConfig struct {
			BlueGreenUpdatePolicy struct {
				TrafficRoutingConfiguration struct {
					Type       string `json:"type"`
					CanarySize *struct {
						Type  string `json:"type"`
						Value int    `json:"value"`
					} `json:"canarySize"`
				} `json:"trafficRoutingConfiguration"`
				TerminationWaitInSeconds int `json:"terminationWaitInSeconds"`
			} `json:"blueGreenUpdatePolicy"`
			AutoRollbackConfiguration struct {
				Alarms []struct {
					AlarmName string `json:"alarmName"`
				} `json:"alarms"`
			} `json:"autoRollbackConfiguration"`
		} `json:"deploymentConfig"`
	}
	require.NoError(t, m.Named(t, endpointType, "serving-team-a-churn").JSON("", &ep))
	assert.Equal(t, "aifactory-dev-team-a--churn", ep.Name)
	bg := ep.DeploymentConfig.BlueGreenUpdatePolicy
	assert.Equal(t, "ALL_AT_ONCE", bg.TrafficRoutingConfiguration.Type, "one instance: no canary")
	assert.Equal(t, serving.BakingSeconds, bg.TerminationWaitInSeconds, "the old fleet is kept while the alarms watch")
	var alarms []string
	for _, a := range ep.DeploymentConfig.AutoRollbackConfiguration.Alarms {
		alarms = append(alarms, a.AlarmName)
	}
	assert.ElementsMatch(t, []string{"aifactory-dev-team-a--churn-error-rate", "aifactory-dev-team-a--churn-latency"}, alarms)
	assert.Equal(t, "2027-12-31T18:00:00Z", ep.Tags["expires-at"], "the cleanup job can remove a forgotten dev endpoint")
	assert.Equal(t, "team-a", ep.Tags["team"])

	require.NoError(t, m.Named(t, endpointType, "serving-team-b-churn").JSON("", &ep))
	assert.Equal(t, "CANARY", ep.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type, "two instances: a canary first")
	require.NotNil(t, ep.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize)
	assert.Equal(t, serving.CanaryPercent, ep.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize.Value)

	errRate := m.Named(t, alarmType, "serving-team-a-churn-error-rate")
	assert.Equal(t, 2.0, errRate.Num("threshold"), "the error rate from config")
	assert.Contains(t, errRate.Inputs.Mappable()["metricQueries"], map[string]any{
		"id": "errors", "returnData": false,
		"metric": map[string]any{"namespace": "AWS/SageMaker", "metricName": "Invocation5XXErrors", "period": 60.0, "stat": "Sum",
			"dimensions": map[string]any{"EndpointName": "aifactory-dev-team-a--churn", "VariantName": "AllTraffic"}},
	})
	assert.Equal(t, "notBreaching", errRate.Str("treatMissingData"), "no traffic is no failure")
	latency := m.Named(t, alarmType, "serving-team-a-churn-latency")
	assert.Equal(t, "ModelLatency", latency.Str("metricName"))
	assert.Equal(t, "p99", latency.Str("extendedStatistic"))
	assert.Equal(t, 250000.0, latency.Num("threshold"), "250 ms in the microseconds SageMaker reports")
	assert.Len(t, m.OfType(alarmType), 2*3, "two per endpoint, serverless included")
}

func TestAutoScalingStaysWithinTheEnvironmentsBound(t *testing.T) {
	m := build(t, args())
	targets := m.OfType(targetType)
	require.Len(t, targets, 1, "only team-a's churn scales: team-b's has a fixed size, serverless scales itself")
	tg := targets[0]
	assert.Equal(t, "sagemaker", tg.Str("serviceNamespace"))
	assert.Equal(t, "endpoint/aifactory-dev-team-a--churn/variant/AllTraffic", tg.Str("resourceId"))
	assert.Equal(t, "sagemaker:variant:DesiredInstanceCount", tg.Str("scalableDimension"))
	assert.Equal(t, 1.0, tg.Num("minCapacity"))
	assert.Equal(t, 3.0, tg.Num("maxCapacity"))
	pol := m.Named(t, scalingType, "serving-team-a-churn")
	var cfg struct {
		TargetValue float64 `json:"targetValue"`
		Predefined  struct {
			Type string `json:"predefinedMetricType"`
		} `json:"predefinedMetricSpecification"`
	}
	require.NoError(t, pol.JSON("targetTrackingScalingPolicyConfiguration", &cfg))
	assert.Equal(t, "SageMakerVariantInvocationsPerInstance", cfg.Predefined.Type)
	assert.Equal(t, float64(spec.DefaultTargetInvocationsPerInstance), cfg.TargetValue)
}

func TestServingRolesAndGroupsAreLeastPrivilege(t *testing.T) {
	m := build(t, args())
	roles := m.OfType(roleType)
	require.Len(t, roles, 2, "one serving role per team that serves")
	for _, r := range roles {
		assert.Equal(t, float64(serving.SessionSeconds), r.Num("maxSessionDuration"))
		assert.True(t, r.Has("permissionsBoundary"))
		trust, err := iamdoc.Parse(r.Str("assumeRolePolicy"))
		require.NoError(t, err)
		require.Len(t, trust.Statement, 1)
		assert.Equal(t, iamdoc.Strings{"sagemaker.amazonaws.com"}, trust.Statement[0].Principal.Service)
		assert.Equal(t, iamdoc.Strings{account}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
	}
	assert.Equal(t, "aifactory-dev-serving-team-a", m.Named(t, roleType, "serving-team-a").Str("name"))
	for _, sg := range m.OfType(sgType) {
		assert.False(t, sg.Has("ingress"), "%s admits nothing: invocations come through SageMaker", sg.Name)
		var egress []struct {
			FromPort       int      `json:"fromPort"`
			ToPort         int      `json:"toPort"`
			SecurityGroups []string `json:"securityGroups"`
			PrefixListIDs  []string `json:"prefixListIds"`
			CidrBlocks     []string `json:"cidrBlocks"`
		}
		require.NoError(t, sg.JSON("egress", &egress))
		require.Len(t, egress, 2)
		for _, e := range egress {
			assert.Equal(t, 443, e.FromPort)
			assert.Equal(t, 443, e.ToPort)
			assert.Empty(t, e.CidrBlocks)
		}
	}
	for _, lg := range m.OfType(logGroupType) {
		assert.Equal(t, logsKey, lg.Str("kmsKeyId"))
		assert.Equal(t, 30.0, lg.Num("retentionInDays"))
		assert.True(t, strings.HasPrefix(lg.Str("name"), "/aws/sagemaker/Endpoints/aifactory-dev-team-"))
	}
	assert.Len(t, m.OfType(logGroupType), 3)
}

func TestPoliciesAreAttachedToTheTeamsIdentitiesOnly(t *testing.T) {
	m := build(t, args())
	attached := map[string][]string{}
	for _, a := range m.OfType(attachType) {
		attached[a.Str("role")] = append(attached[a.Str("role")], a.Name)
	}
	for role, want := range map[string][]string{
		"team-a-analysts":             {"serving-team-a-registrants-role-team-a-analysts", "serving-team-a-invoke-role-team-a-analysts"},
		"team-a-approvers":            {"serving-team-a-approvers-role-team-a-approvers"},
		"pricing-service":             {"serving-team-a-invoke-role-pricing-service"},
		"aifactory-dev-studio-team-a": {"serving-team-a-invoke-role-aifactory-dev-studio-team-a"},
		"aifactory-dev-studio-team-c": {"serving-team-c-invoke-role-aifactory-dev-studio-team-c"},
	} {
		assert.ElementsMatch(t, want, attached[role], role)
	}
	groups := m.OfType(groupAttach)
	require.Len(t, groups, 1)
	assert.Equal(t, "team-a-viewers", groups[0].Str("group"), "groups invoke; the registry admits roles only")
	assert.True(t, strings.HasSuffix(groups[0].Name, "-invoke-group-team-a-viewers"))
}

func TestInvalidArgsNameTheFieldAndTheFix(t *testing.T) {
	tests := []struct {
		name string
		edit func(a *serving.Args)
		want string
	}{
		{"no runtime endpoint", func(a *serving.Args) { a.RuntimeEndpointID = nil }, "RuntimeEndpointID is required"},
		{"no subnets", func(a *serving.Args) { a.SubnetIDs = nil }, "Placement.SubnetIDs is required"},
		{"no keys", func(a *serving.Args) { a.WorkspaceKeyArn = nil }, "WorkspaceKeyArn"},
		{"serverless in prod", func(a *serving.Args) {
			a.Scope = scopetest.Scope("prod")
			a.RetainRegistries = true
		}, "Limits.AllowServerless: prod never serves"},
		{"another team's version", func(a *serving.Args) { a.Teams[0].Endpoints[0].ModelPackageArn = versionB }, `own registry "aifactory-dev-team-a"`},
		{"type not allowed", func(a *serving.Args) { a.Teams[0].Endpoints[0].InstanceType = "ml.p3.2xlarge" }, "Teams[0].Endpoints[0]: instanceType"},
		{"endpoint twice", func(a *serving.Args) { a.Teams[0].Endpoints[1].Name = "churn" }, `name "churn" is used twice`},
		{"no approver", func(a *serving.Args) { a.Teams[1].Approvers = nil }, "Teams[1].Approvers"},
		{"approver registers too", func(a *serving.Args) { a.Teams[0].Approvers = []string{"team-a-analysts"} }, "whoever registers a version never approves it"},
		{"consumer is a platform role", func(a *serving.Args) { a.Teams[0].Consumers = []string{"aifactory-dev-studio-team-b"} }, "one of the platform's own roles"},
		{"consumer is the deployer", func(a *serving.Args) { a.Teams[0].Consumers = []string{"aifactory-deployer"} }, "is the deployer role"},
		{"consumer is an ARN", func(a *serving.Args) { a.Teams[0].Consumers = []string{"arn:aws:iam::123456789012:role/x"} }, "not an IAM role name"},
		{"dev endpoint without expiry", func(a *serving.Args) { a.Teams[1].Endpoints[0].ExpiresAt = "" }, "expiresAt is not set"},
		{"team tag", func(a *serving.Args) { a.Teams[0].Tags = scopetest.TeamTags("team-b") }, "team tag"},
		{"no teams", func(a *serving.Args) { a.Teams = nil }, "Teams: list at least one team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				_, err := serving.New(ctx, "serving", a)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, slices.ContainsFunc(m.Resources(), func(r mocktest.Resource) bool { return strings.HasPrefix(r.Type, "aws:") }),
				"nothing is registered when args are invalid")
		})
	}
}
