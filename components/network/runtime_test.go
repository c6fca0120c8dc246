package network_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

// runtimeWorld is a runtime endpoint policy for three teams: team-a's
// people are roles, team-b's and team-c's include IAM groups (their tagged
// IAM users invoke). team-d serves endpoints but is not listed.
type runtimeWorld struct {
	s        scope.Scope
	invokers []network.RuntimeInvokers
}

func newRuntimeWorld(tagged bool) runtimeWorld {
	s := scopetest.Dev()
	role := s.RoleARN
	endpoints := func(team string) string { return s.ARN("sagemaker", "endpoint/aifactory-dev-"+team+"--*") }
	return runtimeWorld{s: s, invokers: []network.RuntimeInvokers{
		{Team: "team-a", EndpointsArn: endpoints("team-a"), PrincipalArns: []string{role("aifactory-dev-studio-team-a"), role("team-a-analysts"), role("pricing-service")}},
		{Team: "team-b", EndpointsArn: endpoints("team-b"), PrincipalArns: []string{role("aifactory-dev-studio-team-b"), role("team-b-analysts")}, TaggedUsers: tagged},
		{Team: "team-c", EndpointsArn: endpoints("team-c"), PrincipalArns: []string{role("aifactory-dev-studio-team-c")}, TaggedUsers: tagged},
	}}
}

// policy is the generated document as AWS receives it (JSON, parsed back).
func (w runtimeWorld) policy(t *testing.T) iamdoc.Document {
	t.Helper()
	js, err := network.RuntimeEndpointPolicy(w.s, nil, w.invokers).JSON()
	require.NoError(t, err)
	parsed, err := iamdoc.Parse(js)
	require.NoError(t, err)
	return parsed
}

func (w runtimeWorld) endpoint(team string) string {
	return w.s.ARN("sagemaker", "endpoint/aifactory-dev-"+team+"--churn")
}

// everything is an identity policy granting sagemaker:* on every
// resource: the endpoint's policy alone decides.
var everything = iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*"}, Resource: iamdoc.Strings{"*"}})

// throughRuntime decides a call with sagemaker:* through the runtime endpoint.
func throughRuntime(t *testing.T, doc iamdoc.Document, principal, action, resource string, ctx iameval.Context) iameval.Decision {
	t.Helper()
	got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{everything}, Endpoint: []iamdoc.Document{doc}},
		iameval.Request{Principal: principal, Action: action, Resource: resource, Context: ctx.With("aws:ResourceAccount", "123456789012")})
	require.NoError(t, err)
	return got.Decision
}

// teamTag is the principal tag the policy admits users by.
func teamTag(team string) iameval.Context {
	return iameval.Keys("aws:PrincipalTag/"+tagkeys.Team, team)
}

// Through the SageMaker runtime endpoint only a team's invokers reach the
// team's endpoints, whatever their identity policies allow.
func TestRuntimeEndpointAdmitsOnlyEachTeamsInvokers(t *testing.T) {
	w := newRuntimeWorld(true)
	doc := w.policy(t)
	role := w.s.RoleARN
	alice := w.s.GlobalARN("iam", "user/alice")
	tests := []struct {
		name, principal, action, resource string
		ctx                               iameval.Context
		want                              iameval.Decision
	}{
		{"team A's Studio role", role("aifactory-dev-studio-team-a"), "sagemaker:InvokeEndpoint", w.endpoint("team-a"), nil, iameval.Allow},
		{"team A's consumer, streaming", role("pricing-service"), "sagemaker:InvokeEndpointWithResponseStream", w.endpoint("team-a"), nil, iameval.Allow},
		{"team B's people on A's endpoint", role("team-b-analysts"), "sagemaker:InvokeEndpoint", w.endpoint("team-a"), nil, iameval.ExplicitDeny},
		{"team B's people asynchronously on A's endpoint", role("team-b-analysts"), "sagemaker:InvokeEndpointAsync", w.endpoint("team-a"), nil, iameval.ExplicitDeny},
		{"an administrator on A's endpoint", role("account-admin"), "sagemaker:InvokeEndpoint", w.endpoint("team-a"), nil, iameval.ExplicitDeny},
		{"team A's people on B's endpoint", role("team-a-analysts"), "sagemaker:InvokeEndpoint", w.endpoint("team-b"), nil, iameval.ExplicitDeny},
		{"an administrator on an unlisted team's endpoint", role("account-admin"), "sagemaker:InvokeEndpoint", w.endpoint("team-d"), nil, iameval.ExplicitDeny},
		{"other calls through the endpoint stay open", role("account-admin"), "sagemaker:DescribeEndpoint", w.endpoint("team-a"), nil, iameval.Allow},
		{"an untagged IAM user on B's endpoint (B's people are a group)", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-b"), nil, iameval.ExplicitDeny},
		{"an IAM user tagged with B on B's endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-b"), iameval.Allow},
		{"an IAM user tagged with B, asynchronously", alice, "sagemaker:InvokeEndpointAsync", w.endpoint("team-b"), teamTag("team-b"), iameval.Allow},
		{"an IAM user with a path, tagged with B", w.s.GlobalARN("iam", "user/analytics/alice"), "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-b"), iameval.Allow},
		{"an IAM user tagged with C on B's endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-c"), iameval.ExplicitDeny},
		{"an IAM user tagged with B on A's endpoint (A admits no users)", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-a"), teamTag("team-b"), iameval.ExplicitDeny},
		{"an IAM user tagged with A on A's endpoint (A admits no users)", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-a"), teamTag("team-a"), iameval.ExplicitDeny},
		{"an IAM user with an empty team tag on B's endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag(""), iameval.ExplicitDeny},
		{"an IAM user tagged with a team's prefix on B's endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-*"), iameval.ExplicitDeny},
		{"a role tagged with B on B's endpoint (roles pass by name)", role("account-admin"), "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-b"), iameval.ExplicitDeny},
		{"a federated user tagged with B on B's endpoint", w.s.GlobalARN("sts", "federated-user/alice"), "sagemaker:InvokeEndpoint", w.endpoint("team-b"), teamTag("team-b"), iameval.ExplicitDeny},
		{"an untagged IAM user on an unlisted team's endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-d"), nil, iameval.ExplicitDeny},
		{"an IAM user tagged with an unlisted team on its endpoint", alice, "sagemaker:InvokeEndpoint", w.endpoint("team-d"), teamTag("team-d"), iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, throughRuntime(t, doc, tt.principal, tt.action, tt.resource, tt.ctx))
		})
	}
}

// An IAM user passes a team's deny only when tagged with that team, and
// only for a team whose people include groups: for every pair of teams,
// a user tagged with A invokes A's endpoints and never B's, and an
// untagged user (or one tagged with an unknown team) invokes none.
func TestRuntimeEndpointAdmitsIAMUsersByTheirTeamTag(t *testing.T) {
	w := newRuntimeWorld(true)
	doc := w.policy(t)
	admitsUsers := map[string]bool{}
	for _, inv := range w.invokers {
		admitsUsers[inv.Team] = inv.TaggedUsers
	}
	users := []string{w.s.GlobalARN("iam", "user/alice"), w.s.GlobalARN("iam", "user/people/bob")}
	tags := []string{"team-a", "team-b", "team-c", "team-d", "team-z", ""}
	checks := 0
	for _, user := range users {
		for _, endpointTeam := range []string{"team-a", "team-b", "team-c"} {
			for _, action := range network.InvokeActions {
				for _, tag := range tags {
					want := iameval.ExplicitDeny
					if tag == endpointTeam && admitsUsers[endpointTeam] {
						want = iameval.Allow
					}
					assert.Equal(t, want, throughRuntime(t, doc, user, action, w.endpoint(endpointTeam), teamTag(tag)),
						"%s tagged %q: %s on %s's endpoint", user, tag, action, endpointTeam)
					checks++
				}
				assert.Equal(t, iameval.ExplicitDeny, throughRuntime(t, doc, user, action, w.endpoint(endpointTeam), nil),
					"%s without a team tag: %s on %s's endpoint", user, action, endpointTeam)
				checks++
			}
		}
	}
	require.Equal(t, 2*3*3*(len(tags)+1), checks)
}

// Roles are admitted by name alone: for every role, tagged or not, the
// decision on every team's endpoint is the same whether or not any team
// admits tagged users.
func TestRuntimeEndpointDecidesRolesByNameAlone(t *testing.T) {
	withUsers, rolesOnly := newRuntimeWorld(true).policy(t), newRuntimeWorld(false).policy(t)
	w := newRuntimeWorld(true)
	roles := []string{w.s.RoleARN("account-admin")}
	for _, inv := range w.invokers {
		roles = append(roles, inv.PrincipalArns...)
	}
	allowed := 0
	for _, r := range roles {
		for _, team := range []string{"team-a", "team-b", "team-c", "team-d"} {
			for _, tag := range []string{"", "team-a", "team-b", "team-c"} {
				var ctx iameval.Context
				if tag != "" {
					ctx = teamTag(tag)
				}
				want := throughRuntime(t, rolesOnly, r, "sagemaker:InvokeEndpoint", w.endpoint(team), ctx)
				assert.Equal(t, want, throughRuntime(t, withUsers, r, "sagemaker:InvokeEndpoint", w.endpoint(team), ctx), "%s tagged %q on %s's endpoint", r, tag, team)
				if want == iameval.Allow {
					allowed++
				}
			}
		}
	}
	// Each named role on its own team's endpoint and, as one who invokes
	// some platform endpoint, on the unlisted team's: the comparison above
	// covers both decisions.
	require.Equal(t, 6*2*4, allowed)
}

// The policy admits users by the platform's team tag and keeps the roles'
// statements as they were.
func TestRuntimeEndpointPolicyShape(t *testing.T) {
	w := newRuntimeWorld(true)
	doc := network.RuntimeEndpointPolicy(w.s, nil, w.invokers)
	bySid := map[string]iamdoc.Statement{}
	for _, st := range doc.Statement {
		bySid[st.Sid] = st
	}
	users := iamdoc.Strings{w.s.GlobalARN("iam", "user/*")}
	b := bySid["OnlyTheTeamInvokesItsEndpointsTeamBUsers"]
	assert.Equal(t, iamdoc.Deny, b.Effect)
	assert.Equal(t, users, b.Condition["ArnLike"]["aws:PrincipalArn"])
	assert.Equal(t, iamdoc.Strings{"team-b"}, b.Condition["StringNotEquals"]["aws:PrincipalTag/"+tagkeys.Team])
	assert.Equal(t, users, bySid["OnlyTheTeamInvokesItsEndpointsTeamB"].Condition["ArnNotLike"]["aws:PrincipalArn"])
	all := bySid["OnlyTheTeamsInvokePlatformEndpointsUsers"]
	assert.Equal(t, iamdoc.Strings{"team-b", "team-c"}, all.Condition["StringNotEquals"]["aws:PrincipalTag/"+tagkeys.Team])
	assert.NotContains(t, bySid, "OnlyTheTeamInvokesItsEndpointsTeamAUsers", "team A admits no users")
	assert.NotContains(t, bySid["OnlyTheTeamInvokesItsEndpointsTeamA"].Condition, "ArnNotLike")

	none := network.RuntimeEndpointPolicy(w.s, nil, newRuntimeWorld(false).invokers)
	for _, st := range none.Statement {
		assert.NotContains(t, st.Sid, "Users", "no team admits users")
		assert.NotContains(t, st.Condition, "ArnNotLike")
	}
}

// A stack with many teams whose people are groups still fits AWS's limit
// on a VPC endpoint policy; one that does not is refused before anything
// is created, naming the field.
func TestRuntimeEndpointPolicyStaysWithinTheEndpointPolicyLimit(t *testing.T) {
	invokers := func(s scope.Scope, teams int) []network.RuntimeInvokers {
		var out []network.RuntimeInvokers
		for i := range teams {
			team := fmt.Sprintf("team-number-%02d", i)
			out = append(out, network.RuntimeInvokers{
				Team: team, EndpointsArn: s.ARN("sagemaker", "endpoint/"+s.Prefix+"-"+team+"--*"),
				PrincipalArns: []string{s.RoleARN(s.Prefix + "-studio-" + team), s.RoleARN(team + "-analysts"), s.RoleARN(team + "-consumer")},
				TaggedUsers:   true,
			})
		}
		return out
	}
	tests := []struct {
		teams int
		fits  bool
	}{{15, true}, {17, false}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d teams", tt.teams), func(t *testing.T) {
			a := args()
			a.Scope = scopetest.Scope("prod")
			a.RuntimeInvokers = invokers(a.Scope, tt.teams)
			js, err := network.RuntimeEndpointPolicy(a.Scope, a.ImageRegistryAccounts, a.RuntimeInvokers).JSON()
			require.NoError(t, err)
			const limit = 20480 // characters of a VPC endpoint policy
			assert.Equal(t, tt.fits, len(js) <= limit, "%d characters", len(js))
			m, err := mocktest.Run(t, "prod", nil, func(ctx *pulumi.Context) error {
				_, err := network.New(ctx, "network", a)
				return err
			})
			if tt.fits {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "RuntimeInvokers: the SageMaker runtime endpoint's policy would have")
			assert.Empty(t, m.Resources())
		})
	}
}
