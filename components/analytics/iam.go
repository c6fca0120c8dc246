package analytics

import (
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/boundary"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// ManagedPolicyTag is the tag EMR's managed service policy
// (AmazonEMRServicePolicy_v2) and the EMR Studio service policy look for
// on subnets and security groups before EMR may place network interfaces
// and instances in them. Its value must be "true". The network component
// puts it on the private subnets.
const ManagedPolicyTag = network.EMRManagedPoliciesTag

// EMRServicePolicyName is AWS's managed policy for the EMR service role. It
// scopes every EC2 action to resources carrying ManagedPolicyTag.
const EMRServicePolicyName = "AmazonEMRServicePolicy_v2"

// emrServicePrincipal is the service principal of EMR and EMR Studio.
const emrServicePrincipal = "elasticmapreduce.amazonaws.com"

// PolicyScope holds the values that every policy document of the package
// is scoped by: the stack's scope and the resolved names of the buckets and
// keys.
type PolicyScope struct {
	scope.Scope
	// DataBucket and LogBucket are bucket names, not ARNs.
	DataBucket string
	LogBucket  string
	DataKeyArn string
	LogsKeyArn string
	// CertificatesObjectArn, when set, is the S3 object (ARN) of the zip of
	// PEM certificates EMR installs for in-transit encryption; every node
	// reads it at start-up.
	CertificatesObjectArn string
}

func (s PolicyScope) emrArn(resource string) string { return s.ARN("elasticmapreduce", resource) }

func (s PolicyScope) ec2Arn(resource string) string { return s.ARN("ec2", resource) }

func (s PolicyScope) viaS3() string { return s.ServiceHost("s3") }

// TeamLogPrefix is the prefix of a team's cluster logs in the log bucket.
func TeamLogPrefix(team string) string { return "emr/" + team + "/" }

// StudioStoragePrefix is the platform prefix in the data bucket under which
// each team's Studio keeps its workspaces.
const StudioStoragePrefix = "emr-studio/"

// TeamStudioStoragePrefix is a team's Studio's default workspace location
// in the data bucket: "emr-studio/<team>/".
func TeamStudioStoragePrefix(team string) string { return StudioStoragePrefix + team + "/" }

// StudioServiceRoleName is the name of a team's Studio service role, the
// only principal that saves the team's workspaces under
// TeamStudioStoragePrefix from outside the VPC.
func StudioServiceRoleName(s scope.Scope, team string) string { return s.Name("emr-studio", team) }

// NodeRoleName is the name of the instance role of a team's cluster nodes.
// It is known before the role exists, so the data key's policy can name
// it as a direct user (local disk encryption).
func NodeRoleName(s scope.Scope, team string) string { return s.Name("emr-nodes", team) }

// maxRoleNameLength is IAM's limit on role names.
const maxRoleNameLength = 64

// EMRServiceTrustPolicy lets only EMR, acting for this account and region,
// assume a role. It serves the cluster service role, the Studio service
// role and the Studio user role.
func EMRServiceTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(emrServicePrincipal),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {s.ARN("elasticmapreduce", "*")}},
		},
	})
}

// EC2TrustPolicy lets EC2 instances (the cluster's nodes) of this account
// assume a role.
func EC2TrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services("ec2.amazonaws.com"),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}},
	})
}

// ClusterServicePolicy complements AmazonEMRServicePolicy_v2 for the
// cluster service role: the managed policy passes only the default
// EMR_EC2_DefaultRole, so the role may pass the teams' instance roles (to
// EC2 only), and it uses the keys that encrypt EBS volumes and logs.
func ClusterServicePolicy(s PolicyScope, instanceRoleArns []string) iamdoc.Document {
	keys := iamdoc.Strings{s.DataKeyArn, s.LogsKeyArn}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "PassTeamInstanceRolesToEC2",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings(instanceRoleArns),
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {"ec2.amazonaws.com"}}},
		},
		iamdoc.Statement{
			// EBS volumes through EC2, logs through S3.
			Sid:    "UseVolumeAndLogKeysThroughServices",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
				"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey",
			},
			Resource:  keys,
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.ServiceHost("ec2"), s.viaS3()}}},
		},
		iamdoc.Statement{
			// EC2 needs a grant to attach encrypted EBS volumes to the nodes.
			Sid:      "GrantsForEncryptedVolumes",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:CreateGrant"},
			Resource: iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
				"StringEquals": {"kms:ViaService": {s.ServiceHost("ec2")}},
			},
		},
	)
}

// InstanceRolePolicy is the policy of a team's cluster nodes: the team's
// data prefix (directly and, when given, through the team's access point),
// writing the team's cluster logs, the keys for EMRFS, local disks and logs,
// and reading the team's own clusters.
func InstanceRolePolicy(s PolicyScope, team, accessPointArn string) iamdoc.Document {
	statements := teamDataStatements(s, team, accessPointArn)
	statements = append(statements,
		iamdoc.Statement{
			Sid:      "WriteTeamClusterLogs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:PutObject"},
			Resource: iamdoc.Strings{s.BucketARN(s.LogBucket) + "/" + TeamLogPrefix(team) + "*"},
		},
		iamdoc.Statement{
			// EMR's local disk encryption (AwsKms provider) asks KMS for data
			// keys directly from the node, not through a service, so this
			// statement cannot carry kms:ViaService; the data key's policy
			// admits direct use by the nodes' roles alone.
			Sid:      "EncryptDataAndLocalDisks",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource: iamdoc.Strings{s.DataKeyArn},
		},
		iamdoc.Statement{
			Sid:       "EncryptLogsThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{s.LogsKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.viaS3()}}},
		},
		iamdoc.Statement{
			Sid:    "ReadOwnTeamClusters",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"elasticmapreduce:DescribeCluster", "elasticmapreduce:DescribeStep",
				"elasticmapreduce:ListBootstrapActions", "elasticmapreduce:ListInstanceFleets",
				"elasticmapreduce:ListInstanceGroups", "elasticmapreduce:ListInstances", "elasticmapreduce:ListSteps",
			},
			Resource:  iamdoc.Strings{s.emrArn("cluster/*")},
			Condition: teamResourceCondition(team),
		},
	)
	if s.CertificatesObjectArn != "" {
		statements = append(statements, iamdoc.Statement{
			Sid:      "ReadInTransitCertificates",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject"},
			Resource: iamdoc.Strings{s.CertificatesObjectArn},
		})
	}
	return iamdoc.New(statements...)
}

// StudioServicePolicy is the policy of a team's EMR Studio service role:
// network interfaces and security group rules only on resources tagged for
// EMR's managed policies, read access to clusters, and the team's workspace
// storage in the data bucket (emr-studio/<team>/), encrypted with the data
// key through S3. The data perimeter lets this role alone reach that prefix
// from outside the VPC, so its grant stops there too.
func StudioServicePolicy(s PolicyScope, team string) iamdoc.Document {
	tagged := iamdoc.Condition{"StringEquals": {"aws:ResourceTag/" + ManagedPolicyTag: {"true"}}}
	bucket := s.BucketARN(s.DataBucket)
	prefix := TeamStudioStoragePrefix(team)
	storage := iamdoc.Strings{bucket + "/" + prefix + "*"}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "ReadClusters",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances", "elasticmapreduce:ListSteps"},
			Resource: iamdoc.Strings{s.emrArn("cluster/*")},
		},
		iamdoc.Statement{
			Sid:       "CreateNetworkInterfacesWithTheEMRTag",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:CreateNetworkInterface"},
			Resource:  iamdoc.Strings{s.ec2Arn("network-interface/*")},
			Condition: iamdoc.Condition{"StringEquals": {"aws:RequestTag/" + ManagedPolicyTag: {"true"}}},
		},
		iamdoc.Statement{
			Sid:       "CreateNetworkInterfacesInTaggedSubnetsAndGroups",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:CreateNetworkInterface"},
			Resource:  iamdoc.Strings{s.ec2Arn("subnet/*"), s.ec2Arn("security-group/*")},
			Condition: tagged,
		},
		iamdoc.Statement{
			Sid:       "TagNewNetworkInterfaces",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:CreateTags"},
			Resource:  iamdoc.Strings{s.ec2Arn("network-interface/*")},
			Condition: iamdoc.Condition{"StringEquals": {"ec2:CreateAction": {"CreateNetworkInterface"}}},
		},
		iamdoc.Statement{
			Sid:       "ManageTaggedNetworkInterfaces",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"},
			Resource:  iamdoc.Strings{s.ec2Arn("network-interface/*")},
			Condition: tagged,
		},
		iamdoc.Statement{
			Sid:      "AttachWorkspacesToClusters",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ec2:ModifyNetworkInterfaceAttribute"},
			Resource: iamdoc.Strings{s.ec2Arn("instance/*"), s.ec2Arn("network-interface/*"), s.ec2Arn("security-group/*")},
		},
		iamdoc.Statement{
			Sid:    "ManageRulesOfTaggedSecurityGroups",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
				"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
			},
			Resource:  iamdoc.Strings{s.ec2Arn("security-group/*")},
			Condition: tagged,
		},
		iamdoc.Statement{
			// This action names no resource ARN; the tag condition still
			// limits it to the tagged interfaces' permissions.
			Sid:       "RemoveTaggedInterfacePermissions",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ec2:DeleteNetworkInterfacePermission"},
			Resource:  iamdoc.Strings{"*"},
			Condition: tagged,
		},
		iamdoc.Statement{
			// Describe calls support no resource-level permissions.
			Sid:    "DescribeNetwork",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVpcs",
			},
			Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid:      "WorkspaceStorage",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: storage,
		},
		iamdoc.Statement{
			Sid:       "ListWorkspaceStorage",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{bucket},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {prefix, prefix + "*"}}},
		},
		iamdoc.Statement{
			Sid:      "ReadBucketEncryption",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetEncryptionConfiguration", "s3:GetBucketLocation"},
			Resource: iamdoc.Strings{bucket},
		},
		iamdoc.Statement{
			Sid:       "EncryptWorkspaceStorage",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.viaS3()}}},
		},
		iamdoc.Statement{
			Sid:      "DescribeWorkspaceKey",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:DescribeKey"},
			Resource: iamdoc.Strings{s.DataKeyArn},
		},
	)
}

// StudioUser describes whose Studio permissions a document grants.
type StudioUser struct {
	// Team scopes workspaces, data, logs and clusters to one team; empty
	// grants every team's, for the Studio user role that session policies
	// then narrow.
	Team string
	// StudioServiceRoleArns are the roles users pass to EMR when they
	// create a workspace: the team's Studio service role (all teams' for
	// the user role).
	StudioServiceRoleArns []string
	// StudioArn, when set, lets the identity open the team's Studio with
	// CreateStudioPresignedUrl, which IAM authentication mode requires.
	StudioArn string
	// AccessPointArn, when set, is the team's S3 access point on the data
	// bucket.
	AccessPointArn string
}

// editorActions are what a user does with an existing workspace (an EMR
// "editor"). Studio authorises them on the workspace; Attach, Start and
// OpenEditorInConsole also on the cluster the workspace is attached to.
var editorActions = iamdoc.Strings{
	"elasticmapreduce:AttachEditor", "elasticmapreduce:DeleteEditor", "elasticmapreduce:DescribeEditor",
	"elasticmapreduce:DetachEditor", "elasticmapreduce:OpenEditorInConsole", "elasticmapreduce:StartEditor",
	"elasticmapreduce:StopEditor", "elasticmapreduce:UpdateEditor",
}

// clusterActions are what a user does with a team's cluster: inspect it,
// attach workspaces to it and open its application UIs, live and
// persistent.
var clusterActions = iamdoc.Strings{
	"elasticmapreduce:AttachEditor", "elasticmapreduce:CreatePersistentAppUI", "elasticmapreduce:DescribeCluster",
	"elasticmapreduce:DescribePersistentAppUI", "elasticmapreduce:DescribeStep",
	"elasticmapreduce:GetOnClusterAppUIPresignedURL", "elasticmapreduce:GetPersistentAppUIPresignedURL",
	"elasticmapreduce:ListBootstrapActions", "elasticmapreduce:ListInstanceFleets", "elasticmapreduce:ListInstanceGroups",
	"elasticmapreduce:ListInstances", "elasticmapreduce:ListSteps", "elasticmapreduce:OpenEditorInConsole",
	"elasticmapreduce:StartEditor",
}

// StudioUserPolicy is what a Studio user may do: create workspaces tagged
// with the team, and open, start, stop, attach, detach and delete only
// workspaces carrying the team's tag; inspect, attach to and open the
// application UIs of the team's clusters (those tagged with the team's
// name); pass the team's Studio service role to EMR; read and write the
// team's data prefix and read its cluster logs. For a team it is the
// session policy (IAM Identity Center mode) or the identity policy (IAM
// mode); with no team it is the Studio user role's policy, the ceiling of
// every session.
//
// The Deny statements hold whatever else the identity is allowed: no
// workspace or cluster of another team, and no change of a workspace's team
// tag.
func StudioUserPolicy(s PolicyScope, u StudioUser) iamdoc.Document {
	logPrefix := TeamLogPrefix(u.Team)
	if u.Team == "" {
		logPrefix = "emr/"
	}
	logBucket := s.BucketARN(s.LogBucket)
	editors := iamdoc.Strings{s.emrArn("editor/*")}
	clusters := iamdoc.Strings{s.emrArn("cluster/*")}
	teamTag := "elasticmapreduce:RequestTag/" + tagkeys.Team
	createCondition := iamdoc.Condition{"StringEquals": {teamTag: {u.Team}}}
	if u.Team == "" {
		createCondition = iamdoc.Condition{"Null": {teamTag: {"false"}}}
	}
	statements := []iamdoc.Statement{
		{
			// List calls support no resource-level permissions; they show
			// names, not contents.
			Sid:      "ListWorkspacesAndClusters",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:ListClusters", "elasticmapreduce:ListEditors"},
			Resource: iamdoc.Strings{"*"},
		},
		{
			// CreateEditor names no workspace ARN (it does not exist yet):
			// it is authorised on "*", or on the cluster given at creation,
			// which the cluster statements below limit to the team's.
			Sid:       "CreateWorkspacesTaggedWithTheTeam",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"elasticmapreduce:CreateEditor"},
			Resource:  iamdoc.Strings{"*"},
			Condition: createCondition,
		},
		{
			Sid:       "UseTeamWorkspaces",
			Effect:    iamdoc.Allow,
			Action:    editorActions,
			Resource:  editors,
			Condition: teamResourceCondition(u.Team),
		},
		{
			// Tags can be added when they keep the team (Studio tags a
			// workspace it creates); removing tags is not granted.
			Sid:      "TagTeamWorkspaces",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:AddTags"},
			Resource: editors,
			Condition: func() iamdoc.Condition {
				if u.Team == "" {
					return iamdoc.Condition{"Null": {teamTag: {"false"}}}
				}
				return iamdoc.Condition{
					"StringEquals":         {teamTag: {u.Team}},
					"StringEqualsIfExists": {"elasticmapreduce:ResourceTag/" + tagkeys.Team: {u.Team}},
				}
			}(),
		},
		{
			Sid:       "UseTeamClusters",
			Effect:    iamdoc.Allow,
			Action:    clusterActions,
			Resource:  clusters,
			Condition: teamResourceCondition(u.Team),
		},
		{
			Sid:       "PassStudioServiceRoleToEMR",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  sortedStrings(u.StudioServiceRoleArns),
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {emrServicePrincipal}}},
		},
		{
			Sid:      "ReadTeamClusterLogs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject"},
			Resource: iamdoc.Strings{logBucket + "/" + logPrefix + "*"},
		},
		{
			Sid:       "ListTeamClusterLogs",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{logBucket},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {logPrefix, logPrefix + "*"}}},
		},
		{
			Sid:       "DecryptThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  iamdoc.Strings{s.DataKeyArn, s.LogsKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.viaS3()}}},
		},
	}
	statements = append(statements, teamDataStatements(s, u.Team, u.AccessPointArn)...)
	if u.StudioArn != "" {
		statements = append(statements, iamdoc.Statement{
			Sid:      "OpenTheStudio",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:CreateStudioPresignedUrl", "elasticmapreduce:DescribeStudio"},
			Resource: iamdoc.Strings{u.StudioArn},
		})
	}
	if u.Team != "" {
		otherTeam := iamdoc.Condition{"StringNotEquals": {"elasticmapreduce:ResourceTag/" + tagkeys.Team: {u.Team}}}
		statements = append(statements,
			iamdoc.Statement{
				Sid:       "NoOtherTeamsWorkspaces",
				Effect:    iamdoc.Deny,
				Action:    editorActions,
				Resource:  editors,
				Condition: otherTeam,
			},
			iamdoc.Statement{
				// Also covers CreateEditor with another team's cluster.
				Sid:       "NoOtherTeamsClusters",
				Effect:    iamdoc.Deny,
				Action:    append(slices.Clone(clusterActions), "elasticmapreduce:CreateEditor"),
				Resource:  clusters,
				Condition: otherTeam,
			},
			iamdoc.Statement{
				Sid:       "NoWorkspacesForAnotherTeam",
				Effect:    iamdoc.Deny,
				Action:    iamdoc.Strings{"elasticmapreduce:CreateEditor", "elasticmapreduce:AddTags"},
				Resource:  iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"StringNotEquals": {teamTag: {u.Team}}, "Null": {teamTag: {"false"}}},
			},
			iamdoc.Statement{
				Sid:       "NoTeamTagRemoval",
				Effect:    iamdoc.Deny,
				Action:    iamdoc.Strings{"elasticmapreduce:RemoveTags"},
				Resource:  iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"ForAnyValue:StringEquals": {"aws:TagKeys": {tagkeys.Team}}},
			},
		)
	}
	return iamdoc.New(statements...)
}

func sortedStrings(in []string) iamdoc.Strings {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

var teamObjectActions = iamdoc.Strings{
	"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion",
	"s3:ListMultipartUploadParts", "s3:PutObject",
}

// teamDataStatements grant the team's prefix of the data bucket, or every
// team's prefix when team is empty.
func teamDataStatements(s PolicyScope, team, accessPointArn string) []iamdoc.Statement {
	prefix := s.TeamPrefix(team)
	// Listing "teams/ab" would also show "teams/abc/...": only the prefix
	// with its trailing slash, and below it, may be listed.
	listable := iamdoc.Strings{prefix, prefix + "*"}
	if team == "" {
		prefix = scope.TeamsPrefix
		listable = iamdoc.Strings{"teams/*"}
	}
	bucket := s.BucketARN(s.DataBucket)
	statements := []iamdoc.Statement{
		{
			Sid:      "TeamObjects",
			Effect:   iamdoc.Allow,
			Action:   teamObjectActions,
			Resource: iamdoc.Strings{bucket + "/" + prefix + "*"},
		},
		{
			Sid:       "ListTeamPrefix",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{bucket},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": listable}},
		},
		{
			Sid:      "LocateDataBucket",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetBucketLocation"},
			Resource: iamdoc.Strings{bucket},
		},
	}
	if accessPointArn != "" {
		statements = append(statements,
			iamdoc.Statement{
				Sid:      "TeamObjectsThroughAccessPoint",
				Effect:   iamdoc.Allow,
				Action:   teamObjectActions,
				Resource: iamdoc.Strings{accessPointArn + "/object/" + prefix + "*"},
			},
			iamdoc.Statement{
				Sid:       "ListTeamPrefixThroughAccessPoint",
				Effect:    iamdoc.Allow,
				Action:    iamdoc.Strings{"s3:ListBucket"},
				Resource:  iamdoc.Strings{accessPointArn},
				Condition: iamdoc.Condition{"StringLike": {"s3:prefix": listable}},
			},
		)
	}
	return statements
}

// teamResourceCondition limits EMR resources (clusters, workspaces) to
// those tagged with the team's name, or with any team's name when team is
// empty.
func teamResourceCondition(team string) iamdoc.Condition {
	key := "elasticmapreduce:ResourceTag/" + tagkeys.Team
	if team == "" {
		return iamdoc.Condition{"Null": {key: {"false"}}}
	}
	return iamdoc.Condition{"StringEquals": {key: {team}}}
}

// BoundaryScope is what the analytics permissions boundary caps.
type BoundaryScope struct {
	PolicyScope
	// StudioServiceRoleArns are the teams' Studio service roles, the only
	// roles a bounded identity may pass (to EMR).
	StudioServiceRoleArns []string
}

// BoundaryPolicy is the permissions boundary of the teams' cluster node
// roles and of the Studio user role (IAM Identity Center mode). Its Allow
// statements are the union of what any of them needs, on the platform's
// own resources; a role's effective permissions are the intersection with
// its own policy, so no later edit of a role's policy can grant more. Its
// Deny statements restate what must hold even if an Allow is widened: no
// identity or account administration, no key destruction, no path to the
// internet, no S3 outside the platform or in another account.
func BoundaryPolicy(s BoundaryScope) iamdoc.Document {
	platform := iamdoc.Strings{
		s.PlatformBucketsARN(), s.PlatformBucketsARN() + "/*",
		s.TeamAccessPointARN("*"), s.TeamAccessPointARN("*") + "/object/*",
	}
	if s.CertificatesObjectArn != "" {
		platform = append(platform, s.CertificatesObjectArn)
	}
	emrActions := slices.Concat(editorActions, clusterActions, iamdoc.Strings{
		"elasticmapreduce:AddTags", "elasticmapreduce:CreateEditor", "elasticmapreduce:CreateStudioPresignedUrl",
		"elasticmapreduce:DescribeStudio", "elasticmapreduce:ListClusters", "elasticmapreduce:ListEditors",
	})
	slices.Sort(emrActions)
	return iamdoc.New(append([]iamdoc.Statement{
		iamdoc.Statement{
			Sid:    "PlatformData",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion",
				"s3:ListBucket", "s3:ListMultipartUploadParts", "s3:PutObject",
			},
			Resource: platform,
		},
		iamdoc.Statement{
			Sid:      "PlatformKeys",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"},
			Resource: iamdoc.Strings{s.DataKeyArn, s.LogsKeyArn},
		},
		iamdoc.Statement{
			Sid:      "StudioAndClusters",
			Effect:   iamdoc.Allow,
			Action:   slices.Compact(emrActions),
			Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid:       "PassStudioServiceRolesToEMR",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  sortedStrings(s.StudioServiceRoleArns),
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {emrServicePrincipal}}},
		},
	}, boundary.Denies(s.Scope, boundary.Spec{
		PassSid: "NoIAMBeyondPassingStudioRolesToEMR", PassService: emrServicePrincipal, PlatformS3: platform,
		// The nodes' local disk encryption calls KMS directly; a grant is
		// never theirs to make.
		MoreKeyActions: []string{"kms:CreateGrant"},
	})...)...)
}
