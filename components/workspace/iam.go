package workspace

import (
	"fmt"
	"github.com/aifactory/platform/components/internal/boundary"
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// SageMakerService is the only principal that may assume a workspace role.
const SageMakerService = "sagemaker.amazonaws.com"

// DeepLearningContainersAccount hosts the AWS Deep Learning Containers that
// SageMaker training and processing jobs run, in the commercial regions.
const DeepLearningContainersAccount = "763104351884"

// TeamResourceSeparator joins a team's name and the rest of the name of
// every SageMaker resource the team creates: spaces "<team>--<name>",
// training and processing jobs "<team>--<name>".
const TeamResourceSeparator = scope.TeamResourceSeparator

func sagemakerARN(s scope.Scope, resource string) string { return s.ARN("sagemaker", resource) }

func viaService(s scope.Scope, services ...string) iamdoc.Strings {
	out := make(iamdoc.Strings, 0, len(services))
	for _, svc := range services {
		out = append(out, s.ServiceHost(svc))
	}
	return out
}

// TeamRoleNamePattern matches the names of every team's execution role, and
// of nothing else the platform creates.
func TeamRoleNamePattern(s scope.Scope) string { return s.Name("studio", "*") }

// TeamRoleName is the name of a team's execution role.
func TeamRoleName(s scope.Scope, team string) string { return s.Name("studio", team) }

// Actions that AWS authorises only on Resource "*"; listing them separately
// keeps every other statement scoped to named resources.
var (
	studioListActions = iamdoc.Strings{
		"sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles", "sagemaker:ListDomains",
		"sagemaker:ListStudioLifecycleConfigs", "sagemaker:ListTrainingJobs", "sagemaker:ListProcessingJobs",
		"sagemaker:ListImages",
	}
	networkDescribeActions = iamdoc.Strings{
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions",
		"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
	}
	imagePullActions = iamdoc.Strings{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
	objectActions    = iamdoc.Strings{
		"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
		"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
	}
	dataKeyActions = iamdoc.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"}
	// Volumes of jobs and apps are encrypted with the workspace key by
	// SageMaker and EC2, which hold a grant for the life of the volume.
	workspaceKeyActions = iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant"}
	jobActions          = iamdoc.Strings{
		"sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
		"sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob",
	}
	createJobActions = iamdoc.Strings{"sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"}
	// instanceTypeActions are the calls that start compute; each carries
	// the sagemaker:InstanceTypes condition key.
	instanceTypeActions = iamdoc.Strings{
		"sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:UpdateSpace",
		"sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob",
	}
)

// SageMaker's log groups. The platform creates them, encrypted with the
// logs key and with the environment's retention, so no job or app ever
// logs into a group SageMaker would create unencrypted and kept forever.
const (
	TrainingJobsLogGroup   = "/aws/sagemaker/TrainingJobs"
	ProcessingJobsLogGroup = "/aws/sagemaker/ProcessingJobs"
	StudioLogGroup         = "/aws/sagemaker/studio"
)

// LogGroups are the SageMaker log groups the platform creates.
func LogGroups() []string {
	return []string{ProcessingJobsLogGroup, TrainingJobsLogGroup, StudioLogGroup}
}

// StartableAppTypes are the only Studio apps a role may start: the two
// with built-in idle shutdown. App ARNs name the type
// (app/<domain>/<profile or space>/<type>/<name>); both spellings are
// listed because IAM matches ARNs case-sensitively and AWS's examples use
// both.
func StartableAppTypes() []string {
	return []string{appTypeCodeEditor, "codeeditor", appTypeJupyterLab, "jupyterlab"}
}

// TrustPolicy lets only SageMaker, acting for this account, assume a
// workspace role. sts:SetSourceIdentity lets the domain stamp the user
// profile name on every session (ExecutionRoleIdentityConfig), so
// CloudTrail names the team behind each call.
func TrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "SageMakerForThisAccountOnly",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(SageMakerService),
		Action:    iamdoc.Strings{"sts:AssumeRole", "sts:SetSourceIdentity"},
		Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}},
	})
}

// BoundaryScope is what the permissions boundary caps.
type BoundaryScope struct {
	scope.Scope
	VpcID           string
	DataKeyArn      string
	WorkspaceKeyArn string
	// PlatformBucketArns and AccessPointArns are the only S3 resources a
	// workspace role can ever reach.
	PlatformBucketArns   []string
	AccessPointArns      []string
	AllowedInstanceTypes []string
	// ImageRegistryAccounts own the ECR repositories jobs may pull from.
	ImageRegistryAccounts []string
}

// BoundaryPolicy is the permissions boundary of every workspace role. Its
// Allow statements are the union of what any workspace role needs, scoped
// to the platform's own resources; a role's effective permissions are the
// intersection with its own policy, so no later edit of a role's policy
// can grant more. Its Deny statements restate the rules that must hold
// even if someone widens an Allow: no identity or account administration,
// no key destruction, no path to the internet, no S3 outside the
// platform, compute only on allowed instance types and in the private
// subnets, and every space and job tagged with the caller's team (spaces
// also with expires-at).
//
// Deny statements name whole services (iam:*, s3:*) on purpose: a deny
// only narrows, and naming the service covers actions AWS adds later.
func BoundaryPolicy(s BoundaryScope) iamdoc.Document {
	var s3Resources iamdoc.Strings
	for _, ap := range s.AccessPointArns {
		s3Resources = append(s3Resources, ap, ap+"/object/*")
	}
	var platformS3 iamdoc.Strings
	for _, b := range s.PlatformBucketArns {
		platformS3 = append(platformS3, b, b+"/*")
	}
	platformS3 = append(platformS3, s3Resources...)

	sagemakerResources := iamdoc.Strings{
		sagemakerARN(s.Scope, "domain/*"), sagemakerARN(s.Scope, "user-profile/*/*"), sagemakerARN(s.Scope, "space/*/*"),
		sagemakerARN(s.Scope, "app/*/*/*/*"), sagemakerARN(s.Scope, "studio-lifecycle-config/"+s.Prefix+"-*"),
		sagemakerARN(s.Scope, "training-job/*"), sagemakerARN(s.Scope, "processing-job/*"),
	}
	sagemakerActions := iamdoc.Strings{
		"sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile", "sagemaker:DescribeStudioLifecycleConfig",
		"sagemaker:DescribeSpace", "sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace",
		"sagemaker:DescribeApp", "sagemaker:CreateApp", "sagemaker:DeleteApp",
		"sagemaker:AddTags", "sagemaker:ListTags",
	}
	sagemakerActions = append(sagemakerActions, createJobActions...)
	sagemakerActions = append(sagemakerActions, jobActions...)

	allowed := slices.Clone(s.AllowedInstanceTypes)
	statements := []iamdoc.Statement{
		{Sid: "StudioDiscovery", Effect: iamdoc.Allow, Action: studioListActions, Resource: iamdoc.Strings{"*"}},
		{Sid: "WorkspaceResources", Effect: iamdoc.Allow, Action: sagemakerActions, Resource: sagemakerResources},
		{
			Sid:       "PassWorkspaceRolesToSageMaker",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings{s.RoleARN(TeamRoleNamePattern(s.Scope))},
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {SageMakerService}}},
		},
		{
			Sid:      "TeamAccessPoints",
			Effect:   iamdoc.Allow,
			Action:   append(iamdoc.Strings{"s3:ListBucket"}, objectActions...),
			Resource: s3Resources,
		},
		{
			Sid:       "DataKeyThroughStorageServices",
			Effect:    iamdoc.Allow,
			Action:    dataKeyActions,
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "s3", "sagemaker")}},
		},
		{
			Sid:       "WorkspaceKeyThroughSageMaker",
			Effect:    iamdoc.Allow,
			Action:    workspaceKeyActions,
			Resource:  iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "sagemaker", "elasticfilesystem", "ec2")}},
		},
		{
			// Notebooks invoke served models from inside the VPC; which
			// endpoints, each team's invoke policy (serving component) decides.
			Sid:       "InvokeServedModelsFromTheVpc",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"},
			Resource:  iamdoc.Strings{sagemakerARN(s.Scope, "endpoint/"+s.Prefix+"-*")},
			Condition: iamdoc.Condition{"StringEquals": {"aws:SourceVpc": {s.VpcID}}},
		},
	}
	statements = append(statements, logStatements(s.Scope, logStreams{
		write: everyLogStream(s.Scope), read: everyLogStream(s.Scope),
	})...)
	statements = append(statements, imagePullStatements(s.Scope, s.ImageRegistryAccounts)...)
	statements = append(statements, jobNetworkStatements(s.Scope, s.VpcID)...)
	var startable iamdoc.Strings
	for _, t := range StartableAppTypes() {
		startable = append(startable, sagemakerARN(s.Scope, "app/*/*/"+t+"/*"))
	}
	statements = append(statements,
		iamdoc.Statement{
			// Studio Classic, RStudio, Canvas and kernel gateways have no
			// built-in idle shutdown: no workspace role starts them.
			Sid:         "OnlyAppsWithIdleShutdown",
			Effect:      iamdoc.Deny,
			Action:      iamdoc.Strings{"sagemaker:CreateApp"},
			NotResource: startable,
		},
		iamdoc.Statement{
			// A private space runs with its owner's role: a space owned by
			// another team's profile would hand its creator that team's data.
			Sid:      "SpacesOwnedByTheCallersTeam",
			Effect:   iamdoc.Deny,
			Action:   iamdoc.Strings{"sagemaker:CreateSpace"},
			Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"ArnNotLike": {
				"sagemaker:OwnerUserProfileArn": {sagemakerARN(s.Scope, "user-profile/*/${aws:PrincipalTag/"+tagkeys.Team+"}")},
			}},
		},
		iamdoc.Statement{
			// IfExists: a request that does not ask for encryption is
			// refused like one that turns it off.
			Sid:       "JobsEncryptInterContainerTraffic",
			Effect:    iamdoc.Deny,
			Action:    createJobActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": {"false"}}},
		},
		iamdoc.Statement{
			// Reading a whole log group would show every team's streams;
			// the log groups' settings are the platform's.
			Sid:    "NoWholeLogGroupReadsOrLogGroupChanges",
			Effect: iamdoc.Deny,
			Action: iamdoc.Strings{
				"logs:FilterLogEvents", "logs:StartQuery", "logs:StartLiveTail", "logs:GetLogGroupFields",
				"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:PutRetentionPolicy",
				"logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
				"logs:PutResourcePolicy", "logs:PutSubscriptionFilter", "logs:CreateExportTask",
			},
			Resource: iamdoc.Strings{"*"},
		},
	)
	statements = append(statements, boundary.Denies(s.Scope, boundary.Spec{
		PassSid: "NoIAMBeyondPassingRolesToSageMaker", PassService: SageMakerService, PlatformS3: platformS3,
	})...)
	statements = append(statements,
		iamdoc.Statement{
			Sid:    "NoWorkspaceAdministration",
			Effect: iamdoc.Deny,
			Action: iamdoc.Strings{
				"sagemaker:CreateDomain", "sagemaker:UpdateDomain", "sagemaker:DeleteDomain",
				"sagemaker:CreateUserProfile", "sagemaker:UpdateUserProfile", "sagemaker:DeleteUserProfile",
				"sagemaker:CreateStudioLifecycleConfig", "sagemaker:DeleteStudioLifecycleConfig",
				"sagemaker:CreatePresignedDomainUrl", "sagemaker:CreateNotebookInstance",
				"sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:DeleteTags",
			},
			Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid:       "OnlyAllowedInstanceTypes",
			Effect:    iamdoc.Deny,
			Action:    instanceTypeActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"ForAnyValue:StringNotEquals": {"sagemaker:InstanceTypes": allowed}},
		},
		iamdoc.Statement{
			Sid:       "JobsOnlyInThePrivateSubnets",
			Effect:    iamdoc.Deny,
			Action:    createJobActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"Null": {"sagemaker:VpcSubnets": {"true"}}},
		},
		iamdoc.Statement{
			Sid:      "SpacesAndJobsCarryTheCallersTeam",
			Effect:   iamdoc.Deny,
			Action:   append(iamdoc.Strings{"sagemaker:CreateSpace"}, createJobActions...),
			Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringNotEquals": {
				"aws:RequestTag/" + tagkeys.Team: {"${aws:PrincipalTag/" + tagkeys.Team + "}"},
			}},
		},
		iamdoc.Statement{
			Sid:       "SpacesCarryAnExpiry",
			Effect:    iamdoc.Deny,
			Action:    iamdoc.Strings{"sagemaker:CreateSpace"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"Null": {"aws:RequestTag/" + tagkeys.ExpiresAt: {"true"}}},
		},
	)
	return iamdoc.New(statements...)
}

// TeamScope is what one team's execution role may reach.
type TeamScope struct {
	scope.Scope
	Team            string
	DomainID        string
	RoleArn         string
	AccessPointArn  string
	DataKeyArn      string
	WorkspaceKeyArn string
	VpcID           string
	SubnetIDs       []string
	SecurityGroupID string
	// LifecycleConfigArns are the team's lifecycle configurations, which
	// Studio reads when it starts an app.
	LifecycleConfigArns   []string
	AllowedInstanceTypes  []string
	ImageRegistryAccounts []string
}

// ProfileARN is the ARN of the team's user profile.
func (s TeamScope) ProfileARN() string {
	return sagemakerARN(s.Scope, fmt.Sprintf("user-profile/%s/%s", s.DomainID, s.Team))
}

// TeamPolicy is the execution role policy of one team: Studio in its own
// user profile and spaces, training and processing jobs named after the
// team in the private subnets on allowed instance types, its own access
// point and prefix, the data and workspace keys only through the services
// that store the data, SageMaker's log groups and image pulls.
func TeamPolicy(s TeamScope) iamdoc.Document {
	team, domain := s.Team, s.DomainID
	named := s.Team + TeamResourceSeparator + "*"
	apps := iamdoc.Strings{
		// Apps of the user profile itself and of the team's spaces.
		sagemakerARN(s.Scope, fmt.Sprintf("app/%s/%s/*/*", domain, team)),
		sagemakerARN(s.Scope, fmt.Sprintf("app/%s/%s/*/*", domain, named)),
	}
	var profileApps, spaceApps iamdoc.Strings
	for _, t := range StartableAppTypes() {
		profileApps = append(profileApps, sagemakerARN(s.Scope, fmt.Sprintf("app/%s/%s/%s/*", domain, team, t)))
		spaceApps = append(spaceApps, sagemakerARN(s.Scope, fmt.Sprintf("app/%s/%s/%s/*", domain, named, t)))
	}
	spaces := iamdoc.Strings{sagemakerARN(s.Scope, fmt.Sprintf("space/%s/%s", domain, named))}
	jobs := iamdoc.Strings{sagemakerARN(s.Scope, "training-job/"+named), sagemakerARN(s.Scope, "processing-job/"+named)}
	taggable := append(append(slices.Clone(spaces), apps...), jobs...)
	instanceTypes := iamdoc.Condition{"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": slices.Clone(s.AllowedInstanceTypes)}}
	teamTag := "aws:RequestTag/" + tagkeys.Team
	ownProfile := iamdoc.Strings{s.ProfileARN()}

	statements := []iamdoc.Statement{
		{Sid: "StudioDiscovery", Effect: iamdoc.Allow, Action: studioListActions, Resource: iamdoc.Strings{"*"}},
		{
			Sid:    "OwnDomainAndProfile",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{"sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile", "sagemaker:DescribeStudioLifecycleConfig"},
			Resource: append(iamdoc.Strings{
				sagemakerARN(s.Scope, "domain/"+domain),
				s.ProfileARN(),
			}, s.LifecycleConfigArns...),
		},
		{Sid: "OwnApps", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:DescribeApp", "sagemaker:DeleteApp"}, Resource: apps},
		{
			// Only JupyterLab and Code Editor, which shut down when idle.
			Sid: "StartProfileAppsWithIdleShutdownOnAllowedInstances", Effect: iamdoc.Allow,
			Action: iamdoc.Strings{"sagemaker:CreateApp"}, Resource: profileApps, Condition: instanceTypes,
		},
		{
			// A private space's apps run with its owner's role, so apps
			// start only in spaces the team's own profile owns.
			Sid:      "StartSpaceAppsWithIdleShutdownOnAllowedInstances",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:CreateApp"},
			Resource: spaceApps,
			Condition: iamdoc.Condition{
				"ForAllValues:StringEquals": instanceTypes["ForAllValues:StringEquals"],
				"ArnEquals":                 {"sagemaker:OwnerUserProfileArn": ownProfile},
			},
		},
		{Sid: "OwnSpaces", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:DescribeSpace", "sagemaker:DeleteSpace"}, Resource: spaces},
		{
			Sid: "ResizeOwnSpacesOnAllowedInstances", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:UpdateSpace"}, Resource: spaces,
			Condition: iamdoc.Condition{
				"ForAllValues:StringEquals": instanceTypes["ForAllValues:StringEquals"],
				"ArnEqualsIfExists":         {"sagemaker:OwnerUserProfileArn": ownProfile},
			},
		},
		{
			// A space is ephemeral compute: it names its team and when it
			// may be removed, and the team's own profile owns it. The
			// Studio UI's create-space dialog cannot set tags, so spaces
			// are created with the API or CLI.
			Sid:      "CreateOwnSpacesWithTeamAndExpiry",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:CreateSpace"},
			Resource: spaces,
			Condition: iamdoc.Condition{
				"StringEquals":              {teamTag: {team}},
				"Null":                      {"aws:RequestTag/" + tagkeys.ExpiresAt: {"false"}},
				"ForAllValues:StringEquals": instanceTypes["ForAllValues:StringEquals"],
				"ArnEquals":                 {"sagemaker:OwnerUserProfileArn": ownProfile},
			},
		},
		{
			Sid:      "RunOwnJobsInThePrivateSubnets",
			Effect:   iamdoc.Allow,
			Action:   createJobActions,
			Resource: jobs,
			Condition: iamdoc.Condition{
				"StringEquals": {teamTag: {team}},
				"Null":         {"sagemaker:VpcSubnets": {"false"}, "sagemaker:VpcSecurityGroupIds": {"false"}},
				"Bool":         {"sagemaker:InterContainerTrafficEncryption": {"true"}},
				"ForAllValues:StringEquals": {
					"sagemaker:InstanceTypes":       slices.Clone(s.AllowedInstanceTypes),
					"sagemaker:VpcSubnets":          slices.Clone(s.SubnetIDs),
					"sagemaker:VpcSecurityGroupIds": {s.SecurityGroupID},
					"sagemaker:VolumeKmsKey":        {s.WorkspaceKeyArn},
				},
			},
		},
		{Sid: "OwnJobs", Effect: iamdoc.Allow, Action: jobActions, Resource: jobs},
		{
			// Tags may be added (to extend expires-at, say) but a resource
			// can never be relabelled as another team's.
			Sid:       "TagOwnResources",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:AddTags"},
			Resource:  taggable,
			Condition: iamdoc.Condition{"StringEqualsIfExists": {teamTag: {team}}},
		},
		{Sid: "ReadOwnTags", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:ListTags"}, Resource: taggable},
		{
			// Jobs run as this same role; it can be handed to SageMaker only.
			Sid:       "PassOwnRoleToSageMaker",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings{s.RoleArn},
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {SageMakerService}}},
		},
		{
			Sid:       "ListOwnPrefix",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{s.AccessPointArn},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {s.TeamPrefix(team), s.TeamPrefix(team) + "*"}}},
		},
		{
			Sid:      "ReadWriteOwnPrefix",
			Effect:   iamdoc.Allow,
			Action:   objectActions,
			Resource: iamdoc.Strings{s.AccessPointArn + "/object/" + s.TeamPrefix(team) + "*"},
		},
		{
			Sid:       "DataKeyThroughStorageServices",
			Effect:    iamdoc.Allow,
			Action:    dataKeyActions,
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "s3", "sagemaker")}},
		},
		{
			Sid:       "WorkspaceKeyThroughSageMaker",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": viaService(s.Scope, "sagemaker", "elasticfilesystem", "ec2")}},
		},
		{
			Sid:      "WorkspaceKeyGrantsForVolumes",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:CreateGrant"},
			Resource: iamdoc.Strings{s.WorkspaceKeyArn},
			Condition: iamdoc.Condition{
				"StringEquals": {"kms:ViaService": viaService(s.Scope, "sagemaker", "ec2")},
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			},
		},
	}
	streams := TeamLogStreams(s.Scope, domain, team)
	statements = append(statements, logStatements(s.Scope, logStreams{write: streams, read: streams})...)
	statements = append(statements, imagePullStatements(s.Scope, s.ImageRegistryAccounts)...)
	statements = append(statements, jobNetworkStatements(s.Scope, s.VpcID)...)
	return iamdoc.New(statements...)
}

// TeamLogStreams are a team's log streams in SageMaker's log groups: its
// jobs' streams ("<job name>/<host>", job names "<team>--*") and its Studio
// apps' streams ("<domain>/<profile or space>/<app type>/<app>").
func TeamLogStreams(s scope.Scope, domainID, team string) iamdoc.Strings {
	named := team + TeamResourceSeparator + "*"
	return iamdoc.Strings{
		s.LogStreamARN(ProcessingJobsLogGroup, named),
		s.LogStreamARN(TrainingJobsLogGroup, named),
		s.LogStreamARN(StudioLogGroup, domainID+"/"+team+"/*"),
		s.LogStreamARN(StudioLogGroup, domainID+"/"+named),
	}
}

func everyLogStream(s scope.Scope) iamdoc.Strings {
	var out iamdoc.Strings
	for _, g := range LogGroups() {
		out = append(out, s.LogStreamARN(g, "*"))
	}
	return out
}

// DefaultRolePolicy is the policy of the domain's default execution role,
// which runs anything not started from a team's profile (shared spaces, a
// profile created outside the platform): Studio can start and log, but
// reaches no data and no key.
func DefaultRolePolicy(p scope.Scope, domainID string, imageRegistryAccounts []string) iamdoc.Document {
	statements := []iamdoc.Statement{
		{Sid: "StudioDiscovery", Effect: iamdoc.Allow, Action: studioListActions, Resource: iamdoc.Strings{"*"}},
		{Sid: "DescribeTheDomain", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sagemaker:DescribeDomain"}, Resource: iamdoc.Strings{sagemakerARN(p, "domain/"+domainID)}},
	}
	// Shared spaces of every team run with this role: it writes their
	// Studio logs but reads none, so no team reads another's through it.
	statements = append(statements, logStatements(p, logStreams{
		write: iamdoc.Strings{p.LogStreamARN(StudioLogGroup, domainID+"/*")},
	})...)
	statements = append(statements, imagePullStatements(p, imageRegistryAccounts)...)
	return iamdoc.New(statements...)
}

// logStreams are the streams a role writes and reads.
type logStreams struct{ write, read iamdoc.Strings }

// logStatements grant SageMaker's log groups, which the platform creates:
// streams may be created in them (CloudWatch Logs authorises
// logs:CreateLogStream and logs:DescribeLogStreams on the log group, not
// on the stream, so a role can see the groups' stream names), but events
// are written and read only in the given streams. No log group is created
// by a role.
func logStatements(p scope.Scope, streams logStreams) []iamdoc.Statement {
	var groups iamdoc.Strings
	for _, g := range LogGroups() {
		groups = append(groups, p.LogGroupARN(g+":*"))
	}
	statements := []iamdoc.Statement{
		{Sid: "CreateStreamsInSageMakerLogGroups", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:CreateLogStream", "logs:DescribeLogStreams"}, Resource: groups},
		{Sid: "FindLogGroups", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:DescribeLogGroups"}, Resource: iamdoc.Strings{p.LogGroupARN("*")}},
	}
	if len(streams.write) > 0 {
		statements = append(statements, iamdoc.Statement{Sid: "WriteOwnLogStreams", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:PutLogEvents"}, Resource: streams.write})
	}
	if len(streams.read) > 0 {
		statements = append(statements, iamdoc.Statement{Sid: "ReadOwnLogStreams", Effect: iamdoc.Allow, Action: iamdoc.Strings{"logs:GetLogEvents"}, Resource: streams.read})
	}
	return statements
}

func imagePullStatements(p scope.Scope, accounts []string) []iamdoc.Statement {
	var repos iamdoc.Strings
	for _, a := range accounts {
		repos = append(repos, p.ARNInAccount(a, "ecr", "repository/*"))
	}
	return []iamdoc.Statement{
		// GetAuthorizationToken has no resource; the token only opens the
		// repositories the next statement names.
		{Sid: "RegistryLogin", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ecr:GetAuthorizationToken"}, Resource: iamdoc.Strings{"*"}},
		{Sid: "PullSageMakerImages", Effect: iamdoc.Allow, Action: imagePullActions, Resource: repos},
	}
}

// jobNetworkStatements are the network interface calls SageMaker makes
// with the execution role to attach a job to the private subnets.
func jobNetworkStatements(p scope.Scope, vpcID string) []iamdoc.Statement {
	return []iamdoc.Statement{
		{Sid: "DescribeTheNetwork", Effect: iamdoc.Allow, Action: networkDescribeActions, Resource: iamdoc.Strings{"*"}},
		{
			Sid:      "JobInterfacesInThePlatformVpc",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ec2:CreateNetworkInterface"},
			Resource: iamdoc.Strings{p.ARN("ec2", "subnet/*"), p.ARN("ec2", "security-group/*")},
			Condition: iamdoc.Condition{
				"ArnEquals": {"ec2:Vpc": {p.ARN("ec2", "vpc/"+vpcID)}},
			},
		},
		{
			Sid:    "ManageJobInterfaces",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
				"ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterfacePermission",
			},
			Resource: iamdoc.Strings{p.ARN("ec2", "network-interface/*")},
		},
	}
}

// StudioAccess is where people may open Studio from.
type StudioAccess struct {
	// CorporateCIDRs are the public address ranges of the corporate
	// network (aws:SourceIp of requests that reach AWS over the internet).
	CorporateCIDRs []string
	// VpcEndpointIDs are the VPC's SageMaker API and Studio interface
	// endpoints: requests through them come from the private network.
	VpcEndpointIDs []string
}

// StudioAccessPolicy is what a team's people get to open Studio: a
// presigned domain URL for the team's own user profile, only from the
// configured network. The Deny statements hold even where another policy
// of the same identity allows more: no other profile, no other network.
// SageMaker evaluates the policy again on every request and WebSocket frame
// of the presigned URL, so the network condition applies to the session,
// not only to the call that creates the URL.
func StudioAccessPolicy(s scope.Scope, domainID, team string, access StudioAccess) iamdoc.Document {
	profile := sagemakerARN(s, fmt.Sprintf("user-profile/%s/%s", domainID, team))
	fromNetwork := iamdoc.Condition{}
	statements := []iamdoc.Statement{
		{
			Sid:      "FindTheDomain",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:ListDomains", "sagemaker:ListUserProfiles"},
			Resource: iamdoc.Strings{"*"},
		},
		{
			Sid:      "DescribeOwnProfile",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"},
			Resource: iamdoc.Strings{sagemakerARN(s, "domain/"+domainID), profile},
		},
	}
	if len(access.CorporateCIDRs) > 0 {
		cidrs := iamdoc.Strings(slices.Clone(access.CorporateCIDRs))
		slices.Sort(cidrs)
		statements = append(statements, iamdoc.Statement{
			Sid:       "OpenOwnProfileFromTheCorporateNetwork",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:CreatePresignedDomainUrl"},
			Resource:  iamdoc.Strings{profile},
			Condition: iamdoc.Condition{"IpAddress": {"aws:SourceIp": cidrs}},
		})
		fromNetwork["NotIpAddress"] = map[string]iamdoc.Strings{"aws:SourceIp": cidrs}
	}
	if len(access.VpcEndpointIDs) > 0 {
		endpoints := iamdoc.Strings(slices.Clone(access.VpcEndpointIDs))
		slices.Sort(endpoints)
		statements = append(statements, iamdoc.Statement{
			Sid:       "OpenOwnProfileThroughTheVPCEndpoints",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"sagemaker:CreatePresignedDomainUrl"},
			Resource:  iamdoc.Strings{profile},
			Condition: iamdoc.Condition{"StringEquals": {"aws:SourceVpce": endpoints}},
		})
		fromNetwork["StringNotEquals"] = map[string]iamdoc.Strings{"aws:SourceVpce": endpoints}
	}
	statements = append(statements,
		iamdoc.Statement{
			Sid:         "NoOtherProfile",
			Effect:      iamdoc.Deny,
			Action:      iamdoc.Strings{"sagemaker:CreatePresignedDomainUrl"},
			NotResource: iamdoc.Strings{profile},
		},
		iamdoc.Statement{
			// Both negated conditions must hold: outside the corporate
			// ranges and not through the VPC's endpoints.
			Sid:       "NoOtherNetwork",
			Effect:    iamdoc.Deny,
			Action:    iamdoc.Strings{"sagemaker:CreatePresignedDomainUrl"},
			Resource:  iamdoc.Strings{"*"},
			Condition: fromNetwork,
		},
	)
	return iamdoc.New(statements...)
}
