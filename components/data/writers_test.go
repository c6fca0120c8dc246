package data_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
)

const (
	approverA = "arn:aws:iam::123456789012:role/jackpot-analytics-model-approvers"
	approverB = "arn:aws:iam::123456789012:role/player-insights-model-approvers"
	servingA  = "arn:aws:iam::123456789012:role/aifactory-dev-serving-jackpot-analytics"
	servingB  = "arn:aws:iam::123456789012:role/aifactory-dev-serving-player-insights"
)

func writersArgs() *data.Args {
	a := args()
	a.Teams[0].ModelApproverArns, a.Teams[0].ServingRoleArn = []string{approverA}, servingA
	a.Teams[1].ModelApproverArns, a.Teams[1].ServingRoleArn = []string{approverB}, servingB
	return a
}

// Only a team's approvers write its approved model artefacts, only its
// serving role writes its captured data, and nobody deletes captured data:
// decided by the bucket's and the access point's policies alone, for
// callers whose identity policies allow s3:* on every resource, directly
// on the bucket and through the team's access point.
func TestOnlyApproversPublishModelsAndOnlyServingWritesCapture(t *testing.T) {
	m, _ := build(t, writersArgs())
	bucketDoc := policyOf(t, sibling(t, m, policyType, data.DataPurpose))
	apDoc := func(team string) iamdoc.Document {
		for _, r := range m.OfType(apType) {
			if r.Name == "data-"+team {
				return policyOf(t, r)
			}
		}
		t.Fatalf("no access point of %s", team)
		return iamdoc.Document{}
	}
	everything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"}})
	bucket := "arn:aws:s3:::aifactory-dev-data-" + account
	ap := scopetest.Dev().TeamAccessPointARN(jackpot)
	ctx := func(keys map[string]string) iameval.Context {
		c := iameval.Context{}
		for k, v := range keys {
			c[k] = []string{v}
		}
		return c
	}
	// direct decides a request on the bucket through the S3 gateway
	// endpoint; viaAccessPoint one through the team's access point, which
	// the access point's and the bucket's policies both decide.
	direct := func(principal, action, key string) iameval.Decision {
		got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{everything}, Resource: []iamdoc.Document{bucketDoc}},
			iameval.Request{Principal: principal, Action: action, Resource: bucket + "/" + key, Context: ctx(fromVPC())})
		require.NoError(t, err)
		return got.Decision
	}
	viaAccessPoint := func(principal, action, key string) iameval.Decision {
		keys := ctx(throughAccessPoint(ap))
		got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{everything}, Resource: []iamdoc.Document{apDoc(jackpot)}},
			iameval.Request{Principal: principal, Action: action, Resource: ap + "/object/" + key, Context: keys})
		require.NoError(t, err)
		onBucket, err := iameval.Document(bucketDoc, iameval.Request{Principal: principal, Action: action, Resource: bucket + "/" + key, Context: keys})
		require.NoError(t, err)
		if onBucket == iameval.Denied {
			return iameval.ExplicitDeny
		}
		return got.Decision
	}
	approved := "teams/" + jackpot + "/models/approved/propensity/3/model.tar.gz"
	candidate := "teams/" + jackpot + "/models/propensity/3/model.tar.gz"
	captured := "teams/" + jackpot + "/serving/propensity/AllTraffic/2027/01/01/00/x.jsonl"
	unlisted := "teams/new-team/models/approved/m/1/model.tar.gz"
	tests := []struct {
		name   string
		decide func(principal, action, key string) iameval.Decision
		who    string
		action string
		key    string
		want   iameval.Decision
	}{
		{"the team's approver publishes an approved artefact", direct, approverA, "s3:PutObject", approved, iameval.Allow},
		{"the team's approver withdraws one", direct, approverA, "s3:DeleteObject", approved, iameval.Allow},
		{"the team's role overwrites an approved artefact on the bucket", direct, roleA, "s3:PutObject", approved, iameval.ExplicitDeny},
		{"the team's role overwrites one through its access point", viaAccessPoint, roleA, "s3:PutObject", approved, iameval.ExplicitDeny},
		{"the team's role deletes one through its access point", viaAccessPoint, roleA, "s3:DeleteObject", approved, iameval.ExplicitDeny},
		{"the team's role retags one", viaAccessPoint, roleA, "s3:PutObjectTagging", approved, iameval.ExplicitDeny},
		{"the team's role reads one through its access point", viaAccessPoint, roleA, "s3:GetObject", approved, iameval.Allow},
		{"the team's role proposes a candidate through its access point", viaAccessPoint, roleA, "s3:PutObject", candidate, iameval.Allow},
		{"another team's approver publishes into the team's", direct, approverB, "s3:PutObject", approved, iameval.ExplicitDeny},
		{"the team's serving role overwrites an approved artefact", direct, servingA, "s3:PutObject", approved, iameval.ExplicitDeny},
		{"the deployer overwrites an approved artefact", direct, deployer, "s3:PutObject", approved, iameval.ExplicitDeny},
		{"an administrator writes an unlisted team's approved artefact", direct, admin, "s3:PutObject", unlisted, iameval.ExplicitDeny},
		{"the team's serving role writes captured data", direct, servingA, "s3:PutObject", captured, iameval.Allow},
		{"the team's serving role deletes captured data", direct, servingA, "s3:DeleteObject", captured, iameval.ExplicitDeny},
		{"another team's serving role writes the team's captured data", direct, servingB, "s3:PutObject", captured, iameval.ExplicitDeny},
		{"the team's role writes captured data through its access point", viaAccessPoint, roleA, "s3:PutObject", captured, iameval.ExplicitDeny},
		{"the team's role deletes captured data through its access point", viaAccessPoint, roleA, "s3:DeleteObject", captured, iameval.ExplicitDeny},
		{"the team's role deletes captured data on the bucket", direct, roleA, "s3:DeleteObject", captured, iameval.ExplicitDeny},
		{"the team's role reads captured data through its access point", viaAccessPoint, roleA, "s3:GetObject", captured, iameval.Allow},
		{"the deployer deletes captured data", direct, deployer, "s3:DeleteObject", captured, iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.decide(tt.who, tt.action, tt.key))
		})
	}
}

func TestTeamWritersMustBeRoles(t *testing.T) {
	a := writersArgs()
	a.Teams[0].ModelApproverArns = []string{"arn:aws:iam::123456789012:user/alice"}
	a.Teams[1].ServingRoleArn = "serving"
	_, _, err := run(t, "dev", a)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Teams[0].ModelApproverArns[0]")
	assert.Contains(t, err.Error(), "Teams[1].ServingRoleArn")
}
