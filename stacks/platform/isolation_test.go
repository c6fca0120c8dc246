package platform_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
	"github.com/aifactory/platform/stacks/platform"
)

// The isolation matrix: the real program composes the dev stack, with a
// third team added, under mocks; every policy document and security group
// it generates is collected from the registered resources (never copied)
// and evaluated with internal/iameval. For every ordered pair of teams
// (A, B) and every shared surface, team A is denied on team B's resources
// and allowed on its own.

const isolationAccount = mocktest.AccountID

// isolationTeams are the dev stack's teams and a third one.
var isolationTeams = []string{"jackpot-analytics", "player-insights", "risk-models"}

// world is the program's output as the matrix reads it.
type world struct {
	m *mocktest.Mocks
}

// realisticMocks give resources the ARNs AWS would: roles and policies by
// their name, access points by theirs, EMR Studios by their id.
func realisticMocks() *mocktest.Mocks {
	// Subnets and the pipeline's security group get ids shaped as AWS
	// shapes them, which the pipeline's workflow checks; every other
	// resource keeps the mocks' "<name>-id", which the checks below name.
	m := &mocktest.Mocks{ID: func(typ, name string) string {
		if typ == "aws:ec2/subnet:Subnet" || strings.HasPrefix(name, "pipeline-") {
			return mocktest.AWSShapedID(typ, name)
		}
		return ""
	}}
	m.Outputs = func(typ, name string, inputs resource.PropertyMap) resource.PropertyMap {
		str := func(k string) string {
			if v, ok := inputs[resource.PropertyKey(k)]; ok && v.IsString() {
				return v.StringValue()
			}
			return ""
		}
		out := resource.PropertyMap{}
		switch typ {
		case "aws:iam/role:Role":
			if n := str("name"); n != "" {
				out["arn"] = resource.NewStringProperty("arn:aws:iam::" + isolationAccount + ":role/" + n)
			}
		case "aws:s3/accessPoint:AccessPoint":
			out["arn"] = resource.NewStringProperty(scopetest.Dev().AccessPointARN(str("name")))
		case "aws:emr/studio:Studio":
			out["arn"] = resource.NewStringProperty(scopetest.Dev().ARN("elasticmapreduce", "studio/"+name+"-id"))
		}
		return out
	}
	return m
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

// isolationWorld runs the program once for every test of the matrix.
func isolationWorld(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() {
		cfg := stackConfig(t, "dev")
		var teams []map[string]any
		if err := json.Unmarshal([]byte(cfg["aifactory:teams"]), &teams); err != nil {
			worldErr = err
			return
		}
		teams = append(teams, map[string]any{
			"name": "risk-models", "costCenter": "CC-5400-RISK", "owner": "risk-models@aifactory.example",
			"budget":    map[string]any{"monthlyUsd": 200},
			"analytics": map[string]any{"identities": []map[string]string{{"type": "ROLE", "name": "risk-models-analysts"}}},
			"serving":   riskModelsServing(),
		})
		withPeople(teams)
		withGroups(teams)
		b, _ := json.Marshal(teams)
		cfg["aifactory:teams"] = string(b)
		m := realisticMocks()
		worldErr = pulumi.RunErr(platform.Program, pulumi.WithMocks("aifactory", "dev", m), func(info *pulumi.RunInfo) {
			info.Config = cfg
		})
		theWorld = &world{m: m}
	})
	require.NoError(t, worldErr)
	return theWorld
}

func (w *world) doc(t *testing.T, typ, name, key string) iamdoc.Document {
	t.Helper()
	r := w.m.Named(t, typ, name)
	d, err := iamdoc.Parse(r.Str(key))
	require.NoError(t, err, "%s %s", typ, name)
	return d
}

func (w *world) rolePolicy(t *testing.T, name string) iamdoc.Document {
	return w.doc(t, "aws:iam/rolePolicy:RolePolicy", name, "policy")
}

func (w *world) managedPolicy(t *testing.T, name string) iamdoc.Document {
	return w.doc(t, "aws:iam/policy:Policy", name, "policy")
}

// check is one cell of the matrix.
type check struct {
	surface, pair, what string
	got, want           iameval.Decision
	reason              string
}

// matrix collects the checks and reports them per surface and pair.
type matrix struct {
	checks []check
}

func (mx *matrix) add(c check) { mx.checks = append(mx.checks, c) }

// decide evaluates a request and records it.
func (mx *matrix) decide(t *testing.T, surface, a, b, what string, p iameval.Policies, r iameval.Request, want iameval.Decision) {
	t.Helper()
	got, err := iameval.Evaluate(p, r)
	require.NoError(t, err, "%s: %s", surface, what)
	mx.add(check{surface: surface, pair: a + " → " + b, what: what, got: got.Decision, want: want, reason: got.Reason})
}

func (mx *matrix) report(t *testing.T) {
	t.Helper()
	counts := map[string]map[string]int{}
	for _, c := range mx.checks {
		if counts[c.surface] == nil {
			counts[c.surface] = map[string]int{}
		}
		counts[c.surface][c.pair]++
		if c.got != c.want {
			t.Errorf("%s, %s: %s: got %s (%s), want %s", c.surface, c.pair, c.what, c.got, c.reason, c.want)
		}
	}
	var surfaces []string
	for s := range counts {
		surfaces = append(surfaces, s)
	}
	sort.Strings(surfaces)
	var b strings.Builder
	fmt.Fprintf(&b, "isolation matrix: %d checks\n", len(mx.checks))
	for _, s := range surfaces {
		var pairs []string
		n := 0
		for p, c := range counts[s] {
			pairs = append(pairs, p)
			n += c
		}
		fmt.Fprintf(&b, "  %-32s %d pairs, %d checks\n", s, len(pairs), n)
	}
	t.Log(b.String())
}

// pairs are every ordered pair of different teams.
func pairs() [][2]string {
	var out [][2]string
	for _, a := range isolationTeams {
		for _, b := range isolationTeams {
			if a != b {
				out = append(out, [2]string{a, b})
			}
		}
	}
	return out
}

// denied is the decision a request of team A on team B's resource must
// get: any deny, explicit or implicit.
func denied(d iameval.Decision) bool { return d != iameval.Allow }

// assertDenied records a check that must not be allowed.
func (mx *matrix) deny(t *testing.T, surface, a, b, what string, p iameval.Policies, r iameval.Request) {
	t.Helper()
	got, err := iameval.Evaluate(p, r)
	require.NoError(t, err, "%s: %s", surface, what)
	want := got.Decision
	if !denied(want) {
		want = iameval.ImplicitDeny // reported as a failure below
	}
	mx.add(check{surface: surface, pair: a + " → " + b, what: what, got: got.Decision, want: want, reason: got.Reason})
}

func TestIsolationMatrix(t *testing.T) {
	w := isolationWorld(t)
	sc := scopetest.Dev()
	var mx matrix

	s3Endpoint := w.m.Named(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3")
	s3EndpointPolicy, err := iamdoc.Parse(s3Endpoint.Str("policy"))
	require.NoError(t, err)
	dataBucket := sc.BucketARN(sc.BucketName("data"))
	logBucket := sc.BucketARN(sc.BucketName("logs"))
	bucketPolicy := w.doc(t, "aws:s3/bucketPolicy:BucketPolicy", "data-data", "policy")
	logBucketPolicy := w.doc(t, "aws:s3/bucketPolicy:BucketPolicy", "data-logs", "policy")
	workspaceBoundary := w.managedPolicy(t, "workspace-boundary")
	analyticsBoundary := w.managedPolicy(t, "analytics-boundary")
	// The platform's keys by purpose, and the cost alerts key of the
	// finops component as "finops".
	keyResource := func(purpose string) string {
		if purpose == "finops" {
			return "finops-alerts"
		}
		return "keys-" + purpose
	}
	keyPolicy := func(purpose string) iamdoc.Document {
		return w.doc(t, "aws:kms/key:Key", keyResource(purpose), "policy")
	}
	keyArn := func(purpose string) string {
		return "arn:aws:kms:eu-west-1:" + isolationAccount + ":key/" + keyResource(purpose) + "-id"
	}
	domainID := "workspace-id"

	// The identities a team member acts as.
	workspaceRole := func(team string) string { return sc.RoleARN(workspace.TeamRoleName(sc, team)) }
	nodeRole := func(team string) string { return sc.RoleARN(analytics.NodeRoleName(sc, team)) }
	person := func(team string) string { return sc.RoleARN(team + "-analysts") }
	studioServiceRole := func(team string) string { return sc.RoleARN(analytics.StudioServiceRoleName(sc, team)) }
	workspacePolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "workspace-"+team)}, Boundary: &workspaceBoundary}
	}
	nodePolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "analytics-"+team+"-nodes")}, Boundary: &analyticsBoundary}
	}
	personPolicies := func(team string) iameval.Policies {
		return iameval.Policies{Identity: []iamdoc.Document{
			w.managedPolicy(t, "analytics-"+team+"-studio"), w.managedPolicy(t, "workspace-"+team+"-access"),
		}}
	}
	teamContext := func(team string) iameval.Context {
		return iameval.Keys("aws:PrincipalTag/team", team, "aws:SecureTransport", "true", "s3:TlsVersion", "1.3",
			"s3:ResourceAccount", isolationAccount, "aws:SourceVpce", s3Endpoint.Name+"-id")
	}
	through := func(ctx iameval.Context, ap string) iameval.Context {
		return ctx.With("s3:DataAccessPointArn", ap).With("s3:DataAccessPointAccount", isolationAccount).With("s3:AccessPointNetworkOrigin", "VPC")
	}

	for _, team := range isolationTeams {
		require.Contains(t, w.m.Named(t, "aws:iam/rolePolicy:RolePolicy", "workspace-"+team).Str("policy"), team, "the third team is composed too")
	}

	// Data through access points: a request through an access point is
	// decided by the caller's policies on the access point ARN, the access
	// point's policy, the bucket's policy and the S3 endpoint's policy.
	s3Decide := func(surface, a, b, what string, p iameval.Policies, principal, action, ap, key string, want iameval.Decision) {
		ctx := through(teamContext(a), sc.TeamAccessPointARN(ap))
		apPolicy := w.doc(t, "aws:s3/accessPoint:AccessPoint", "data-"+ap, "policy")
		p.Resource = []iamdoc.Document{apPolicy}
		p.Endpoint = []iamdoc.Document{s3EndpointPolicy}
		r := iameval.Request{Principal: principal, Action: action, Resource: sc.TeamAccessPointARN(ap) + "/object/" + key, Context: ctx}
		got, err := iameval.Evaluate(p, r)
		require.NoError(t, err)
		// The bucket decides the same request on the bucket's ARN.
		bucket, err := iameval.Document(bucketPolicy, iameval.Request{Principal: principal, Action: action, Resource: dataBucket + "/" + key, Context: ctx})
		require.NoError(t, err)
		decision, reason := got.Decision, got.Reason
		if bucket == iameval.Denied {
			decision, reason = iameval.ExplicitDeny, "the bucket policy denies"
		}
		if want != iameval.Allow && decision != iameval.Allow {
			want = decision
		}
		mx.add(check{surface: surface, pair: a + " → " + b, what: what, got: decision, want: want, reason: reason})
	}
	for _, team := range isolationTeams {
		own := "teams/" + team + "/features/part-0.parquet"
		s3Decide("data (access points)", team, team, "workspace role reads its prefix through its access point",
			workspacePolicies(team), workspaceRole(team), "s3:GetObject", team, own, iameval.Allow)
		s3Decide("data (access points)", team, team, "workspace role writes its prefix through its access point",
			workspacePolicies(team), workspaceRole(team), "s3:PutObject", team, own, iameval.Allow)
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		theirs := "teams/" + b + "/features/part-0.parquet"
		for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
			s3Decide("data (access points)", a, b, "workspace role "+action+" through B's access point",
				workspacePolicies(a), workspaceRole(a), action, b, theirs, iameval.ImplicitDeny)
			s3Decide("data (access points)", a, b, "workspace role "+action+" on B's prefix through A's access point",
				workspacePolicies(a), workspaceRole(a), action, a, theirs, iameval.ImplicitDeny)
			s3Decide("data (access points)", a, b, "EMR nodes "+action+" through B's access point",
				nodePolicies(a), nodeRole(a), action, b, theirs, iameval.ImplicitDeny)
			s3Decide("data (access points)", a, b, "person "+action+" through B's access point",
				personPolicies(a), person(a), action, b, theirs, iameval.ImplicitDeny)
		}
		// Directly on the bucket, from the VPC.
		direct := func(what string, pol iameval.Policies, principal, action, resource string, ctx iameval.Context) {
			pol.Resource = []iamdoc.Document{bucketPolicy}
			pol.Endpoint = []iamdoc.Document{s3EndpointPolicy}
			mx.deny(t, "data (access points)", a, b, what, pol, iameval.Request{Principal: principal, Action: action, Resource: resource, Context: ctx})
		}
		direct("EMR nodes read B's prefix on the bucket", nodePolicies(a), nodeRole(a), "s3:GetObject", dataBucket+"/"+theirs, teamContext(a))
		direct("EMR nodes list B's prefix on the bucket", nodePolicies(a), nodeRole(a), "s3:ListBucket", dataBucket, teamContext(a).With("s3:prefix", "teams/"+b+"/"))
		direct("workspace role lists B's prefix on the bucket", workspacePolicies(a), workspaceRole(a), "s3:ListBucket", dataBucket, teamContext(a).With("s3:prefix", "teams/"+b+"/"))
		direct("person lists B's prefix on the bucket", personPolicies(a), person(a), "s3:ListBucket", dataBucket, teamContext(a).With("s3:prefix", "teams/"+b+"/"))
		direct("person reads B's prefix on the bucket", personPolicies(a), person(a), "s3:GetObject", dataBucket+"/"+theirs, teamContext(a))
		direct("workspace role reads B's prefix on the bucket", workspacePolicies(a), workspaceRole(a), "s3:GetObject", dataBucket+"/"+theirs, teamContext(a))
		direct("A's Studio service role writes B's notebooks from AWS's network",
			iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "analytics-"+a+"-studio-service")}}, studioServiceRole(a), "s3:PutObject",
			dataBucket+"/"+analytics.TeamStudioStoragePrefix(b)+"e-1/notebook.ipynb", iameval.Keys("aws:SecureTransport", "true", "s3:TlsVersion", "1.3"))
	}
	for _, team := range isolationTeams {
		pol := nodePolicies(team)
		pol.Resource = []iamdoc.Document{bucketPolicy}
		pol.Endpoint = []iamdoc.Document{s3EndpointPolicy}
		mx.decide(t, "data (access points)", team, team, "EMR nodes read their prefix on the bucket", pol,
			iameval.Request{Principal: nodeRole(team), Action: "s3:GetObject", Resource: dataBucket + "/teams/" + team + "/x", Context: teamContext(team)}, iameval.Allow)
		mx.decide(t, "data (access points)", team, team, "EMR nodes list their prefix on the bucket", pol,
			iameval.Request{Principal: nodeRole(team), Action: "s3:ListBucket", Resource: dataBucket, Context: teamContext(team).With("s3:prefix", "teams/"+team+"/")}, iameval.Allow)
		// Listing through the team's access point: the access point's
		// policy decides on its ARN, the bucket delegates on its own.
		ap := sc.TeamAccessPointARN(team)
		listing := through(teamContext(team), ap).With("s3:prefix", "teams/"+team+"/")
		wsPol := workspacePolicies(team)
		wsPol.Resource = []iamdoc.Document{w.doc(t, "aws:s3/accessPoint:AccessPoint", "data-"+team, "policy")}
		wsPol.Endpoint = []iamdoc.Document{s3EndpointPolicy}
		mx.decide(t, "data (access points)", team, team, "workspace role lists its prefix through its access point", wsPol,
			iameval.Request{Principal: workspaceRole(team), Action: "s3:ListBucket", Resource: ap, Context: listing}, iameval.Allow)
		delegated, err := iameval.Document(bucketPolicy, iameval.Request{Principal: workspaceRole(team), Action: "s3:ListBucket", Resource: dataBucket, Context: listing})
		require.NoError(t, err)
		mx.add(check{surface: "data (access points)", pair: team + " → " + team, what: "the bucket delegates the listing to the team's access point",
			got: map[bool]iameval.Decision{true: iameval.Allow, false: iameval.ImplicitDeny}[delegated == iameval.Allowed], want: iameval.Allow})
		svc := iameval.Policies{Identity: []iamdoc.Document{w.rolePolicy(t, "analytics-"+team+"-studio-service")}, Resource: []iamdoc.Document{bucketPolicy}}
		mx.decide(t, "data (access points)", team, team, "Studio service role saves the team's notebooks from AWS's network", svc,
			iameval.Request{Principal: studioServiceRole(team), Action: "s3:PutObject", Resource: dataBucket + "/" + analytics.TeamStudioStoragePrefix(team) + "e-1/nb.ipynb",
				Context: iameval.Keys("aws:SecureTransport", "true", "s3:TlsVersion", "1.3")}, iameval.Allow)
	}

	// Listings and configuration of the buckets that hold the teams' data
	// and models: a role of the account granted s3:* on every resource
	// neither lists them nor reads their policy or replication from the
	// VPC; the deployer does.
	broad := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"}})
	deployer := sc.RoleARN("aifactory-deployer")
	for _, purpose := range []string{"data", "models"} {
		bucketArn := sc.BucketARN(sc.BucketName(purpose))
		policy := w.doc(t, "aws:s3/bucketPolicy:BucketPolicy", "data-"+purpose, "policy")
		inVPC := iameval.Keys("aws:SecureTransport", "true", "s3:TlsVersion", "1.3", "s3:ResourceAccount", isolationAccount, "aws:SourceVpce", s3Endpoint.Name+"-id")
		for _, action := range []string{"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketPolicy", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration"} {
			mx.decide(t, "bucket listing and configuration", "account role with s3:*", purpose, action+" from the VPC",
				iameval.Policies{Identity: []iamdoc.Document{broad}, Resource: []iamdoc.Document{policy}},
				iameval.Request{Principal: sc.RoleARN("platform-admin"), Action: action, Resource: bucketArn, Context: inVPC}, iameval.ExplicitDeny)
			mx.decide(t, "bucket listing and configuration", "deployer", purpose, action+" from the VPC",
				iameval.Policies{Identity: []iamdoc.Document{broad}, Resource: []iamdoc.Document{policy}},
				iameval.Request{Principal: deployer, Action: action, Resource: bucketArn, Context: inVPC}, iameval.Allow)
		}
	}

	// EMR Studio: workspaces (editors), clusters and Studios by team tag.
	editor := sc.ARN("elasticmapreduce", "editor/e-0123456789")
	cluster := sc.ARN("elasticmapreduce", "cluster/j-0123456789")
	studioArn := func(team string) string { return sc.ARN("elasticmapreduce", "studio/analytics-"+team+"-id") }
	for _, team := range isolationTeams {
		tagged := iameval.Keys("elasticmapreduce:ResourceTag/team", team)
		for _, action := range []string{"elasticmapreduce:OpenEditorInConsole", "elasticmapreduce:StartEditor", "elasticmapreduce:DeleteEditor"} {
			mx.decide(t, "EMR workspaces", team, team, action+" on an own workspace", personPolicies(team),
				iameval.Request{Principal: person(team), Action: action, Resource: editor, Context: tagged}, iameval.Allow)
		}
		mx.decide(t, "EMR workspaces", team, team, "create a workspace tagged with the team", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "elasticmapreduce:CreateEditor", Resource: "*", Context: iameval.Keys("elasticmapreduce:RequestTag/team", team)}, iameval.Allow)
		mx.decide(t, "EMR workspaces", team, team, "attach to an own cluster", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "elasticmapreduce:AttachEditor", Resource: cluster, Context: tagged}, iameval.Allow)
		mx.decide(t, "EMR workspaces", team, team, "open the own Studio", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "elasticmapreduce:CreateStudioPresignedUrl", Resource: studioArn(team)}, iameval.Allow)
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		theirs := iameval.Keys("elasticmapreduce:ResourceTag/team", b)
		for _, action := range []string{
			"elasticmapreduce:DescribeEditor", "elasticmapreduce:OpenEditorInConsole", "elasticmapreduce:StartEditor",
			"elasticmapreduce:StopEditor", "elasticmapreduce:AttachEditor", "elasticmapreduce:DetachEditor", "elasticmapreduce:DeleteEditor",
		} {
			mx.deny(t, "EMR workspaces", a, b, action+" on B's workspace", personPolicies(a),
				iameval.Request{Principal: person(a), Action: action, Resource: editor, Context: theirs})
		}
		for _, action := range []string{"elasticmapreduce:AttachEditor", "elasticmapreduce:DescribeCluster",
			"elasticmapreduce:CreatePersistentAppUI", "elasticmapreduce:DescribePersistentAppUI", "elasticmapreduce:GetPersistentAppUIPresignedURL",
			"elasticmapreduce:GetOnClusterAppUIPresignedURL"} {
			mx.deny(t, "EMR workspaces", a, b, action+" on B's cluster", personPolicies(a),
				iameval.Request{Principal: person(a), Action: action, Resource: cluster, Context: theirs})
		}
		mx.deny(t, "EMR workspaces", a, b, "create a workspace tagged for B", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "elasticmapreduce:CreateEditor", Resource: "*", Context: iameval.Keys("elasticmapreduce:RequestTag/team", b)})
		mx.deny(t, "EMR workspaces", a, b, "create a workspace on B's cluster", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "elasticmapreduce:CreateEditor", Resource: cluster, Context: theirs.With("elasticmapreduce:RequestTag/team", a)})
		mx.deny(t, "EMR workspaces", a, b, "retag B's workspace", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "elasticmapreduce:AddTags", Resource: editor, Context: theirs.With("elasticmapreduce:RequestTag/team", a)})
		mx.deny(t, "EMR workspaces", a, b, "open B's Studio", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "elasticmapreduce:CreateStudioPresignedUrl", Resource: studioArn(b)})
		mx.deny(t, "EMR workspaces", a, b, "pass B's Studio service role", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "iam:PassRole", Resource: studioServiceRole(b), Context: iameval.Keys("iam:PassedToService", "elasticmapreduce.amazonaws.com")})
	}

	// SageMaker spaces and apps: a private space runs with its owner's
	// role, so a space or app of another team's profile is another team's
	// data.
	sm := func(resource string) string { return sc.ARN("sagemaker", resource) }
	profile := func(team string) string { return sm("user-profile/" + domainID + "/" + team) }
	for _, team := range isolationTeams {
		ctx := iameval.Keys("aws:PrincipalTag/team", team, "aws:RequestTag/team", team, "aws:RequestTag/expires-at", "2030-01-01T00:00:00Z",
			"sagemaker:InstanceTypes", "ml.t3.medium", "sagemaker:OwnerUserProfileArn", profile(team))
		mx.decide(t, "SageMaker spaces and apps", team, team, "create an own space", workspacePolicies(team),
			iameval.Request{Principal: workspaceRole(team), Action: "sagemaker:CreateSpace", Resource: sm("space/" + domainID + "/" + team + "--nb"), Context: ctx}, iameval.Allow)
		mx.decide(t, "SageMaker spaces and apps", team, team, "start JupyterLab in an own space", workspacePolicies(team),
			iameval.Request{Principal: workspaceRole(team), Action: "sagemaker:CreateApp", Resource: sm("app/" + domainID + "/" + team + "--nb/jupyterlab/default"), Context: ctx}, iameval.Allow)
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		ctx := iameval.Keys("aws:PrincipalTag/team", a, "aws:RequestTag/team", a, "aws:RequestTag/expires-at", "2030-01-01T00:00:00Z",
			"sagemaker:InstanceTypes", "ml.t3.medium", "sagemaker:OwnerUserProfileArn", profile(b))
		mx.deny(t, "SageMaker spaces and apps", a, b, "create a space owned by B's profile", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "sagemaker:CreateSpace", Resource: sm("space/" + domainID + "/" + a + "--nb"), Context: ctx})
		mx.deny(t, "SageMaker spaces and apps", a, b, "start an app in B's space", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "sagemaker:CreateApp", Resource: sm("app/" + domainID + "/" + b + "--nb/jupyterlab/default"), Context: ctx})
		mx.deny(t, "SageMaker spaces and apps", a, b, "delete B's space", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "sagemaker:DeleteSpace", Resource: sm("space/" + domainID + "/" + b + "--nb"), Context: ctx})
		mx.deny(t, "SageMaker spaces and apps", a, b, "pass B's execution role", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "iam:PassRole", Resource: workspaceRole(b), Context: iameval.Keys("iam:PassedToService", "sagemaker.amazonaws.com")})
		jobCtx := iameval.Keys("aws:PrincipalTag/team", a, "aws:RequestTag/team", a, "sagemaker:InterContainerTrafficEncryption", "true").
			With("sagemaker:InstanceTypes", "ml.m5.large").With("sagemaker:VpcSubnets", mocktest.AWSShapedID("aws:ec2/subnet:Subnet", "network-private-0")).
			With("sagemaker:VpcSecurityGroupIds", "workspace-"+b+"-id").With("sagemaker:VolumeKmsKey", keyArn("workspace"))
		mx.deny(t, "SageMaker spaces and apps", a, b, "run a job in B's security group", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "sagemaker:CreateTrainingJob", Resource: sm("training-job/" + a + "--train"), Context: jobCtx})
	}

	// Log groups: SageMaker's jobs and apps, and EMR's cluster logs.
	stream := func(group, name string) string { return sc.LogStreamARN(group, name) }
	teamStreams := func(team string) map[string]string {
		return map[string]string{
			"training job": stream(workspace.TrainingJobsLogGroup, team+"--train/algo-1-1700000000"),
			"processing":   stream(workspace.ProcessingJobsLogGroup, team+"--prep/algo-1-1700000000"),
			"Studio app":   stream(workspace.StudioLogGroup, domainID+"/"+team+"/JupyterLab/default"),
			"space app":    stream(workspace.StudioLogGroup, domainID+"/"+team+"--nb/JupyterLab/default"),
		}
	}
	for _, team := range isolationTeams {
		for what, arn := range teamStreams(team) {
			for _, action := range []string{"logs:GetLogEvents", "logs:PutLogEvents"} {
				mx.decide(t, "log groups", team, team, action+" on the own "+what+" stream", workspacePolicies(team),
					iameval.Request{Principal: workspaceRole(team), Action: action, Resource: arn}, iameval.Allow)
			}
		}
		pol := personPolicies(team)
		pol.Resource = []iamdoc.Document{logBucketPolicy}
		mx.decide(t, "log groups", team, team, "read the own EMR cluster logs", pol,
			iameval.Request{Principal: person(team), Action: "s3:GetObject", Resource: logBucket + "/emr/" + team + "/j-1/node/x.gz", Context: teamContext(team)}, iameval.Allow)
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for what, arn := range teamStreams(b) {
			for _, action := range []string{"logs:GetLogEvents", "logs:PutLogEvents"} {
				mx.deny(t, "log groups", a, b, action+" on B's "+what+" stream", workspacePolicies(a),
					iameval.Request{Principal: workspaceRole(a), Action: action, Resource: arn})
			}
		}
		mx.deny(t, "log groups", a, b, "search a whole SageMaker log group", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "logs:FilterLogEvents", Resource: sc.LogGroupARN(workspace.TrainingJobsLogGroup + ":*")})
		pol := personPolicies(a)
		pol.Resource = []iamdoc.Document{logBucketPolicy}
		mx.deny(t, "log groups", a, b, "read B's EMR cluster logs", pol,
			iameval.Request{Principal: person(a), Action: "s3:GetObject", Resource: logBucket + "/emr/" + b + "/j-1/node/x.gz", Context: teamContext(a)})
		nodes := nodePolicies(a)
		nodes.Resource = []iamdoc.Document{logBucketPolicy}
		mx.deny(t, "log groups", a, b, "EMR nodes write into B's cluster logs", nodes,
			iameval.Request{Principal: nodeRole(a), Action: "s3:PutObject", Resource: logBucket + "/emr/" + b + "/j-1/node/x.gz", Context: teamContext(a)})
	}

	// KMS keys are per purpose, not per team: a team's ciphertexts are
	// kept apart by the services that hold them (S3 behind the access
	// points, SageMaker and EC2 behind the team's resources). So no team's
	// role or person may use a key outside those services, where it could
	// decrypt another team's data keys; through S3 it reaches only what the
	// data checks above allow. EMR nodes encrypt their local disks with the
	// data key directly (an AWS limitation, see the README), so the direct
	// use of the data key is checked for the other identities only.
	keyPolicies := func(pol iameval.Policies, purpose string) iameval.Policies {
		pol.Resource = []iamdoc.Document{keyPolicy(purpose)}
		pol.ResourceMustAllow = true
		return pol
	}
	viaS3 := iameval.Keys("kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:CallerAccount", isolationAccount)
	directly := iameval.Keys("kms:CallerAccount", isolationAccount)
	for _, team := range isolationTeams {
		mx.decide(t, "KMS keys", team, team, "workspace role decrypts the team's data through S3", keyPolicies(workspacePolicies(team), "data"),
			iameval.Request{Principal: workspaceRole(team), Action: "kms:Decrypt", Resource: keyArn("data"), Context: viaS3}, iameval.Allow)
		mx.decide(t, "KMS keys", team, team, "person reads the team's cluster logs through S3", keyPolicies(personPolicies(team), "logs"),
			iameval.Request{Principal: person(team), Action: "kms:Decrypt", Resource: keyArn("logs"), Context: viaS3}, iameval.Allow)
		mx.decide(t, "KMS keys", team, team, "EMR nodes encrypt their local disks", keyPolicies(nodePolicies(team), "data"),
			iameval.Request{Principal: nodeRole(team), Action: "kms:GenerateDataKey", Resource: keyArn("data"), Context: directly}, iameval.Allow)
	}
	// The pipeline and cost alerts keys serve the platform's own jobs and
	// topics: no team's identity uses them at all, not even through their
	// services.
	platformKeyServices := map[string][]string{"pipeline": kms.UseServices(kms.Pipeline), "finops": finops.KeyServices()}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for _, purpose := range []string{"pipeline", "finops"} {
			for _, who := range []struct {
				name      string
				principal string
				pol       iameval.Policies
			}{{"workspace role", workspaceRole(a), workspacePolicies(a)}, {"person", person(a), personPolicies(a)}, {"EMR nodes", nodeRole(a), nodePolicies(a)}} {
				for _, svc := range platformKeyServices[purpose] {
					mx.deny(t, "KMS keys", a, b, who.name+" decrypts with the "+purpose+" key through "+svc, keyPolicies(who.pol, purpose),
						iameval.Request{Principal: who.principal, Action: "kms:Decrypt", Resource: keyArn(purpose),
							Context: iameval.Keys("kms:ViaService", svc+".eu-west-1.amazonaws.com", "kms:CallerAccount", isolationAccount)})
				}
			}
		}
		for _, purpose := range []string{"data", "workspace", "logs", "pipeline", "finops"} {
			for _, who := range []struct {
				name      string
				principal string
				pol       iameval.Policies
			}{{"workspace role", workspaceRole(a), workspacePolicies(a)}, {"person", person(a), personPolicies(a)}, {"EMR nodes", nodeRole(a), nodePolicies(a)}} {
				if who.name == "EMR nodes" && purpose == "data" {
					continue
				}
				mx.deny(t, "KMS keys", a, b, who.name+" decrypts B's "+purpose+" ciphertext outside the services", keyPolicies(who.pol, purpose),
					iameval.Request{Principal: who.principal, Action: "kms:Decrypt", Resource: keyArn(purpose), Context: directly})
				mx.deny(t, "KMS keys", a, b, who.name+" grants itself B's "+purpose+" key", keyPolicies(who.pol, purpose),
					iameval.Request{Principal: who.principal, Action: "kms:CreateGrant", Resource: keyArn(purpose), Context: directly})
			}
		}
	}

	// Studio presigned URLs: people open their own team's profile only,
	// and only from the platform's network.
	endpointIDs := w.m.Named(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-sagemaker-api").Name + "-id"
	fromVPC := iameval.Keys("aws:SourceVpce", endpointIDs)
	for _, team := range isolationTeams {
		mx.decide(t, "Studio presigned URLs", team, team, "open the own profile through the VPC", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "sagemaker:CreatePresignedDomainUrl", Resource: profile(team), Context: fromVPC}, iameval.Allow)
		mx.deny(t, "Studio presigned URLs", team, team, "open the own profile from the internet", personPolicies(team),
			iameval.Request{Principal: person(team), Action: "sagemaker:CreatePresignedDomainUrl", Resource: profile(team), Context: iameval.Keys("aws:SourceIp", "198.51.100.7")})
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		mx.deny(t, "Studio presigned URLs", a, b, "open B's profile through the VPC", personPolicies(a),
			iameval.Request{Principal: person(a), Action: "sagemaker:CreatePresignedDomainUrl", Resource: profile(b), Context: fromVPC})
		mx.deny(t, "Studio presigned URLs", a, b, "A's workspace role opens B's profile", workspacePolicies(a),
			iameval.Request{Principal: workspaceRole(a), Action: "sagemaker:CreatePresignedDomainUrl", Resource: profile(b), Context: fromVPC})
	}

	// Security groups: what the platform's rules let one team's compute
	// reach of another's. EMR adds rules of its own between one cluster's
	// managed groups; those never name another team's groups, because a
	// team's clusters use only the team's groups.
	g := readSecurityGroups(t, w.m)
	compute := func(team string) map[string][]string {
		return map[string][]string{
			"Studio apps":        {"workspace-studio-id", "workspace-" + team + "-id"},
			"SageMaker jobs":     {"workspace-" + team + "-id"},
			"EMR workspaces":     {"analytics-" + team + "-workspace-id"},
			"EMR cluster nodes":  {"analytics-" + team + "-primary-id", "analytics-" + team + "-core-id", "analytics-" + team + "-service-access-id"},
			"EMR Studio engines": {"analytics-" + team + "-engine-id"},
			"served models":      {"serving-" + team + "-id"},
		}
	}
	for _, team := range isolationTeams {
		c := compute(team)
		mx.add(sgCheck(team, team, "Studio apps reach each other (Jupyter server to kernels)", g.reachable(c["Studio apps"], c["Studio apps"], 8192), true))
		mx.add(sgCheck(team, team, "EMR workspaces reach the team's engines", g.reachable(c["EMR workspaces"], c["EMR Studio engines"], analytics.StudioEnginePort), true))
	}
	for _, p := range pairs() {
		a, b := p[0], p[1]
		for fromKind, from := range compute(a) {
			for toKind, to := range compute(b) {
				for _, port := range []int{22, 443, 2049, 8192, 8888, analytics.StudioEnginePort, 65535} {
					if g.reachable(from, to, port) {
						mx.add(sgCheck(a, b, fmt.Sprintf("%s reach B's %s on %d", fromKind, toKind, port), true, false))
					}
				}
				mx.add(sgCheck(a, b, fmt.Sprintf("%s reach none of B's %s", fromKind, toKind), g.reachableAny(from, to), false))
			}
		}
	}

	servingMatrix(t, w, &mx, servingWorld{
		bucket: dataBucket, bucketPolicy: bucketPolicy, s3Endpoint: s3EndpointPolicy, s3EndpointID: s3Endpoint.Name + "-id",
		workspaceBoundary: workspaceBoundary, keyPolicy: keyPolicy, keyArn: keyArn,
	})

	mx.report(t)
	// Every surface covers every ordered pair.
	surfaces := map[string]map[string]bool{}
	for _, c := range mx.checks {
		if c.pair == "" || strings.Count(c.pair, " → ") != 1 {
			continue
		}
		parts := strings.Split(c.pair, " → ")
		if parts[0] == parts[1] {
			continue
		}
		if surfaces[c.surface] == nil {
			surfaces[c.surface] = map[string]bool{}
		}
		surfaces[c.surface][c.pair] = true
	}
	for _, s := range []string{"data (access points)", "EMR workspaces", "SageMaker spaces and apps", "security groups", "log groups", "KMS keys", "Studio presigned URLs",
		"model registries", "served endpoints", "model artefacts and data capture"} {
		assert.Len(t, surfaces[s], len(pairs()), "surface %s covers every ordered pair of teams", s)
	}
}

// sgCheck records a reachability check as a decision: reachable is Allow.
func sgCheck(a, b, what string, reachable, want bool) check {
	d := func(x bool) iameval.Decision {
		if x {
			return iameval.Allow
		}
		return iameval.ImplicitDeny
	}
	return check{surface: "security groups", pair: a + " → " + b, what: what, got: d(reachable), want: d(want), reason: "security group rules"}
}

// sgRule is a rule as the platform writes it, inline or as its own resource.
type sgRule struct {
	from, to int
	self     bool
	groups   []string
	cidrs    []string
	prefixes []string
}

func (r sgRule) covers(port int) bool { return r.from <= port && port <= r.to }

// groups are every security group's ingress and egress rules by group id.
type groups struct {
	ingress, egress map[string][]sgRule
	// explicitEgress marks groups whose egress the platform writes; a
	// group without it is treated as sending anywhere.
	explicitEgress map[string]bool
	vpc            netip.Prefix
}

func readSecurityGroups(t *testing.T, m *mocktest.Mocks) *groups {
	t.Helper()
	g := &groups{ingress: map[string][]sgRule{}, egress: map[string][]sgRule{}, explicitEgress: map[string]bool{}, vpc: netip.MustParsePrefix("10.10.0.0/16")}
	type inline struct {
		Protocol       string   `json:"protocol"`
		FromPort       int      `json:"fromPort"`
		ToPort         int      `json:"toPort"`
		Self           bool     `json:"self"`
		SecurityGroups []string `json:"securityGroups"`
		CidrBlocks     []string `json:"cidrBlocks"`
		PrefixListIDs  []string `json:"prefixListIds"`
	}
	for _, sg := range m.OfType("aws:ec2/securityGroup:SecurityGroup") {
		id := sg.Name + "-id"
		for _, dir := range []string{"ingress", "egress"} {
			if !sg.Has(dir) {
				continue
			}
			var rules []inline
			require.NoError(t, sg.JSON(dir, &rules))
			if dir == "egress" {
				g.explicitEgress[id] = true
			}
			for _, r := range rules {
				rule := sgRule{from: r.FromPort, to: r.ToPort, self: r.Self, groups: r.SecurityGroups, cidrs: r.CidrBlocks, prefixes: r.PrefixListIDs}
				if r.Protocol == "-1" {
					rule.from, rule.to = 0, 65535
				}
				if dir == "ingress" {
					g.ingress[id] = append(g.ingress[id], rule)
				} else {
					g.egress[id] = append(g.egress[id], rule)
				}
			}
		}
	}
	type separate struct {
		Group      string `json:"securityGroupId"`
		From       int    `json:"fromPort"`
		To         int    `json:"toPort"`
		Referenced string `json:"referencedSecurityGroupId"`
		Cidr       string `json:"cidrIpv4"`
		PrefixList string `json:"prefixListId"`
	}
	for typ, dir := range map[string]string{
		"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
		"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   "egress",
	} {
		for _, r := range m.OfType(typ) {
			var x separate
			require.NoError(t, r.JSON("", &x))
			rule := sgRule{from: x.From, to: x.To}
			if x.Referenced != "" {
				rule.groups = []string{x.Referenced}
			}
			if x.Cidr != "" {
				rule.cidrs = []string{x.Cidr}
			}
			if x.PrefixList != "" {
				rule.prefixes = []string{x.PrefixList}
			}
			if dir == "ingress" {
				g.ingress[x.Group] = append(g.ingress[x.Group], rule)
			} else {
				g.explicitEgress[x.Group] = true
				g.egress[x.Group] = append(g.egress[x.Group], rule)
			}
		}
	}
	return g
}

// admits reports whether a rule of group `on` lets traffic on port through
// between members of `on` and an instance carrying the groups `peer`.
func (g *groups) admits(rules []sgRule, on string, peer []string, port int) bool {
	for _, r := range rules {
		if !r.covers(port) {
			continue
		}
		if r.self && slices.Contains(peer, on) {
			return true
		}
		for _, ref := range r.groups {
			if slices.Contains(peer, ref) {
				return true
			}
		}
		for _, c := range r.cidrs {
			// Every instance of the platform has an address in the VPC.
			if p, err := netip.ParsePrefix(c); err == nil && p.Overlaps(g.vpc) {
				return true
			}
		}
	}
	return false
}

// reachable reports whether an instance with the groups `from` can open a
// connection on port to an instance with the groups `to`.
func (g *groups) reachable(from, to []string, port int) bool {
	in := false
	for _, d := range to {
		if g.admits(g.ingress[d], d, from, port) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, s := range from {
		if !g.explicitEgress[s] || g.admits(g.egress[s], s, to, port) {
			return true
		}
	}
	return false
}

func (g *groups) reachableAny(from, to []string) bool {
	for port := 0; port <= 65535; port++ {
		if g.reachable(from, to, port) {
			return true
		}
	}
	return false
}
