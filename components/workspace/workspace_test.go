package workspace_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	accessPointA = "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-jackpot-analytics"
	accessPointB = "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-player-insights"
	dataKey      = "arn:aws:kms:eu-west-1:123456789012:key/data"
	workspaceKey = "arn:aws:kms:eu-west-1:123456789012:key/workspace"
	logsKey      = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	endpointSG   = "sg-endpoints"
	s3PrefixList = "pl-12345678"
)

func args() *workspace.Args {
	return &workspace.Args{
		Scope: scopetest.Dev(),
		Placement: network.Placement{
			VpcID: pulumi.String("vpc-123"), SubnetIDs: pulumi.StringArray{pulumi.String("subnet-a"), pulumi.String("subnet-b")},
			EndpointSecurityGroupID: pulumi.String(endpointSG), S3PrefixListID: pulumi.String(s3PrefixList),
		},
		DataKeyArn:       pulumi.String(dataKey),
		WorkspaceKeyArn:  pulumi.String(workspaceKey),
		LogsKeyArn:       pulumi.String(logsKey),
		LogRetentionDays: 30,
		StudioAccess: workspace.StudioAccessArgs{
			CorporateCIDRs: []string{"203.0.113.0/24"},
			VpcEndpointIDs: pulumi.StringArray{pulumi.String("vpce-sagemaker-api"), pulumi.String("vpce-studio")},
		},
		PlatformBucketArns: []string{"arn:aws:s3:::aifactory-dev-*"},
		Teams: []workspace.Team{
			{Name: "jackpot-analytics", AccessPointArn: pulumi.String(accessPointA), Tags: scopetest.TeamTags("jackpot-analytics")},
			{Name: "player-insights", AccessPointArn: pulumi.String(accessPointB), Tags: scopetest.TeamTags("player-insights")},
		},
		AllowedInstanceTypes:  []string{"ml.t3.medium", "ml.m5.large"},
		IdleTimeoutMinutes:    60,
		MaxIdleTimeoutMinutes: 120,
		HomeEFSRetention:      "Delete",
	}
}

func build(t *testing.T, a *workspace.Args) *mocktest.Mocks {
	t.Helper()
	m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := workspace.New(ctx, "workspace", a)
		return err
	})
	require.NoError(t, err)
	return m
}

const (
	domainType    = "aws:sagemaker/domain:Domain"
	profileType   = "aws:sagemaker/userProfile:UserProfile"
	lifecycleType = "aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig"
	roleType      = "aws:iam/role:Role"
	policyType    = "aws:iam/policy:Policy"
	rolePolicy    = "aws:iam/rolePolicy:RolePolicy"
	sgType        = "aws:ec2/securityGroup:SecurityGroup"
	logGroupType  = "aws:cloudwatch/logGroup:LogGroup"
	attachType    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	groupAttach   = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	boundaryArn   = "arn:aws:iam::123456789012:policy/workspace-boundary"
)

// domainSettings is the part of the domain's inputs the guardrails live in.
type idleSettings struct {
	LifecycleManagement     string `json:"lifecycleManagement"`
	IdleTimeoutInMinutes    int    `json:"idleTimeoutInMinutes"`
	MinIdleTimeoutInMinutes int    `json:"minIdleTimeoutInMinutes"`
	MaxIdleTimeoutInMinutes int    `json:"maxIdleTimeoutInMinutes"`
}

type appSettings struct {
	AppLifecycleManagement struct {
		IdleSettings *idleSettings `json:"idleSettings"`
	} `json:"appLifecycleManagement"`
	DefaultResourceSpec struct {
		InstanceType       string `json:"instanceType"`
		LifecycleConfigArn string `json:"lifecycleConfigArn"`
	} `json:"defaultResourceSpec"`
	LifecycleConfigArns []string `json:"lifecycleConfigArns"`
}

type storageSettings struct {
	DefaultEbsStorageSettings struct {
		Default int `json:"defaultEbsVolumeSizeInGb"`
		Maximum int `json:"maximumEbsVolumeSizeInGb"`
	} `json:"defaultEbsStorageSettings"`
}

type domainInputs struct {
	AppNetworkAccessType string   `json:"appNetworkAccessType"`
	AuthMode             string   `json:"authMode"`
	KmsKeyID             string   `json:"kmsKeyId"`
	VpcID                string   `json:"vpcId"`
	SubnetIDs            []string `json:"subnetIds"`
	TagPropagation       string   `json:"tagPropagation"`
	RetentionPolicy      struct {
		HomeEfsFileSystem string `json:"homeEfsFileSystem"`
	} `json:"retentionPolicy"`
	DomainSettings struct {
		SecurityGroupIDs            []string `json:"securityGroupIds"`
		ExecutionRoleIdentityConfig string   `json:"executionRoleIdentityConfig"`
	} `json:"domainSettings"`
	DefaultUserSettings struct {
		ExecutionRole           string   `json:"executionRole"`
		SecurityGroups          []string `json:"securityGroups"`
		StudioWebPortal         string   `json:"studioWebPortal"`
		DefaultLandingURI       string   `json:"defaultLandingUri"`
		StudioWebPortalSettings struct {
			HiddenAppTypes []string `json:"hiddenAppTypes"`
		} `json:"studioWebPortalSettings"`
		JupyterLab           appSettings     `json:"jupyterLabAppSettings"`
		CodeEditor           appSettings     `json:"codeEditorAppSettings"`
		SpaceStorageSettings storageSettings `json:"spaceStorageSettings"`
	} `json:"defaultUserSettings"`
	DefaultSpaceSettings struct {
		ExecutionRole        string          `json:"executionRole"`
		SecurityGroups       []string        `json:"securityGroups"`
		JupyterLab           appSettings     `json:"jupyterLabAppSettings"`
		SpaceStorageSettings storageSettings `json:"spaceStorageSettings"`
	} `json:"defaultSpaceSettings"`
}

func domainOf(t *testing.T, m *mocktest.Mocks) (mocktest.Resource, domainInputs) {
	t.Helper()
	domains := m.OfType(domainType)
	require.Len(t, domains, 1)
	var d domainInputs
	require.NoError(t, domains[0].JSON("", &d))
	return domains[0], d
}

func policyOf(t *testing.T, r mocktest.Resource, key string) iamdoc.Document {
	t.Helper()
	doc, err := iamdoc.Parse(r.Str(key))
	require.NoError(t, err, "%s %s: %s", r.Type, r.Name, key)
	return doc
}

func teamPolicy(t *testing.T, m *mocktest.Mocks, team string) iamdoc.Document {
	t.Helper()
	return policyOf(t, m.Named(t, rolePolicy, "workspace-"+team), "policy")
}

func boundary(t *testing.T, m *mocktest.Mocks) iamdoc.Document {
	t.Helper()
	return policyOf(t, m.Named(t, policyType, "workspace-boundary"), "policy")
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

func TestDomainIsVpcOnlyEncryptedWithIAMAuthInThePrivateSubnets(t *testing.T) {
	m := build(t, args())
	_, d := domainOf(t, m)
	assert.Equal(t, "VpcOnly", d.AppNetworkAccessType)
	assert.Equal(t, "IAM", d.AuthMode)
	assert.Equal(t, workspaceKey, d.KmsKeyID)
	assert.Equal(t, "vpc-123", d.VpcID)
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, d.SubnetIDs)
	assert.Equal(t, "ENABLED", d.TagPropagation)
	assert.Equal(t, "USER_PROFILE_NAME", d.DomainSettings.ExecutionRoleIdentityConfig, "sessions name their user profile")

	u := d.DefaultUserSettings
	assert.Equal(t, "arn:aws:iam::123456789012:role/workspace-default", u.ExecutionRole)
	assert.Equal(t, []string{"workspace-studio-id"}, u.SecurityGroups)
	assert.Equal(t, []string{"workspace-studio-id"}, d.DomainSettings.SecurityGroupIDs)
	assert.Equal(t, []string{"workspace-studio-id"}, d.DefaultSpaceSettings.SecurityGroups)
	assert.Equal(t, u.ExecutionRole, d.DefaultSpaceSettings.ExecutionRole, "shared spaces run with the role that reaches no team data")
	assert.Equal(t, "ENABLED", u.StudioWebPortal)
	assert.Equal(t, "studio::", u.DefaultLandingURI)
	assert.Contains(t, u.StudioWebPortalSettings.HiddenAppTypes, "JupyterServer", "Studio Classic has no built-in idle shutdown")
}

func TestHomeDirectoryRetentionFollowsTheEnvironment(t *testing.T) {
	tests := []struct {
		env, retention, want string
	}{
		{"dev", "Delete", "Delete"},
		{"staging", "", "Retain"},
		{"prod", "Retain", "Retain"},
		{"prod", "", "Retain"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+tt.retention, func(t *testing.T) {
			a := args()
			a.Environment, a.HomeEFSRetention = tt.env, tt.retention
			_, d := domainOf(t, build(t, a))
			assert.Equal(t, tt.want, d.RetentionPolicy.HomeEfsFileSystem)
		})
	}
}

func TestProdProtectsTheDomain(t *testing.T) {
	for _, protect := range []bool{false, true} {
		a := args()
		a.Protect = protect
		domain, _ := domainOf(t, build(t, a))
		assert.Equal(t, protect, domain.Protect)
	}
}

func TestIdleShutdownIsOnWithinTheEnvironmentBound(t *testing.T) {
	tests := []struct {
		name          string
		timeout, max  int
		wantTimeout   int
		wantMaxBounds int
	}{
		{"dev short", 60, 120, 60, 120},
		{"prod per config", 180, 480, 180, 480},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			a.IdleTimeoutMinutes, a.MaxIdleTimeoutMinutes = tt.timeout, tt.max
			m := build(t, a)
			_, d := domainOf(t, m)
			team := profileSettings(t, m, "jackpot-analytics")
			for app, s := range map[string]appSettings{
				"user JupyterLab":         d.DefaultUserSettings.JupyterLab,
				"user Code Editor":        d.DefaultUserSettings.CodeEditor,
				"space JupyterLab":        d.DefaultSpaceSettings.JupyterLab,
				"team profile JupyterLab": team.JupyterLab,
				"team profile CodeEditor": team.CodeEditor,
			} {
				idle := s.AppLifecycleManagement.IdleSettings
				require.NotNil(t, idle, app)
				assert.Equal(t, "ENABLED", idle.LifecycleManagement, app)
				assert.Equal(t, tt.wantTimeout, idle.IdleTimeoutInMinutes, app)
				assert.Equal(t, tt.wantMaxBounds, idle.MaxIdleTimeoutInMinutes, "%s: users never choose beyond the bound", app)
				assert.Equal(t, workspace.MinIdleTimeoutMinutes, idle.MinIdleTimeoutInMinutes, app)
				assert.LessOrEqual(t, idle.IdleTimeoutInMinutes, idle.MaxIdleTimeoutInMinutes, app)
			}
		})
	}
}

func TestLifecycleScriptIsTheDefaultOfJupyterLabAndCodeEditor(t *testing.T) {
	m := build(t, args())
	configs := m.OfType(lifecycleType)
	require.Len(t, configs, 2+2*2, "the domain's and each team's JupyterLab and Code Editor configurations")
	arns := map[string]string{}
	for _, c := range configs {
		arns[c.Name] = "arn:aws:mock:eu-west-1:123456789012:" + lifecycleType + "/" + c.Name
		script, err := base64.StdEncoding.DecodeString(c.Str("studioLifecycleConfigContent"))
		require.NoError(t, err, "content is base64")
		assert.True(t, strings.HasPrefix(string(script), "#!/bin/bash\n"), c.Name)
		assert.Contains(t, string(script), "no-index = true", "pip never waits for pypi.org")
		assert.Contains(t, string(script), "- subnet-a", "SDK jobs default to the private subnets")
		// A team's jobs default to the team's own group, the only one its
		// role may start jobs in.
		group := "workspace-studio-id"
		for _, team := range []string{"jackpot-analytics", "player-insights"} {
			if strings.HasPrefix(c.Name, "workspace-"+team+"-") {
				group = "workspace-" + team + "-id"
				assert.True(t, strings.HasPrefix(c.Str("studioLifecycleConfigName"), "aifactory-dev-"+team+"-"), c.Name)
			}
		}
		assert.Contains(t, string(script), "- "+group, "%s: SDK jobs default to the right security group", c.Name)
	}

	_, d := domainOf(t, m)
	for app, tc := range map[string]struct {
		s    appSettings
		want string
	}{
		"user JupyterLab":  {d.DefaultUserSettings.JupyterLab, arns["workspace-jupyterlab"]},
		"user Code Editor": {d.DefaultUserSettings.CodeEditor, arns["workspace-codeeditor"]},
		"space JupyterLab": {d.DefaultSpaceSettings.JupyterLab, arns["workspace-jupyterlab"]},
	} {
		assert.Equal(t, tc.want, tc.s.DefaultResourceSpec.LifecycleConfigArn, app)
		assert.Equal(t, []string{tc.want}, tc.s.LifecycleConfigArns, app)
		assert.Equal(t, "ml.t3.medium", tc.s.DefaultResourceSpec.InstanceType, "%s defaults to the first allowed type", app)
	}
	for _, team := range []string{"jackpot-analytics", "player-insights"} {
		u := profileSettings(t, m, team)
		for app, tc := range map[string]struct {
			s    appSettings
			want string
		}{
			"JupyterLab":  {u.JupyterLab, arns["workspace-"+team+"-jupyterlab"]},
			"Code Editor": {u.CodeEditor, arns["workspace-"+team+"-codeeditor"]},
		} {
			assert.Equal(t, tc.want, tc.s.DefaultResourceSpec.LifecycleConfigArn, "%s %s", team, app)
			assert.Equal(t, []string{tc.want}, tc.s.LifecycleConfigArns, "%s %s: only the team's own scripts", team, app)
		}
	}
}

func TestTeamInstanceTypeIsItsProfilesDefault(t *testing.T) {
	a := args()
	a.Teams[1].InstanceType = "ml.m5.large"
	m := build(t, a)
	for team, want := range map[string]string{"jackpot-analytics": "ml.t3.medium", "player-insights": "ml.m5.large"} {
		u := profileSettings(t, m, team)
		assert.Equal(t, want, u.JupyterLab.DefaultResourceSpec.InstanceType, team)
		assert.Equal(t, want, u.CodeEditor.DefaultResourceSpec.InstanceType, team)
	}
}

// userSettings are a profile's settings.
type userSettings struct {
	ExecutionRole  string      `json:"executionRole"`
	SecurityGroups []string    `json:"securityGroups"`
	JupyterLab     appSettings `json:"jupyterLabAppSettings"`
	CodeEditor     appSettings `json:"codeEditorAppSettings"`
}

func profileSettings(t *testing.T, m *mocktest.Mocks, team string) userSettings {
	t.Helper()
	var u userSettings
	require.NoError(t, m.Named(t, profileType, "workspace-"+team).JSON("userSettings", &u))
	return u
}

func TestSpaceStorageIsBounded(t *testing.T) {
	tests := []struct {
		name             string
		def, maximum     int
		wantDef, wantMax int
	}{
		{"safe defaults", 0, 0, workspace.DefaultEBSVolumeSizeGB, workspace.DefaultMaxEBSVolumeSize},
		{"configured", 10, 100, 10, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			a.DefaultEBSVolumeSizeGB, a.MaxEBSVolumeSizeGB = tt.def, tt.maximum
			_, d := domainOf(t, build(t, a))
			for _, s := range []storageSettings{d.DefaultUserSettings.SpaceStorageSettings, d.DefaultSpaceSettings.SpaceStorageSettings} {
				assert.Equal(t, tt.wantDef, s.DefaultEbsStorageSettings.Default)
				assert.Equal(t, tt.wantMax, s.DefaultEbsStorageSettings.Maximum)
			}
		})
	}
}

type sgRule struct {
	Protocol       string   `json:"protocol"`
	FromPort       int      `json:"fromPort"`
	ToPort         int      `json:"toPort"`
	CidrBlocks     []string `json:"cidrBlocks"`
	Ipv6CidrBlocks []string `json:"ipv6CidrBlocks"`
	PrefixListIDs  []string `json:"prefixListIds"`
	SecurityGroups []string `json:"securityGroups"`
	Self           bool     `json:"self"`
}

func TestSecurityGroupsReachOnlyTheEndpointsS3AndTheTeamItself(t *testing.T) {
	m := build(t, args())
	require.Len(t, m.OfType(sgType), 1+2, "the domain's group and one per team")
	for _, tc := range []struct {
		name       string
		intraGroup [][2]int
	}{
		{"workspace-studio", nil},
		{"workspace-jackpot-analytics", [][2]int{{2049, 2049}, {8192, 65535}}},
		{"workspace-player-insights", [][2]int{{2049, 2049}, {8192, 65535}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sg := m.Named(t, sgType, tc.name)
			var ingress, egress []sgRule
			require.NoError(t, sg.JSON("ingress", &ingress))
			require.NoError(t, sg.JSON("egress", &egress))
			for _, r := range append(slices.Clone(ingress), egress...) {
				assert.Empty(t, r.CidrBlocks, "no CIDR ranges, least of all 0.0.0.0/0: %+v", r)
				assert.Empty(t, r.Ipv6CidrBlocks, "%+v", r)
				assert.Equal(t, "tcp", r.Protocol, "%+v", r)
			}
			require.Len(t, ingress, len(tc.intraGroup))
			for _, r := range ingress {
				assert.True(t, r.Self, "ingress only from the group itself: %+v", r)
				assert.Contains(t, tc.intraGroup, [2]int{r.FromPort, r.ToPort})
			}
			var toEndpoints, toS3 bool
			for _, r := range egress {
				switch {
				case r.Self:
					assert.Contains(t, tc.intraGroup, [2]int{r.FromPort, r.ToPort})
				case slices.Equal(r.SecurityGroups, []string{endpointSG}):
					toEndpoints = r.FromPort == 443 && r.ToPort == 443 && len(r.PrefixListIDs) == 0
				case slices.Equal(r.PrefixListIDs, []string{s3PrefixList}):
					toS3 = r.FromPort == 443 && r.ToPort == 443 && len(r.SecurityGroups) == 0
				default:
					t.Errorf("unexpected egress rule %+v", r)
				}
			}
			assert.True(t, toEndpoints, "HTTPS to the endpoint security group")
			assert.True(t, toS3, "HTTPS to the S3 prefix list")
		})
	}
	for _, team := range []string{"jackpot-analytics", "player-insights"} {
		assert.Equal(t, []string{"workspace-" + team + "-id"}, profileSettings(t, m, team).SecurityGroups,
			"%s's apps get the team's own group (SageMaker adds the domain's)", team)
		assert.Equal(t, team, m.Named(t, sgType, "workspace-"+team).Tags()["team"])
	}
}

func TestSageMakerLogGroupsExistEncryptedWithRetention(t *testing.T) {
	m := build(t, args())
	groups := m.OfType(logGroupType)
	require.Len(t, groups, 3)
	var names []string
	for _, lg := range groups {
		names = append(names, lg.Str("name"))
		assert.Equal(t, logsKey, lg.Str("kmsKeyId"), lg.Name)
		assert.Equal(t, 30.0, lg.Num("retentionInDays"), lg.Name)
	}
	assert.ElementsMatch(t, []string{"/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/studio"}, names)
}

func TestEveryRoleHasTheBoundaryAnHourAtMostAndTrustsOnlySageMaker(t *testing.T) {
	{
		a := args()
		m := build(t, a)
		roles := m.OfType(roleType)
		require.Len(t, roles, 1+len(a.Teams), "a default role and one per team")
		for _, r := range roles {
			assert.Equal(t, boundaryArn, r.Str("permissionsBoundary"), r.Name)
			assert.Equal(t, 3600.0, r.Num("maxSessionDuration"), "%s: one hour, the lowest maximum IAM accepts", r.Name)

			trust := policyOf(t, r, "assumeRolePolicy")
			require.Len(t, trust.Statement, 1, r.Name)
			st := trust.Statement[0]
			assert.Equal(t, iamdoc.Allow, st.Effect)
			require.NotNil(t, st.Principal)
			assert.False(t, st.Principal.Any, r.Name)
			assert.Empty(t, st.Principal.AWS, "no account or user may assume %s", r.Name)
			assert.Equal(t, iamdoc.Strings{"sagemaker.amazonaws.com"}, st.Principal.Service)
			assert.ElementsMatch(t, iamdoc.Strings{"sts:AssumeRole", "sts:SetSourceIdentity"}, st.Action)
			assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, st.Condition["StringEquals"]["aws:SourceAccount"])
		}
	}
}

func TestNoUsersKeysOrUnmanagedPolicies(t *testing.T) {
	m := build(t, args())
	for _, r := range m.Resources() {
		assert.NotContains(t, []string{"aws:iam/user:User", "aws:iam/accessKey:AccessKey", "aws:iam/userLoginProfile:UserLoginProfile",
			"aws:iam/policyAttachment:PolicyAttachment"}, r.Type, r.Name)
	}
	// Attachments only give people's roles and groups their team's
	// access policy; no workspace role gets an attached policy.
	for _, r := range append(m.OfType(attachType), m.OfType(groupAttach)...) {
		assert.Contains(t, r.Str("policyArn"), "-access", r.Name)
		assert.NotContains(t, r.Str("role"), "aifactory-dev-studio", r.Name)
	}
	for _, r := range m.OfType(roleType) {
		assert.False(t, r.Has("managedPolicyArns"), "%s: the boundary is the only managed policy", r.Name)
	}
}

// Every Allow statement of every policy document the component writes:
// no "*" action, no "service:*" action, no NotAction or NotResource (which
// grant everything but a list), no IAM beyond passing a role to SageMaker.
// Deny statements may name a whole service: a deny only narrows.
func TestNoPolicyAllowsAdminOrWholeServices(t *testing.T) {
	m := build(t, args())
	var docs []struct {
		name string
		doc  iamdoc.Document
	}
	for _, r := range m.OfType(roleType) {
		docs = append(docs, struct {
			name string
			doc  iamdoc.Document
		}{r.Name + " trust", policyOf(t, r, "assumeRolePolicy")})
	}
	for _, typ := range []string{policyType, rolePolicy} {
		for _, r := range m.OfType(typ) {
			docs = append(docs, struct {
				name string
				doc  iamdoc.Document
			}{r.Name, policyOf(t, r, "policy")})
		}
	}
	require.Len(t, docs, 3+1+2+3, "3 trust policies, the boundary, 2 access policies, 3 role policies")
	for _, d := range docs {
		for _, st := range d.doc.Statement {
			if st.Effect != iamdoc.Allow {
				continue
			}
			assert.NotEmpty(t, st.Action, "%s %s", d.name, st.Sid)
			assert.Empty(t, st.NotAction, "%s %s", d.name, st.Sid)
			assert.Empty(t, st.NotResource, "%s %s", d.name, st.Sid)
			for _, action := range st.Action {
				assert.NotEqual(t, "*", action, "%s %s", d.name, st.Sid)
				assert.False(t, strings.HasSuffix(action, ":*"), "%s %s allows the whole service %s", d.name, st.Sid, action)
				if strings.HasPrefix(action, "iam:") {
					assert.Equal(t, "iam:PassRole", action, "%s %s", d.name, st.Sid)
					assert.Equal(t, iamdoc.Strings{"sagemaker.amazonaws.com"}, st.Condition["StringEquals"]["iam:PassedToService"])
				}
				assert.False(t, strings.HasPrefix(action, "organizations:"), "%s %s", d.name, st.Sid)
			}
			if st.Resource.Contains("*") {
				for _, action := range st.Action {
					assert.True(t, resourceLessAction(action), "%s %s: %s on every resource", d.name, st.Sid, action)
				}
			}
		}
	}
}

// resourceLessAction reports the actions AWS authorises only on "*".
func resourceLessAction(action string) bool {
	return strings.HasPrefix(action, "sagemaker:List") || strings.HasPrefix(action, "ec2:Describe") ||
		action == "ecr:GetAuthorizationToken"
}

func TestTeamRoleReachesOnlyItsOwnAccessPointAndPrefix(t *testing.T) {
	m := build(t, args())
	tests := []struct {
		team, own, other string
	}{
		{"jackpot-analytics", accessPointA, accessPointB},
		{"player-insights", accessPointB, accessPointA},
	}
	for _, tt := range tests {
		t.Run(tt.team, func(t *testing.T) {
			doc := teamPolicy(t, m, tt.team)
			raw := m.Named(t, rolePolicy, "workspace-"+tt.team).Str("policy")
			assert.NotContains(t, raw, tt.other, "team %s never names the other team's access point", tt.team)
			var s3Statements int
			for _, st := range doc.Statement {
				if !slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(a, "s3:") }) {
					continue
				}
				s3Statements++
				for _, r := range st.Resource {
					assert.True(t, strings.HasPrefix(r, tt.own), "%s reaches %s", st.Sid, r)
				}
			}
			assert.Equal(t, 2, s3Statements, "list and read/write on the own access point only")
			list := statement(t, doc, "ListOwnPrefix")
			assert.Equal(t, iamdoc.Strings{tt.own}, list.Resource)
			assert.Equal(t, iamdoc.Strings{"teams/" + tt.team + "/", "teams/" + tt.team + "/*"}, list.Condition["StringLike"]["s3:prefix"])
			rw := statement(t, doc, "ReadWriteOwnPrefix")
			assert.Equal(t, iamdoc.Strings{tt.own + "/object/teams/" + tt.team + "/*"}, rw.Resource)
		})
	}
}

func TestTeamRoleUsesThePlatformKeysOnlyThroughServices(t *testing.T) {
	m := build(t, args())
	doc := teamPolicy(t, m, "jackpot-analytics")
	var kmsStatements int
	for _, st := range doc.Statement {
		if !slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(a, "kms:") }) {
			continue
		}
		kmsStatements++
		require.Len(t, st.Resource, 1, st.Sid)
		assert.Contains(t, []string{dataKey, workspaceKey}, st.Resource[0], st.Sid)
		via := st.Condition["StringEquals"]["kms:ViaService"]
		require.NotEmpty(t, via, "%s uses a key outside a service", st.Sid)
		for _, v := range via {
			assert.True(t, strings.HasSuffix(v, ".eu-west-1.amazonaws.com"), v)
		}
	}
	assert.Equal(t, 3, kmsStatements, "data key, workspace key, workspace key grants")
	assert.Equal(t, iamdoc.Strings{"s3.eu-west-1.amazonaws.com", "sagemaker.eu-west-1.amazonaws.com"},
		statement(t, doc, "DataKeyThroughStorageServices").Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, iamdoc.Strings{"true"}, statement(t, doc, "WorkspaceKeyGrantsForVolumes").Condition["Bool"]["kms:GrantIsForAWSResource"])
}

func TestTeamSageMakerActionsAreScopedToTheTeam(t *testing.T) {
	m := build(t, args())
	for _, team := range []string{"jackpot-analytics", "player-insights"} {
		doc := teamPolicy(t, m, team)
		for _, st := range doc.Statement {
			for _, r := range st.Resource {
				if !strings.Contains(r, ":sagemaker:") || strings.Contains(r, ":studio-lifecycle-config/") || strings.HasSuffix(r, ":domain/workspace-id") {
					continue
				}
				// app/<domain>/<team>/..., app/<domain>/<team>--*/..., space/<domain>/<team>--*,
				// training-job/<team>--*, user-profile/<domain>/<team>
				assert.Regexp(t, `[:/]`+team+`(--\*)?(/|$)`, r, "%s: %s", st.Sid, r)
			}
		}
		create := statement(t, doc, "CreateOwnSpacesWithTeamAndExpiry")
		assert.Equal(t, iamdoc.Strings{team}, create.Condition["StringEquals"]["aws:RequestTag/team"])
		assert.Equal(t, iamdoc.Strings{"false"}, create.Condition["Null"]["aws:RequestTag/expires-at"], "spaces must carry expires-at")
		jobs := statement(t, doc, "RunOwnJobsInThePrivateSubnets")
		assert.Equal(t, iamdoc.Strings{team}, jobs.Condition["StringEquals"]["aws:RequestTag/team"])
		assert.Equal(t, iamdoc.Strings{"subnet-a", "subnet-b"}, jobs.Condition["ForAllValues:StringEquals"]["sagemaker:VpcSubnets"])
		assert.Equal(t, iamdoc.Strings{"workspace-" + team + "-id"}, jobs.Condition["ForAllValues:StringEquals"]["sagemaker:VpcSecurityGroupIds"],
			"jobs run only in the team's own security group")
		assert.Equal(t, iamdoc.Strings{"false"}, jobs.Condition["Null"]["sagemaker:VpcSecurityGroupIds"])
		assert.Equal(t, iamdoc.Strings{"true"}, jobs.Condition["Bool"]["sagemaker:InterContainerTrafficEncryption"])
		profileArn := "arn:aws:sagemaker:eu-west-1:123456789012:user-profile/workspace-id/" + team
		assert.Equal(t, iamdoc.Strings{profileArn}, create.Condition["ArnEquals"]["sagemaker:OwnerUserProfileArn"],
			"spaces are owned by the team's own profile")
		assert.Equal(t, iamdoc.Strings{profileArn},
			statement(t, doc, "StartSpaceAppsWithIdleShutdownOnAllowedInstances").Condition["ArnEquals"]["sagemaker:OwnerUserProfileArn"])
		tag := statement(t, doc, "TagOwnResources")
		assert.Equal(t, iamdoc.Strings{team}, tag.Condition["StringEqualsIfExists"]["aws:RequestTag/team"], "never relabel as another team")
		pass := statement(t, doc, "PassOwnRoleToSageMaker")
		assert.Equal(t, iamdoc.Strings{"arn:aws:iam::123456789012:role/workspace-" + team}, pass.Resource)
	}
}

func TestInstanceTypesAreRestrictedByRoleAndBoundary(t *testing.T) {
	a := args()
	m := build(t, a)
	allowed := iamdoc.Strings(a.AllowedInstanceTypes)
	doc := teamPolicy(t, m, "jackpot-analytics")
	for _, sid := range []string{"StartProfileAppsWithIdleShutdownOnAllowedInstances", "StartSpaceAppsWithIdleShutdownOnAllowedInstances",
		"ResizeOwnSpacesOnAllowedInstances", "CreateOwnSpacesWithTeamAndExpiry", "RunOwnJobsInThePrivateSubnets"} {
		assert.Equal(t, allowed, statement(t, doc, sid).Condition["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"], sid)
	}
	for _, st := range doc.Statement {
		for _, action := range []string{"sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:CreateTrainingJob"} {
			if st.Action.Contains(action) {
				assert.NotEmpty(t, st.Condition["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"], "%s allows %s on any instance type", st.Sid, action)
			}
		}
	}
	deny := statement(t, boundary(t, m), "OnlyAllowedInstanceTypes")
	assert.Equal(t, iamdoc.Deny, deny.Effect)
	assert.Equal(t, allowed, deny.Condition["ForAnyValue:StringNotEquals"]["sagemaker:InstanceTypes"])
	for _, action := range []string{"sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"} {
		assert.Contains(t, deny.Action, action)
	}
}

func TestBoundaryCapsEveryWorkspaceRole(t *testing.T) {
	m := build(t, args())
	doc := boundary(t, m)
	denies := map[string]iamdoc.Statement{}
	for _, st := range doc.Statement {
		if st.Effect == iamdoc.Deny {
			denies[st.Sid] = st
		}
	}
	tests := []struct {
		sid     string
		actions []string
	}{
		{"NoIAMBeyondPassingRolesToSageMaker", []string{"iam:*"}},
		{"NoOrganizationOrAccountChanges", []string{"organizations:*"}},
		{"NoKeyDestructionOrPolicyChanges", []string{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"}},
		{"NoPathToTheInternet", []string{"ec2:CreateInternetGateway", "ec2:CreateNatGateway", "ec2:AuthorizeSecurityGroupIngress"}},
		{"NoS3OutsideThePlatform", []string{"s3:*"}},
		{"NoS3InOtherAccounts", []string{"s3:*"}},
		{"JobsOnlyInThePrivateSubnets", []string{"sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"}},
		{"SpacesCarryAnExpiry", []string{"sagemaker:CreateSpace"}},
		{"SpacesAndJobsCarryTheCallersTeam", []string{"sagemaker:CreateSpace", "sagemaker:CreateTrainingJob"}},
	}
	for _, tt := range tests {
		st, ok := denies[tt.sid]
		if assert.True(t, ok, "boundary lacks %s", tt.sid) {
			for _, action := range tt.actions {
				assert.Contains(t, st.Action, action, tt.sid)
			}
		}
	}
	assert.Equal(t, iamdoc.Strings{"sagemaker.amazonaws.com"}, denies["NoIAMBeyondPassingRolesToSageMaker"].Condition["StringNotEquals"]["iam:PassedToService"])
	assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, denies["NoS3InOtherAccounts"].Condition["StringNotEquals"]["s3:ResourceAccount"],
		"a same-named bucket in another account stays out of reach")
	assert.ElementsMatch(t, iamdoc.Strings{
		"arn:aws:s3:::aifactory-dev-*", "arn:aws:s3:::aifactory-dev-*/*",
		accessPointA, accessPointA + "/object/*", accessPointB, accessPointB + "/object/*",
	}, denies["NoS3OutsideThePlatform"].NotResource)
	assert.Equal(t, iamdoc.Strings{"true"}, denies["JobsOnlyInThePrivateSubnets"].Condition["Null"]["sagemaker:VpcSubnets"])
	assert.Equal(t, iamdoc.Strings{"${aws:PrincipalTag/team}"}, denies["SpacesAndJobsCarryTheCallersTeam"].Condition["StringNotEquals"]["aws:RequestTag/team"])

	// The boundary allows S3 only on the teams' access points.
	aps := statement(t, doc, "TeamAccessPoints")
	assert.ElementsMatch(t, iamdoc.Strings{accessPointA, accessPointA + "/object/*", accessPointB, accessPointB + "/object/*"}, aps.Resource)
}

// The boundary lets notebooks invoke the stack's served models, from the
// platform's VPC only; which endpoints, each team's invoke policy decides.
func TestBoundaryAllowsInvocationsFromTheVpcOnly(t *testing.T) {
	doc := boundary(t, build(t, args()))
	endpoint := "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/aifactory-dev-jackpot-analytics--churn"
	for _, tt := range []struct {
		name     string
		resource string
		ctx      iameval.Context
		want     iameval.Effect
	}{
		{"a platform endpoint from the VPC", endpoint, iameval.Keys("aws:SourceVpc", "vpc-123"), iameval.Allowed},
		{"from another VPC", endpoint, iameval.Keys("aws:SourceVpc", "vpc-other"), iameval.NotApplicable},
		{"from the internet", endpoint, iameval.Keys("aws:SourceIp", "198.51.100.7"), iameval.NotApplicable},
		{"another stack's endpoint", "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/other-churn", iameval.Keys("aws:SourceVpc", "vpc-123"), iameval.NotApplicable},
	} {
		got, err := iameval.Document(doc, iameval.Request{Principal: "arn:aws:iam::123456789012:role/aifactory-dev-studio-jackpot-analytics",
			Action: "sagemaker:InvokeEndpoint", Resource: tt.resource, Context: tt.ctx})
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.name)
	}
}

func TestDefaultRoleReachesNoDataOrKey(t *testing.T) {
	m := build(t, args())
	doc := policyOf(t, m.Named(t, rolePolicy, "workspace-default"), "policy")
	for _, st := range doc.Statement {
		for _, action := range st.Action {
			assert.False(t, strings.HasPrefix(action, "s3:") || strings.HasPrefix(action, "kms:") || strings.HasPrefix(action, "iam:"),
				"%s: %s", st.Sid, action)
			assert.NotContains(t, []string{"sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:CreateTrainingJob"}, action)
		}
	}
}

func TestTeamResourcesCarryTheTeamsTags(t *testing.T) {
	m := build(t, args())
	for _, team := range []string{"jackpot-analytics", "player-insights"} {
		profile := m.Named(t, profileType, "workspace-"+team)
		assert.Equal(t, map[string]string(scopetest.TeamTags(team)), profile.Tags())
		assert.Equal(t, team, profile.Str("userProfileName"))
		assert.Equal(t, "workspace-id", profile.Str("domainId"))
		var settings struct {
			ExecutionRole string `json:"executionRole"`
		}
		require.NoError(t, profile.JSON("userSettings", &settings))
		assert.Equal(t, "arn:aws:iam::123456789012:role/workspace-"+team, settings.ExecutionRole)

		role := m.Named(t, roleType, "workspace-"+team)
		assert.Equal(t, map[string]string(scopetest.TeamTags(team)), role.Tags(), "the role's team tag decides which team a space may claim")
		assert.Equal(t, "aifactory-dev-studio-"+team, role.Str("name"))
	}
}

func TestOutputsNameEveryTeamsProfileAndRole(t *testing.T) {
	var mu sync.Mutex
	got := map[string]any{}
	record := func(key string) func(v any) any {
		return func(v any) any {
			mu.Lock()
			defer mu.Unlock()
			got[key] = v
			return v
		}
	}
	_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		w, err := workspace.New(ctx, "workspace", args())
		if err != nil {
			return err
		}
		w.ProfileNames.ApplyT(record("profiles"))
		w.RoleArns.ApplyT(record("roles"))
		w.DomainID.ApplyT(record("domain"))
		w.SecurityGroupID.ApplyT(record("sg"))
		w.BoundaryPolicyArn.ApplyT(record("boundary"))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"jackpot-analytics": "jackpot-analytics", "player-insights": "player-insights"}, got["profiles"])
	assert.Equal(t, map[string]string{
		"jackpot-analytics": "arn:aws:iam::123456789012:role/workspace-jackpot-analytics",
		"player-insights":   "arn:aws:iam::123456789012:role/workspace-player-insights",
	}, got["roles"])
	assert.Equal(t, "workspace-id", got["domain"])
	assert.Equal(t, "workspace-studio-id", got["sg"])
	assert.Equal(t, boundaryArn, got["boundary"])
}

func TestEveryChildIsParentedToTheComponent(t *testing.T) {
	m := build(t, args())
	for _, r := range m.Resources() {
		if r.Type == workspace.Type {
			continue
		}
		assert.Contains(t, r.Parent, workspace.Type, "%s %s", r.Type, r.Name)
	}
}

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name string
		edit func(*workspace.Args)
		want string
	}{
		{"idle beyond the bound", func(a *workspace.Args) { a.IdleTimeoutMinutes = 121 }, "IdleTimeoutMinutes"},
		{"idle below an hour", func(a *workspace.Args) { a.IdleTimeoutMinutes = 30 }, "IdleTimeoutMinutes"},
		{"no idle shutdown", func(a *workspace.Args) { a.IdleTimeoutMinutes = 0 }, "IdleTimeoutMinutes"},
		{"no bound", func(a *workspace.Args) { a.MaxIdleTimeoutMinutes = 0 }, "MaxIdleTimeoutMinutes"},
		{"no instance types", func(a *workspace.Args) { a.AllowedInstanceTypes = nil }, "AllowedInstanceTypes"},
		{"not an ml type", func(a *workspace.Args) { a.AllowedInstanceTypes = []string{"m5.large"} }, "AllowedInstanceTypes"},
		{"wildcard type", func(a *workspace.Args) { a.AllowedInstanceTypes = []string{"ml.*"} }, "AllowedInstanceTypes"},
		{"prod deletes home directories", func(a *workspace.Args) { a.Environment = "prod" }, "HomeEFSRetention"},
		{"unknown retention", func(a *workspace.Args) { a.HomeEFSRetention = "Keep" }, "HomeEFSRetention"},
		{"unknown environment", func(a *workspace.Args) { a.Environment = "test" }, "Environment"},
		{"no teams", func(a *workspace.Args) { a.Teams = nil }, "Teams"},
		{"team name with separator", func(a *workspace.Args) { a.Teams[0].Name = "risk--models" }, "Teams[0].Name"},
		{"duplicate team", func(a *workspace.Args) { a.Teams[1] = a.Teams[0] }, "listed twice"},
		{"team without access point", func(a *workspace.Args) { a.Teams[0].AccessPointArn = nil }, "Teams[0].AccessPointArn"},
		{"team without tags", func(a *workspace.Args) { a.Teams[1].Tags = nil }, "Teams[1].Tags"},
		{"team tagged as another", func(a *workspace.Args) { a.Teams[1].Tags = scopetest.TeamTags("jackpot-analytics") }, "Teams[1].Tags"},
		{"role name too long", func(a *workspace.Args) {
			a.Prefix = "aifactory-a-very-long-environment-prefix"
		}, "exceeds IAM"},
		{"no encryption key", func(a *workspace.Args) { a.WorkspaceKeyArn = nil }, "WorkspaceKeyArn"},
		{"no endpoints", func(a *workspace.Args) { a.EndpointSecurityGroupID = nil }, "EndpointSecurityGroupID"},
		{"no network", func(a *workspace.Args) { a.SubnetIDs = nil }, "SubnetIDs"},
		{"every bucket", func(a *workspace.Args) { a.PlatformBucketArns = []string{"arn:aws:s3:::*"} }, "PlatformBucketArns"},
		{"volume above maximum", func(a *workspace.Args) { a.DefaultEBSVolumeSizeGB, a.MaxEBSVolumeSizeGB = 50, 20 }, "EBSVolumeSizeGB"},
		{"package index over http", func(a *workspace.Args) { a.PackageIndexURL = "http://pypi.internal/simple" }, "PackageIndexURL"},
		{"package index with shell", func(a *workspace.Args) { a.PackageIndexURL = "https://x/$(reboot)" }, "PackageIndexURL"},
		{"bad registry account", func(a *workspace.Args) { a.ImageRegistryAccounts = []string{"aws"} }, "ImageRegistryAccounts"},
		{"team instance type outside the allow-list", func(a *workspace.Args) { a.Teams[0].InstanceType = "ml.p4d.24xlarge" }, "Teams[0].InstanceType"},
		{"bad prefix", func(a *workspace.Args) { a.Prefix = "AI Factory" }, "Prefix"},
		{"unencrypted logs", func(a *workspace.Args) { a.LogsKeyArn = nil }, "LogsKeyArn"},
		{"logs kept forever", func(a *workspace.Args) { a.LogRetentionDays = 0 }, "LogRetentionDays"},
		{"Studio from anywhere", func(a *workspace.Args) { a.StudioAccess = workspace.StudioAccessArgs{} }, "StudioAccess"},
		{"Studio from the whole internet", func(a *workspace.Args) { a.StudioAccess.CorporateCIDRs = []string{"0.0.0.0/0"} }, "StudioAccess.CorporateCIDRs"},
		{"Studio from half the internet", func(a *workspace.Args) { a.StudioAccess.CorporateCIDRs = []string{"0.0.0.0/1"} }, "StudioAccess.CorporateCIDRs"},
		{"corporate range with host bits", func(a *workspace.Args) { a.StudioAccess.CorporateCIDRs = []string{"203.0.113.7/24"} }, "StudioAccess.CorporateCIDRs"},
		{"access role as an ARN", func(a *workspace.Args) { a.Teams[0].AccessRoles = []string{"arn:aws:iam::123456789012:role/x"} }, "Teams[0].AccessRoles"},
		{"team name too long for its lifecycle configurations", func(a *workspace.Args) {
			a.Prefix = "aifactory-staging-abcdefghijklmnopqrst"
			a.Teams[0].Name = "jackpot-analytics-and-more"
			a.Teams[0].Tags = scopetest.TeamTags("jackpot-analytics-and-more")
		}, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				_, err := workspace.New(ctx, "workspace", a)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestValidArgsAreNotChanged(t *testing.T) {
	a := args()
	a.HomeEFSRetention = ""
	build(t, a)
	assert.Empty(t, a.HomeEFSRetention, "defaults apply to a copy, never to the caller's args")
}

// TestTeamRoleAsAWSWouldDecide evaluates the team role's policy within the
// permissions boundary for the calls a team member makes from a notebook.
func TestTeamRoleAsAWSWouldDecide(t *testing.T) {
	m := build(t, args())
	b := boundary(t, m)
	team, other := "jackpot-analytics", "player-insights"
	doc := teamPolicy(t, m, team)
	role := "arn:aws:iam::123456789012:role/workspace-" + team
	sm := func(resource string) string { return "arn:aws:sagemaker:eu-west-1:123456789012:" + resource }
	logs := func(group, stream string) string {
		return "arn:aws:logs:eu-west-1:123456789012:log-group:" + group + ":log-stream:" + stream
	}
	ownProfile, otherProfile := sm("user-profile/workspace-id/"+team), sm("user-profile/workspace-id/"+other)
	base := iameval.Keys("aws:PrincipalTag/team", team)
	job := func(extra ...string) iameval.Context {
		c := base.With("aws:RequestTag/team", team).
			With("sagemaker:InstanceTypes", "ml.m5.large").
			With("sagemaker:VpcSubnets", "subnet-a", "subnet-b").
			With("sagemaker:VpcSecurityGroupIds", "workspace-"+team+"-id").
			With("sagemaker:VolumeKmsKey", workspaceKey).
			With("sagemaker:InterContainerTrafficEncryption", "true")
		for i := 0; i+1 < len(extra); i += 2 {
			c = c.With(extra[i], extra[i+1])
		}
		return c
	}
	space := func(owner string) iameval.Context {
		return base.With("aws:RequestTag/team", team).With("aws:RequestTag/expires-at", "2030-01-01T00:00:00Z").
			With("sagemaker:InstanceTypes", "ml.t3.medium").With("sagemaker:OwnerUserProfileArn", owner)
	}
	app := base.With("sagemaker:InstanceTypes", "ml.t3.medium")
	tests := []struct {
		name     string
		action   string
		resource string
		ctx      iameval.Context
		want     iameval.Decision
	}{
		{"start JupyterLab in the profile", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "/JupyterLab/default"), app, iameval.Allow},
		{"start Code Editor in an own space", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "--nb/codeeditor/default"),
			app.With("sagemaker:OwnerUserProfileArn", ownProfile), iameval.Allow},
		{"start a kernel gateway (no idle shutdown)", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "/KernelGateway/default"), app, iameval.ExplicitDeny},
		{"start Studio Classic", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "/JupyterServer/default"), app, iameval.ExplicitDeny},
		{"start RStudio", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "/RStudioServerPro/default"), app, iameval.ExplicitDeny},
		{"start an app in a space another profile owns", "sagemaker:CreateApp", sm("app/workspace-id/" + team + "--nb/jupyterlab/default"),
			app.With("sagemaker:OwnerUserProfileArn", otherProfile), iameval.ImplicitDeny},
		{"start an app in another team's space", "sagemaker:CreateApp", sm("app/workspace-id/" + other + "--nb/jupyterlab/default"),
			app.With("sagemaker:OwnerUserProfileArn", otherProfile), iameval.ImplicitDeny},
		{"create an own space", "sagemaker:CreateSpace", sm("space/workspace-id/" + team + "--nb"), space(ownProfile), iameval.Allow},
		{"create a space owned by another team's profile", "sagemaker:CreateSpace", sm("space/workspace-id/" + team + "--nb"), space(otherProfile), iameval.ExplicitDeny},
		{"create a space without an owner", "sagemaker:CreateSpace", sm("space/workspace-id/" + team + "--nb"),
			base.With("aws:RequestTag/team", team).With("aws:RequestTag/expires-at", "2030-01-01T00:00:00Z"), iameval.ExplicitDeny},
		{"run a job", "sagemaker:CreateTrainingJob", sm("training-job/" + team + "--train"), job(), iameval.Allow},
		{"run a job without inter-container encryption", "sagemaker:CreateTrainingJob", sm("training-job/" + team + "--train"),
			job("sagemaker:InterContainerTrafficEncryption", "false"), iameval.ExplicitDeny},
		{"run a job in another team's security group", "sagemaker:CreateProcessingJob", sm("processing-job/" + team + "--prep"),
			job("sagemaker:VpcSecurityGroupIds", "workspace-"+other+"-id"), iameval.ImplicitDeny},
		{"run a job in the shared domain group", "sagemaker:CreateTrainingJob", sm("training-job/" + team + "--train"),
			job("sagemaker:VpcSecurityGroupIds", "workspace-studio-id"), iameval.ImplicitDeny},
		{"write own job logs", "logs:PutLogEvents", logs("/aws/sagemaker/TrainingJobs", team+"--train/algo-1-1700000000"), base, iameval.Allow},
		{"read own Studio logs", "logs:GetLogEvents", logs("/aws/sagemaker/studio", "workspace-id/"+team+"/JupyterLab/default"), base, iameval.Allow},
		{"read another team's job logs", "logs:GetLogEvents", logs("/aws/sagemaker/TrainingJobs", other+"--train/algo-1-1700000000"), base, iameval.ImplicitDeny},
		{"write into another team's Studio logs", "logs:PutLogEvents", logs("/aws/sagemaker/studio", "workspace-id/"+other+"/JupyterLab/default"), base, iameval.ImplicitDeny},
		{"search a whole log group", "logs:FilterLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*", base, iameval.ExplicitDeny},
		{"create a log group", "logs:CreateLogGroup", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Other", base, iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{doc}, Boundary: &b},
				iameval.Request{Principal: role, Action: tt.action, Resource: tt.resource, Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}

func TestPeopleOpenOnlyTheirTeamsProfileFromThePlatformsNetwork(t *testing.T) {
	a := args()
	a.Teams[0].AccessRoles = []string{"jackpot-analysts"}
	a.Teams[1].AccessGroups = []string{"player-insights-people"}
	m := build(t, a)
	require.Len(t, m.OfType(attachType), 1)
	require.Len(t, m.OfType(groupAttach), 1)
	assert.Equal(t, "jackpot-analysts", m.Named(t, attachType, "workspace-jackpot-analytics-access-role-jackpot-analysts").Str("role"))
	assert.Equal(t, "player-insights-people", m.Named(t, groupAttach, "workspace-player-insights-access-group-player-insights-people").Str("group"))

	doc := policyOf(t, m.Named(t, policyType, "workspace-jackpot-analytics-access"), "policy")
	person := "arn:aws:iam::123456789012:role/jackpot-analysts"
	own := "arn:aws:sagemaker:eu-west-1:123456789012:user-profile/workspace-id/jackpot-analytics"
	theirs := "arn:aws:sagemaker:eu-west-1:123456789012:user-profile/workspace-id/player-insights"
	office, home := iameval.Keys("aws:SourceIp", "203.0.113.9"), iameval.Keys("aws:SourceIp", "198.51.100.9")
	studioEndpoint := iameval.Keys("aws:SourceVpce", "vpce-studio")
	otherEndpoint := iameval.Keys("aws:SourceVpce", "vpce-somewhere-else")
	// An administrator's policy allowing every presigned URL does not
	// widen the team's access: the Deny statements hold.
	everyURL := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:CreatePresignedDomainUrl"}, Resource: iamdoc.Strings{"*"}})
	tests := []struct {
		name     string
		resource string
		ctx      iameval.Context
		want     iameval.Decision
	}{
		{"own profile from the office", own, office, iameval.Allow},
		{"own profile through the VPC's Studio endpoint", own, studioEndpoint, iameval.Allow},
		{"own profile from home", own, home, iameval.ExplicitDeny},
		{"own profile through another VPC's endpoint", own, otherEndpoint, iameval.ExplicitDeny},
		{"another team's profile from the office", theirs, office, iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, identity := range [][]iamdoc.Document{{doc}, {doc, everyURL}} {
				got, err := iameval.Evaluate(iameval.Policies{Identity: identity},
					iameval.Request{Principal: person, Action: "sagemaker:CreatePresignedDomainUrl", Resource: tt.resource, Context: tt.ctx})
				require.NoError(t, err)
				assert.Equal(t, tt.want, got.Decision, got.Reason)
			}
		})
	}
}
