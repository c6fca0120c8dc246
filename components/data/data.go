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
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/naming"
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
)

// Team is a data-science team with its own access point and prefix.
type Team struct {
	// Name is DNS-safe (lower-case letters, digits, single hyphens, starting
	// with a letter); it names the access point "<environment>-<team>" and
	// the prefix "teams/<team>/".
	Name string
	// RoleArn is the IAM role (not a user, not the account) that alone may
	// use the team's access point. When nil the access point is created
	// closed and admits nobody until the role is set.
	RoleArn pulumi.StringInput
}

// Args configures the data perimeter.
type Args struct {
	// Prefix starts every bucket name, e.g. "aifactory-dev"; 2-38 lower-case
	// letters, digits and hyphens, so "<prefix>-access-logs-<account>" fits
	// S3's 63 characters.
	Prefix string
	// Environment starts every access point name, e.g. "dev".
	Environment string
	// AccountID, Region and Partition name the buckets and access points
	// and scope their policies.
	AccountID string
	Region    string
	Partition string
	// VpcID is the network origin of every access point.
	VpcID pulumi.StringInput
	// VpcEndpointIDs are the VPC endpoints (at least the S3 gateway
	// endpoint) through which object requests may reach the buckets.
	VpcEndpointIDs pulumi.StringArrayInput
	// DataKeyArn is the customer-managed KMS key that encrypts the data and
	// model buckets.
	DataKeyArn pulumi.StringInput
	// LogsKeyArn is the customer-managed KMS key that encrypts the
	// application log bucket.
	LogsKeyArn pulumi.StringInput
	// AccessLogRetentionDays is how long server access logs and application
	// logs are kept.
	AccessLogRetentionDays int
	// NoncurrentVersionExpirationDays is how long overwritten and deleted
	// objects stay recoverable; DefaultNoncurrentVersionExpirationDays when 0.
	NoncurrentVersionExpirationDays int
	// AbortIncompleteMultipartDays is when abandoned multipart uploads are
	// removed; DefaultAbortIncompleteMultipartDays when 0.
	AbortIncompleteMultipartDays int
	// Teams get one access point each on the data bucket.
	Teams []Team
	// ServiceAccess lets AWS services that work from outside the VPC with a
	// role of the platform's (EMR Studio storing workspaces) reach one
	// prefix of the data bucket each.
	ServiceAccess []ServiceAccess
	// Protect protects the buckets and retains them if they are ever
	// removed from the program, so a mistaken destroy cannot lose data.
	// Required in prod.
	Protect bool
	// ForceDestroy lets a destroy delete buckets that still hold objects.
	// Never allowed with Protect or in prod. Emptying runs with the
	// deployer's credentials and is subject to the bucket policies, so it
	// succeeds only where the deployer reaches the objects through the VPC;
	// elsewhere the destroy stops at a non-empty bucket, which is the safe
	// way to fail.
	ForceDestroy bool
}

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

// Name limits. S3 bucket names have at most 63 characters, which the
// prefix pattern guarantees for the longest name,
// "<38-character prefix>-access-logs-<12-digit account>". Access point names
// have 3-50 characters, which the environment (2-16) and team (2-32)
// patterns guarantee for "<environment>-<team>".
const (
	minTeamName = 2
	maxTeamName = 32
)

var (
	prefixPattern        = regexp.MustCompile(`^[a-z][a-z0-9-]{0,36}[a-z0-9]$`)
	environmentPattern   = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)
	teamNamePattern      = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	servicePrefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*/$`)
	// IAM ARNs have an empty region field; the pattern does not insist on
	// it, only on an account and a role, so "*", the account root and users
	// are refused.
	roleArnPattern = regexp.MustCompile(`^arn:[a-z-]+:iam:[a-z0-9-]*:[0-9]{12}:role/[\w+=,.@/-]+$`)
)

func (a *Args) validate() error {
	var errs []error
	switch {
	case !prefixPattern.MatchString(a.Prefix):
		errs = append(errs, fmt.Errorf("Prefix %q: use 2-38 lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit", a.Prefix))
	case strings.HasPrefix(a.Prefix, "xn--") || strings.HasPrefix(a.Prefix, "sthree-"):
		errs = append(errs, fmt.Errorf("Prefix %q: S3 reserves bucket names starting with xn-- and sthree-; choose another prefix", a.Prefix))
	}
	if !environmentPattern.MatchString(a.Environment) {
		errs = append(errs, fmt.Errorf("Environment %q: use 2-16 lower-case letters and digits, such as dev or prod", a.Environment))
	}
	if !naming.IsAccountID(a.AccountID) {
		errs = append(errs, fmt.Errorf("AccountID %q: use the 12-digit AWS account id", a.AccountID))
	}
	if a.Region == "" || a.Partition == "" {
		errs = append(errs, errors.New("Region and Partition are required to name the access points"))
	}
	if a.VpcID == nil {
		errs = append(errs, errors.New("VpcID is required: every access point accepts requests from the platform's VPC only"))
	}
	if a.VpcEndpointIDs == nil {
		errs = append(errs, errors.New("VpcEndpointIDs is required: pass the S3 gateway endpoint, the only way objects are reached"))
	}
	if a.LogsKeyArn == nil {
		errs = append(errs, errors.New("LogsKeyArn is required: the application log bucket is always encrypted with the platform's logs key"))
	}
	if a.DataKeyArn == nil {
		errs = append(errs, errors.New("DataKeyArn is required: data and model buckets are always encrypted with the platform's data key"))
	}
	if a.AccessLogRetentionDays <= 0 {
		errs = append(errs, fmt.Errorf("AccessLogRetentionDays %d: set how long access logs are kept; they never keep forever by accident", a.AccessLogRetentionDays))
	}
	if a.NoncurrentVersionExpirationDays < 0 {
		errs = append(errs, fmt.Errorf("NoncurrentVersionExpirationDays %d: use a positive number of days, or 0 for the default of %d",
			a.NoncurrentVersionExpirationDays, DefaultNoncurrentVersionExpirationDays))
	}
	if a.AbortIncompleteMultipartDays < 0 {
		errs = append(errs, fmt.Errorf("AbortIncompleteMultipartDays %d: use a positive number of days, or 0 for the default of %d",
			a.AbortIncompleteMultipartDays, DefaultAbortIncompleteMultipartDays))
	}
	if a.Environment == "prod" && !a.Protect {
		errs = append(errs, errors.New("Protect: prod buckets must be protected and retained on delete; set it to true"))
	}
	if a.ForceDestroy && (a.Protect || a.Environment == "prod") {
		errs = append(errs, errors.New("ForceDestroy: never with Protect or in prod, where a destroy must not delete data; set it to false"))
	}
	errs = append(errs, a.validateTeams()...)
	for i, sa := range a.ServiceAccess {
		if !servicePrefixPattern.MatchString(sa.Prefix) || strings.HasPrefix(sa.Prefix, "teams/") {
			errs = append(errs, fmt.Errorf("ServiceAccess[%d].Prefix %q: use a key prefix such as \"emr-studio/\" (lower-case, ending in \"/\", outside teams/)", i, sa.Prefix))
		}
		if !roleArnPattern.MatchString(sa.RoleArn) {
			errs = append(errs, fmt.Errorf("ServiceAccess[%d].RoleArn %q: name the service's IAM role; only a role is ever exempt from the perimeter", i, sa.RoleArn))
		}
	}
	return errors.Join(errs...)
}

func (a *Args) validateTeams() []error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range a.Teams {
		field := fmt.Sprintf("Teams[%d].Name", i)
		switch {
		case len(t.Name) < minTeamName || len(t.Name) > maxTeamName:
			errs = append(errs, fmt.Errorf("%s %q: use %d-%d characters", field, t.Name, minTeamName, maxTeamName))
		case !teamNamePattern.MatchString(t.Name) || strings.Contains(t.Name, "--"):
			errs = append(errs, fmt.Errorf("%s %q: must be DNS-safe: lower-case letters, digits and single hyphens, starting with a letter", field, t.Name))
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("%s %q: listed twice; each team gets one access point, so names must be unique", field, t.Name))
		case strings.HasSuffix(AccessPointName(a.Environment, t.Name), "-s3alias"):
			errs = append(errs, fmt.Errorf("%s %q: S3 reserves access point names ending in -s3alias; choose another name", field, t.Name))
		}
		seen[t.Name] = true
	}
	return errs
}

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

	p := &Perimeter{}
	if err := ctx.RegisterComponentResource(Type, name, p, opts...); err != nil {
		return nil, err
	}
	b := builder{ctx: ctx, name: name, args: &a, parent: pulumi.Parent(p)}

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
		Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.AccessLogRetentionDays)},
	}})
	if err != nil {
		return nil, err
	}
	kmsEncryption := &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: a.DataKeyArn,
		},
		// One data key per bucket instead of a KMS call per object: cheaper
		// and far below KMS request quotas for training jobs.
		BucketKeyEnabled: pulumi.Bool(true),
	}
	dataBucket, err := b.bucket(DataPurpose, kmsEncryption, nil)
	if err != nil {
		return nil, err
	}
	models, err := b.bucket(ModelsPurpose, kmsEncryption, nil)
	if err != nil {
		return nil, err
	}

	appLogs, err := b.bucket(AppLogsPurpose, &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: a.LogsKeyArn,
		},
		BucketKeyEnabled: pulumi.Bool(true),
	}, s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:         pulumi.String("expire-application-logs"),
		Status:     pulumi.String("Enabled"),
		Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.AccessLogRetentionDays)},
	}})
	if err != nil {
		return nil, err
	}

	apPattern := AccessPointArn(a.Partition, a.Region, a.AccountID, a.Environment+"-*")
	logPolicy, err := b.policy(logs, BucketPolicySpec{
		BucketArn: logs.arn,
		Account:   a.AccountID,
		LogSources: []LogSource{
			{BucketArn: dataBucket.arn, Prefix: DataPurpose + "/"},
			{BucketArn: models.arn, Prefix: ModelsPurpose + "/"},
			{BucketArn: appLogs.arn, Prefix: AppLogsPurpose + "/"},
		},
	})
	if err != nil {
		return nil, err
	}
	if _, err := b.policy(dataBucket, BucketPolicySpec{
		BucketArn: dataBucket.arn, Account: a.AccountID, AccessPointArnPattern: apPattern, ServiceAccess: a.ServiceAccess,
	}); err != nil {
		return nil, err
	}
	for _, own := range []*bucket{models, appLogs} {
		if _, err := b.policy(own, BucketPolicySpec{BucketArn: own.arn, Account: a.AccountID}); err != nil {
			return nil, err
		}
	}
	// The log bucket itself is not logged: logging it into itself would
	// write logs about logs without end.
	for _, src := range []*bucket{dataBucket, models, appLogs} {
		if _, err := s3.NewBucketLoggingV2(ctx, fmt.Sprintf("%s-%s", name, src.purpose), &s3.BucketLoggingV2Args{
			Bucket:       src.res.ID(),
			TargetBucket: logs.res.ID(),
			TargetPrefix: pulumi.String(src.purpose + "/"),
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{logPolicy})); err != nil {
			return nil, err
		}
	}

	arns, aliases, err := b.accessPoints(dataBucket)
	if err != nil {
		return nil, err
	}

	p.DataBucketName = dataBucket.res.Bucket
	p.DataBucketArn = dataBucket.res.Arn
	p.ModelsBucketName = models.res.Bucket
	p.ModelsBucketArn = models.res.Arn
	p.LogBucketName = logs.res.Bucket
	p.LogBucketArn = logs.res.Arn
	p.AppLogBucketName = appLogs.res.Bucket
	p.AppLogBucketArn = appLogs.res.Arn
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

type builder struct {
	ctx    *pulumi.Context
	name   string
	args   *Args
	parent pulumi.ResourceOption
}

type bucket struct {
	purpose string
	arn     string
	res     *s3.BucketV2
	// publicAccessBlock is applied before the bucket policy: S3 rejects
	// concurrent changes to the two.
	publicAccessBlock *s3.BucketPublicAccessBlock
}

// bucket creates one bucket with the guardrails every bucket shares, plus
// the purpose's encryption and any extra lifecycle rules.
func (b *builder) bucket(purpose string, encryption *s3.BucketServerSideEncryptionConfigurationV2RuleArgs,
	extraRules s3.BucketLifecycleConfigurationV2RuleArray,
) (*bucket, error) {
	a := b.args
	bucketName := BucketName(a.Prefix, purpose, a.AccountID)
	resName := fmt.Sprintf("%s-%s", b.name, purpose)
	bucketOpts := []pulumi.ResourceOption{b.parent}
	if a.Protect {
		bucketOpts = append(bucketOpts, pulumi.Protect(true), pulumi.RetainOnDelete(true))
	}
	res, err := s3.NewBucketV2(b.ctx, resName, &s3.BucketV2Args{
		Bucket:       pulumi.String(bucketName),
		ForceDestroy: pulumi.Bool(a.ForceDestroy),
		Tags:         pulumi.StringMap{"purpose": pulumi.String(purpose)},
	}, bucketOpts...)
	if err != nil {
		return nil, err
	}
	id := res.ID()

	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, resName, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: id,
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{encryption},
	}, b.parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketVersioningV2(b.ctx, resName, &s3.BucketVersioningV2Args{
		Bucket: id,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{
			Status: pulumi.String("Enabled"),
		},
	}, b.parent); err != nil {
		return nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(b.ctx, resName, &s3.BucketPublicAccessBlockArgs{
		Bucket:                id,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	// BucketOwnerEnforced disables ACLs: the account owns every object,
	// whoever writes it, and access is decided by policies alone. Log
	// delivery is granted by the log bucket's policy, not by an ACL.
	if _, err := s3.NewBucketOwnershipControls(b.ctx, resName, &s3.BucketOwnershipControlsArgs{
		Bucket: id,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, b.parent); err != nil {
		return nil, err
	}
	everything := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	rules := append(s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("expire-noncurrent-versions"),
			Status: pulumi.String("Enabled"),
			Filter: everything,
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(a.NoncurrentVersionExpirationDays),
			},
		},
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("abort-incomplete-multipart-uploads"),
			Status: pulumi.String("Enabled"),
			Filter: everything,
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(a.AbortIncompleteMultipartDays),
			},
		},
	}, extraRules...)
	if _, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, resName, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: id,
		Rules:  rules,
	}, b.parent); err != nil {
		return nil, err
	}
	return &bucket{purpose: purpose, arn: BucketArn(a.Partition, bucketName), res: res, publicAccessBlock: pab}, nil
}

// policy attaches the bucket's policy. The endpoint ids are usually outputs
// of the network, unknown at preview, so the document is built once they
// are known.
func (b *builder) policy(target *bucket, spec BucketPolicySpec) (*s3.BucketPolicy, error) {
	doc := b.args.VpcEndpointIDs.ToStringArrayOutput().ApplyT(func(ids []string) (string, error) {
		if len(ids) == 0 {
			return "", fmt.Errorf("data %q: VpcEndpointIDs is empty; pass at least the S3 gateway endpoint, or no object could ever be reached", b.name)
		}
		spec.EndpointIDs = ids
		return BucketPolicy(spec).JSON()
	}).(pulumi.StringOutput)
	return s3.NewBucketPolicy(b.ctx, fmt.Sprintf("%s-%s", b.name, target.purpose), &s3.BucketPolicyArgs{
		Bucket: target.res.ID(),
		Policy: doc,
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{target.publicAccessBlock}))
}

// accessPoints creates one access point per team on the data bucket.
//
// The policy is set through the access point's own policy argument rather
// than a separate s3control.AccessPointPolicy: the access point's ARN is
// known from its name before it exists, so the document needs nothing from
// the created resource, and the access point and its policy are created,
// changed and previewed as one resource. pulumi-aws v6.83.4 supports both;
// using the two together would make them overwrite each other.
func (b *builder) accessPoints(data *bucket) (pulumi.StringMap, pulumi.StringMap, error) {
	a := b.args
	arns, aliases := pulumi.StringMap{}, pulumi.StringMap{}
	for _, team := range a.Teams {
		apName := AccessPointName(a.Environment, team.Name)
		apArn := AccessPointArn(a.Partition, a.Region, a.AccountID, apName)
		var policy pulumi.StringInput
		if team.RoleArn == nil {
			doc, err := AccessPointPolicy(apArn, team.Name, "").JSON()
			if err != nil {
				return nil, nil, err
			}
			policy = pulumi.String(doc)
		} else {
			teamName := team.Name
			policy = team.RoleArn.ToStringOutput().ApplyT(func(role string) (string, error) {
				if !roleArnPattern.MatchString(role) {
					return "", fmt.Errorf("data %q: team %q: RoleArn %q is not an IAM role ARN; only a role may be granted a team's access point",
						b.name, teamName, role)
				}
				return AccessPointPolicy(apArn, teamName, role).JSON()
			}).(pulumi.StringOutput)
		}
		ap, err := s3.NewAccessPoint(b.ctx, fmt.Sprintf("%s-%s", b.name, team.Name), &s3.AccessPointArgs{
			Name:   pulumi.String(apName),
			Bucket: data.res.Bucket,
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
		}, b.parent)
		if err != nil {
			return nil, nil, err
		}
		arns[team.Name] = ap.Arn
		aliases[team.Name] = ap.Alias
	}
	return arns, aliases, nil
}
