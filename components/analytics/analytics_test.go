package analytics_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/components/analytics/spec"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	dataKey    = "arn:aws:kms:eu-west-1:123456789012:key/data"
	logsKey    = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	dataBucket = "aifactory-dev-data"
	logBucket  = "aifactory-dev-logs"
	jackpot    = "jackpot-analytics"
	insights   = "player-insights"
)

// Resource types the tests look at.
const (
	clusterType     = "aws:emr/cluster:Cluster"
	fleetType       = "aws:emr/instanceFleet:InstanceFleet"
	scalingType     = "aws:emr/managedScalingPolicy:ManagedScalingPolicy"
	secConfigType   = "aws:emr/securityConfiguration:SecurityConfiguration"
	studioType      = "aws:emr/studio:Studio"
	mappingType     = "aws:emr/studioSessionMapping:StudioSessionMapping"
	blockPublicType = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
	sgType          = "aws:ec2/securityGroup:SecurityGroup"
	ingressRuleType = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	egressRuleType  = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	roleType        = "aws:iam/role:Role"
	rolePolicyType  = "aws:iam/rolePolicy:RolePolicy"
	policyType      = "aws:iam/policy:Policy"
	roleAttachType  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	groupAttachType = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	profileType     = "aws:iam/instanceProfile:InstanceProfile"
)

var (
	deploymentTime = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	subnets        = []string{"subnet-a", "subnet-b"}
)

func sparkSpec() analytics.ClusterSpec {
	return analytics.ClusterSpec{
		Name:                "spark",
		ReleaseLabel:        "emr-7.2.0",
		MasterInstanceTypes: []string{"m6i.xlarge", "m5.xlarge"},
		CoreInstanceTypes:   []string{"r6i.xlarge", "r5.xlarge"},
		CoreCapacity:        2,
		TaskInstanceTypes:   []string{"m6i.xlarge", "m5.xlarge", "m5a.xlarge", "r5.xlarge"},
		TaskSpotCapacity:    4,
		MaxCapacity:         12,
		IdleTimeout:         45 * time.Minute,
		TTL:                 72 * time.Hour,
	}
}

// explorationSpec relies on the defaults and sets an absolute expiry.
func explorationSpec() analytics.ClusterSpec {
	s := sparkSpec()
	s.Name = "exploration"
	s.IdleTimeout = 0
	s.TTL = 0
	s.ExpiresAt = time.Date(2025, 6, 30, 18, 0, 0, 0, time.UTC)
	return s
}

func args() *analytics.Args {
	return &analytics.Args{
		Scope: scopetest.Dev(),
		Placement: network.Placement{
			VpcID: pulumi.String("vpc-1"), SubnetIDs: pulumi.ToStringArray(subnets),
			EndpointSecurityGroupID: pulumi.String("sg-endpoints"), S3PrefixListID: pulumi.String("pl-s3"),
		},
		DataKeyArn:     pulumi.String(dataKey),
		LogsKeyArn:     pulumi.String(logsKey),
		DataBucketName: pulumi.String(dataBucket),
		LogBucketName:  pulumi.String(logBucket),
		Teams: []analytics.Team{
			{
				Name: jackpot, Tags: scopetest.TeamTags(jackpot),
				Identities:     []analytics.Identity{{Type: analytics.IdentityRole, Name: "jackpot-analysts"}, {Type: analytics.IdentityGroup, Name: "jackpot-leads"}},
				AccessPointArn: pulumi.String("arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-jackpot-analytics"),
				Clusters:       []analytics.ClusterSpec{sparkSpec()},
			},
			{
				Name: insights, Tags: scopetest.TeamTags(insights),
				Identities: []analytics.Identity{{Type: analytics.IdentityGroup, Name: "insights"}},
				Clusters:   []analytics.ClusterSpec{explorationSpec()},
			},
		},
		MaxIdleTimeout:       time.Hour,
		AllowedInstanceTypes: []string{"m5.xlarge", "m5a.xlarge", "m6i.xlarge", "r5.xlarge", "r6i.xlarge"},
		MaxCapacityUnits:     20,
		Now:                  deploymentTime,
	}
}

func run(t *testing.T, a *analytics.Args) (*mocktest.Mocks, error) {
	t.Helper()
	return mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := analytics.New(ctx, "analytics", a)
		return err
	})
}

func build(t *testing.T, a *analytics.Args) *mocktest.Mocks {
	t.Helper()
	m, err := run(t, a)
	require.NoError(t, err)
	return m
}

// path walks a decoded JSON value by object keys.
func path(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		require.True(t, ok, "%s: not an object in %v", k, v)
		v, ok = obj[k]
		require.True(t, ok, "%s: missing", k)
	}
	return v
}

func TestSecurityConfigurationEncryptsS3AndLocalDisksIncludingEBSWithTheDataKey(t *testing.T) {
	m := build(t, args())
	configs := m.OfType(secConfigType)
	require.Len(t, configs, 1)
	sc := configs[0]
	assert.False(t, sc.Has("tags"), "EMR security configurations carry no tags")

	var doc any
	require.NoError(t, json.Unmarshal([]byte(sc.Str("configuration")), &doc))
	enc := path(t, doc, "EncryptionConfiguration")
	assert.Equal(t, true, path(t, enc, "EnableAtRestEncryption"))
	s3 := path(t, enc, "AtRestEncryptionConfiguration", "S3EncryptionConfiguration")
	assert.Equal(t, "SSE-KMS", path(t, s3, "EncryptionMode"))
	assert.Equal(t, dataKey, path(t, s3, "AwsKmsKey"))
	disk := path(t, enc, "AtRestEncryptionConfiguration", "LocalDiskEncryptionConfiguration")
	assert.Equal(t, "AwsKms", path(t, disk, "EncryptionKeyProviderType"))
	assert.Equal(t, dataKey, path(t, disk, "AwsKmsKey"))
	assert.Equal(t, true, path(t, disk, "EnableEbsEncryption"))
	assert.Equal(t, 2.0, path(t, doc, "InstanceMetadataServiceConfiguration", "MinimumInstanceMetadataServiceVersion"), "nodes require IMDSv2")
	// Without certificates there is no in-transit mode to turn on.
	assert.Equal(t, false, path(t, enc, "EnableInTransitEncryption"))
	assert.True(t, strings.HasPrefix(sc.Str("namePrefix"), "aifactory-dev-emr-"))
}

func TestEveryClusterIsPrivateEncryptedLoggedAndAttachedToTheSecurityConfiguration(t *testing.T) {
	m := build(t, args())
	secConfigName := m.OfType(secConfigType)[0].Name // the mocks name it after the resource
	clusters := m.OfType(clusterType)
	require.Len(t, clusters, 2)
	teamOf := map[string]string{"analytics-jackpot-analytics-spark": jackpot, "analytics-player-insights-exploration": insights}
	for _, c := range clusters {
		team := teamOf[c.Name]
		require.NotEmpty(t, team, c.Name)
		assert.Equal(t, secConfigName, c.Str("securityConfiguration"), c.Name)
		assert.Equal(t, "s3://"+logBucket+"/emr/"+team+"/", c.Str("logUri"), c.Name)
		assert.Equal(t, logsKey, c.Str("logEncryptionKmsKeyId"), c.Name)
		assert.Equal(t, "aifactory-dev-"+team+"-"+strings.TrimPrefix(c.Name, "analytics-"+team+"-"), c.Str("name"))

		var ec2 struct {
			SubnetIDs                     []string `json:"subnetIds"`
			SubnetID                      string   `json:"subnetId"`
			KeyName                       string   `json:"keyName"`
			InstanceProfile               string   `json:"instanceProfile"`
			EmrManagedMasterSecurityGroup string   `json:"emrManagedMasterSecurityGroup"`
			EmrManagedSlaveSecurityGroup  string   `json:"emrManagedSlaveSecurityGroup"`
			ServiceAccessSecurityGroup    string   `json:"serviceAccessSecurityGroup"`
		}
		require.NoError(t, c.JSON("ec2Attributes", &ec2))
		assert.Equal(t, subnets, ec2.SubnetIDs, "only the private subnets")
		assert.Empty(t, ec2.KeyName, "no SSH key pair")
		assert.Equal(t, "analytics-"+team+"-primary-id", ec2.EmrManagedMasterSecurityGroup)
		assert.Equal(t, "analytics-"+team+"-core-id", ec2.EmrManagedSlaveSecurityGroup)
		// EMR accepts a service access group only in private subnets.
		assert.Equal(t, "analytics-"+team+"-service-access-id", ec2.ServiceAccessSecurityGroup)
		assert.Equal(t, "analytics-"+team+"-nodes", arnOf(t, "instanceprofile", ec2.InstanceProfile), "the team's own instance profile")
		assert.Equal(t, "analytics-cluster-service", arnOf(t, "role", c.Str("serviceRole")))
		assert.False(t, c.Bool("terminationProtection"))
	}
}

func TestTaskCapacityRunsOnSpotWithCapacityOptimisedFallbackToOnDemand(t *testing.T) {
	m := build(t, args())
	fleets := m.OfType(fleetType)
	require.Len(t, fleets, 2)
	for _, f := range fleets {
		assert.Equal(t, 0.0, f.Num("targetOnDemandCapacity"), "%s: task capacity is never on-demand by design", f.Name)
		assert.Equal(t, 4.0, f.Num("targetSpotCapacity"), f.Name)
		var launch struct {
			Spot []struct {
				AllocationStrategy     string `json:"allocationStrategy"`
				TimeoutAction          string `json:"timeoutAction"`
				TimeoutDurationMinutes int    `json:"timeoutDurationMinutes"`
			} `json:"spotSpecifications"`
		}
		require.NoError(t, f.JSON("launchSpecifications", &launch))
		require.Len(t, launch.Spot, 1)
		assert.Equal(t, "capacity-optimized", launch.Spot[0].AllocationStrategy)
		assert.Equal(t, "SWITCH_TO_ON_DEMAND", launch.Spot[0].TimeoutAction)
		assert.Equal(t, 10, launch.Spot[0].TimeoutDurationMinutes)
		var types []struct {
			InstanceType string `json:"instanceType"`
		}
		require.NoError(t, f.JSON("instanceTypeConfigs", &types))
		assert.GreaterOrEqual(t, len(types), spec.MinTaskInstanceTypes, "Spot needs several pools")
		assert.Contains(t, f.Str("clusterId"), "-id")
	}

	c := m.Named(t, clusterType, "analytics-jackpot-analytics-spark")
	var core, primary struct {
		OnDemand int `json:"targetOnDemandCapacity"`
		Spot     int `json:"targetSpotCapacity"`
	}
	require.NoError(t, c.JSON("coreInstanceFleet", &core))
	require.NoError(t, c.JSON("masterInstanceFleet", &primary))
	assert.Equal(t, 2, core.OnDemand, "core nodes hold HDFS and stay on-demand")
	assert.Zero(t, core.Spot)
	assert.Equal(t, 1, primary.OnDemand)
	assert.Zero(t, primary.Spot)
}

func TestManagedScalingAddsOnlySpotCapacityBeyondTheCore(t *testing.T) {
	m := build(t, args())
	p := m.Named(t, scalingType, "analytics-jackpot-analytics-spark-scaling")
	var limits []struct {
		UnitType    string `json:"unitType"`
		Min         int    `json:"minimumCapacityUnits"`
		Max         int    `json:"maximumCapacityUnits"`
		MaxCore     int    `json:"maximumCoreCapacityUnits"`
		MaxOnDemand int    `json:"maximumOndemandCapacityUnits"`
	}
	require.NoError(t, p.JSON("computeLimits", &limits))
	require.Len(t, limits, 1)
	assert.Equal(t, "InstanceFleetUnits", limits[0].UnitType)
	assert.Equal(t, 2, limits[0].Min)
	assert.Equal(t, 12, limits[0].Max)
	assert.Equal(t, 2, limits[0].MaxCore)
	assert.Equal(t, 2, limits[0].MaxOnDemand, "scaling beyond the core is Spot")
}

func TestIdleTimeoutIsAlwaysSetAndWithinTheEnvironmentBound(t *testing.T) {
	a := args()
	m := build(t, a)
	want := map[string]float64{
		"analytics-jackpot-analytics-spark":     45 * 60,
		"analytics-player-insights-exploration": 60 * 60, // unset: the environment's bound
	}
	for name, seconds := range want {
		c := m.Named(t, clusterType, name)
		var policy struct {
			IdleTimeout float64 `json:"idleTimeout"`
		}
		require.NoError(t, c.JSON("autoTerminationPolicy", &policy))
		assert.Equal(t, seconds, policy.IdleTimeout, name)
		assert.LessOrEqual(t, policy.IdleTimeout, a.MaxIdleTimeout.Seconds(), name)
		assert.True(t, c.Bool("keepJobFlowAliveWhenNoSteps"), "interactive clusters end by the idle timeout")
	}
}

func TestClustersCarryTheTeamTagsAndADeterministicExpiry(t *testing.T) {
	first := build(t, args())
	second := build(t, args())
	tests := []struct {
		cluster, team, expiresAt string
	}{
		{"analytics-jackpot-analytics-spark", jackpot, "2025-06-05T09:00:00Z"}, // deployment time + 72h TTL
		{"analytics-player-insights-exploration", insights, "2025-06-30T18:00:00Z"},
	}
	for _, tt := range tests {
		tags := first.Named(t, clusterType, tt.cluster).Tags()
		assert.Equal(t, tt.expiresAt, tags[tagkeys.ExpiresAt], tt.cluster)
		assert.Equal(t, tt.team, tags[tagkeys.Team])
		assert.Equal(t, tt.team+"@aifactory.example", tags[tagkeys.Owner])
		assert.Equal(t, tags, second.Named(t, clusterType, tt.cluster).Tags(), "previews of the same inputs are identical")
	}
}

func TestSecurityGroupsAdmitNoWorldTrafficAndCarryTheEMRPolicyTag(t *testing.T) {
	m := build(t, args())
	groups := m.OfType(sgType)
	require.Len(t, groups, 2*2+3*2, "per team a Studio workspace and engine group, and three EMR-managed groups")
	for _, sg := range groups {
		assert.Equal(t, "true", sg.Tags()[analytics.ManagedPolicyTag], sg.Name)
		assert.Equal(t, "vpc-1", sg.Str("vpcId"))
		assert.False(t, sg.Has("ingress"), "%s: no inline ingress", sg.Name)
		assert.False(t, sg.Has("egress"), "%s: no inline egress", sg.Name)
		managed := !strings.HasSuffix(sg.Name, "-workspace") && !strings.HasSuffix(sg.Name, "-engine")
		assert.Equal(t, managed, sg.Bool("revokeRulesOnDelete"), sg.Name)
		team := jackpot
		if strings.HasPrefix(sg.Name, "analytics-"+insights) {
			team = insights
		}
		assert.Equal(t, team, sg.Tags()[tagkeys.Team], "%s belongs to one team", sg.Name)
	}

	type rule struct {
		Group      string `json:"securityGroupId"`
		Protocol   string `json:"ipProtocol"`
		From       int    `json:"fromPort"`
		To         int    `json:"toPort"`
		Referenced string `json:"referencedSecurityGroupId"`
		PrefixList string `json:"prefixListId"`
		CidrIpv4   string `json:"cidrIpv4"`
		CidrIpv6   string `json:"cidrIpv6"`
	}
	read := func(typ string) []rule {
		var out []rule
		for _, r := range m.OfType(typ) {
			var x rule
			require.NoError(t, r.JSON("", &x))
			assert.Empty(t, x.CidrIpv4, "%s: rules name groups or prefix lists, never address ranges", r.Name)
			assert.Empty(t, x.CidrIpv6, r.Name)
			out = append(out, x)
		}
		return out
	}
	var wantIngress, wantEgress []rule
	for _, team := range []string{jackpot, insights} {
		ws, engine := "analytics-"+team+"-workspace-id", "analytics-"+team+"-engine-id"
		wantIngress = append(wantIngress, rule{Group: engine, Protocol: "tcp", From: 18888, To: 18888, Referenced: ws})
		wantEgress = append(wantEgress,
			rule{Group: ws, Protocol: "tcp", From: 18888, To: 18888, Referenced: engine},
			rule{Group: ws, Protocol: "tcp", From: 443, To: 443, Referenced: "sg-endpoints"},
			rule{Group: ws, Protocol: "tcp", From: 443, To: 443, PrefixList: "pl-s3"},
		)
	}
	assert.ElementsMatch(t, wantIngress, read(ingressRuleType),
		"each team's engine accepts only the notebook port, only from the team's own workspaces")
	assert.ElementsMatch(t, wantEgress, read(egressRuleType), "each team's workspaces reach only the team's engine and AWS's endpoints")
}

func TestBlockPublicAccessPermitsNoPublicPorts(t *testing.T) {
	m := build(t, args())
	bpa := m.OfType(blockPublicType)
	require.Len(t, bpa, 1)
	assert.True(t, bpa[0].Bool("blockPublicSecurityGroupRules"))
	assert.False(t, bpa[0].Has("permittedPublicSecurityGroupRuleRanges"), "not even port 22")
}

func TestEveryTeamHasAPrivateEncryptedStudioStoringWorkspacesUnderItsPrefix(t *testing.T) {
	m := build(t, args())
	studios := m.OfType(studioType)
	require.Len(t, studios, 2, "one Studio per team")
	for _, team := range []string{jackpot, insights} {
		s := m.Named(t, studioType, "analytics-"+team)
		assert.Equal(t, "IAM", s.Str("authMode"))
		assert.Equal(t, dataKey, s.Str("encryptionKeyArn"))
		assert.Equal(t, "s3://"+dataBucket+"/emr-studio/"+team+"/", s.Str("defaultS3Location"))
		assert.Equal(t, "vpc-1", s.Str("vpcId"))
		assert.Equal(t, "analytics-"+team+"-workspace-id", s.Str("workspaceSecurityGroupId"))
		assert.Equal(t, "analytics-"+team+"-engine-id", s.Str("engineSecurityGroupId"))
		assert.Equal(t, "analytics-"+team+"-studio-service", arnOf(t, "role", s.Str("serviceRole")))
		assert.Equal(t, "aifactory-dev-emr-studio-"+team, m.Named(t, roleType, "analytics-"+team+"-studio-service").Str("name"))
		assert.False(t, s.Has("userRole"), "EMR accepts a user role only with IAM Identity Center")
		assert.Equal(t, team, s.Tags()[tagkeys.Team])

		storage := statement(t, policyOf(t, m, rolePolicyType, "analytics-"+team+"-studio-service"), "WorkspaceStorage")
		assert.Equal(t, iamdoc.Strings{"arn:aws:s3:::" + dataBucket + "/emr-studio/" + team + "/*"}, storage.Resource,
			"a team's Studio service role saves only the team's workspaces")
	}
	assert.Empty(t, m.OfType(mappingType), "session mappings exist only with IAM Identity Center")
}

func TestIAMModeAttachesEachTeamPolicyToTheTeamIdentities(t *testing.T) {
	m := build(t, args())
	policies := m.OfType(policyType)
	require.Len(t, policies, 2+1, "a Studio policy per team and the permissions boundary")
	teamPolicy := "analytics-jackpot-analytics-studio"

	role := m.Named(t, roleAttachType, "analytics-jackpot-analytics-role-jackpot-analysts")
	assert.Equal(t, "jackpot-analysts", role.Str("role"))
	assert.Equal(t, teamPolicy, arnOf(t, "policy", role.Str("policyArn")))
	group := m.Named(t, groupAttachType, "analytics-jackpot-analytics-group-jackpot-leads")
	assert.Equal(t, "jackpot-leads", group.Str("group"))
	assert.Equal(t, teamPolicy, arnOf(t, "policy", group.Str("policyArn")))
	assert.Len(t, m.OfType(groupAttachType), 2)

	p := m.Named(t, policyType, "analytics-jackpot-analytics-studio")
	assert.Equal(t, jackpot, p.Tags()[tagkeys.Team])
	doc, err := iamdoc.Parse(p.Str("policy"))
	require.NoError(t, err)
	open := statement(t, doc, "OpenTheStudio")
	assert.Equal(t, iamdoc.Strings{"elasticmapreduce:CreateStudioPresignedUrl", "elasticmapreduce:DescribeStudio"}, open.Action)
	require.Len(t, open.Resource, 1)
	assert.Equal(t, "analytics-jackpot-analytics", arnOf(t, "studio", open.Resource[0]), "the team's own Studio only")
}

func TestSSOModeMapsTeamIdentitiesWithSessionPoliciesUnderAUserRole(t *testing.T) {
	a := args()
	a.AuthMode = analytics.AuthSSO
	a.PermissionsBoundaryArn = pulumi.String("arn:aws:iam::123456789012:policy/boundary")
	a.Teams[0].Identities = []analytics.Identity{{Type: analytics.IdentityGroup, Name: "Jackpot Analysts"}, {Type: analytics.IdentityUser, Name: "ana@aifactory.example"}}
	m := build(t, a)

	userRole := m.Named(t, roleType, "analytics-studio-user")
	assert.Equal(t, 3600.0, userRole.Num("maxSessionDuration"))
	assert.Equal(t, "arn:aws:iam::123456789012:policy/boundary", userRole.Str("permissionsBoundary"))
	for _, studio := range m.OfType(studioType) {
		assert.Equal(t, "SSO", studio.Str("authMode"))
		assert.Equal(t, "analytics-studio-user", arnOf(t, "role", studio.Str("userRole")))
	}

	mappings := m.OfType(mappingType)
	require.Len(t, mappings, 3)
	got := map[string]string{}
	for _, mp := range mappings {
		policy := arnOf(t, "policy", mp.Str("sessionPolicyArn"))
		assert.Equal(t, strings.TrimSuffix(policy, "-studio")+"-id", mp.Str("studioId"), "a team's identities are mapped to the team's own Studio")
		got[mp.Str("identityType")+" "+mp.Str("identityName")] = policy
	}
	assert.Equal(t, map[string]string{
		"GROUP Jackpot Analysts":     "analytics-jackpot-analytics-studio",
		"USER ana@aifactory.example": "analytics-jackpot-analytics-studio",
		"GROUP insights":             "analytics-player-insights-studio",
	}, got)
	attachments := m.OfType(roleAttachType)
	require.Len(t, attachments, 1, "in SSO mode only the cluster service role gets an attached policy")
	assert.Equal(t, "analytics-cluster-service", attachments[0].Name)
	assert.Empty(t, m.OfType(groupAttachType))

	// The user role is the ceiling: every team's prefix, clusters of any team.
	ceiling := policyOf(t, m, rolePolicyType, "analytics-studio-user")
	assert.Equal(t, iamdoc.Strings{"arn:aws:s3:::" + dataBucket + "/teams/*"}, statement(t, ceiling, "TeamObjects").Resource)
	assert.Equal(t, iamdoc.Strings{"false"}, statement(t, ceiling, "UseTeamClusters").Condition["Null"]["elasticmapreduce:ResourceTag/team"])
	session := policyOf(t, m, policyType, "analytics-jackpot-analytics-studio")
	for _, st := range session.Statement {
		assert.NotEqual(t, "OpenTheStudio", st.Sid, "Identity Center users do not open the Studio with IAM")
	}
}

func TestTeamPoliciesReachOnlyTheTeamsDataLogsAndClusters(t *testing.T) {
	m := build(t, args())
	docs := map[string]iamdoc.Document{
		"studio": policyOf(t, m, policyType, "analytics-jackpot-analytics-studio"),
		"nodes":  policyOf(t, m, rolePolicyType, "analytics-jackpot-analytics-nodes"),
	}
	accessPoint := "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-jackpot-analytics"
	for which, doc := range docs {
		var s3Resources int
		for _, st := range doc.Statement {
			if st.Condition["StringEquals"]["elasticmapreduce:ResourceTag/team"] != nil {
				assert.Equal(t, iamdoc.Strings{jackpot}, st.Condition["StringEquals"]["elasticmapreduce:ResourceTag/team"], "%s %s", which, st.Sid)
			}
			if prefixes := st.Condition["StringLike"]["s3:prefix"]; prefixes != nil {
				for _, p := range prefixes {
					assert.True(t, strings.HasPrefix(p, "teams/jackpot-analytics/") || strings.HasPrefix(p, "emr/jackpot-analytics/"),
						"%s %s lists %q", which, st.Sid, p)
				}
			}
			for _, r := range st.Resource {
				object := strings.HasPrefix(r, "arn:aws:s3:::") && strings.Contains(r, "/")
				if object || strings.HasPrefix(r, accessPoint+"/") {
					s3Resources++
					assert.True(t, strings.Contains(r, "/teams/jackpot-analytics/") || strings.Contains(r, "/emr/jackpot-analytics/"),
						"%s %s reaches %q", which, st.Sid, r)
				}
			}
		}
		assert.Greater(t, s3Resources, 0, which)
		assert.Equal(t, iamdoc.Strings{accessPoint + "/object/teams/jackpot-analytics/*"}, statement(t, doc, "TeamObjectsThroughAccessPoint").Resource, which)
		clusters := map[string]string{"studio": "UseTeamClusters", "nodes": "ReadOwnTeamClusters"}[which]
		assert.Equal(t, iamdoc.Strings{jackpot}, statement(t, doc, clusters).Condition["StringEquals"]["elasticmapreduce:ResourceTag/team"], which)
	}
	// A team without an access point gets none in its policies.
	for _, st := range policyOf(t, m, rolePolicyType, "analytics-player-insights-nodes").Statement {
		assert.NotContains(t, st.Sid, "AccessPoint")
	}
}

func TestClusterServiceRolePassesOnlyTheTeamsInstanceRoles(t *testing.T) {
	m := build(t, args())
	managed := m.Named(t, roleAttachType, "analytics-cluster-service")
	assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2", managed.Str("policyArn"))
	doc := policyOf(t, m, rolePolicyType, "analytics-cluster-service")
	pass := statement(t, doc, "PassTeamInstanceRolesToEC2")
	var passed []string
	for _, arn := range pass.Resource {
		passed = append(passed, arnOf(t, "role", arn))
	}
	assert.ElementsMatch(t, []string{"analytics-jackpot-analytics-nodes", "analytics-player-insights-nodes"}, passed)
	assert.Equal(t, iamdoc.Strings{"ec2.amazonaws.com"}, pass.Condition["StringEquals"]["iam:PassedToService"])
	grant := statement(t, doc, "GrantsForEncryptedVolumes")
	assert.Equal(t, iamdoc.Strings{"true"}, grant.Condition["Bool"]["kms:GrantIsForAWSResource"])

	for _, name := range []string{"analytics-cluster-service", "analytics-jackpot-analytics-studio-service", "analytics-player-insights-studio-service"} {
		trust, err := iamdoc.Parse(m.Named(t, roleType, name).Str("assumeRolePolicy"))
		require.NoError(t, err)
		require.Len(t, trust.Statement, 1)
		assert.Equal(t, iamdoc.Strings{"elasticmapreduce.amazonaws.com"}, trust.Statement[0].Principal.Service, name)
		assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"], name)
	}
}

func TestNoPolicyDocumentGrantsAdminOrAServiceWildcard(t *testing.T) {
	a := args()
	a.AuthMode = analytics.AuthSSO
	a.Teams[0].Identities = []analytics.Identity{{Type: analytics.IdentityGroup, Name: "jackpot"}}
	for _, mode := range []*analytics.Args{args(), a} {
		m := build(t, mode)
		var docs int
		check := func(name, policy string) {
			doc, err := iamdoc.Parse(policy)
			require.NoError(t, err, name)
			docs++
			// Deny statements may name a whole service or use NotResource:
			// a deny only narrows.
			for _, st := range doc.Statement {
				if st.Effect != iamdoc.Allow {
					continue
				}
				assert.Empty(t, st.NotAction, "%s %s", name, st.Sid)
				assert.Empty(t, st.NotResource, "%s %s", name, st.Sid)
				for _, action := range st.Action {
					assert.NotEqual(t, "*", action, "%s %s", name, st.Sid)
					assert.False(t, strings.HasSuffix(action, ":*"), "%s %s: service wildcard %q", name, st.Sid, action)
				}
				if st.Principal != nil {
					assert.False(t, st.Principal.Any, "%s: trust names a specific principal", name)
				}
			}
		}
		for _, r := range m.OfType(roleType) {
			check(r.Name, r.Str("assumeRolePolicy"))
		}
		for _, typ := range []string{rolePolicyType, policyType} {
			for _, r := range m.OfType(typ) {
				check(r.Name, r.Str("policy"))
			}
		}
		assert.GreaterOrEqual(t, docs, 10)
	}
}

func TestEveryChildIsParentedToTheComponent(t *testing.T) {
	m := build(t, args())
	for _, r := range m.Resources() {
		if r.Type == analytics.Type {
			continue
		}
		assert.True(t, strings.Contains(r.Parent, analytics.Type), "%s %s has parent %q", r.Type, r.Name, r.Parent)
	}
	for _, typ := range []string{clusterType, fleetType, scalingType} {
		for _, r := range m.OfType(typ) {
			assert.Contains(t, r.Parent, analytics.ClusterType, "%s belongs to its ephemeral cluster", r.Name)
		}
	}
}

func TestTeamResourcesCarryTheTeamsTags(t *testing.T) {
	m := build(t, args())
	for _, r := range m.Resources() {
		team := ""
		for _, name := range []string{jackpot, insights} {
			if strings.HasPrefix(r.Name, "analytics-"+name+"-") {
				team = name
			}
		}
		if team == "" || !r.Has("tags") {
			continue
		}
		tags := tagging.Set(r.Tags())
		assert.Empty(t, tags.Missing(), "%s %s", r.Type, r.Name)
		assert.Equal(t, team, tags[tagkeys.Team], "%s %s", r.Type, r.Name)
	}
}

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	spec := func(edit func(*analytics.ClusterSpec)) func(*analytics.Args) {
		return func(a *analytics.Args) { edit(&a.Teams[0].Clusters[0]) }
	}
	tests := []struct {
		name string
		edit func(*analytics.Args)
		want string
	}{
		{"idle timeout above the bound", spec(func(s *analytics.ClusterSpec) { s.IdleTimeout = 2 * time.Hour }), "exceeds the environment's MaxIdleTimeout"},
		{"idle timeout below EMR's minimum", spec(func(s *analytics.ClusterSpec) { s.IdleTimeout = 30 * time.Second }), "IdleTimeout"},
		{"no expiry", spec(func(s *analytics.ClusterSpec) { s.TTL = 0 }), "TTL or ExpiresAt"},
		{"two expiries", spec(func(s *analytics.ClusterSpec) { s.ExpiresAt = deploymentTime.Add(time.Hour) }), "set one, not both"},
		{"expired", func(a *analytics.Args) { a.Teams[1].Clusters[0].ExpiresAt = deploymentTime.Add(-time.Hour) }, "not after the reference time"},
		{"TTL without a reference time", func(a *analytics.Args) { a.Now = time.Time{} }, "needs a reference time"},
		{"too few Spot pools", spec(func(s *analytics.ClusterSpec) { s.TaskInstanceTypes = s.TaskInstanceTypes[:2] }), "TaskInstanceTypes"},
		{"instance type not allowed", spec(func(s *analytics.ClusterSpec) { s.CoreInstanceTypes = []string{"p4d.24xlarge"} }), "not in the environment's AllowedInstanceTypes"},
		{"duplicate instance type", spec(func(s *analytics.ClusterSpec) { s.MasterInstanceTypes = []string{"m5.xlarge", "m5.xlarge"} }), "listed twice"},
		{"no Spot capacity", spec(func(s *analytics.ClusterSpec) { s.TaskSpotCapacity = 0 }), "TaskSpotCapacity"},
		{"no core", spec(func(s *analytics.ClusterSpec) { s.CoreCapacity = 0 }), "CoreCapacity"},
		{"scaling below the initial size", spec(func(s *analytics.ClusterSpec) { s.MaxCapacity = 5 }), "MaxCapacity 5"},
		{"scaling above the environment", spec(func(s *analytics.ClusterSpec) { s.MaxCapacity = 21 }), "exceeds the environment's limit"},
		{"old release", spec(func(s *analytics.ClusterSpec) { s.ReleaseLabel = "emr-6.3.1" }), "ReleaseLabel"},
		{"malformed release", spec(func(s *analytics.ClusterSpec) { s.ReleaseLabel = "7.2.0" }), "ReleaseLabel"},
		{"Spot timeout out of range", spec(func(s *analytics.ClusterSpec) { s.SpotTimeout = 2 * time.Minute }), "SpotTimeout"},
		{"volume too small", spec(func(s *analytics.ClusterSpec) { s.VolumeSizeGiB = 8 }), "VolumeSizeGiB"},
		{"bad cluster name", spec(func(s *analytics.ClusterSpec) { s.Name = "Spark_1" }), "Name"},
		{"duplicate cluster", func(a *analytics.Args) { a.Teams[0].Clusters = append(a.Teams[0].Clusters, sparkSpec()) }, "defined twice"},
		{"no bound on idle time", func(a *analytics.Args) { a.MaxIdleTimeout = 0 }, "MaxIdleTimeout"},
		{"bound above EMR's maximum", func(a *analytics.Args) { a.MaxIdleTimeout = 8 * 24 * time.Hour }, "MaxIdleTimeout"},
		{"no allowed instance types", func(a *analytics.Args) { a.AllowedInstanceTypes = nil }, "AllowedInstanceTypes"},
		{"no capacity bound", func(a *analytics.Args) { a.MaxCapacityUnits = 0 }, "MaxCapacityUnits"},
		{"unencrypted", func(a *analytics.Args) { a.DataKeyArn = nil }, "DataKeyArn"},
		{"unencrypted logs", func(a *analytics.Args) { a.LogsKeyArn = nil }, "LogsKeyArn"},
		{"no subnets", func(a *analytics.Args) { a.SubnetIDs = nil }, "SubnetIDs"},
		{"no endpoint group", func(a *analytics.Args) { a.EndpointSecurityGroupID = nil }, "EndpointSecurityGroupID"},
		{"no teams", func(a *analytics.Args) { a.Teams = nil }, "Teams"},
		{"duplicate team", func(a *analytics.Args) { a.Teams[1].Name = jackpot; a.Teams[1].Tags = scopetest.TeamTags(jackpot) }, "listed twice"},
		{"team tag of another team", func(a *analytics.Args) { a.Teams[0].Tags = scopetest.TeamTags(insights) }, "must be the team's name"},
		{"missing owner tag", func(a *analytics.Args) { delete(a.Teams[0].Tags, tagkeys.Owner) }, "owner"},
		{"IAM user in IAM mode", func(a *analytics.Args) {
			a.Teams[0].Identities = []analytics.Identity{{Type: analytics.IdentityUser, Name: "ana"}}
		}, "in IAM mode use one of"},
		{"IAM role in SSO mode", func(a *analytics.Args) { a.AuthMode = analytics.AuthSSO }, "in SSO mode use one of"},
		{"unknown auth mode", func(a *analytics.Args) { a.AuthMode = "SAML" }, "AuthMode"},
		{"unnamed identity", func(a *analytics.Args) {
			a.Teams[0].Identities = []analytics.Identity{{Type: analytics.IdentityGroup, Name: " "}}
		}, "has no name"},
		{"certificates outside S3", func(a *analytics.Args) { a.TLSCertificatesS3Object = "https://example.com/certs.zip" }, "TLSCertificatesS3Object"},
		{"certificates in another bucket", func(a *analytics.Args) { a.TLSCertificatesS3Object = "s3://somebody-elses-bucket/certs.zip" }, "platform's buckets"},
		{"certificates that are not a zip", func(a *analytics.Args) {
			a.TLSCertificatesS3Object = "s3://aifactory-dev-data-123456789012/pki/cert.pem"
		}, "TLSCertificatesS3Object"},
		{"no certificates in staging", func(a *analytics.Args) {
			a.Scope = scopetest.Scope("staging")
			for i := range a.Teams {
				a.Teams[i].Tags[tagkeys.Environment] = "staging"
			}
		}, "is required in staging"},
		{"an identity in two teams", func(a *analytics.Args) {
			a.Teams[1].Identities = append(a.Teams[1].Identities, analytics.Identity{Type: analytics.IdentityRole, Name: "jackpot-analysts"})
		}, "one identity belongs to one team"},
		{"team name too long for its roles", func(a *analytics.Args) {
			a.Prefix = "aifactory-staging-abcdefghijklmnopqrst"
		}, "exceeds IAM"},
		{"bad prefix", func(a *analytics.Args) { a.Prefix = "AI Factory" }, "Prefix"},
		{"bad account", func(a *analytics.Args) { a.AccountID = "123" }, "AccountID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := run(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestInTransitEncryptionTurnsOnWithCertificates(t *testing.T) {
	a := args()
	a.TLSCertificatesS3Object = "s3://aifactory-dev-pki/emr/certs.zip"
	defer func() {
		nodes := policyOf(t, build(t, a), rolePolicyType, "analytics-jackpot-analytics-nodes")
		assert.Equal(t, iamdoc.Strings{"arn:aws:s3:::aifactory-dev-pki/emr/certs.zip"}, statement(t, nodes, "ReadInTransitCertificates").Resource,
			"the nodes read the certificates, and only them, at start-up")
	}()
	m := build(t, a)
	doc, err := analytics.ParseSecurityConfiguration(m.OfType(secConfigType)[0].Str("configuration"))
	require.NoError(t, err)
	assert.True(t, doc.EncryptionConfiguration.EnableInTransitEncryption)
	require.NotNil(t, doc.EncryptionConfiguration.InTransitEncryptionConfiguration)
	assert.Equal(t, analytics.TLSCertificateConfiguration{CertificateProviderType: "PEM", S3Object: "s3://aifactory-dev-pki/emr/certs.zip"},
		doc.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration)
	assert.True(t, doc.EncryptionConfiguration.EnableAtRestEncryption)
}

// arnOf returns the name of the resource an ARN refers to, checking that
// it is an ARN of the expected kind (matched case-insensitively, whatever
// layout the mocks give ARNs).
func arnOf(t *testing.T, kind, arn string) string {
	t.Helper()
	i := strings.LastIndex(arn, "/")
	if !assert.True(t, strings.HasPrefix(arn, "arn:") && i > 0, "%q is not an ARN", arn) {
		return ""
	}
	assert.Contains(t, strings.ToLower(arn[:i]), kind, "%q is not a %s ARN", arn, kind)
	return arn[i+1:]
}

func policyOf(t *testing.T, m *mocktest.Mocks, typ, name string) iamdoc.Document {
	t.Helper()
	doc, err := iamdoc.Parse(m.Named(t, typ, name).Str("policy"))
	require.NoError(t, err)
	return doc
}

func statement(t *testing.T, doc iamdoc.Document, sid string) iamdoc.Statement {
	t.Helper()
	for _, st := range doc.Statement {
		if st.Sid == sid {
			return st
		}
	}
	t.Fatalf("no statement %q", sid)
	return iamdoc.Statement{}
}

// TestStudioPoliciesAsAWSWouldDecide evaluates a team's Studio policy for
// the calls a member makes in EMR Studio, with an identity policy that
// allows all of EMR beside it: the team's Deny statements must hold.
func TestStudioPoliciesAsAWSWouldDecide(t *testing.T) {
	m := build(t, args())
	doc := policyOf(t, m, policyType, "analytics-jackpot-analytics-studio")
	everything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"elasticmapreduce:*"}, Resource: iamdoc.Strings{"*"}})
	person := "arn:aws:iam::123456789012:role/jackpot-analysts"
	editor := "arn:aws:elasticmapreduce:eu-west-1:123456789012:editor/e-ABC"
	cluster := "arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-ABC"
	taggedOwn := iameval.Keys("elasticmapreduce:ResourceTag/team", jackpot)
	taggedOther := iameval.Keys("elasticmapreduce:ResourceTag/team", insights)
	tests := []struct {
		name, action, resource string
		ctx                    iameval.Context
		want                   iameval.Decision
		alsoWhenBroad          iameval.Decision
	}{
		{"create a workspace tagged with the team", "elasticmapreduce:CreateEditor", "*", iameval.Keys("elasticmapreduce:RequestTag/team", jackpot), iameval.Allow, iameval.Allow},
		{"create a workspace without the team tag", "elasticmapreduce:CreateEditor", "*", nil, iameval.ImplicitDeny, iameval.Allow},
		{"create a workspace tagged for another team", "elasticmapreduce:CreateEditor", "*", iameval.Keys("elasticmapreduce:RequestTag/team", insights), iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"create a workspace on another team's cluster", "elasticmapreduce:CreateEditor", cluster, taggedOther.With("elasticmapreduce:RequestTag/team", jackpot), iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"open an own workspace", "elasticmapreduce:OpenEditorInConsole", editor, taggedOwn, iameval.Allow, iameval.Allow},
		{"open another team's workspace", "elasticmapreduce:OpenEditorInConsole", editor, taggedOther, iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"delete another team's workspace", "elasticmapreduce:DeleteEditor", editor, taggedOther, iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"start an untagged workspace", "elasticmapreduce:StartEditor", editor, nil, iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"attach to an own cluster", "elasticmapreduce:AttachEditor", cluster, taggedOwn, iameval.Allow, iameval.Allow},
		{"attach to another team's cluster", "elasticmapreduce:AttachEditor", cluster, taggedOther, iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"open a persistent UI of an own cluster", "elasticmapreduce:GetPersistentAppUIPresignedURL", cluster, taggedOwn, iameval.Allow, iameval.Allow},
		{"open a persistent UI of another team's cluster", "elasticmapreduce:GetPersistentAppUIPresignedURL", cluster, taggedOther, iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"remove a workspace's team tag", "elasticmapreduce:RemoveTags", editor, taggedOwn.With("aws:TagKeys", "team"), iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"retag a workspace for another team", "elasticmapreduce:AddTags", editor, taggedOwn.With("elasticmapreduce:RequestTag/team", insights), iameval.ExplicitDeny, iameval.ExplicitDeny},
		{"open the own Studio", "elasticmapreduce:CreateStudioPresignedUrl", "arn:aws:mock:eu-west-1:123456789012:aws:emr/studio:Studio/analytics-jackpot-analytics", nil, iameval.Allow, iameval.Allow},
		{"open another team's Studio", "elasticmapreduce:CreateStudioPresignedUrl", "arn:aws:mock:eu-west-1:123456789012:aws:emr/studio:Studio/analytics-player-insights", nil, iameval.ImplicitDeny, iameval.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				identity []iamdoc.Document
				want     iameval.Decision
			}{{[]iamdoc.Document{doc}, tt.want}, {[]iamdoc.Document{doc, everything}, tt.alsoWhenBroad}} {
				got, err := iameval.Evaluate(iameval.Policies{Identity: c.identity},
					iameval.Request{Principal: person, Action: tt.action, Resource: tt.resource, Context: tt.ctx})
				require.NoError(t, err)
				assert.Equal(t, c.want, got.Decision, got.Reason)
			}
		})
	}
}

func TestNodeRolesAndTheUserRoleCarryTheAnalyticsBoundary(t *testing.T) {
	a := args()
	a.AuthMode = analytics.AuthSSO
	a.Teams[0].Identities = []analytics.Identity{{Type: analytics.IdentityGroup, Name: "jackpot"}}
	a.Teams[1].Identities = nil
	m := build(t, a)
	boundaryArn := "arn:aws:iam::123456789012:policy/analytics-boundary"
	for _, name := range []string{"analytics-jackpot-analytics-nodes", "analytics-player-insights-nodes", "analytics-studio-user"} {
		assert.Equal(t, boundaryArn, m.Named(t, roleType, name).Str("permissionsBoundary"), name)
	}
	assert.Equal(t, "aifactory-dev-emr-nodes-"+jackpot, m.Named(t, roleType, "analytics-jackpot-analytics-nodes").Str("name"))

	b := policyOf(t, m, policyType, "analytics-boundary")
	nodes := policyOf(t, m, rolePolicyType, "analytics-jackpot-analytics-nodes")
	role := "arn:aws:iam::123456789012:role/aifactory-dev-emr-nodes-" + jackpot
	tests := []struct {
		name, action, resource string
		ctx                    iameval.Context
		want                   iameval.Decision
	}{
		{"read own data", "s3:GetObject", "arn:aws:s3:::" + dataBucket + "/teams/" + jackpot + "/x", iameval.Keys("s3:ResourceAccount", "123456789012"), iameval.Allow},
		{"read another team's data", "s3:GetObject", "arn:aws:s3:::" + dataBucket + "/teams/" + insights + "/x", iameval.Keys("s3:ResourceAccount", "123456789012"), iameval.ImplicitDeny},
		{"write logs through S3", "kms:GenerateDataKey", logsKey, iameval.Keys("kms:ViaService", "s3.eu-west-1.amazonaws.com"), iameval.Allow},
		{"use the logs key directly", "kms:GenerateDataKey", logsKey, nil, iameval.ImplicitDeny},
		{"encrypt local disks with the data key", "kms:GenerateDataKey", dataKey, nil, iameval.Allow},
		{"create a grant", "kms:CreateGrant", dataKey, nil, iameval.ExplicitDeny},
		{"pass a role", "iam:PassRole", "arn:aws:iam::123456789012:role/admin", iameval.Keys("iam:PassedToService", "ec2.amazonaws.com"), iameval.ExplicitDeny},
		{"a bucket elsewhere", "s3:PutObject", "arn:aws:s3:::exfil/x", iameval.Keys("s3:ResourceAccount", "999999999999"), iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{nodes}, Boundary: &b},
				iameval.Request{Principal: role, Action: tt.action, Resource: tt.resource, Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}
