package analytics

import (
	"github.com/aifactory/platform/components/iamdoc"
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
}

func (s PolicyScope) emrArn(resource string) string { return s.ARN("elasticmapreduce", resource) }

func (s PolicyScope) ec2Arn(resource string) string { return s.ARN("ec2", resource) }

func (s PolicyScope) viaS3() string { return s.ServiceHost("s3") }

// TeamLogPrefix is the prefix of a team's cluster logs in the log bucket.
func TeamLogPrefix(team string) string { return "emr/" + team + "/" }

// StudioStoragePrefix is the platform prefix in the data bucket that is the
// Studio's default workspace location.
const StudioStoragePrefix = "emr-studio/"

// StudioServiceRoleName is the name of the Studio's service role, the only
// principal that saves workspaces under StudioStoragePrefix from outside
// the VPC.
func StudioServiceRoleName(s scope.Scope) string { return s.Name("emr-studio-service") }

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

// EC2TrustPolicy lets EC2 instances (the cluster's nodes) assume a role.
func EC2TrustPolicy() iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services("ec2.amazonaws.com"),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
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
			Sid:    "UseVolumeAndLogKeys",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
				"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey",
			},
			Resource: keys,
		},
		iamdoc.Statement{
			// EC2 needs a grant to attach encrypted EBS volumes to the nodes.
			Sid:       "GrantsForEncryptedVolumes",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:CreateGrant"},
			Resource:  iamdoc.Strings{s.DataKeyArn},
			Condition: iamdoc.Condition{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
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
			// Local disk encryption asks KMS directly from the node, not
			// through S3, so these grants carry no kms:ViaService condition.
			Sid:      "EncryptDataAndLocalDisks",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource: iamdoc.Strings{s.DataKeyArn},
		},
		iamdoc.Statement{
			Sid:      "EncryptLogs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"},
			Resource: iamdoc.Strings{s.LogsKeyArn},
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
	return iamdoc.New(statements...)
}

// StudioServicePolicy is the policy of the EMR Studio service role: network
// interfaces and security group rules only on resources tagged for EMR's
// managed policies, read access to clusters, and the workspace storage in
// the data bucket under the Studio prefix, encrypted with the data key. The
// data perimeter lets this role alone reach that prefix from outside the
// VPC, so its grant stops there too.
func StudioServicePolicy(s PolicyScope) iamdoc.Document {
	tagged := iamdoc.Condition{"StringEquals": {"aws:ResourceTag/" + ManagedPolicyTag: {"true"}}}
	bucket := s.BucketARN(s.DataBucket)
	storage := iamdoc.Strings{bucket + "/" + StudioStoragePrefix + "*"}
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
			Sid:      "ListWorkspaceStorage",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:ListBucket"},
			Resource: iamdoc.Strings{bucket},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {
				StudioStoragePrefix, StudioStoragePrefix + "*",
			}}},
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
	// Team scopes data, logs and clusters to one team; empty grants every
	// team's, for the Studio user role that session policies then narrow.
	Team string
	// StudioServiceRoleArn is the role users pass to EMR when they create a
	// workspace.
	StudioServiceRoleArn string
	// StudioArn, when set, lets the identity open the Studio with
	// CreateStudioPresignedUrl, which IAM authentication mode requires.
	StudioArn string
	// AccessPointArn, when set, is the team's S3 access point on the data
	// bucket.
	AccessPointArn string
}

// StudioUserPolicy is what a Studio user may do: manage workspaces, attach
// them to and inspect the team's clusters (those tagged with the team's
// name), pass the Studio service role to EMR, and read and write the team's
// data prefix and read its cluster logs. For a team it is the session
// policy (IAM Identity Center mode) or the identity policy (IAM mode); with
// no team it is the Studio user role's policy, the ceiling of every session.
func StudioUserPolicy(s PolicyScope, u StudioUser) iamdoc.Document {
	logPrefix := TeamLogPrefix(u.Team)
	if u.Team == "" {
		logPrefix = "emr/"
	}
	logBucket := s.BucketARN(s.LogBucket)
	statements := []iamdoc.Statement{
		{
			// List calls support no resource-level permissions.
			Sid:      "ListWorkspacesAndClusters",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:ListClusters", "elasticmapreduce:ListEditors"},
			Resource: iamdoc.Strings{"*"},
		},
		{
			Sid:    "ManageWorkspaces",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"elasticmapreduce:AttachEditor", "elasticmapreduce:CreateEditor", "elasticmapreduce:DeleteEditor",
				"elasticmapreduce:DescribeEditor", "elasticmapreduce:DetachEditor", "elasticmapreduce:OpenEditorInConsole",
				"elasticmapreduce:StartEditor", "elasticmapreduce:StopEditor",
			},
			Resource: iamdoc.Strings{s.emrArn("editor/*")},
		},
		{
			Sid:    "UseTeamClusters",
			Effect: iamdoc.Allow,
			Action: iamdoc.Strings{
				"elasticmapreduce:CreatePersistentAppUI", "elasticmapreduce:DescribeCluster", "elasticmapreduce:DescribeStep",
				"elasticmapreduce:GetOnClusterAppUIPresignedURL", "elasticmapreduce:ListBootstrapActions",
				"elasticmapreduce:ListInstanceFleets", "elasticmapreduce:ListInstanceGroups",
				"elasticmapreduce:ListInstances", "elasticmapreduce:ListSteps",
			},
			Resource:  iamdoc.Strings{s.emrArn("cluster/*")},
			Condition: teamResourceCondition(u.Team),
		},
		{
			// Persistent application UIs are addressed by their own id, not
			// by the cluster's ARN; they exist only for clusters the
			// statement above lets the user reach.
			Sid:      "OpenPersistentAppUIs",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"elasticmapreduce:DescribePersistentAppUI", "elasticmapreduce:GetPersistentAppUIPresignedURL"},
			Resource: iamdoc.Strings{"*"},
		},
		{
			Sid:       "PassStudioServiceRoleToEMR",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings{u.StudioServiceRoleArn},
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
			Action:   iamdoc.Strings{"elasticmapreduce:CreateStudioPresignedUrl"},
			Resource: iamdoc.Strings{u.StudioArn},
		})
	}
	return iamdoc.New(statements...)
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

// teamResourceCondition limits EMR resources to those tagged with the
// team's name, or with any team's name when team is empty.
func teamResourceCondition(team string) iamdoc.Condition {
	if team == "" {
		return iamdoc.Condition{"Null": {"aws:ResourceTag/" + tagkeys.Team: {"false"}}}
	}
	return iamdoc.Condition{"StringEquals": {"aws:ResourceTag/" + tagkeys.Team: {team}}}
}
