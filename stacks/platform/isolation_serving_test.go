package platform_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/serving"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/iameval"
)

// The serving surfaces of the isolation matrix: model registries, served
// endpoints, and the artefacts and captured data of served models. The
// world's third team serves a model too, and every team has people, so
// every ordered pair of teams is checked on every serving surface.

// riskModelsServing is the third team's serving config.
func riskModelsServing() map[string]any {
	return map[string]any{
		"approvers": []string{"risk-models-model-approvers"},
		"consumers": []string{"risk-scoring-service"},
		"endpoints": []map[string]any{{
			"name": "default-risk", "modelPackageArn": "arn:aws:sagemaker:eu-west-1:" + isolationAccount + ":model-package/aifactory-dev-risk-models/2",
			"instanceType": "ml.m5.large", "dataCapturePercent": 10, "expiresAt": "2027-12-31T18:00:00Z",
		}},
	}
}

// withPeople gives every team of the world people (an analytics identity),
// who register model versions and invoke the team's endpoints.
func withPeople(teams []map[string]any) {
	for _, team := range teams {
		if _, ok := team["analytics"]; !ok {
			team["analytics"] = map[string]any{"identities": []map[string]string{{"type": "ROLE", "name": team["name"].(string) + "-analysts"}}}
		}
	}
}

// groupTeams are the teams of the world whose people include an IAM group
// ("<team>-viewers"): their IAM users tagged with the team invoke the
// team's endpoints. jackpot-analytics' people are roles only.
var groupTeams = map[string]bool{"player-insights": true, "risk-models": true}

// withGroups adds the IAM group of every team of groupTeams to its people.
func withGroups(teams []map[string]any) {
	for _, team := range teams {
		name := team["name"].(string)
		if !groupTeams[name] {
			continue
		}
		analytics := team["analytics"].(map[string]any)
		var ids []map[string]string
		switch v := analytics["identities"].(type) {
		case []map[string]string:
			ids = v
		case []any:
			for _, id := range v {
				m := map[string]string{}
				for k, x := range id.(map[string]any) {
					m[k] = x.(string)
				}
				ids = append(ids, m)
			}
		}
		analytics["identities"] = append(ids, map[string]string{"type": "GROUP", "name": name + "-viewers"})
	}
}

// servingWorld are the documents of the matrix the serving surfaces share.
type servingWorld struct {
	bucket            string
	bucketPolicy      iamdoc.Document
	s3Endpoint        iamdoc.Document
	s3EndpointID      string
	workspaceBoundary iamdoc.Document
	keyPolicy         func(purpose string) iamdoc.Document
	keyArn            func(purpose string) string
}

// servedEndpointOf is each team's endpoint in the world.
var servedEndpointOf = map[string]string{
	"jackpot-analytics": "jackpot-propensity", "player-insights": "churn-score", "risk-models": "default-risk",
}

// serverlessTeams serve serverless endpoints in the world (dev's player-insights).
var serverlessTeams = map[string]bool{"player-insights": true}

func servingMatrix(t *testing.T, w *world, mx *matrix, sw servingWorld) {
	t.Helper()
	sc := scopetest.Dev()
	vpcID := w.m.Named(t, "aws:ec2/vpc:Vpc", "network").Name + "-id"
	runtime := w.m.Named(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-sagemaker-runtime")
	runtimeID := runtime.Name + "-id"
	runtimePolicy, err := iamdoc.Parse(runtime.Str("policy"))
	require.NoError(t, err)
	servingBoundary := w.managedPolicy(t, "serving-boundary")

	workspaceRole := func(team string) string { return sc.RoleARN(workspace.TeamRoleName(sc, team)) }
	person := func(team string) string { return sc.RoleARN(team + "-analysts") }
	approver := func(team string) string { return sc.RoleARN(team + "-model-approvers") }
	servingRole := func(team string) string { return sc.RoleARN(serving.RoleName(sc, team)) }
	invokePolicy := func(team string) iamdoc.Document { return w.managedPolicy(t, "serving-"+team+"-invoke") }
	workspacePolicies := func(team string) iameval.Policies {
		b := sw.workspaceBoundary
		return iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "workspace-"+team), invokePolicy(team)}, Boundary: &b}
	}
	personPolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{
			w.managedPolicy(t, "analytics-"+team+"-studio"), w.managedPolicy(t, "workspace-"+team+"-access"),
			w.managedPolicy(t, "serving-"+team+"-registrants"), invokePolicy(team),
		}}
	}
	approverPolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{w.managedPolicy(t, "serving-"+team+"-approvers")}}
	}
	servingPolicies := func(team string) iameval.Policies {
		b := servingBoundary
		return iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "serving-"+team)}, Boundary: &b}
	}
	consumers := map[string]string{"jackpot-analytics": "jackpot-pricing-service", "risk-models": "risk-scoring-service"}

	// Model registries: a team's people register versions for approval,
	// its approvers decide, and nobody of another team does either.
	registry := func(team string) string { return serving.RegistryArn(sc, team) }
	version := func(team string) string {
		return sc.ARN("sagemaker", "model-package/"+serving.RegistryName(sc, team)+"/3")
	}
	status := func(s string) iameval.Context { return iameval.Keys("sagemaker:ModelApprovalStatus", s) }
	onRegistry := func(pol iameval.Policies, team string) iameval.Policies {
		pol.Resource = []iamdoc.Document{w.doc(t, "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy", "serving-"+team+"-registry", "resourcePolicy")}
		return pol
	}
	for team := range servedEndpointOf {
		mx.decide(t, "model registries", team, team, "people register a version for approval", onRegistry(personPolicies(team), team),
			iameval.Request{Principal: person(team), Action: "sagemaker:CreateModelPackage", Resource: registry(team), Context: status(serving.PendingManualApproval)}, iameval.Allow)
		mx.decide(t, "model registries", team, team, "approvers approve a version", onRegistry(approverPolicies(team), team),
			iameval.Request{Principal: approver(team), Action: "sagemaker:UpdateModelPackage", Resource: version(team), Context: status(serving.Approved)}, iameval.Allow)
		mx.deny(t, "model registries", team, team, "people approve their own version", onRegistry(personPolicies(team), team),
			iameval.Request{Principal: person(team), Action: "sagemaker:UpdateModelPackage", Resource: version(team), Context: status(serving.Approved)})
		mx.deny(t, "model registries", team, team, "people register a version as approved", onRegistry(personPolicies(team), team),
			iameval.Request{Principal: person(team), Action: "sagemaker:CreateModelPackage", Resource: registry(team), Context: status(serving.Approved)})
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for _, action := range []string{"sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages", "sagemaker:CreateModel", "sagemaker:DeleteModelPackage"} {
			mx.deny(t, "model registries", a, b, "people "+action+" on B's versions", onRegistry(personPolicies(a), b),
				iameval.Request{Principal: person(a), Action: action, Resource: version(b)})
			mx.deny(t, "model registries", a, b, "workspace role "+action+" on B's versions", onRegistry(workspacePolicies(a), b),
				iameval.Request{Principal: workspaceRole(a), Action: action, Resource: version(b)})
		}
		mx.deny(t, "model registries", a, b, "people register a version in B's registry", onRegistry(personPolicies(a), b),
			iameval.Request{Principal: person(a), Action: "sagemaker:CreateModelPackage", Resource: registry(b), Context: status(serving.PendingManualApproval)})
		mx.deny(t, "model registries", a, b, "A's approvers approve B's version", onRegistry(approverPolicies(a), b),
			iameval.Request{Principal: approver(a), Action: "sagemaker:UpdateModelPackage", Resource: version(b), Context: status(serving.Approved)})
		mx.deny(t, "model registries", a, b, "A's serving role reads B's versions", onRegistry(servingPolicies(a), b),
			iameval.Request{Principal: servingRole(a), Action: "sagemaker:DescribeModelPackage", Resource: version(b)})
	}

	// Broad identity grants: the registry's resource policy alone holds.
	// Another team's people and Studio role, and the team's own people,
	// each with sagemaker:* on every resource besides their own policies,
	// neither manage a registry nor approve nor change a version.
	broad := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*", "s3:*"}, Resource: iamdoc.Strings{"*"}})
	withBroad := func(pol iameval.Policies) iameval.Policies {
		pol.Identity = append(slices.Clone(pol.Identity), broad)
		pol.Boundary = nil
		return pol
	}
	registryAbuse := func(team string) []iameval.Request {
		var out []iameval.Request
		for _, action := range serving.RegistryManagementActions {
			out = append(out, iameval.Request{Action: action, Resource: registry(team)}, iameval.Request{Action: action, Resource: version(team)})
		}
		return append(out,
			iameval.Request{Action: "sagemaker:UpdateModelPackage", Resource: version(team), Context: status(serving.Approved)},
			iameval.Request{Action: "sagemaker:UpdateModelPackage", Resource: version(team)},
		)
	}
	for team := range servedEndpointOf {
		for _, r := range registryAbuse(team) {
			r.Principal = person(team)
			mx.deny(t, "model registries", team, team, "people with sagemaker:* "+r.Action+" on "+r.Resource, onRegistry(withBroad(personPolicies(team)), team), r)
		}
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for _, r := range registryAbuse(b) {
			r.Principal = person(a)
			mx.deny(t, "model registries", a, b, "people with sagemaker:* "+r.Action+" on "+r.Resource, onRegistry(withBroad(personPolicies(a)), b), r)
			r.Principal = workspaceRole(a)
			mx.deny(t, "model registries", a, b, "Studio role with sagemaker:* "+r.Action+" on "+r.Resource, onRegistry(withBroad(workspacePolicies(a)), b), r)
		}
	}

	// Served endpoints: invoked through the VPC's runtime endpoint by the
	// team's Studio role, people and consumers, never by another team's.
	endpoint := func(team string) string {
		return serving.EndpointArn(sc, serving.EndpointName(sc, team, servedEndpointOf[team]))
	}
	fromVPC := iameval.Keys("aws:SourceVpce", runtimeID, "aws:SourceVpc", vpcID, "aws:ResourceAccount", isolationAccount)
	throughRuntime := func(pol iameval.Policies) iameval.Policies {
		pol.Endpoint = []iamdoc.Document{runtimePolicy}
		return pol
	}
	consumerPolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{invokePolicy(team)}}
	}
	// An IAM user of the account; its team is its tag.
	user := sc.GlobalARN("iam", "user/alice")
	teamTag := "aws:PrincipalTag/" + tagkeys.Team
	for team := range servedEndpointOf {
		for _, action := range []string{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"} {
			mx.decide(t, "served endpoints", team, team, "Studio role "+action+" on its endpoint through the VPC", throughRuntime(workspacePolicies(team)),
				iameval.Request{Principal: workspaceRole(team), Action: action, Resource: endpoint(team), Context: fromVPC}, iameval.Allow)
			mx.decide(t, "served endpoints", team, team, "people "+action+" on their endpoint through the VPC", throughRuntime(personPolicies(team)),
				iameval.Request{Principal: person(team), Action: action, Resource: endpoint(team), Context: fromVPC}, iameval.Allow)
		}
		mx.deny(t, "served endpoints", team, team, "people invoke their endpoint from the internet", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team), Context: iameval.Keys("aws:SourceIp", "198.51.100.7")})
		// A member of the team's IAM group, tagged with the team, invokes
		// with the group's invoke policy; untagged, it does not.
		if groupTeams[team] {
			attached := w.m.Named(t, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "serving-"+team+"-invoke-group-"+team+"-viewers")
			require.Equal(t, team+"-viewers", attached.Str("group"))
			groupPolicies := iameval.Policies{Identity: []iamdoc.Document{invokePolicy(team)}}
			mx.decide(t, "served endpoints", team, team, "IAM user of the team's group, tagged with the team, invokes through the VPC", throughRuntime(groupPolicies),
				iameval.Request{Principal: user, Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team), Context: fromVPC.With(teamTag, team)}, iameval.Allow)
			mx.deny(t, "served endpoints", team, team, "IAM user of the team's group, untagged, invokes through the VPC", throughRuntime(groupPolicies),
				iameval.Request{Principal: user, Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team), Context: fromVPC})
		} else {
			mx.deny(t, "served endpoints", team, team, "IAM user tagged with the team, with sagemaker:*, invokes (the team's people are roles only)", throughRuntime(iameval.Policies{Identity: []iamdoc.Document{broad}}),
				iameval.Request{Principal: user, Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team), Context: fromVPC.With(teamTag, team)})
		}
		if c, ok := consumers[team]; ok {
			mx.decide(t, "served endpoints", team, team, "the consumer invokes through the VPC", throughRuntime(consumerPolicies(team)),
				iameval.Request{Principal: sc.RoleARN(c), Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team), Context: fromVPC}, iameval.Allow)
			mx.deny(t, "served endpoints", team, team, "the consumer invokes from outside the VPC", consumerPolicies(team),
				iameval.Request{Principal: sc.RoleARN(c), Action: "sagemaker:InvokeEndpoint", Resource: endpoint(team)})
		}
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for _, action := range []string{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream", "sagemaker:InvokeEndpointAsync"} {
			mx.deny(t, "served endpoints", a, b, "Studio role "+action+" on B's endpoint", throughRuntime(workspacePolicies(a)),
				iameval.Request{Principal: workspaceRole(a), Action: action, Resource: endpoint(b), Context: fromVPC})
			mx.deny(t, "served endpoints", a, b, "people "+action+" on B's endpoint", throughRuntime(personPolicies(a)),
				iameval.Request{Principal: person(a), Action: action, Resource: endpoint(b), Context: fromVPC})
			mx.deny(t, "served endpoints", a, b, "A's serving role "+action+" on B's endpoint", throughRuntime(servingPolicies(a)),
				iameval.Request{Principal: servingRole(a), Action: action, Resource: endpoint(b), Context: fromVPC})
		}
		if c, ok := consumers[a]; ok {
			mx.deny(t, "served endpoints", a, b, "A's consumer invokes B's endpoint", throughRuntime(consumerPolicies(a)),
				iameval.Request{Principal: sc.RoleARN(c), Action: "sagemaker:InvokeEndpoint", Resource: endpoint(b), Context: fromVPC})
		}
		mx.deny(t, "served endpoints", a, b, "A's approvers invoke B's endpoint", throughRuntime(approverPolicies(a)),
			iameval.Request{Principal: approver(a), Action: "sagemaker:InvokeEndpoint", Resource: endpoint(b), Context: fromVPC})
		// The tag is the membership: A's Studio and serving roles, even
		// granted iam:*, never tag a user into B (their boundaries deny
		// IAM but passing roles).
		iamEverything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:*"}, Resource: iamdoc.Strings{"*"}})
		tagUser := iameval.Request{Action: "iam:TagUser", Resource: user, Context: iameval.Keys("aws:RequestTag/"+tagkeys.Team, b)}
		withIAM := func(pol iameval.Policies) iameval.Policies {
			pol.Identity = append(slices.Clone(pol.Identity), iamEverything)
			return pol
		}
		tagUser.Principal = workspaceRole(a)
		mx.deny(t, "served endpoints", a, b, "Studio role with iam:* tags an IAM user with B", withIAM(workspacePolicies(a)), tagUser)
		tagUser.Principal = servingRole(a)
		mx.deny(t, "served endpoints", a, b, "serving role with iam:* tags an IAM user with B", withIAM(servingPolicies(a)), tagUser)
		// IAM users: a group is no principal, so a team whose people include
		// groups admits the IAM users tagged with the team, and only those.
		// Each user holds sagemaker:* on every resource: the runtime
		// endpoint's policy alone decides. A user tagged with B invokes B's
		// endpoints only if B's people include groups; a user tagged with
		// A, or untagged, never does.
		for _, action := range serving.InvokeActions {
			broadUser := iameval.Policies{Identity: []iamdoc.Document{broad}}
			want := iameval.ExplicitDeny
			if groupTeams[b] {
				want = iameval.Allow
			}
			mx.decide(t, "served endpoints", a, b, "IAM user tagged with B, with sagemaker:*, "+action+" on B's endpoint", throughRuntime(broadUser),
				iameval.Request{Principal: user, Action: action, Resource: endpoint(b), Context: fromVPC.With(teamTag, b)}, want)
			mx.deny(t, "served endpoints", a, b, "IAM user tagged with A, with sagemaker:*, "+action+" on B's endpoint", throughRuntime(broadUser),
				iameval.Request{Principal: user, Action: action, Resource: endpoint(b), Context: fromVPC.With(teamTag, a)})
			mx.deny(t, "served endpoints", a, b, "untagged IAM user with sagemaker:* "+action+" on B's endpoint", throughRuntime(broadUser),
				iameval.Request{Principal: user, Action: action, Resource: endpoint(b), Context: fromVPC})
		}
		// With sagemaker:* on every resource and no boundary, the runtime
		// endpoint's policy alone keeps A's roles off B's endpoints.
		for _, action := range []string{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"} {
			mx.deny(t, "served endpoints", a, b, "people with sagemaker:* "+action+" on B's endpoint", throughRuntime(withBroad(personPolicies(a))),
				iameval.Request{Principal: person(a), Action: action, Resource: endpoint(b), Context: fromVPC})
			mx.deny(t, "served endpoints", a, b, "Studio role with sagemaker:* "+action+" on B's endpoint", throughRuntime(withBroad(workspacePolicies(a))),
				iameval.Request{Principal: workspaceRole(a), Action: action, Resource: endpoint(b), Context: fromVPC})
			mx.deny(t, "served endpoints", a, b, "approvers with sagemaker:* "+action+" on B's endpoint", throughRuntime(withBroad(approverPolicies(a))),
				iameval.Request{Principal: approver(a), Action: action, Resource: endpoint(b), Context: fromVPC})
			if c, ok := consumers[a]; ok {
				mx.deny(t, "served endpoints", a, b, "A's consumer with sagemaker:* "+action+" on B's endpoint", throughRuntime(withBroad(consumerPolicies(a))),
					iameval.Request{Principal: sc.RoleARN(c), Action: action, Resource: endpoint(b), Context: fromVPC})
			}
		}
	}

	// Model artefacts and captured data: a serving role reads its team's
	// artefacts and writes its team's capture, through the S3 gateway
	// endpoint (provisioned models run in the VPC); from SageMaker's own
	// network only a serverless team's role reads its artefacts. Decided by
	// the role's policies, the bucket policy and, inside the VPC, the S3
	// endpoint's policy.
	s3ctx := func(extra ...string) iameval.Context {
		return iameval.Keys(append([]string{"aws:SecureTransport", "true", "s3:TlsVersion", "1.3", "s3:ResourceAccount", isolationAccount}, extra...)...)
	}
	onBucket := func(pol iameval.Policies, inVPC bool) iameval.Policies {
		pol.Resource = []iamdoc.Document{sw.bucketPolicy}
		if inVPC {
			pol.Endpoint = []iamdoc.Document{sw.s3Endpoint}
		}
		return pol
	}
	object := func(team, dir, key string) string { return sw.bucket + "/teams/" + team + "/" + dir + key }
	inVPC := s3ctx("aws:SourceVpce", sw.s3EndpointID)
	for team := range servedEndpointOf {
		ep := servedEndpointOf[team]
		mx.decide(t, "model artefacts and data capture", team, team, "serving role reads its artefacts through the VPC", onBucket(servingPolicies(team), true),
			iameval.Request{Principal: servingRole(team), Action: "s3:GetObject", Resource: object(team, serving.ApprovedDir, ep+"/3/model.tar.gz"), Context: inVPC}, iameval.Allow)
		mx.decide(t, "model artefacts and data capture", team, team, "serving role writes captured data through the VPC", onBucket(servingPolicies(team), true),
			iameval.Request{Principal: servingRole(team), Action: "s3:PutObject", Resource: object(team, serving.CaptureDir, ep+"/AllTraffic/2027/01/01/00/x.jsonl"), Context: inVPC}, iameval.Allow)
		outside := iameval.Request{Principal: servingRole(team), Action: "s3:GetObject", Resource: object(team, serving.ApprovedDir, ep+"/3/model.tar.gz"), Context: s3ctx()}
		if serverlessTeams[team] {
			mx.decide(t, "model artefacts and data capture", team, team, "serverless: serving role reads its artefacts from SageMaker's network", onBucket(servingPolicies(team), false), outside, iameval.Allow)
		} else {
			mx.deny(t, "model artefacts and data capture", team, team, "serving role reads its artefacts from outside the VPC", onBucket(servingPolicies(team), false), outside)
		}
		mx.deny(t, "model artefacts and data capture", team, team, "serving role reads the team's other data", onBucket(servingPolicies(team), true),
			iameval.Request{Principal: servingRole(team), Action: "s3:GetObject", Resource: object(team, "features/", "part-0.parquet"), Context: inVPC})
	}
	// Artefact swaps: only a team's approvers write its approved artefacts,
	// only its serving role its captured data, and nobody deletes captured
	// data. The bucket's policy and the team's access point's policy decide
	// alone: the callers hold s3:* on every resource besides their own
	// policies, and no boundary.
	accessPoint := func(team string) iamdoc.Document {
		return w.doc(t, "aws:s3/accessPoint:AccessPoint", "data-"+team, "policy")
	}
	// swap decides a write directly on the bucket through the S3 gateway
	// endpoint, or through the owner's access point (decided by the access
	// point's policy on the access point's ARN and the bucket's policy on
	// the bucket's).
	swap := func(a, b, what string, pol iameval.Policies, principal, action, dir, key string, want iameval.Decision) {
		pol = withBroad(pol)
		mx.decide(t, "model artefacts and data capture", a, b, what+" on the bucket", onBucket(pol, true),
			iameval.Request{Principal: principal, Action: action, Resource: object(b, dir, key), Context: inVPC}, want)
		if want == iameval.Allow {
			return
		}
		ap := sc.TeamAccessPointARN(b)
		ctx := inVPC.With("s3:DataAccessPointArn", ap).With("s3:DataAccessPointAccount", isolationAccount).With("s3:AccessPointNetworkOrigin", "VPC")
		pol.Resource = []iamdoc.Document{accessPoint(b), sw.bucketPolicy}
		pol.Endpoint = []iamdoc.Document{sw.s3Endpoint}
		got, err := iameval.Evaluate(pol, iameval.Request{Principal: principal, Action: action, Resource: ap + "/object/teams/" + b + "/" + dir + key, Context: ctx})
		require.NoError(t, err)
		onBucket, err := iameval.Document(sw.bucketPolicy, iameval.Request{Principal: principal, Action: action, Resource: object(b, dir, key), Context: ctx})
		require.NoError(t, err)
		decision, reason := got.Decision, got.Reason
		if onBucket == iameval.Denied {
			decision, reason = iameval.ExplicitDeny, "the bucket policy denies"
		}
		if decision != iameval.Allow {
			want = decision
		}
		mx.add(check{surface: "model artefacts and data capture", pair: a + " → " + b, what: what + " through B's access point", got: decision, want: want, reason: reason})
	}
	for team := range servedEndpointOf {
		ep := servedEndpointOf[team]
		approvedKey := ep + "/3/model.tar.gz"
		capturedKey := ep + "/AllTraffic/2027/01/01/00/x.jsonl"
		pol := onBucket(approverPolicies(team), true)
		mx.decide(t, "model artefacts and data capture", team, team, "approvers publish an approved artefact", pol,
			iameval.Request{Principal: approver(team), Action: "s3:PutObject", Resource: object(team, serving.ApprovedDir, approvedKey), Context: inVPC}, iameval.Allow)
		mx.decide(t, "model artefacts and data capture", team, team, "approvers read a proposed artefact", pol,
			iameval.Request{Principal: approver(team), Action: "s3:GetObject", Resource: object(team, serving.ModelsDir, approvedKey), Context: inVPC}, iameval.Allow)
		for _, action := range []string{"s3:PutObject", "s3:DeleteObject"} {
			swap(team, team, "people with s3:* "+action+" an approved artefact", personPolicies(team), person(team), action, serving.ApprovedDir, approvedKey, iameval.ExplicitDeny)
			swap(team, team, "Studio role with s3:* "+action+" an approved artefact", workspacePolicies(team), workspaceRole(team), action, serving.ApprovedDir, approvedKey, iameval.ExplicitDeny)
			swap(team, team, "serving role with s3:* "+action+" an approved artefact", servingPolicies(team), servingRole(team), action, serving.ApprovedDir, approvedKey, iameval.ExplicitDeny)
			swap(team, team, "people with s3:* "+action+" captured data", personPolicies(team), person(team), action, serving.CaptureDir, capturedKey, iameval.ExplicitDeny)
			swap(team, team, "Studio role with s3:* "+action+" captured data", workspacePolicies(team), workspaceRole(team), action, serving.CaptureDir, capturedKey, iameval.ExplicitDeny)
		}
		swap(team, team, "serving role with s3:* deletes captured data", servingPolicies(team), servingRole(team), "s3:DeleteObject", serving.CaptureDir, capturedKey, iameval.ExplicitDeny)
		swap(team, team, "approvers with s3:* delete captured data", approverPolicies(team), approver(team), "s3:DeleteObject", serving.CaptureDir, capturedKey, iameval.ExplicitDeny)
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		key := servedEndpointOf[b] + "/3/model.tar.gz"
		for _, action := range []string{"s3:PutObject", "s3:DeleteObject"} {
			swap(a, b, "A's approvers with s3:* "+action+" B's approved artefact", approverPolicies(a), approver(a), action, serving.ApprovedDir, key, iameval.ExplicitDeny)
			swap(a, b, "A's people with s3:* "+action+" B's approved artefact", personPolicies(a), person(a), action, serving.ApprovedDir, key, iameval.ExplicitDeny)
			swap(a, b, "A's Studio role with s3:* "+action+" B's approved artefact", workspacePolicies(a), workspaceRole(a), action, serving.ApprovedDir, key, iameval.ExplicitDeny)
		}
		swap(a, b, "A's serving role with s3:* writes B's captured data", servingPolicies(a), servingRole(a), "s3:PutObject", serving.CaptureDir, "e/x.jsonl", iameval.ExplicitDeny)
	}

	for _, p := range pairs() {
		a, b := p[0], p[1]
		for _, outsideVPC := range []bool{false, true} {
			where, ctx := "through the VPC", inVPC
			if outsideVPC {
				where, ctx = "from SageMaker's network", s3ctx()
			}
			mx.deny(t, "model artefacts and data capture", a, b, "A's serving role reads B's artefacts "+where, onBucket(servingPolicies(a), !outsideVPC),
				iameval.Request{Principal: servingRole(a), Action: "s3:GetObject", Resource: object(b, serving.ApprovedDir, "m/1/model.tar.gz"), Context: ctx})
			mx.deny(t, "model artefacts and data capture", a, b, "A's serving role writes into B's capture "+where, onBucket(servingPolicies(a), !outsideVPC),
				iameval.Request{Principal: servingRole(a), Action: "s3:PutObject", Resource: object(b, serving.CaptureDir, "e/x.jsonl"), Context: ctx})
			mx.deny(t, "model artefacts and data capture", a, b, "A's serving role overwrites B's artefacts "+where, onBucket(servingPolicies(a), !outsideVPC),
				iameval.Request{Principal: servingRole(a), Action: "s3:PutObject", Resource: object(b, serving.ModelsDir, "m/1/model.tar.gz"), Context: ctx})
		}
		mx.deny(t, "model artefacts and data capture", a, b, "A's people read B's captured data", onBucket(personPolicies(a), true),
			iameval.Request{Principal: person(a), Action: "s3:GetObject", Resource: object(b, serving.CaptureDir, "e/x.jsonl"), Context: inVPC})
		// Keys: the serving role uses them only through their services.
		for _, purpose := range []string{"data", "workspace", "logs"} {
			pol := servingPolicies(a)
			pol.Resource = []iamdoc.Document{sw.keyPolicy(purpose)}
			pol.ResourceMustAllow = true
			mx.deny(t, "KMS keys", a, b, "A's serving role decrypts B's "+purpose+" ciphertext outside the services", pol,
				iameval.Request{Principal: servingRole(a), Action: "kms:Decrypt", Resource: sw.keyArn(purpose), Context: iameval.Keys("kms:CallerAccount", isolationAccount)})
		}
		// Logs: a serving role writes its own endpoints' log groups only.
		mx.deny(t, "log groups", a, b, "A's serving role writes B's endpoint logs", servingPolicies(a),
			iameval.Request{Principal: servingRole(a), Action: "logs:PutLogEvents",
				Resource: sc.LogStreamARN(serving.EndpointLogGroup(serving.EndpointName(sc, b, servedEndpointOf[b])), "AllTraffic/i-0")})
	}
	for team := range servedEndpointOf {
		mx.decide(t, "log groups", team, team, "serving role writes its endpoint's logs", servingPolicies(team),
			iameval.Request{Principal: servingRole(team), Action: "logs:PutLogEvents",
				Resource: sc.LogStreamARN(serving.EndpointLogGroup(serving.EndpointName(sc, team, servedEndpointOf[team])), "AllTraffic/i-0")}, iameval.Allow)
		pol := servingPolicies(team)
		pol.Resource = []iamdoc.Document{sw.keyPolicy("data")}
		pol.ResourceMustAllow = true
		mx.decide(t, "KMS keys", team, team, "serving role encrypts captured data through S3", pol,
			iameval.Request{Principal: servingRole(team), Action: "kms:GenerateDataKey", Resource: sw.keyArn("data"),
				Context: iameval.Keys("kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:CallerAccount", isolationAccount)}, iameval.Allow)
	}
}
