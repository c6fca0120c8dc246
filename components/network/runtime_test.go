package network_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
)

// Through the SageMaker runtime endpoint only a team's invokers reach the
// team's endpoints, whatever their identity policies allow.
func TestRuntimeEndpointAdmitsOnlyEachTeamsInvokers(t *testing.T) {
	s := scopetest.Dev()
	role := func(n string) string { return s.RoleARN(n) }
	endpoints := func(team string) string { return s.ARN("sagemaker", "endpoint/aifactory-dev-"+team+"--*") }
	doc := network.RuntimeEndpointPolicy(s, nil, []network.RuntimeInvokers{
		{Team: "team-a", EndpointsArn: endpoints("team-a"), PrincipalArns: []string{role("aifactory-dev-studio-team-a"), role("team-a-analysts"), role("pricing-service")}},
		{Team: "team-b", EndpointsArn: endpoints("team-b"), PrincipalArns: []string{role("team-b-analysts")}, AnyUser: true},
	})
	js, err := doc.JSON()
	require.NoError(t, err)
	parsed, err := iamdoc.Parse(js)
	require.NoError(t, err)
	everything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*"}, Resource: iamdoc.Strings{"*"}})
	endpoint := func(team string) string { return s.ARN("sagemaker", "endpoint/aifactory-dev-"+team+"--churn") }
	tests := []struct {
		name, principal, action, resource string
		want                              iameval.Decision
	}{
		{"team A's Studio role", role("aifactory-dev-studio-team-a"), "sagemaker:InvokeEndpoint", endpoint("team-a"), iameval.Allow},
		{"team A's consumer, streaming", role("pricing-service"), "sagemaker:InvokeEndpointWithResponseStream", endpoint("team-a"), iameval.Allow},
		{"team B's people on A's endpoint", role("team-b-analysts"), "sagemaker:InvokeEndpoint", endpoint("team-a"), iameval.ExplicitDeny},
		{"team B's people asynchronously on A's endpoint", role("team-b-analysts"), "sagemaker:InvokeEndpointAsync", endpoint("team-a"), iameval.ExplicitDeny},
		{"an administrator on A's endpoint", role("account-admin"), "sagemaker:InvokeEndpoint", endpoint("team-a"), iameval.ExplicitDeny},
		{"an IAM user on A's endpoint", s.GlobalARN("iam", "user/alice"), "sagemaker:InvokeEndpoint", endpoint("team-a"), iameval.ExplicitDeny},
		{"an IAM user on B's endpoint (B's people are a group)", s.GlobalARN("iam", "user/alice"), "sagemaker:InvokeEndpoint", endpoint("team-b"), iameval.Allow},
		{"team A's people on B's endpoint", role("team-a-analysts"), "sagemaker:InvokeEndpoint", endpoint("team-b"), iameval.ExplicitDeny},
		{"an administrator on an unlisted team's endpoint", role("account-admin"), "sagemaker:InvokeEndpoint", endpoint("team-c"), iameval.ExplicitDeny},
		{"other calls through the endpoint stay open", role("account-admin"), "sagemaker:DescribeEndpoint", endpoint("team-a"), iameval.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{everything}, Endpoint: []iamdoc.Document{parsed}},
				iameval.Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: iameval.Keys("aws:ResourceAccount", "123456789012")})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision)
		})
	}
}
