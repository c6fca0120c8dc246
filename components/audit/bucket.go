package audit

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ObjectLockMode is the S3 Object Lock mode of the audit bucket. In
// compliance mode no user, including the account's root user, can delete or
// overwrite a locked object version or shorten its retention until it ends;
// governance mode would let a principal with s3:BypassGovernanceRetention.
const ObjectLockMode = "COMPLIANCE"

type bucket struct {
	res *s3.BucketV2
	// policy is the bucket policy; CloudTrail and Config check it before
	// they deliver, so both depend on it.
	policy *s3.BucketPolicy
	// lock is the Object Lock configuration: nothing is delivered before
	// it applies, so that the first file is locked as the last.
	lock *s3.BucketObjectLockConfigurationV2
}

// bucket creates the audit bucket with every guardrail of a platform
// bucket (SSE-KMS with the logs key and a bucket key, versioning, the four
// public access blocks, ACLs disabled, a lifecycle, a TLS-only policy,
// server access logging) and S3 Object Lock in compliance mode.
func (b *builder) bucket() (*bucket, error) {
	a := b.a
	resName := b.child("bucket")
	// Retained whatever Protect says: a destroy must never take the
	// evidence with it, and Object Lock would refuse to delete the locked
	// versions anyway.
	opts := append(b.protect(), pulumi.RetainOnDelete(true))
	res, err := s3.NewBucketV2(b.ctx, resName, &s3.BucketV2Args{
		Bucket: pulumi.String(BucketName(a.Scope)),
		// Object Lock can be turned on only when a bucket is created.
		ObjectLockEnabled: pulumi.Bool(true),
		Tags:              pulumi.StringMap{"purpose": pulumi.String("audit")},
	}, opts...)
	if err != nil {
		return nil, err
	}
	id := res.ID()
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(b.ctx, resName, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: id,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm:   pulumi.String("aws:kms"),
				KmsMasterKeyId: a.LogsKeyArn,
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, b.parent); err != nil {
		return nil, err
	}
	// Object Lock requires versioning; S3 turns it on with Object Lock and
	// it can never be suspended again.
	versioning, err := s3.NewBucketVersioningV2(b.ctx, resName, &s3.BucketVersioningV2Args{
		Bucket:                  id,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, b.parent)
	if err != nil {
		return nil, err
	}
	lock, err := s3.NewBucketObjectLockConfigurationV2(b.ctx, resName, &s3.BucketObjectLockConfigurationV2Args{
		Bucket: id,
		Rule: &s3.BucketObjectLockConfigurationV2RuleArgs{
			DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
				Mode: pulumi.String(ObjectLockMode),
				Days: pulumi.Int(a.RetentionDays),
			},
		},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{versioning}))
	if err != nil {
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
	if _, err := s3.NewBucketOwnershipControls(b.ctx, resName, &s3.BucketOwnershipControlsArgs{
		Bucket: id,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, b.parent); err != nil {
		return nil, err
	}
	everything := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
	if _, err := s3.NewBucketLifecycleConfigurationV2(b.ctx, resName, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: id,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			// A file's lock ends RetentionDays after it was written; then it
			// becomes a noncurrent version, removed a day later, so that the
			// trail holds what the regulator asks for and no more.
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:         pulumi.String("expire-after-retention"),
				Status:     pulumi.String("Enabled"),
				Filter:     everything,
				Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.RetentionDays)},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(1),
				},
			},
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:     pulumi.String("abort-incomplete-multipart-uploads"),
				Status: pulumi.String("Enabled"),
				Filter: everything,
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(AbortIncompleteMultipartDays),
				},
			},
		},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{lock})); err != nil {
		return nil, err
	}
	doc, err := BucketPolicy(a.Scope, a.DeployerRoleArn).JSON()
	if err != nil {
		return nil, err
	}
	// S3 rejects concurrent changes to the public access block and the policy.
	policy, err := s3.NewBucketPolicy(b.ctx, resName, &s3.BucketPolicyArgs{
		Bucket: id,
		Policy: pulumi.String(doc),
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{pab}))
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLoggingV2(b.ctx, resName, &s3.BucketLoggingV2Args{
		Bucket:       id,
		TargetBucket: a.AccessLogBucketName,
		TargetPrefix: pulumi.String(AccessLogPrefix),
	}, b.parent); err != nil {
		return nil, err
	}
	return &bucket{res: res, policy: policy, lock: lock}, nil
}
