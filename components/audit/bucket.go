package audit

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/s3bucket"
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
	hardened, err := s3bucket.New(b.Ctx, b.Child("bucket"), s3bucket.Spec{
		Bucket: &s3.BucketV2Args{
			Bucket: pulumi.String(BucketName(a.Scope)),
			// Object Lock can be turned on only when a bucket is created.
			ObjectLockEnabled: pulumi.Bool(true),
			Tags:              pulumi.StringMap{"purpose": pulumi.String("audit")},
		},
		// Retained whatever Protect says: a destroy must never take the
		// evidence with it, and Object Lock would refuse to delete the
		// locked versions anyway.
		Options:    append(b.Protect(), pulumi.RetainOnDelete(true)),
		Encryption: s3bucket.KMSEncryption(a.LogsKeyArn),
		ObjectLock: &s3.BucketObjectLockConfigurationV2RuleArgs{
			DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
				Mode: pulumi.String(ObjectLockMode),
				Days: pulumi.Int(a.RetentionDays),
			},
		},
		Lifecycle: s3.BucketLifecycleConfigurationV2RuleArray{
			// A file's lock ends RetentionDays after it was written; then it
			// becomes a noncurrent version, removed a day later, so that the
			// trail holds what the regulator asks for and no more.
			&s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:         pulumi.String("expire-after-retention"),
				Status:     pulumi.String("Enabled"),
				Filter:     s3bucket.Everything(),
				Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.RetentionDays)},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
					NoncurrentDays: pulumi.Int(1),
				},
			},
			s3bucket.AbortIncompleteUploads(AbortIncompleteMultipartDays),
		},
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	doc, err := BucketPolicy(a.Scope, a.DeployerRoleArn).JSON()
	if err != nil {
		return nil, err
	}
	policy, err := hardened.Policy(pulumi.String(doc))
	if err != nil {
		return nil, err
	}
	if _, err := hardened.Logging(a.AccessLogBucketName, AccessLogPrefix); err != nil {
		return nil, err
	}
	return &bucket{res: hardened.Resource, policy: policy, lock: hardened.Lock}, nil
}
