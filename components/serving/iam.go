package serving

import (
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/boundary"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/serving/spec"
)

// SageMakerService is the only principal that may assume a serving role.
const SageMakerService = "sagemaker.amazonaws.com"

// DeepLearningContainersAccount hosts the AWS Deep Learning Containers,
// the inference images most model packages name.
const DeepLearningContainersAccount = "763104351884"

// Where a team's serving data lives below its prefix "teams/<team>/".
const (
	// ModelsDir holds the model artefacts a team trains and proposes.
	ModelsDir = "models/"
	// ApprovedDir, below the team's prefix, holds the artefacts of
	// approved versions: only the team's approvers write or delete there
	// (the data bucket's policy denies everyone else, whatever their
	// identity policies), and the serving role reads nothing else of the
	// team's data. A version whose artefact lies anywhere else cannot be
	// served, and nobody who registers a version can change the artefact
	// of an approved one.
	ApprovedDir = ModelsDir + "approved/"
	// CaptureDir holds the captured requests and responses, one
	// directory per endpoint; only the team's serving role writes there,
	// and nobody deletes (the data bucket's policy).
	CaptureDir = "serving/"
)

// Approval statuses of a model package version.
const (
	PendingManualApproval = "PendingManualApproval"
	Approved              = "Approved"
	Rejected              = "Rejected"
)

// approvalKey is the condition key SageMaker sets from the approval status
// a CreateModelPackage or UpdateModelPackage request asks for. CreateModel
// has no such key (Service Authorization Reference, Amazon SageMaker), so
// no policy can refuse a model built from an unapproved version.
const approvalKey = "sagemaker:ModelApprovalStatus"

// EndpointNamespace is the CloudWatch namespace of endpoint instance metrics.
const EndpointNamespace = "/aws/sagemaker/Endpoints"

// ArtefactsPrefix is the key prefix of a team's model artefacts, proposed
// and approved.
func ArtefactsPrefix(s scope.Scope, team string) string { return s.TeamPrefix(team) + ModelsDir }

// ApprovedArtefactsPrefix is the key prefix of the artefacts of a team's
// approved versions, the only artefacts its endpoints serve.
func ApprovedArtefactsPrefix(s scope.Scope, team string) string {
	return s.TeamPrefix(team) + ApprovedDir
}

// CapturePrefix is the key prefix of a team's captured data.
func CapturePrefix(s scope.Scope, team string) string { return s.TeamPrefix(team) + CaptureDir }

// CaptureURI is where an endpoint's captured data lands:
// s3://<data bucket>/teams/<team>/serving/<endpoint>/.
func CaptureURI(s scope.Scope, bucket, team, endpoint string) string {
	return "s3://" + bucket + "/" + CapturePrefix(s, team) + endpoint + "/"
}

// RoleName is the name of a team's serving (execution) role.
func RoleName(s scope.Scope, team string) string { return s.Name("serving", team) }

// RoleNamePattern matches every team's serving role and nothing else the
// platform creates.
func RoleNamePattern(s scope.Scope) string { return s.Name("serving", "*") }

// RegistryName is a team's model package group.
func RegistryName(s scope.Scope, team string) string { return spec.RegistryName(s.Prefix, team) }

// RegistryArn is the ARN of a team's model package group.
func RegistryArn(s scope.Scope, team string) string {
	return s.ARN("sagemaker", "model-package-group/"+RegistryName(s, team))
}

// RegistryVersionsArn matches every version of a team's registry.
func RegistryVersionsArn(s scope.Scope, team string) string {
	return s.ARN("sagemaker", "model-package/"+RegistryName(s, team)+"/*")
}

// EndpointName is the name of a team's endpoint.
func EndpointName(s scope.Scope, team, name string) string {
	return spec.EndpointName(s.Prefix, team, name)
}

// EndpointArn is the ARN of an endpoint (SageMaker writes names in ARNs in
// lower case; the platform's names are lower case already).
func EndpointArn(s scope.Scope, name string) string { return s.ARN("sagemaker", "endpoint/"+name) }

// TeamEndpointsArn matches every endpoint of a team, and no other team's:
// team names never contain the "--" that ends the pattern's team part.
func TeamEndpointsArn(s scope.Scope, team string) string {
	return EndpointArn(s, EndpointName(s, team, "*"))
}

// PlatformEndpointsArn matches every endpoint of the stack.
func PlatformEndpointsArn(s scope.Scope) string { return EndpointArn(s, s.Prefix+"-*") }

// EndpointLogGroup is the log group SageMaker writes an endpoint's
// container logs to.
func EndpointLogGroup(endpointName string) string { return EndpointNamespace + "/" + endpointName }

// InvocationURL is the endpoint's invocation URL. Inside the VPC the
// runtime host resolves to the SageMaker runtime interface endpoint
// (private DNS), so the same URL never leaves the private network.
func InvocationURL(s scope.Scope, endpointName string) string {
	return "https://" + s.ServiceHost("runtime.sagemaker") + "/endpoints/" + endpointName + "/invocations"
}

// InvokeActions are the calls that send data to a model.
var InvokeActions = iamdoc.Strings{
	"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream", "sagemaker:InvokeEndpointAsync",
}

// syncInvokeActions are what the platform grants: real-time invocations.
var syncInvokeActions = iamdoc.Strings{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"}

// teamRegistryActions are the only calls on a registry and its versions
// the team's roles make: register, read, decide. The registry's policy
// denies every other SageMaker action on them (the group's policy, the
// group itself, tags, batch reads, deletions, models built from a version,
// and actions AWS adds later) to everyone but the deployer, whatever the
// caller's identity policies allow.
var teamRegistryActions = iamdoc.Strings{
	"sagemaker:CreateModelPackage", "sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup",
	"sagemaker:ListModelPackages", "sagemaker:UpdateModelPackage",
}

// RegistryManagementActions are the actions the Service Authorization
// Reference lists on the model-package-group and model-package resource
// types besides those of teamRegistryActions. Only the deployer may call
// them; the registry's policy denies them by exclusion (NotAction), so
// the list documents and tests the deny rather than bounding it.
var RegistryManagementActions = iamdoc.Strings{
	"sagemaker:AddTags", "sagemaker:BatchDescribeModelPackage", "sagemaker:CreateModel",
	"sagemaker:CreateModelPackageGroup", "sagemaker:DeleteModelPackage", "sagemaker:DeleteModelPackageGroup",
	"sagemaker:DeleteModelPackageGroupPolicy", "sagemaker:DeleteTags", "sagemaker:GetModelPackageGroupPolicy",
	"sagemaker:ListTags", "sagemaker:PutModelPackageGroupPolicy",
}

var (
	networkDescribeActions = iamdoc.Strings{
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
		"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
	}
	interfaceActions = iamdoc.Strings{
		"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
		"ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterfacePermission",
	}
	imagePullActions = iamdoc.Strings{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
)

func viaService(s scope.Scope, services ...string) iamdoc.Strings {
	out := make(iamdoc.Strings, 0, len(services))
	for _, svc := range services {
		out = append(out, s.ServiceHost(svc))
	}
	return out
}

func sorted(in []string) iamdoc.Strings {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// TrustPolicy lets only SageMaker, acting for this account, assume a
// serving role.
func TrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "SageMakerForThisAccountOnly",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(SageMakerService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}},
	})
}

// ExecutionScope is what one team's serving role may reach.
type ExecutionScope struct {
	scope.Scope
	Team            string
	DataBucketArn   string
	DataKeyArn      string
	WorkspaceKeyArn string
	SubnetIDs       []string
	SecurityGroupID string
	// EndpointNames are the team's endpoints (full names), whose log
	// groups the role writes.
	EndpointNames         []string
	ImageRegistryAccounts []string
}

// ExecutionPolicy is the policy of a team's serving role, the role
// SageMaker runs the team's models with: the team's model artefacts
// approved model artefacts (read), the team's capture prefix (write), the data key through S3 and
// the workspace key through SageMaker and EC2 (volumes), image pulls, the
// log groups of the team's endpoints, endpoint metrics, and network
// interfaces in the private subnets with the team's serving group. It
// calls no SageMaker API: the model's container is isolated and gets no
// credentials.
func ExecutionPolicy(s ExecutionScope) iamdoc.Document {
	var logGroups, logStreams iamdoc.Strings
	for _, n := range sorted(s.EndpointNames) {
		logGroups = append(logGroups, s.LogGroupARN(EndpointLogGroup(n)+":*"))
		logStreams = append(logStreams, s.LogStreamARN(EndpointLogGroup(n), "*"))
	}
	var subnets iamdoc.Strings
	for _, id := range sorted(s.SubnetIDs) {
		subnets = append(subnets, s.ARN("ec2", "subnet/"+id))
	}
	statements := []iamdoc.Statement{
		{
			Sid:      "ReadOwnApprovedModelArtefacts",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject", "s3:GetObjectVersion"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + ApprovedArtefactsPrefix(s.Scope, s.Team) + "*"},
		},
		{
			Sid:      "WriteOwnDataCapture",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:PutObject", "s3:AbortMultipartUpload"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + CapturePrefix(s.Scope, s.Team) + "*"},
		},
		{
			// SageMaker checks the capture destination's region first.
			Sid:      "LocateTheDataBucket",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetBucketLocation"},
			Resource: iamdoc.Strings{s.DataBucketArn},
		},
		{
			Sid:       "DataKeyThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "s3")}},
		},
		{
			Sid:       "WorkspaceKeyForEndpointVolumes",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "ec2", "sagemaker")}},
		},
		{
			Sid:      "WorkspaceKeyGrantsForEndpointVolumes",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:CreateGrant"},
			Resource: iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{
				"StringEquals": {"kms:ViaService": viaService(s.Scope, "ec2", "sagemaker")},
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			},
		},
	}
	statements = append(statements, imagePullStatements(s.Scope, s.ImageRegistryAccounts)...)
	if len(logGroups) > 0 {
		statements = append(statements,
			iamdoc.Statement{Sid: "OwnEndpointLogStreams", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:CreateLogStream", "logs:DescribeLogStreams"}, Resource: logGroups},
			iamdoc.Statement{Sid: "OwnEndpointLogEvents", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:PutLogEvents"}, Resource: logStreams},
		)
	}
	statements = append(statements,
		iamdoc.Statement{
			// PutMetricData names no resource; the namespace is the only scope.
			Sid:       "EndpointInstanceMetrics",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"cloudwatch:PutMetricData"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringEquals": {"cloudwatch:namespace": {EndpointNamespace}}},
		},
		iamdoc.Statement{Sid: "DescribeTheNetwork", Effect: iamdoc.Allow, Action: networkDescribeActions, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{
			Sid:      "InterfacesInThePrivateSubnetsWithTheServingGroup",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ec2:CreateNetworkInterface"},
			Resource: append(subnets, s.ARN("ec2", "security-group/"+s.SecurityGroupID)),
		},
		iamdoc.Statement{
			Sid:      "ManageEndpointInterfaces",
			Effect:   iamdoc.Allow,
			Action:   interfaceActions,
			Resource: iamdoc.Strings{s.ARN("ec2", "network-interface/*")},
		},
	)
	return iamdoc.New(statements...)
}

func imagePullStatements(s scope.Scope, accounts []string) []iamdoc.Statement {
	var repos iamdoc.Strings
	for _, a := range sorted(accounts) {
		repos = append(repos, s.ARNInAccount(a, "ecr", "repository/*"))
	}
	return []iamdoc.Statement{
		// GetAuthorizationToken has no resource; the token only opens the
		// repositories the next statement names.
		{Sid: "RegistryLogin", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ecr:GetAuthorizationToken"}, Resource: iamdoc.Strings{"*"}},
		{Sid: "PullInferenceImages", Effect: iamdoc.Allow, Action: imagePullActions, Resource: repos},
	}
}

// BoundaryScope is what the serving roles' permissions boundary caps.
type BoundaryScope struct {
	scope.Scope
	VpcID                 string
	DataBucketArn         string
	DataKeyArn            string
	WorkspaceKeyArn       string
	ImageRegistryAccounts []string
}

// BoundaryPolicy is the permissions boundary of every serving role: the
// union of what any serving role needs, on the platform's own resources,
// and Deny statements that hold whatever a role's own policy says: the
// platform's boundary denies (no IAM, account or key administration, no
// path to the internet, no S3 outside the data bucket or in another
// account) and no SageMaker or STS API (the role only runs models).
func BoundaryPolicy(s BoundaryScope) iamdoc.Document {
	statements := []iamdoc.Statement{
		{
			Sid:      "TeamsApprovedModelArtefacts",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject", "s3:GetObjectVersion"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + scope.TeamsPrefix + "*/" + ApprovedDir + "*"},
		},
		{
			Sid:      "TeamsDataCapture",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:PutObject", "s3:AbortMultipartUpload"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + scope.TeamsPrefix + "*/" + CaptureDir + "*"},
		},
		{Sid: "LocateTheDataBucket", Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:GetBucketLocation"}, Resource: iamdoc.Strings{s.DataBucketArn}},
		{
			Sid:       "DataKeyThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "s3")}},
		},
		{
			Sid:       "WorkspaceKeyThroughSageMakerAndEC2",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant"},
			Resource:  iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "ec2", "sagemaker")}},
		},
	}
	statements = append(statements, imagePullStatements(s.Scope, s.ImageRegistryAccounts)...)
	statements = append(statements,
		iamdoc.Statement{
			Sid:      "EndpointLogs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: iamdoc.Strings{s.LogGroupARN(EndpointLogGroup(s.Prefix+"-*") + ":*")},
		},
		iamdoc.Statement{
			Sid:       "EndpointInstanceMetrics",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"cloudwatch:PutMetricData"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringEquals": {"cloudwatch:namespace": {EndpointNamespace}}},
		},
		iamdoc.Statement{Sid: "DescribeTheNetwork", Effect: iamdoc.Allow, Action: networkDescribeActions, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{
			Sid:       "InterfacesInThePlatformVpc",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:CreateNetworkInterface"},
			Resource:  iamdoc.Strings{s.ARN("ec2", "subnet/*"), s.ARN("ec2", "security-group/*")},
			Condition: iamdoc.Condition{"ArnEquals": {"ec2:Vpc": {s.ARN("ec2", "vpc/"+s.VpcID)}}},
		},
		iamdoc.Statement{Sid: "EndpointInterfaces", Effect: iamdoc.Allow, Action: interfaceActions, Resource: iamdoc.Strings{s.ARN("ec2", "network-interface/*")}},
		// The serving role runs models and calls no SageMaker API, no STS.
		iamdoc.Statement{Sid: "NoSageMakerOrSTS", Effect: iamdoc.Deny, Action: iamdoc.Strings{"sagemaker:*", "sts:*"}, Resource: iamdoc.Strings{"*"}},
	)
	// The denies every boundary of the platform carries. They leave
	// iam:PassRole to SageMaker open, but no Allow above names it, so the
	// serving role passes no role at all.
	statements = append(statements, boundary.Denies(s.Scope, boundary.Spec{
		PassSid:     "NoIAMBeyondPassingRolesToSageMaker",
		PassService: SageMakerService,
		PlatformS3:  iamdoc.Strings{s.DataBucketArn, s.DataBucketArn + "/*"},
	})...)
	return iamdoc.New(statements...)
}

// RegistryScope is who uses one team's registry.
type RegistryScope struct {
	scope.Scope
	Team string
	// Registrants are the role ARNs of the team's people, who register
	// versions for approval.
	Registrants []string
	// Approvers are the role ARNs that approve or reject versions; they
	// never register one.
	Approvers []string
	// DeployerRoleArn deploys the stack: it reads versions to build the
	// served models and manages the registry.
	DeployerRoleArn string
}

// RegistryPolicy is the resource policy of a team's model package group. It
// admits only the team's roles: the team's people register versions, and
// only as PendingManualApproval; only the team's approvers update a
// version, to set Approved or Rejected, and they register nothing; no one
// else changes a version, with a status or without; the deployer reads versions to build
// the models the stack file names. Every other principal of the account is
// denied every SageMaker action on the registry, and everyone but the
// deployer (the team's own roles included) every action that manages the
// registry itself, whatever their identity policies allow.
func RegistryPolicy(s RegistryScope) iamdoc.Document {
	group := RegistryArn(s.Scope, s.Team)
	versions := RegistryVersionsArn(s.Scope, s.Team)
	both := iamdoc.Strings{group, versions}
	readers := sorted(append(append(slices.Clone(s.Registrants), s.Approvers...), s.DeployerRoleArn))
	var statements []iamdoc.Statement
	if len(s.Registrants) > 0 {
		statements = append(statements, iamdoc.Statement{
			Sid:       "TeamRegistersVersionsForApproval",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(sorted(s.Registrants)...),
			Action:    iamdoc.Strings{"sagemaker:CreateModelPackage"},
			Resource:  both,
			Condition: iamdoc.Condition{"StringEquals": {approvalKey: {PendingManualApproval}}},
		})
	}
	statements = append(statements,
		iamdoc.Statement{
			Sid:       "TeamReadsItsRegistry",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(readers...),
			Action:    iamdoc.Strings{"sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"},
			Resource:  both,
		},
	)
	if len(s.Approvers) > 0 {
		statements = append(statements, iamdoc.Statement{
			Sid:       "ApproversDecide",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(sorted(s.Approvers)...),
			Action:    iamdoc.Strings{"sagemaker:UpdateModelPackage"},
			Resource:  iamdoc.Strings{versions},
			Condition: iamdoc.Condition{"StringEquals": {approvalKey: {Approved, Rejected}}},
		})
	}
	statements = append(statements,
		iamdoc.Statement{
			// Every SageMaker action on the registry, not a list: a
			// list misses the calls that manage the registry itself.
			Sid:       "NoOneElse",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sagemaker:*"},
			Resource:  both,
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": readers}},
		},
		iamdoc.Statement{
			// The team's own roles too: whoever could delete or replace
			// this policy, or retag the group, could approve their own
			// versions next.
			Sid:       "OnlyTheDeployerManagesTheRegistry",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			NotAction: teamRegistryActions,
			Resource:  both,
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {s.DeployerRoleArn}}},
		},
		iamdoc.Statement{
			// A request without a status is refused too (a negated
			// operator matches an absent key): registrants name
			// PendingManualApproval explicitly.
			Sid:       "RegisterOnlyForApproval",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sagemaker:CreateModelPackage"},
			Resource:  both,
			Condition: iamdoc.Condition{"StringNotEquals": {approvalKey: {PendingManualApproval}}},
		},
	)
	// Any update, with a status or without: UpdateModelPackage also
	// changes what a version serves (its inference specification, source
	// and model card), so whoever may update an approved version without
	// a status approves what they put in it.
	var decide iamdoc.Condition
	if len(s.Approvers) > 0 {
		decide = iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": sorted(s.Approvers)}}
	}
	statements = append(statements, iamdoc.Statement{
		Sid:       "OnlyApproversUpdateVersions",
		Effect:    iamdoc.Deny,
		Principal: iamdoc.Anyone(),
		Action:    iamdoc.Strings{"sagemaker:UpdateModelPackage"},
		Resource:  iamdoc.Strings{versions},
		Condition: decide,
	})
	if len(s.Approvers) > 0 {
		statements = append(statements, iamdoc.Statement{
			Sid:       "ApproversRegisterNothing",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.AWSPrincipals(sorted(s.Approvers)...),
			Action:    iamdoc.Strings{"sagemaker:CreateModelPackage"},
			Resource:  both,
		})
	}
	return iamdoc.New(statements...)
}

// RegistrantPolicy is what a team's people get on the team's registry:
// register versions for approval, read the registry; never update a
// version (decide on it, or change what it serves).
func RegistrantPolicy(s scope.Scope, team string) iamdoc.Document {
	group, versions := RegistryArn(s, team), RegistryVersionsArn(s, team)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "RegisterVersionsForApproval",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:CreateModelPackage"},
			Resource:  iamdoc.Strings{group, versions},
			Condition: iamdoc.Condition{"StringEquals": {approvalKey: {PendingManualApproval}}},
		},
		iamdoc.Statement{
			Sid:      "ReadOwnRegistry",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"},
			Resource: iamdoc.Strings{group, versions},
		},
		iamdoc.Statement{
			// Without a status too: an update changes what an approved
			// version serves.
			Sid:      "NeverUpdateAVersion",
			Effect:   iamdoc.Deny,
			Action:   iamdoc.Strings{"sagemaker:UpdateModelPackage"},
			Resource: iamdoc.Strings{"*"},
		},
	)
}

// ApproverScope is where a team's approvers publish approved artefacts.
type ApproverScope struct {
	scope.Scope
	Team          string
	DataBucketArn string
	DataKeyArn    string
}

// ApproverPolicy is what a team's approvers get: read the registry, and
// approve or reject its versions; never register one. Before approving a
// version they copy the artefact they reviewed from the team's models/
// into models/approved/ (directly on the data bucket, from inside the VPC
// through the S3 gateway endpoint), the only place its endpoints serve
// from and the only place the team's people cannot write.
func ApproverPolicy(s ApproverScope) iamdoc.Document {
	group, versions := RegistryArn(s.Scope, s.Team), RegistryVersionsArn(s.Scope, s.Team)
	models := ArtefactsPrefix(s.Scope, s.Team)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "ReadTheRegistry",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"},
			Resource: iamdoc.Strings{group, versions},
		},
		iamdoc.Statement{
			Sid:       "ApproveOrRejectVersions",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:UpdateModelPackage"},
			Resource:  iamdoc.Strings{versions},
			Condition: iamdoc.Condition{"StringEquals": {approvalKey: {Approved, Rejected}}},
		},
		iamdoc.Statement{
			Sid:       "ListTheTeamsModels",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{s.DataBucketArn},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {models, models + "*"}}},
		},
		iamdoc.Statement{
			Sid:      "ReadTheTeamsModels",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject", "s3:GetObjectVersion"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + models + "*"},
		},
		iamdoc.Statement{
			Sid:      "PublishApprovedArtefacts",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			Resource: iamdoc.Strings{s.DataBucketArn + "/" + ApprovedArtefactsPrefix(s.Scope, s.Team) + "*"},
		},
		iamdoc.Statement{
			Sid:       "DataKeyThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "s3")}},
		},
		iamdoc.Statement{
			Sid:      "RegisterNothing",
			Effect:   iamdoc.Deny,
			Action:   iamdoc.Strings{"sagemaker:CreateModelPackage"},
			Resource: iamdoc.Strings{"*"},
		},
	)
}

// InvokePolicy is what invokes a team's endpoints: the team's Studio role,
// its people and its consumer roles. Invocations reach only the team's
// endpoints and only through the VPC's SageMaker runtime endpoint; the
// Deny keeps every platform endpoint out of reach from anywhere else,
// whatever else the identity is allowed.
func InvokePolicy(s scope.Scope, team, runtimeEndpointID string) iamdoc.Document {
	own := TeamEndpointsArn(s, team)
	vpce := iamdoc.Strings{runtimeEndpointID}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "InvokeOwnEndpointsFromTheVpc",
			Effect:    iamdoc.Allow,
			Action:    syncInvokeActions,
			Resource:  iamdoc.Strings{own},
			Condition: iamdoc.Condition{"StringEquals": {"aws:SourceVpce": vpce}},
		},
		iamdoc.Statement{
			Sid:      "DescribeOwnEndpoints",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:DescribeEndpoint"},
			Resource: iamdoc.Strings{own},
		},
		iamdoc.Statement{
			Sid:       "NoInvocationOutsideTheVpc",
			Effect:    iamdoc.Deny,
			Action:    InvokeActions,
			Resource:  iamdoc.Strings{PlatformEndpointsArn(s)},
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:SourceVpce": vpce}},
		},
	)
}
