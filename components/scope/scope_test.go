package scope_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/scope/scopetest"
)

func TestValidateAcceptsEveryEnvironment(t *testing.T) {
	for _, env := range scope.Environments {
		assert.NoError(t, scopetest.Scope(env).Validate(), env)
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*scope.Scope)
		field  string
	}{
		{"short prefix", func(s *scope.Scope) { s.Prefix = "a" }, "Scope.Prefix"},
		{"upper-case prefix", func(s *scope.Scope) { s.Prefix = "Aifactory" }, "Scope.Prefix"},
		{"prefix with a digit first", func(s *scope.Scope) { s.Prefix = "1factory" }, "Scope.Prefix"},
		{"prefix with an underscore", func(s *scope.Scope) { s.Prefix = "aifactory_dev" }, "Scope.Prefix"},
		{"prefix ending in a hyphen", func(s *scope.Scope) { s.Prefix = "aifactory-" }, "Scope.Prefix"},
		{"prefix too long", func(s *scope.Scope) { s.Prefix = "a" + strings.Repeat("b", scope.MaxPrefixLength) }, "Scope.Prefix"},
		{"unknown environment", func(s *scope.Scope) { s.Environment = "test" }, "Scope.Environment"},
		{"short account", func(s *scope.Scope) { s.AccountID = "12345678901" }, "Scope.AccountID"},
		{"account with a letter", func(s *scope.Scope) { s.AccountID = "12345678901a" }, "Scope.AccountID"},
		{"no region", func(s *scope.Scope) { s.Region = "" }, "Scope.Region"},
		{"no partition", func(s *scope.Scope) { s.Partition = "" }, "Scope.Partition"},
		{"organisation id without o-", func(s *scope.Scope) { s.OrganizationID = "abcdefghij" }, "Scope.OrganizationID"},
		{"organisation id in capitals", func(s *scope.Scope) { s.OrganizationID = "o-ABCDEFGHIJ" }, "Scope.OrganizationID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := scopetest.Dev()
			tc.change(&s)
			err := s.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	prefix := "a" + strings.Repeat("b", scope.MaxPrefixLength-1)
	assert.NoError(t, scope.CheckPrefix(prefix), "a %d-character prefix is allowed", len(prefix))
}

func TestNamesAndARNs(t *testing.T) {
	s := scopetest.Dev()
	for _, tc := range []struct{ got, want string }{
		{s.Name("emr", "service"), "aifactory-dev-emr-service"},
		{s.ARN("sagemaker", "domain/d-1"), "arn:aws:sagemaker:eu-west-1:123456789012:domain/d-1"},
		{s.AnyRegionARN("cloudtrail", "trail/*"), "arn:aws:cloudtrail:*:123456789012:trail/*"},
		{s.RoleARN("r"), "arn:aws:iam::123456789012:role/r"},
		{s.ServiceIntegrationARN("states", "ecs:runTask.sync"), "arn:aws:states:::ecs:runTask.sync"},
		{s.AccountRootARN(), "arn:aws:iam::123456789012:root"},
		{s.ManagedPolicyARN("service-role/AmazonEMRServicePolicy_v2"), "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"},
		{s.BucketARN("b"), "arn:aws:s3:::b"},
		{s.PlatformBucketsARN(), "arn:aws:s3:::aifactory-dev-*"},
		{s.AccessPointARN("dev-risk"), "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-risk"},
		{s.LogGroupARN("/aws/x:*"), "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/x:*"},
		{s.LogStreamARN("/aws/sagemaker/TrainingJobs", "risk--*"), "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:risk--*"},
		{s.ServiceHost("s3"), "s3.eu-west-1.amazonaws.com"},
		{s.TeamPrefix("risk"), "teams/risk/"},
		{s.TeamResourceName("risk", "nb"), "risk--nb"},
		{s.TeamAccessPointName("risk"), "dev-risk"},
		{s.TeamAccessPointARN("risk"), "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-risk"},
		{s.BucketName("data"), "aifactory-dev-data-123456789012"},
		{s.ServiceAccessPointName("pipeline"), "dev--pipeline"},
		{s.ServiceAccessPointARN("pipeline"), "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev--pipeline"},
		{s.RegistryHost(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com"},
	} {
		assert.Equal(t, tc.want, tc.got)
	}
	assert.False(t, s.IsProd())
	assert.True(t, scopetest.Scope("prod").IsProd())
}

func TestOrganizationIDIsOptional(t *testing.T) {
	s := scopetest.Dev()
	s.OrganizationID = "o-a1b2c3d4e5"
	assert.NoError(t, s.Validate())
}

func TestRoleInAccount(t *testing.T) {
	for arn, ok := range map[string]bool{
		"arn:aws:iam::123456789012:role/deployer":                                      true,
		"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO": true,
		"arn:aws-us-gov:iam::123456789012:role/deployer":                               true,
		"arn:aws:iam::999999999999:role/deployer":                                      false,
		"arn:aws:iam::123456789012:user/alice":                                         false,
		"arn:aws:iam::123456789012:root":                                               false,
		"arn:aws:iam::123456789012:role/*":                                             false,
		"deployer":                                                                     false,
	} {
		assert.Equal(t, ok, scope.RoleInAccount(arn, "123456789012"), arn)
	}
}

// A service's access point is delegated to by the data bucket like a
// team's, yet no valid team name can ever produce its name.
func TestServiceAccessPointsNeverCollideWithTeams(t *testing.T) {
	for _, env := range scope.Environments {
		s := scopetest.Scope(env)
		name := s.ServiceAccessPointName("pipeline")
		assert.True(t, strings.HasPrefix(s.ServiceAccessPointARN("pipeline"), strings.TrimSuffix(s.TeamAccessPointARN("*"), "*")),
			"%s falls under the delegation to %s", name, s.TeamAccessPointARN("*"))
		team := strings.TrimPrefix(name, env+"-")
		assert.Error(t, scope.CheckTeamName("team", team), "a team named %q would share the access point %s", team, name)
	}
}

func TestCheckTeamName(t *testing.T) {
	for name, ok := range map[string]bool{
		"risk": true, "jackpot-analytics": true, "ab": true,
		"a": false, "Risk": false, "risk--x": false, "risk-": false, "9risk": false,
		strings.Repeat("a", scope.MaxTeamNameLength+1): false,
	} {
		err := scope.CheckTeamName("Teams[0].Name", name)
		if ok {
			assert.NoError(t, err, name)
			continue
		}
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), "Teams[0].Name")
		}
	}
}

func TestCheckDomainName(t *testing.T) {
	for d, ok := range map[string]bool{
		"pypi.internal.example.com": true, "*.example.com": true, "example.com": true,
		"*": false, "*.com": false, "com": false, "Example.com": false, "exa mple.com": false, "*.*.example.com": false,
	} {
		assert.Equal(t, ok, scope.CheckDomainName(d) == nil, d)
	}
}

func TestCheckSourceCIDR(t *testing.T) {
	for c, ok := range map[string]bool{
		"203.0.113.0/24": true, "10.0.0.0/8": true, "2001:db8::/32": true,
		"0.0.0.0/0": false, "0.0.0.0/1": false, "::/0": false, "203.0.113.7/24": false, "office": false,
	} {
		assert.Equal(t, ok, scope.CheckSourceCIDR(c) == nil, c)
	}
}
