package network

import (
	"slices"
	"strings"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// S3EndpointPolicy allows this account's (or organisation's) principals to read and write the
// listed buckets of this account (directly and through their access points) and to pull
// container image layers from ECR's bucket; every other bucket is
// unreachable from inside the VPC.
func S3EndpointPolicy(s scope.Scope, bucketArns []string) iamdoc.Document {
	var resources iamdoc.Strings
	for _, b := range bucketArns {
		resources = append(resources, b, b+"/*")
	}
	resources = append(resources, s.AccessPointARN("*"))
	slices.Sort(resources)
	principalKey, principals := principalCondition(s)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "PlatformBucketsOnly",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{
				"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
				"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation",
				"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads",
			},
			Resource: resources,
			// Bucket names are global: the account conditions keep a bucket
			// of the same name in another account (an exfiltration target)
			// out of reach, and callers to this account's principals.
			Condition: iamdoc.Condition{"StringEquals": {
				principalKey:         principals,
				"s3:ResourceAccount": {s.AccountID},
			}},
		},
		// ECR serves image layers from this AWS-owned bucket through
		// presigned URLs; the requests are not signed by the caller, so no
		// principal condition could hold. Reads of AWS's layer store carry
		// nothing out.
		iamdoc.Statement{
			Sid:       "EcrImageLayers",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:GetObject"},
			Resource:  iamdoc.Strings{s.BucketARN("prod-" + s.Region + "-starport-layer-bucket/*")},
		},
		// EMR nodes in private subnets install their packages from these
		// AWS-owned repositories; without them a cluster never bootstraps.
		iamdoc.Statement{
			Sid:       "EmrAndAmazonLinuxRepositories",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:GetObject"},
			Resource: iamdoc.Strings{
				s.BucketARN("repo." + s.Region + ".emr.amazonaws.com/*"),
				s.BucketARN("amazonlinux." + s.Region + ".amazonaws.com/*"),
				s.BucketARN("amazonlinux-2-repos-" + s.Region + "/*"),
				s.BucketARN("al2023-repos-" + s.Region + "-de612dc2/*"),
			},
		},
	)
}

// principalCondition admits the principals of this account, or of its
// organisation when the scope names one.
func principalCondition(s scope.Scope) (string, iamdoc.Strings) {
	if s.OrganizationID != "" {
		return "aws:PrincipalOrgID", iamdoc.Strings{s.OrganizationID}
	}
	return "aws:PrincipalAccount", iamdoc.Strings{s.AccountID}
}

// EndpointResourceAccounts are the accounts whose resources may be reached
// through a service's interface endpoint: this account's, and for the ECR
// endpoints also the registries images are pulled from (the AWS-owned
// layer storage of those images is an S3 bucket, reached through the S3
// gateway endpoint).
func EndpointResourceAccounts(s scope.Scope, service string, imageRegistryAccounts []string) iamdoc.Strings {
	accounts := iamdoc.Strings{s.AccountID}
	if service == "ecr.api" || service == "ecr.dkr" {
		accounts = append(accounts, imageRegistryAccounts...)
	}
	slices.Sort(accounts)
	return slices.Compact(accounts)
}

// InterfaceEndpointPolicy is the policy of every interface endpoint: only
// this account's principals (or its organisation's) may use the endpoint,
// and where the request names a resource, only on resources of this account
// (aws:ResourceAccount; for ECR also the image registries' accounts). A
// notebook holding another account's credentials can therefore not push
// data out through the endpoint (ECR layer uploads, log events, SNS
// messages), and the platform's own roles cannot reach another account's
// resources through it.
//
// The resource condition is StringEqualsIfExists: actions that name no
// resource (sts:GetCallerIdentity, ecr:GetAuthorizationToken,
// cloudwatch:PutMetricData) carry no aws:ResourceAccount, and what they do
// is still confined to the caller's own account by the principal
// condition.
func InterfaceEndpointPolicy(s scope.Scope, service string, imageRegistryAccounts []string) iamdoc.Document {
	key, principals := principalCondition(s)
	return iamdoc.New(interfaceEndpointStatement(s, service, imageRegistryAccounts, key, principals))
}

// InvokeActions are the calls that send data to a served model.
var InvokeActions = iamdoc.Strings{
	"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream", "sagemaker:InvokeEndpointAsync",
}

// RuntimeEndpointPolicy is the policy of the SageMaker runtime interface
// endpoint: that of every interface endpoint, and per team a Deny of every
// invocation of the team's endpoints by anyone but the team's invokers, so
// that no principal of the account reaches another team's model through
// the VPC, whatever its identity policies allow (sagemaker:* included).
// Every endpoint of the platform (the prefix's) is denied to anyone who
// invokes none of them, which covers teams not listed.
//
// The invokers of a team are its roles by ARN and, for a team with
// TaggedUsers, the IAM users tagged with the team (tagkeys.Team). One Deny
// cannot say "neither one of these roles nor a user with this tag", so
// each admission is two statements that together deny everyone else:
// principals that are neither the named roles nor IAM users
// (ArnNotEquals the roles, ArnNotLike user/*), and IAM users whose team
// tag is not the team's (ArnLike user/*, StringNotEquals
// aws:PrincipalTag/team). A user without the tag is denied too: a missing
// key makes StringNotEquals hold. The tag admits users only: a role's tags
// and session tags admit no role, so roles pass by name alone.
func RuntimeEndpointPolicy(s scope.Scope, imageRegistryAccounts []string, invokers []RuntimeInvokers) iamdoc.Document {
	key, principals := principalCondition(s)
	statements := []iamdoc.Statement{interfaceEndpointStatement(s, "sagemaker.runtime", imageRegistryAccounts, key, principals)}
	if len(invokers) == 0 {
		return iamdoc.New(statements...)
	}
	users := s.GlobalARN("iam", "user/*")
	// deny denies the endpoints to everyone but the roles and, when teams
	// is not empty, the IAM users tagged with one of teams.
	deny := func(sid, endpoints string, roles, teams []string) []iamdoc.Statement {
		notTheRoles := iamdoc.Statement{
			Sid: sid, Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: InvokeActions,
			Resource:  iamdoc.Strings{endpoints},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": sorted(roles)}},
		}
		if len(teams) == 0 {
			return []iamdoc.Statement{notTheRoles}
		}
		notTheRoles.Condition["ArnNotLike"] = map[string]iamdoc.Strings{"aws:PrincipalArn": {users}}
		return []iamdoc.Statement{notTheRoles, {
			Sid: sid + "Users", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: InvokeActions,
			Resource: iamdoc.Strings{endpoints},
			Condition: iamdoc.Condition{
				"ArnLike":         {"aws:PrincipalArn": {users}},
				"StringNotEquals": {"aws:PrincipalTag/" + tagkeys.Team: sorted(teams)},
			},
		}}
	}
	var allRoles, taggedTeams []string
	for _, inv := range invokers {
		allRoles = append(allRoles, inv.PrincipalArns...)
		if inv.TaggedUsers {
			taggedTeams = append(taggedTeams, inv.Team)
		}
	}
	statements = append(statements, deny("OnlyTheTeamsInvokePlatformEndpoints", s.ARN("sagemaker", "endpoint/"+s.Prefix+"-*"), allRoles, taggedTeams)...)
	teams := slices.Clone(invokers)
	slices.SortFunc(teams, func(a, b RuntimeInvokers) int { return strings.Compare(a.Team, b.Team) })
	for _, inv := range teams {
		var tagged []string
		if inv.TaggedUsers {
			tagged = []string{inv.Team}
		}
		statements = append(statements, deny("OnlyTheTeamInvokesItsEndpoints"+iamdoc.SidSuffix(inv.Team), inv.EndpointsArn, inv.PrincipalArns, tagged)...)
	}
	return iamdoc.New(statements...)
}

func interfaceEndpointStatement(s scope.Scope, service string, imageRegistryAccounts []string, key string, principals iamdoc.Strings) iamdoc.Statement {
	return iamdoc.Statement{
		Sid:       "OnlyThisAccountsPrincipalsAndResources",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Anyone(),
		Action:    iamdoc.Strings{"*"},
		Resource:  iamdoc.Strings{"*"},
		Condition: iamdoc.Condition{
			"StringEquals":         {key: principals},
			"StringEqualsIfExists": {"aws:ResourceAccount": EndpointResourceAccounts(s, service, imageRegistryAccounts)},
		},
	}
}

func sorted(in []string) iamdoc.Strings {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// FlowLogsTrustPolicy lets only VPC Flow Logs, acting for this account, assume the role.
func FlowLogsTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services("vpc-flow-logs.amazonaws.com"),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {s.ARN("ec2", "vpc-flow-log/*")}},
		},
	})
}

// FlowLogsDeliveryPolicy lets the role write to the one flow log group.
func FlowLogsDeliveryPolicy(logGroupArn string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Effect:   iamdoc.Allow,
		Action:   iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"},
		Resource: iamdoc.Strings{logGroupArn, logGroupArn + ":*"},
	})
}
