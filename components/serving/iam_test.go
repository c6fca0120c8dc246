package serving_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/serving"
	"github.com/aifactory/platform/internal/iameval"
)

const (
	bucketArn   = "arn:aws:s3:::" + dataBucket
	servingRole = "arn:aws:iam::123456789012:role/aifactory-dev-serving-team-a"
	analysts    = "arn:aws:iam::123456789012:role/team-a-analysts"
	approvers   = "arn:aws:iam::123456789012:role/team-a-approvers"
	otherTeam   = "arn:aws:iam::123456789012:role/team-b-analysts"
	admin       = "arn:aws:iam::123456789012:role/account-admin"
)

// roundTrip sends a document through the JSON IAM stores.
func roundTrip(t *testing.T, d iamdoc.Document) iamdoc.Document {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	out, err := iamdoc.Parse(s)
	require.NoError(t, err)
	return out
}

func decide(t *testing.T, p iameval.Policies, r iameval.Request) iameval.Decision {
	t.Helper()
	got, err := iameval.Evaluate(p, r)
	require.NoError(t, err)
	return got.Decision
}

func TestServingRoleReachesItsArtefactsCaptureKeysAndLogsOnly(t *testing.T) {
	s := scopetest.Dev()
	exec := roundTrip(t, serving.ExecutionPolicy(serving.ExecutionScope{
		Scope: s, Team: "team-a", DataBucketArn: bucketArn, DataKeyArn: dataKey, WorkspaceKeyArn: workspaceKey,
		SubnetIDs: []string{"subnet-a", "subnet-b"}, SecurityGroupID: "sg-serving-a",
		EndpointNames: []string{"aifactory-dev-team-a--churn"}, ImageRegistryAccounts: []string{account, serving.DeepLearningContainersAccount},
	}))
	boundary := roundTrip(t, serving.BoundaryPolicy(serving.BoundaryScope{
		Scope: s, VpcID: "vpc-123", DataBucketArn: bucketArn, DataKeyArn: dataKey, WorkspaceKeyArn: workspaceKey,
		ImageRegistryAccounts: []string{account, serving.DeepLearningContainersAccount},
	}))
	pol := iameval.Policies{Identity: []iamdoc.Document{exec}, Boundary: &boundary}
	viaS3 := iameval.Keys("kms:ViaService", "s3.eu-west-1.amazonaws.com", "s3:ResourceAccount", account)
	viaSageMaker := iameval.Keys("kms:ViaService", "sagemaker.eu-west-1.amazonaws.com", "kms:GrantIsForAWSResource", "true")
	tests := []struct {
		name   string
		action string
		res    string
		ctx    iameval.Context
		want   iameval.Decision
	}{
		{"read own approved artefacts", "s3:GetObject", bucketArn + "/teams/team-a/models/approved/churn/3/model.tar.gz", viaS3, iameval.Allow},
		{"read own unapproved artefacts", "s3:GetObject", bucketArn + "/teams/team-a/models/churn/3/model.tar.gz", viaS3, iameval.ImplicitDeny},
		{"overwrite own approved artefacts", "s3:PutObject", bucketArn + "/teams/team-a/models/approved/churn/3/model.tar.gz", viaS3, iameval.ImplicitDeny},
		{"write own capture", "s3:PutObject", bucketArn + "/teams/team-a/serving/churn/2027/01/01/00/x.jsonl", viaS3, iameval.Allow},
		{"read the team's features", "s3:GetObject", bucketArn + "/teams/team-a/features/part-0.parquet", viaS3, iameval.ImplicitDeny},
		{"overwrite own artefacts", "s3:PutObject", bucketArn + "/teams/team-a/models/churn/3/model.tar.gz", viaS3, iameval.ImplicitDeny},
		{"read another team's artefacts", "s3:GetObject", bucketArn + "/teams/team-b/models/approved/churn/1/model.tar.gz", viaS3, iameval.ImplicitDeny},
		{"write another team's capture", "s3:PutObject", bucketArn + "/teams/team-b/serving/churn/x.jsonl", viaS3, iameval.ImplicitDeny},
		{"another bucket", "s3:GetObject", "arn:aws:s3:::exfiltration/x", viaS3, iameval.ExplicitDeny},
		{"decrypt artefacts through S3", "kms:Decrypt", dataKey, viaS3, iameval.Allow},
		{"decrypt the data key directly", "kms:Decrypt", dataKey, iameval.Keys(), iameval.ImplicitDeny},
		{"volume grant through SageMaker", "kms:CreateGrant", workspaceKey, viaSageMaker, iameval.Allow},
		{"grant for itself", "kms:CreateGrant", workspaceKey, iameval.Keys("kms:ViaService", "sagemaker.eu-west-1.amazonaws.com", "kms:GrantIsForAWSResource", "false"), iameval.ImplicitDeny},
		{"own endpoint logs", "logs:PutLogEvents", s.LogStreamARN("/aws/sagemaker/Endpoints/aifactory-dev-team-a--churn", "AllTraffic/i-1"), nil, iameval.Allow},
		{"another team's endpoint logs", "logs:PutLogEvents", s.LogStreamARN("/aws/sagemaker/Endpoints/aifactory-dev-team-b--churn", "AllTraffic/i-1"), nil, iameval.ImplicitDeny},
		{"endpoint metrics", "cloudwatch:PutMetricData", "*", iameval.Keys("cloudwatch:namespace", "/aws/sagemaker/Endpoints"), iameval.Allow},
		{"other metrics", "cloudwatch:PutMetricData", "*", iameval.Keys("cloudwatch:namespace", "Exfil"), iameval.ImplicitDeny},
		{"pull a DLC image", "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-inference", nil, iameval.Allow},
		{"pull from another registry", "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:210987654321:repository/x", nil, iameval.ImplicitDeny},
		{"interface in the serving group", "ec2:CreateNetworkInterface", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-serving-a", iameval.Keys("ec2:Vpc", "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-123"), iameval.Allow},
		{"interface in another group", "ec2:CreateNetworkInterface", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-studio-b", iameval.Keys("ec2:Vpc", "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-123"), iameval.ImplicitDeny},
		{"any SageMaker API", "sagemaker:CreateEndpoint", "*", nil, iameval.ExplicitDeny},
		{"pass a role", "iam:PassRole", servingRole, nil, iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, decide(t, pol, iameval.Request{Principal: servingRole, Action: tt.action, Resource: tt.res, Context: tt.ctx}))
		})
	}
}

func TestRegistryApprovalIsSeparatedAndConfinedToTheTeam(t *testing.T) {
	s := scopetest.Dev()
	group := roundTrip(t, serving.RegistryPolicy(serving.RegistryScope{
		Scope: s, Team: "team-a", Registrants: []string{analysts}, Approvers: []string{approvers}, DeployerRoleArn: deployer,
	}))
	registrant := roundTrip(t, serving.RegistrantPolicy(s, "team-a"))
	approver := roundTrip(t, serving.ApproverPolicy(serving.ApproverScope{Scope: s, Team: "team-a", DataBucketArn: bucketArn, DataKeyArn: dataKey}))
	// An administrator of the account with every SageMaker permission.
	everything := roundTrip(t, iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*"}, Resource: iamdoc.Strings{"*"}}))
	registry := serving.RegistryArn(s, "team-a")
	version := s.ARN("sagemaker", "model-package/aifactory-dev-team-a/3")
	otherVersion := s.ARN("sagemaker", "model-package/aifactory-dev-team-b/1")
	status := func(v string) iameval.Context { return iameval.Keys("sagemaker:ModelApprovalStatus", v) }
	tests := []struct {
		name      string
		principal string
		identity  iamdoc.Document
		action    string
		res       string
		ctx       iameval.Context
		want      iameval.Decision
	}{
		{"team registers for approval", analysts, registrant, "sagemaker:CreateModelPackage", registry, status(serving.PendingManualApproval), iameval.Allow},
		{"team registers as approved", analysts, registrant, "sagemaker:CreateModelPackage", registry, status(serving.Approved), iameval.ExplicitDeny},
		{"team registers without a status", analysts, registrant, "sagemaker:CreateModelPackage", registry, nil, iameval.ExplicitDeny},
		{"team approves its own version", analysts, registrant, "sagemaker:UpdateModelPackage", version, status(serving.Approved), iameval.ExplicitDeny},
		{"team reads a version", analysts, registrant, "sagemaker:DescribeModelPackage", version, nil, iameval.Allow},
		{"approver approves", approvers, approver, "sagemaker:UpdateModelPackage", version, status(serving.Approved), iameval.Allow},
		{"approver rejects", approvers, approver, "sagemaker:UpdateModelPackage", version, status(serving.Rejected), iameval.Allow},
		{"approver resets to pending", approvers, approver, "sagemaker:UpdateModelPackage", version, status(serving.PendingManualApproval), iameval.ImplicitDeny},
		{"approver registers", approvers, approver, "sagemaker:CreateModelPackage", registry, status(serving.PendingManualApproval), iameval.ExplicitDeny},
		{"approver approves another team's version", approvers, approver, "sagemaker:UpdateModelPackage", otherVersion, status(serving.Approved), iameval.ImplicitDeny},
		{"deployer reads the version it serves", deployer, everything, "sagemaker:DescribeModelPackage", version, nil, iameval.Allow},
		{"deployer approves", deployer, everything, "sagemaker:UpdateModelPackage", version, status(serving.Approved), iameval.ExplicitDeny},
		{"another team reads", otherTeam, registrant, "sagemaker:DescribeModelPackage", version, nil, iameval.ExplicitDeny},
		{"an administrator approves", admin, everything, "sagemaker:UpdateModelPackage", version, status(serving.Approved), iameval.ExplicitDeny},
		{"an administrator builds a model from it", admin, everything, "sagemaker:CreateModel", version, nil, iameval.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := iameval.Policies{Identity: []iamdoc.Document{tt.identity}, Resource: []iamdoc.Document{group}}
			assert.Equal(t, tt.want, decide(t, p, iameval.Request{Principal: tt.principal, Action: tt.action, Resource: tt.res, Context: tt.ctx}))
		})
	}
}

// Nobody but the deployer manages a registry: not another team's role
// with every SageMaker permission, and not the team's own people or
// approvers, who could otherwise delete or replace the registry's policy
// and approve their own versions next.
func TestOnlyTheDeployerManagesARegistry(t *testing.T) {
	s := scopetest.Dev()
	group := roundTrip(t, serving.RegistryPolicy(serving.RegistryScope{
		Scope: s, Team: "team-a", Registrants: []string{analysts}, Approvers: []string{approvers}, DeployerRoleArn: deployer,
	}))
	everything := roundTrip(t, iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*"}, Resource: iamdoc.Strings{"*"}}))
	registry := serving.RegistryArn(s, "team-a")
	version := s.ARN("sagemaker", "model-package/aifactory-dev-team-a/3")
	actions := append(iamdoc.Strings{"sagemaker:SomeActionAddedLater"}, serving.RegistryManagementActions...)
	for _, principal := range []string{otherTeam, admin, analysts, approvers} {
		for _, action := range actions {
			for _, res := range []string{registry, version} {
				t.Run(principal+" "+action+" on "+res, func(t *testing.T) {
					p := iameval.Policies{Identity: []iamdoc.Document{everything}, Resource: []iamdoc.Document{group}}
					assert.Equal(t, iameval.ExplicitDeny, decide(t, p, iameval.Request{Principal: principal, Action: action, Resource: res}))
				})
			}
		}
	}
	for _, action := range serving.RegistryManagementActions {
		t.Run("deployer "+action, func(t *testing.T) {
			p := iameval.Policies{Identity: []iamdoc.Document{everything}, Resource: []iamdoc.Document{group}}
			assert.Equal(t, iameval.Allow, decide(t, p, iameval.Request{Principal: deployer, Action: action, Resource: registry}))
		})
	}
	// The team's work is untouched: its people register and read.
	registrant := roundTrip(t, serving.RegistrantPolicy(s, "team-a"))
	p := iameval.Policies{Identity: []iamdoc.Document{registrant}, Resource: []iamdoc.Document{group}}
	assert.Equal(t, iameval.Allow, decide(t, p, iameval.Request{Principal: analysts, Action: "sagemaker:CreateModelPackage", Resource: registry,
		Context: iameval.Keys("sagemaker:ModelApprovalStatus", serving.PendingManualApproval)}))
	assert.Equal(t, iameval.Allow, decide(t, p, iameval.Request{Principal: analysts, Action: "sagemaker:DescribeModelPackage", Resource: version}))
}

// An update without a status still changes what a version serves: only
// the team's approvers update a version, whatever the caller's identity
// policies allow.
func TestOnlyApproversUpdateAVersion(t *testing.T) {
	s := scopetest.Dev()
	group := roundTrip(t, serving.RegistryPolicy(serving.RegistryScope{
		Scope: s, Team: "team-a", Registrants: []string{analysts}, Approvers: []string{approvers}, DeployerRoleArn: deployer,
	}))
	noApprovers := roundTrip(t, serving.RegistryPolicy(serving.RegistryScope{
		Scope: s, Team: "team-a", Registrants: []string{analysts}, DeployerRoleArn: deployer,
	}))
	registrant := roundTrip(t, serving.RegistrantPolicy(s, "team-a"))
	everything := roundTrip(t, iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:*"}, Resource: iamdoc.Strings{"*"}}))
	version := s.ARN("sagemaker", "model-package/aifactory-dev-team-a/3")
	// What an update that swaps the served container sends: no status.
	swap := iameval.Keys()
	tests := []struct {
		name      string
		principal string
		identity  []iamdoc.Document
		group     iamdoc.Document
		want      iameval.Decision
	}{
		{"registrant with its policy", analysts, []iamdoc.Document{registrant}, group, iameval.ExplicitDeny},
		{"registrant with sagemaker:* besides", analysts, []iamdoc.Document{registrant, everything}, group, iameval.ExplicitDeny},
		{"registrant with sagemaker:* only", analysts, []iamdoc.Document{everything}, group, iameval.ExplicitDeny},
		{"deployer", deployer, []iamdoc.Document{everything}, group, iameval.ExplicitDeny},
		{"another team with sagemaker:*", otherTeam, []iamdoc.Document{everything}, group, iameval.ExplicitDeny},
		{"registrant of a team without approvers", analysts, []iamdoc.Document{everything}, noApprovers, iameval.ExplicitDeny},
		{"approver with sagemaker:*", approvers, []iamdoc.Document{everything}, group, iameval.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := iameval.Policies{Identity: tt.identity, Resource: []iamdoc.Document{tt.group}}
			assert.Equal(t, tt.want, decide(t, p, iameval.Request{Principal: tt.principal, Action: "sagemaker:UpdateModelPackage", Resource: version, Context: swap}))
		})
	}
}

func TestInvocationOnlyOfOwnEndpointsThroughTheRuntimeEndpoint(t *testing.T) {
	s := scopetest.Dev()
	invoke := roundTrip(t, serving.InvokePolicy(s, "team-a", runtimeVpce))
	own := serving.EndpointArn(s, "aifactory-dev-team-a--churn")
	prefixTwin := serving.EndpointArn(s, "aifactory-dev-team-a-extra--churn")
	theirs := serving.EndpointArn(s, "aifactory-dev-team-b--churn")
	// A consumer that also holds a broad grant of its own.
	broad := roundTrip(t, iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:InvokeEndpoint"}, Resource: iamdoc.Strings{"*"}}))
	fromVPC := iameval.Keys("aws:SourceVpce", runtimeVpce)
	tests := []struct {
		name     string
		identity []iamdoc.Document
		action   string
		res      string
		ctx      iameval.Context
		want     iameval.Decision
	}{
		{"own endpoint from the VPC", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpoint", own, fromVPC, iameval.Allow},
		{"streaming from the VPC", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpointWithResponseStream", own, fromVPC, iameval.Allow},
		{"own endpoint from the internet", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpoint", own, iameval.Keys("aws:SourceIp", "198.51.100.7"), iameval.ExplicitDeny},
		{"own endpoint through another VPC endpoint", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpoint", own, iameval.Keys("aws:SourceVpce", "vpce-other"), iameval.ExplicitDeny},
		{"another team's endpoint", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpoint", theirs, fromVPC, iameval.ImplicitDeny},
		{"a team whose name extends this one", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpoint", prefixTwin, fromVPC, iameval.ImplicitDeny},
		{"broad grant from the internet", []iamdoc.Document{invoke, broad}, "sagemaker:InvokeEndpoint", theirs, nil, iameval.ExplicitDeny},
		{"asynchronous invocation", []iamdoc.Document{invoke}, "sagemaker:InvokeEndpointAsync", own, fromVPC, iameval.ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, decide(t, iameval.Policies{Identity: tt.identity}, iameval.Request{Principal: analysts, Action: tt.action, Resource: tt.res, Context: tt.ctx}))
		})
	}
}

func TestNamesAndURLs(t *testing.T) {
	s := scopetest.Dev()
	assert.Equal(t, "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-team-a--churn/invocations",
		serving.InvocationURL(s, "aifactory-dev-team-a--churn"))
	assert.Equal(t, "s3://b/teams/team-a/serving/churn/", serving.CaptureURI(s, "b", "team-a", "churn"))
	assert.Equal(t, "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/aifactory-dev-team-a", serving.RegistryArn(s, "team-a"))
	assert.Equal(t, "/aws/sagemaker/Endpoints/x", serving.EndpointLogGroup("x"))
}
