// Package data provides the platform's data perimeter: the buckets every
// team reads and writes through (data, model artefacts, and the access logs
// of both) and one S3 access point per team.
//
// Every bucket is encrypted, versioned, closed to the public, owned by the
// account (ACLs off), cleaned up by lifecycle rules and reachable for object
// reads and writes only over TLS from inside the VPC. Teams reach the data
// bucket through their own access point, which admits only the team's role
// and only under the team's prefix; the bucket policy delegates to the access
// points, so onboarding a team never edits a shared policy.
package data

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/build"
	"github.com/aifactory/platform/components/internal/s3bucket"
)

// Type is the component's type token.
const Type = "aifactory:data:Perimeter"

// Defaults for the lifecycle rules.
const (
	// DefaultNoncurrentVersionExpirationDays keeps overwritten and deleted
	// objects recoverable for a quarter.
	DefaultNoncurrentVersionExpirationDays = 90
	// DefaultAbortIncompleteMultipartDays stops abandoned uploads from
	// accruing storage that no listing shows.
	DefaultAbortIncompleteMultipartDays = 7
	// DefaultCaptureRetentionDays keeps an endpoint's captured requests and
	// responses current for a quarter: long enough to compare a model's
	// traffic across releases, short enough that player data captured at
	// inference does not pile up.
	DefaultCaptureRetentionDays = 90
)

// Perimeter is the data perimeter component.
type Perimeter struct {
	pulumi.ResourceState

	DataBucketName   pulumi.StringOutput `pulumi:"dataBucketName"`
	DataBucketArn    pulumi.StringOutput `pulumi:"dataBucketArn"`
	ModelsBucketName pulumi.StringOutput `pulumi:"modelsBucketName"`
	ModelsBucketArn  pulumi.StringOutput `pulumi:"modelsBucketArn"`
	LogBucketName    pulumi.StringOutput `pulumi:"logBucketName"`
	LogBucketArn     pulumi.StringOutput `pulumi:"logBucketArn"`
	// AppLogBucketName and AppLogBucketArn name the bucket for logs that
	// services write themselves, such as EMR cluster logs.
	AppLogBucketName pulumi.StringOutput `pulumi:"appLogBucketName"`
	AppLogBucketArn  pulumi.StringOutput `pulumi:"appLogBucketArn"`
	// AccessPointArns and AccessPointAliases are keyed by team name.
	AccessPointArns    pulumi.StringMapOutput `pulumi:"accessPointArns"`
	AccessPointAliases pulumi.StringMapOutput `pulumi:"accessPointAliases"`
}

var (
	servicePrefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*/$`)
	// IAM ARNs have an empty region field; the pattern does not insist on
	// it, only on an account and a role, so "*", the account root and users
	// are refused.
	roleArnPattern = regexp.MustCompile(`^arn:[a-z-]+:iam:[a-z0-9-]*:[0-9]{12}:role/[\w+=,.@/-]+$`)
)

// New creates the buckets, their policies and the teams' access points.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Perimeter, error) {
	if args == nil {
		return nil, errors.New("data: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("data %q: %w", name, err)
	}
	a := *args
	if a.NoncurrentVersionExpirationDays == 0 {
		a.NoncurrentVersionExpirationDays = DefaultNoncurrentVersionExpirationDays
	}
	if a.AbortIncompleteMultipartDays == 0 {
		a.AbortIncompleteMultipartDays = DefaultAbortIncompleteMultipartDays
	}
	if a.CaptureRetentionDays == 0 {
		a.CaptureRetentionDays = DefaultCaptureRetentionDays
	}

	p := &Perimeter{}
	if err := ctx.RegisterComponentResource(Type, name, p, opts...); err != nil {
		return nil, err
	}
	b := builder{Builder: build.New(ctx, name, p, a.Protect), args: &a}

	// S3 server access logging supports only SSE-S3 (AES256) as the default
	// encryption of the destination bucket; AWS documents SSE-KMS as not
	// supported there, and log delivery to an SSE-KMS bucket fails silently.
	// The log bucket therefore uses AES256, and bucket keys (an SSE-KMS
	// feature) do not apply. The logs hold request metadata, not the data.
	logs, err := b.bucket(AccessLogsPurpose, &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm: pulumi.String("AES256"),
		},
	}, s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:         pulumi.String("expire-access-logs"),
		Status:     pulumi.String("Enabled"),
		Filter:     s3bucket.Everything(),
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.AccessLogRetentionDays)},
	}})
	if err != nil {
		return nil, err
	}
	// A bucket key (s3bucket.KMSEncryption) keeps training jobs far below
	// KMS request quotas.
	kmsEncryption := s3bucket.KMSEncryption(a.DataKeyArn)
	dataBucket, err := b.bucket(DataPurpose, kmsEncryption, captureExpiry(&a))
	if err != nil {
		return nil, err
	}
	models, err := b.bucket(ModelsPurpose, kmsEncryption, nil)
	if err != nil {
		return nil, err
	}

	appLogs, err := b.bucket(AppLogsPurpose, s3bucket.KMSEncryption(a.LogsKeyArn), s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:         pulumi.String("expire-application-logs"),
		Status:     pulumi.String("Enabled"),
		Filter:     s3bucket.Everything(),
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.AccessLogRetentionDays)},
	}})
	if err != nil {
		return nil, err
	}

	apPattern := a.TeamAccessPointARN("*")
	logPolicy, err := b.policy(logs, BucketPolicySpec{
		BucketArn:       logs.arn,
		Account:         a.AccountID,
		DeployerRoleArn: a.DeployerRoleArn,
		LogSources: append([]LogSource{
			{BucketArn: dataBucket.arn, Prefix: DataPurpose + "/"},
			{BucketArn: models.arn, Prefix: ModelsPurpose + "/"},
			{BucketArn: appLogs.arn, Prefix: AppLogsPurpose + "/"},
		}, a.ExtraLogSources...),
	})
	if err != nil {
		return nil, err
	}
	// The buckets that hold teams' data and models are listed, and their
	// configuration read, directly only by the deployer and the roles the
	// stack names (the service roles among them).
	direct := a.directReaders()
	if _, err := b.policy(dataBucket, BucketPolicySpec{
		BucketArn: dataBucket.arn, Account: a.AccountID, AccessPointArnPattern: apPattern, ServiceAccess: a.ServiceAccess,
		DeployerRoleArn: a.DeployerRoleArn, TeamWriters: a.teamWriters(), DirectReads: direct,
	}); err != nil {
		return nil, err
	}
	if _, err := b.policy(models, BucketPolicySpec{
		BucketArn: models.arn, Account: a.AccountID, DeployerRoleArn: a.DeployerRoleArn, DirectReads: direct,
	}); err != nil {
		return nil, err
	}
	if _, err := b.policy(appLogs, BucketPolicySpec{BucketArn: appLogs.arn, Account: a.AccountID, DeployerRoleArn: a.DeployerRoleArn}); err != nil {
		return nil, err
	}
	// The log bucket itself is not logged: logging it into itself would
	// write logs about logs without end.
	for _, src := range []*bucket{dataBucket, models, appLogs} {
		if _, err := src.Logging(logs.Resource.ID(), src.purpose+"/", pulumi.DependsOn([]pulumi.Resource{logPolicy})); err != nil {
			return nil, err
		}
	}

	arns, aliases, err := b.accessPoints(dataBucket)
	if err != nil {
		return nil, err
	}

	p.DataBucketName = dataBucket.Resource.Bucket
	p.DataBucketArn = dataBucket.Resource.Arn
	p.ModelsBucketName = models.Resource.Bucket
	p.ModelsBucketArn = models.Resource.Arn
	p.LogBucketName = logs.Resource.Bucket
	p.LogBucketArn = logs.Resource.Arn
	p.AppLogBucketName = appLogs.Resource.Bucket
	p.AppLogBucketArn = appLogs.Resource.Arn
	p.AccessPointArns = arns.ToStringMapOutput()
	p.AccessPointAliases = aliases.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"dataBucketName":     p.DataBucketName,
		"dataBucketArn":      p.DataBucketArn,
		"modelsBucketName":   p.ModelsBucketName,
		"modelsBucketArn":    p.ModelsBucketArn,
		"logBucketName":      p.LogBucketName,
		"logBucketArn":       p.LogBucketArn,
		"appLogBucketName":   p.AppLogBucketName,
		"appLogBucketArn":    p.AppLogBucketArn,
		"accessPointArns":    p.AccessPointArns,
		"accessPointAliases": p.AccessPointAliases,
	}); err != nil {
		return nil, err
	}
	return p, nil
}

// builder carries what every resource file needs.
type builder struct {
	build.Builder
	args *Args
}

// bucket is a hardened bucket with its purpose and its ARN, known from
// its name.
type bucket struct {
	purpose string
	arn     string
	*s3bucket.Bucket
}

// bucket creates one bucket with the guardrails every bucket shares, plus
// the purpose's encryption and any extra lifecycle rules.
func (b *builder) bucket(purpose string, encryption *s3.BucketServerSideEncryptionConfigurationV2RuleArgs,
	extraRules s3.BucketLifecycleConfigurationV2RuleArray,
) (*bucket, error) {
	a := b.args
	bucketName := a.BucketName(purpose)
	rules := append(s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-noncurrent-versions"),
			Status: pulumi.String("Enabled"),
			Filter: s3bucket.Everything(),
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(a.NoncurrentVersionExpirationDays),
			},
		},
		s3bucket.AbortIncompleteUploads(a.AbortIncompleteMultipartDays),
	}, extraRules...)
	hardened, err := s3bucket.New(b.Ctx, b.Child(purpose), s3bucket.Spec{
		Bucket: &s3.BucketV2Args{
			Bucket:       pulumi.String(bucketName),
			ForceDestroy: pulumi.Bool(a.ForceDestroy),
			Tags:         pulumi.StringMap{"purpose": pulumi.String(purpose)},
		},
		Options:    b.Protect(),
		Encryption: encryption,
		Lifecycle:  rules,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	return &bucket{purpose: purpose, arn: a.BucketARN(bucketName), Bucket: hardened}, nil
}

// policy attaches the bucket's policy. The endpoint ids are usually outputs
// of the network, unknown at preview, so the document is built once they
// are known.
func (b *builder) policy(target *bucket, spec BucketPolicySpec) (*s3.BucketPolicy, error) {
	doc := b.args.VpcEndpointIDs.ToStringArrayOutput().ApplyT(func(ids []string) (string, error) {
		if len(ids) == 0 {
			return "", fmt.Errorf("data %q: VpcEndpointIDs is empty; pass at least the S3 gateway endpoint, or no object could ever be reached", b.Name)
		}
		spec.EndpointIDs = ids
		return BucketPolicy(spec).JSON()
	}).(pulumi.StringOutput)
	return target.Policy(doc)
}

// accessPoints creates one access point per team on the data bucket.
//
// The policy is set through the access point's own policy argument rather
// than a separate s3control.AccessPointPolicy: the access point's ARN is
// known from its name before it exists, so the document needs nothing from
// the created resource, and the access point and its policy are created,
// changed and previewed as one resource. the pinned pulumi-aws supports both;
// using the two together would make them overwrite each other.
func (b *builder) accessPoints(data *bucket) (pulumi.StringMap, pulumi.StringMap, error) {
	a := b.args
	arns, aliases := pulumi.StringMap{}, pulumi.StringMap{}
	for _, team := range a.Teams {
		apName := a.TeamAccessPointName(team.Name)
		var policy pulumi.StringInput
		if team.RoleArn == nil {
			doc, err := AccessPointPolicy(a.Scope, team.Name, "").JSON()
			if err != nil {
				return nil, nil, err
			}
			policy = pulumi.String(doc)
		} else {
			teamName := team.Name
			policy = team.RoleArn.ToStringOutput().ApplyT(func(role string) (string, error) {
				if !roleArnPattern.MatchString(role) {
					return "", fmt.Errorf("data %q: team %q: RoleArn %q is not an IAM role ARN; only a role may be granted a team's access point",
						b.Name, teamName, role)
				}
				return AccessPointPolicy(a.Scope, teamName, role).JSON()
			}).(pulumi.StringOutput)
		}
		ap, err := s3.NewAccessPoint(b.Ctx, b.Child(team.Name), &s3.AccessPointArgs{
			Name:   pulumi.String(apName),
			Bucket: data.Resource.Bucket,
			// The policy names this account in the ARN, so the access point
			// must be created in it, whatever the provider's credentials.
			AccountId:        pulumi.String(a.AccountID),
			VpcConfiguration: &s3.AccessPointVpcConfigurationArgs{VpcId: a.VpcID},
			PublicAccessBlockConfiguration: &s3.AccessPointPublicAccessBlockConfigurationArgs{
				BlockPublicAcls:       pulumi.Bool(true),
				BlockPublicPolicy:     pulumi.Bool(true),
				IgnorePublicAcls:      pulumi.Bool(true),
				RestrictPublicBuckets: pulumi.Bool(true),
			},
			Policy: policy,
		}, b.Parent)
		if err != nil {
			return nil, nil, err
		}
		arns[team.Name] = ap.Arn
		aliases[team.Name] = ap.Alias
	}
	return arns, aliases, nil
}

// teamWriters are the only writers of each team's approved model artefacts
// and captured data.
func (a *Args) teamWriters() []TeamWriters {
	out := make([]TeamWriters, 0, len(a.Teams))
	for _, t := range a.Teams {
		out = append(out, TeamWriters{Team: t.Name, ModelApproverArns: t.ModelApproverArns, ServingRoleArn: t.ServingRoleArn})
	}
	return out
}

// captureExpiry are the data bucket's lifecycle rules for captured data:
// nobody may delete under a team's "serving/" (the bucket's policy), so
// S3 itself expires what endpoints captured, CaptureRetentionDays after it
// was written; the version that leaves then stays recoverable for
// NoncurrentVersionExpirationDays like every other. Lifecycle actions are
// S3's own and not requests the bucket's policy governs.
func captureExpiry(a *Args) s3.BucketLifecycleConfigurationV2RuleArray {
	var rules s3.BucketLifecycleConfigurationV2RuleArray
	for _, t := range a.Teams {
		if t.ServingRoleArn == "" {
			continue
		}
		rules = append(rules, &s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-captured-data-" + t.Name),
			Status:     pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(a.TeamPrefix(t.Name) + CapturedDataDir)},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.CaptureRetentionDays)},
		})
	}
	return rules
}
