package data

import (
	"maps"
	"slices"
	"strings"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// Bucket purposes; each names one bucket "<prefix>-<purpose>-<account>".
const (
	DataPurpose       = "data"
	ModelsPurpose     = "models"
	AccessLogsPurpose = "access-logs"
	// AppLogsPurpose holds logs that services and jobs write themselves
	// (EMR cluster logs, pipeline task logs), apart from the access logs
	// that are audit evidence.
	AppLogsPurpose = "logs"
)

// LogDeliveryService is the service principal that writes S3 server access logs.
const LogDeliveryService = "logging.s3.amazonaws.com"

// perimeterObjectActions are the object-level (data-plane) actions the
// bucket policies confine to the VPC endpoints and access points. Bucket
// listings and configuration have their own statements (bucketReadActions,
// bucketChangeActions), which exempt the deployer: it runs outside the VPC,
// and a deny on every action from outside the VPC would lock Pulumi out of
// its own buckets.
var perimeterObjectActions = iamdoc.Strings{
	"s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject",
	"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
}

// bucketReadActions list a bucket or read its configuration (HeadBucket is
// authorised as s3:ListBucket). They are denied outside the perimeter to
// everyone but the deployer and the service roles, so that no principal of
// the account enumerates teams' object keys or reads a bucket's policy and
// replication from the internet, whatever its IAM policies allow.
var bucketReadActions = iamdoc.Strings{
	"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads",
	"s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
	"s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:GetAnalyticsConfiguration",
	"s3:GetInventoryConfiguration", "s3:GetMetricsConfiguration", "s3:GetIntelligentTieringConfiguration",
}

// directListActions and directConfigReadActions are the listings and
// configuration reads that the data and model buckets deny inside the
// perimeter too, on direct bucket requests, to every principal the
// platform does not name. They are bucketReadActions with the GetBucket*
// family spelled out and without s3:GetBucketLocation, which reveals only
// the region and which services (SageMaker, EMR) ask for with the team
// roles they run as.
var (
	directListActions       = iamdoc.Strings{"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"}
	directConfigReadActions = iamdoc.Strings{
		"s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLogging", "s3:GetBucketNotification",
		"s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy",
		"s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment",
		"s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetBucketWebsite",
		"s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
		"s3:GetAccelerateConfiguration", "s3:GetAnalyticsConfiguration", "s3:GetInventoryConfiguration",
		"s3:GetMetricsConfiguration", "s3:GetIntelligentTieringConfiguration",
	}
)

// bucketChangeActions change or delete a bucket's configuration (policy,
// replication, encryption, lifecycle, logging, public access block,
// ownership). Only the deployer may, from anywhere: a replication rule or
// a policy statement is the easiest way to copy a bucket out of the
// perimeter.
var bucketChangeActions = iamdoc.Strings{
	"s3:PutBucket*", "s3:DeleteBucket*", "s3:PutReplicationConfiguration", "s3:PutEncryptionConfiguration",
	"s3:PutLifecycleConfiguration", "s3:PutAccelerateConfiguration", "s3:PutAnalyticsConfiguration",
	"s3:PutInventoryConfiguration", "s3:PutMetricsConfiguration", "s3:PutIntelligentTieringConfiguration",
}

// teamObjectActions are what a team may do to objects under its own prefix.
// They match what the network's S3 endpoint allows. Deleting a version
// (s3:DeleteObjectVersion) is not among them, and access points deny it to
// everyone: a delete leaves a delete marker, and lifecycle, not a person,
// removes old versions.
var teamObjectActions = iamdoc.Strings{
	"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
	"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
}

// accessPointDataActions are every data-plane action an access point serves:
// objects and listings. Access point management (GetAccessPoint*,
// PutAccessPointPolicy, DeleteAccessPoint) is not among them, so the
// access point policy can never lock the deployer out of updating it.
var accessPointDataActions = append(slices.Clone(perimeterObjectActions),
	"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads")

// LogSource is a bucket that delivers its server access logs to the log
// bucket under Prefix.
type LogSource struct {
	BucketArn string
	Prefix    string
}

// BucketPolicySpec describes the policy of one bucket.
type BucketPolicySpec struct {
	// BucketArn is the bucket the policy is attached to.
	BucketArn string
	// Account owns the bucket, its access points and its log sources.
	Account string
	// EndpointIDs are the VPC endpoints through which object requests may
	// arrive; requests from anywhere else are denied.
	EndpointIDs []string
	// AccessPointArnPattern, when set, delegates access control to the
	// access points matching it (an ARN with a trailing "*"): requests
	// through them are allowed by the bucket and decided by each access
	// point's own policy.
	AccessPointArnPattern string
	// LogSources, when set, makes the bucket the server access log target
	// of these buckets.
	LogSources []LogSource
	// ServiceAccess lets AWS services that work on the bucket from their own
	// network, with a role of the platform's, reach one prefix each from
	// outside the VPC.
	ServiceAccess []ServiceAccess
	// DeployerRoleArn is the role the platform deploys as: the only
	// principal that changes the bucket's configuration, and that lists and
	// reads it from outside the VPC.
	DeployerRoleArn string
	// DirectReads, when set (the data and model buckets), names the only
	// principals besides the deployer that list the bucket or read its
	// configuration directly, from inside the VPC too. Everyone else
	// lists a team's prefix through the team's access point, whose policy
	// scopes the listing.
	DirectReads *DirectReaders
	// TeamWriters, for the data bucket, name who alone writes the
	// directories of each team's prefix that decide what is served and
	// record what was: approved model artefacts and captured data.
	TeamWriters []TeamWriters
}

// DirectReaders are the platform's roles that list a bucket, or read its
// configuration, with direct bucket requests. Their identity policies
// limit them further (a node role lists its team's prefix only). Entries
// are role ARNs; a trailing "*" matches the roles of one name pattern
// (one role per team). The teams' model approvers (TeamWriters) list too.
type DirectReaders struct {
	Listers       []string
	ConfigReaders []string
}

// TeamWriters are the only writers of a team's approved model artefacts
// ("teams/<team>/models/approved/") and captured data
// ("teams/<team>/serving/").
type TeamWriters struct {
	Team              string
	ModelApproverArns []string
	ServingRoleArn    string
}

// Directories below a team's prefix that the data bucket's policy guards.
const (
	ApprovedModelsDir = "models/approved/"
	CapturedDataDir   = "serving/"
)

// guardedWriteActions write or delete an object (and its tags, ACL,
// retention).
var (
	guardedWriteActions  = iamdoc.Strings{"s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"}
	guardedDeleteActions = iamdoc.Strings{"s3:DeleteObject*"}
)

// ServiceAccess is an AWS service's role that reads and writes one prefix
// of a bucket from outside the VPC, such as EMR Studio saving workspaces.
type ServiceAccess struct {
	// Prefix is a key prefix ending in "/", such as "emr-studio/".
	Prefix string
	// RoleArn is the service role; no other principal is exempt.
	RoleArn string
	// Team, when set, is the team whose prefix holds Prefix: a directory
	// below "teams/<Team>/" that a service reads with a role of that team
	// (serverless inference reading the team's model artefacts). Prefixes
	// under teams/ need it; the whole team prefix is never exempt.
	Team string
}

// BucketPolicy returns the bucket's policy: TLS 1.2 or later only; object
// requests, listings and configuration reads only through the VPC
// endpoints or (when delegated) the platform's access points of VPC
// network origin; configuration changes only by the deployer; for a log
// bucket, writes only by S3 log delivery for the listed source buckets.
func BucketPolicy(s BucketPolicySpec) iamdoc.Document {
	bucketAndObjects := iamdoc.Strings{s.BucketArn, s.BucketArn + "/*"}
	statements := []iamdoc.Statement{
		{
			Sid:       "DenyInsecureTransport",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		{
			Sid:       "DenyOutdatedTLS",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
		},
	}

	// Deny object requests unless they come through one of the VPC
	// endpoints. The negated conditions of one statement must all hold for
	// the deny to apply, so each further condition below is an exemption.
	outside := iamdoc.Condition{"StringNotEquals": {"aws:SourceVpce": sorted(s.EndpointIDs)}}
	if s.AccessPointArnPattern != "" {
		// Requests through the platform's access points: their VPC network
		// origin and their own policies decide.
		outside["ArnNotLike"] = map[string]iamdoc.Strings{"s3:DataAccessPointArn": {s.AccessPointArnPattern}}
	}
	if len(s.LogSources) > 0 {
		// S3 log delivery writes from AWS's network as a service principal,
		// never through the VPC (the pattern of AWS's data perimeter
		// guidance). Service principals get nothing here unless a statement
		// below grants it, and only log delivery is granted.
		outside["Bool"] = map[string]iamdoc.Strings{"aws:PrincipalIsAWSService": {"false"}}
	}
	perimeter := iamdoc.Statement{
		Sid:       "DenyObjectAccessOutsideThePerimeter",
		Effect:    iamdoc.Deny,
		Principal: iamdoc.Anyone(),
		Action:    perimeterObjectActions,
		Resource:  iamdoc.Strings{s.BucketArn + "/*"},
		Condition: outside,
	}
	if len(s.ServiceAccess) > 0 {
		// The service prefixes get their own deny, which exempts only that
		// prefix's role; everything else keeps the plain perimeter.
		perimeter.Resource = nil
		for _, sa := range s.ServiceAccess {
			perimeter.NotResource = append(perimeter.NotResource, s.BucketArn+"/"+sa.Prefix+"*")
		}
	}
	statements = append(statements, perimeter)
	for _, sa := range s.ServiceAccess {
		onlyRole := maps.Clone(outside)
		onlyRole["ArnNotEquals"] = map[string]iamdoc.Strings{"aws:PrincipalArn": {sa.RoleArn}}
		statements = append(statements, iamdoc.Statement{
			Sid:       "DenyOutsideThePerimeterExceptTheServiceRole" + iamdoc.SidSuffix(sa.Prefix),
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    perimeterObjectActions,
			Resource:  iamdoc.Strings{s.BucketArn + "/" + sa.Prefix + "*"},
			Condition: onlyRole,
		})
	}

	// Listings and configuration reads: the object perimeter, with the
	// deployer and the service roles exempt (the services read the bucket's
	// location and encryption from their own network).
	// The configuration readers the stack names (the AWS Config recorder)
	// read from AWS's network too; they list nothing directly (see
	// directReadStatements).
	exempt := iamdoc.Strings{s.DeployerRoleArn}
	for _, sa := range s.ServiceAccess {
		exempt = append(exempt, sa.RoleArn)
	}
	if s.DirectReads != nil {
		exempt = append(exempt, s.DirectReads.ConfigReaders...)
	}
	// ArnNotLike, as configuration readers may name one role per team
	// ("…-*"); the same operator may already exempt the access points.
	readOutside := maps.Clone(outside)
	notLike := maps.Clone(outside["ArnNotLike"])
	if notLike == nil {
		notLike = map[string]iamdoc.Strings{}
	}
	notLike["aws:PrincipalArn"] = slices.Compact(sorted(exempt))
	readOutside["ArnNotLike"] = notLike
	statements = append(statements,
		iamdoc.Statement{
			Sid:       "DenyListingAndConfigurationReadsOutsideThePerimeter",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    bucketReadActions,
			Resource:  iamdoc.Strings{s.BucketArn},
			Condition: readOutside,
		},
	)
	statements = append(statements, directReadStatements(s)...)
	statements = append(statements,
		iamdoc.Statement{
			Sid:       "DenyConfigurationChangesExceptByTheDeployer",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    bucketChangeActions,
			Resource:  iamdoc.Strings{s.BucketArn},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {s.DeployerRoleArn}}},
		},
	)

	statements = append(statements, teamWriterStatements(s)...)

	if s.AccessPointArnPattern != "" {
		// An access point is trusted by its name only if it can be reached
		// from a VPC alone; one with an internet origin gets nothing, even
		// if someone creates it under a platform name.
		statements = append(statements, iamdoc.Statement{
			Sid:       "DenyAccessPointsWithoutVPCOrigin",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{
				"Null":            {"s3:DataAccessPointArn": {"false"}},
				"StringNotEquals": {"s3:AccessPointNetworkOrigin": {"VPC"}},
			},
		}, iamdoc.Statement{
			Sid:       "DelegateToAccessPoints",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Anyone(),
			Action:    append(slices.Clone(teamObjectActions), "s3:ListBucket"),
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{
				"StringEquals": {"s3:DataAccessPointAccount": {s.Account}, "s3:AccessPointNetworkOrigin": {"VPC"}},
				"ArnLike":      {"s3:DataAccessPointArn": {s.AccessPointArnPattern}},
			},
		})
	}

	if len(s.LogSources) > 0 {
		// One statement per source, so a bucket's logs land only under its
		// own prefix.
		for _, src := range s.LogSources {
			statements = append(statements, iamdoc.Statement{
				Sid:       "AllowServerAccessLogDelivery" + iamdoc.SidSuffix(src.Prefix),
				Effect:    iamdoc.Allow,
				Principal: iamdoc.Services(LogDeliveryService),
				Action:    iamdoc.Strings{"s3:PutObject"},
				Resource:  iamdoc.Strings{s.BucketArn + "/" + src.Prefix + "*"},
				Condition: iamdoc.Condition{
					"ArnLike":      {"aws:SourceArn": {src.BucketArn}},
					"StringEquals": {"aws:SourceAccount": {s.Account}},
				},
			})
		}
		// Access logs are audit evidence: no person or role writes into the
		// log bucket, only log delivery does.
		statements = append(statements, iamdoc.Statement{
			Sid:       "DenyWritesExceptLogDelivery",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:PutObject*"},
			Resource:  iamdoc.Strings{s.BucketArn + "/*"},
			Condition: iamdoc.Condition{"Bool": {"aws:PrincipalIsAWSService": {"false"}}},
		})
	}
	return iamdoc.New(statements...)
}

// directReadStatements deny listings and configuration reads of a bucket
// requested directly (not through an access point: s3:DataAccessPointArn
// is absent), from anywhere, inside the VPC too, to every principal but
// the deployer and the named platform roles; listings also to the teams'
// model approvers (who list the models they copy into models/approved/).
// Requests through access points are left to the access points'
// policies, which confine a team's listing to teams/<team>/.
func directReadStatements(s BucketPolicySpec) []iamdoc.Statement {
	if s.DirectReads == nil {
		return nil
	}
	except := func(roles ...[]string) iamdoc.Condition {
		all := []string{s.DeployerRoleArn}
		for _, r := range roles {
			all = append(all, r...)
		}
		slices.Sort(all)
		return iamdoc.Condition{
			"Null":       {"s3:DataAccessPointArn": {"true"}},
			"ArnNotLike": {"aws:PrincipalArn": slices.Compact(all)},
		}
	}
	var approvers []string
	for _, t := range s.TeamWriters {
		approvers = append(approvers, t.ModelApproverArns...)
	}
	return []iamdoc.Statement{
		{
			Sid:       "DenyDirectListingExceptByTheDeployerAndNamedRoles",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    directListActions,
			Resource:  iamdoc.Strings{s.BucketArn},
			Condition: except(s.DirectReads.Listers, approvers),
		},
		{
			Sid:       "DenyDirectConfigurationReadsExceptByTheDeployerAndNamedRoles",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    directConfigReadActions,
			Resource:  iamdoc.Strings{s.BucketArn},
			Condition: except(s.DirectReads.ConfigReaders),
		},
	}
}

// teamWriterStatements deny writes to the teams' approved model artefacts
// to everyone but the team's approvers, writes to the teams' captured data
// to everyone but the team's serving role, and deletes of captured data to
// everyone. They are resource policy, so no identity policy (not s3:* on
// every resource) opens them; and they hold for requests through the
// access points too, which the bucket's policy also decides. The
// statements on teams/*/ cover teams not listed (yet, or any more).
func teamWriterStatements(s BucketPolicySpec) []iamdoc.Statement {
	if len(s.TeamWriters) == 0 {
		return nil
	}
	objects := func(team, dir string) iamdoc.Strings {
		return iamdoc.Strings{s.BucketArn + "/" + scope.TeamsPrefix + team + "/" + dir + "*"}
	}
	except := func(roles []string) iamdoc.Condition {
		if len(roles) == 0 {
			return nil
		}
		return iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": sorted(roles)}}
	}
	var approvers, servingRoles []string
	for _, t := range s.TeamWriters {
		approvers = append(approvers, t.ModelApproverArns...)
		if t.ServingRoleArn != "" {
			servingRoles = append(servingRoles, t.ServingRoleArn)
		}
	}
	statements := []iamdoc.Statement{
		{
			Sid: "OnlyApproversWriteApprovedModels", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: guardedWriteActions, Resource: objects("*", ApprovedModelsDir), Condition: except(approvers),
		},
		{
			Sid: "OnlyServingRolesWriteCapturedData", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: guardedWriteActions, Resource: objects("*", CapturedDataDir), Condition: except(servingRoles),
		},
		{
			// Captured data is the record of what was served: no
			// principal deletes it, the deployer included.
			Sid: "NoOneDeletesCapturedData", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: guardedDeleteActions, Resource: objects("*", CapturedDataDir),
		},
	}
	teams := slices.Clone(s.TeamWriters)
	slices.SortFunc(teams, func(a, b TeamWriters) int { return strings.Compare(a.Team, b.Team) })
	for _, t := range teams {
		var serving []string
		if t.ServingRoleArn != "" {
			serving = []string{t.ServingRoleArn}
		}
		statements = append(statements,
			iamdoc.Statement{
				Sid: "OnlyTheTeamsApproversWriteItsApprovedModels" + iamdoc.SidSuffix(t.Team), Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
				Action: guardedWriteActions, Resource: objects(t.Team, ApprovedModelsDir), Condition: except(t.ModelApproverArns),
			},
			iamdoc.Statement{
				Sid: "OnlyTheTeamsServingRoleWritesItsCapturedData" + iamdoc.SidSuffix(t.Team), Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
				Action: guardedWriteActions, Resource: objects(t.Team, CapturedDataDir), Condition: except(serving),
			},
		)
	}
	return statements
}

// AccessPointPolicy returns the policy of a team's access point: the team's
// role, and no other principal, reads and writes objects under the team's
// prefix and lists only that prefix.
//
// The Deny statements matter as much as the Allows. Within one account an
// identity policy alone can open an access point (the access point policy
// is not required to allow too), so a role with broad s3 permissions could
// otherwise walk through another team's access point, or the team's own role
// could reach beyond its prefix. The Denies make the team boundary hold
// whatever identity policies say.
//
// An empty roleArn yields a closed access point: every data-plane request is
// denied until the team's role is wired in. A team without a role never gets
// a broader grant instead (such as any principal carrying the team's tag,
// which anyone able to tag a role or a session could assume).
func AccessPointPolicy(s scope.Scope, team, roleArn string) iamdoc.Document {
	accessPointArn := s.TeamAccessPointARN(team)
	everything := iamdoc.Strings{accessPointArn, accessPointArn + "/object/*"}
	if roleArn == "" {
		return iamdoc.New(iamdoc.Statement{
			Sid:       "ClosedUntilTheTeamRoleIsSet",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    accessPointDataActions,
			Resource:  everything,
		})
	}
	prefix := s.TeamPrefix(team)
	teamObjects := accessPointArn + "/object/" + prefix + "*"
	// Listing "teams/ab" would also show "teams/abc/...", so only the
	// prefix with its trailing slash, and anything below it, may be listed.
	listable := iamdoc.Strings{prefix, prefix + "*"}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "TeamReadsAndWritesItsPrefix",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(roleArn),
			Action:    teamObjectActions,
			Resource:  iamdoc.Strings{teamObjects},
		},
		iamdoc.Statement{
			Sid:       "TeamListsItsPrefix",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(roleArn),
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{accessPointArn},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": listable}},
		},
		iamdoc.Statement{
			Sid:       "DenyEveryoneButTheTeamRole",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    accessPointDataActions,
			Resource:  everything,
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {roleArn}}},
		},
		iamdoc.Statement{
			Sid:         "DenyObjectsOutsideTheTeamPrefix",
			Effect:      iamdoc.Deny,
			Principal:   iamdoc.Anyone(),
			Action:      perimeterObjectActions,
			NotResource: iamdoc.Strings{teamObjects},
		},
		iamdoc.Statement{
			// Approved model artefacts are published by the team's
			// approvers and captured data written by its serving role,
			// both directly on the bucket; through the access point
			// nobody writes or deletes there (the bucket's policy says so
			// too, for every path).
			Sid:       "DenyWritesToApprovedModelsAndCapturedData",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    guardedWriteActions,
			Resource: iamdoc.Strings{
				accessPointArn + "/object/" + prefix + ApprovedModelsDir + "*",
				accessPointArn + "/object/" + prefix + CapturedDataDir + "*",
			},
		},
		iamdoc.Statement{
			Sid:       "DenyPermanentDeletes",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:DeleteObjectVersion"},
			Resource:  iamdoc.Strings{accessPointArn + "/object/*"},
		},
		iamdoc.Statement{
			Sid:       "DenyListingOutsideTheTeamPrefix",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
			Resource:  iamdoc.Strings{accessPointArn},
			Condition: iamdoc.Condition{"StringNotLike": {"s3:prefix": listable}},
		},
	)
}

func sorted(s []string) iamdoc.Strings {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
