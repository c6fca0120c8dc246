// Package s3bucket creates a platform bucket with the guardrails every one
// of them carries, so that the data perimeter's buckets (components/data)
// and the audit bucket (components/audit) are hardened by one piece of code:
// default encryption, versioning, the four public access blocks, ACLs
// disabled, a lifecycle and, where asked, S3 Object Lock. The bucket policy
// and server access logging go on afterwards (Bucket.Policy,
// Bucket.Logging), once the caller knows the documents and the targets.
//
// The bucket and every configuration of it share one resource name and
// one parent, so that a stack's bucket reads as one group of resources.
package s3bucket

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Spec is what differs between the platform's buckets.
type Spec struct {
	// Bucket is the bucket's own arguments: its name and tags, and
	// ForceDestroy or ObjectLockEnabled where they apply.
	Bucket *s3.BucketV2Args
	// Options are the bucket's own options (protection, retention) in
	// full, parent included; its configurations take the parent alone.
	Options []pulumi.ResourceOption
	// Encryption is the default encryption rule (KMSEncryption, or
	// AES256 where S3 supports nothing else).
	Encryption *s3.BucketServerSideEncryptionConfigurationV2RuleArgs
	// ObjectLock, when set, is the default retention of every object
	// version; Bucket.ObjectLockEnabled must be true, as S3 turns Object
	// Lock on only when it creates a bucket.
	ObjectLock *s3.BucketObjectLockConfigurationV2RuleArgs
	// Lifecycle is the lifecycle's rules, in order.
	Lifecycle s3.BucketLifecycleConfigurationV2RuleArray
}

// Bucket is a hardened bucket.
type Bucket struct {
	Resource *s3.BucketV2
	// PublicAccessBlock is applied before the bucket policy: S3 rejects
	// concurrent changes to the two.
	PublicAccessBlock *s3.BucketPublicAccessBlock
	// Lock is the Object Lock configuration (nil without Spec.ObjectLock).
	// Nothing should be written before it applies, so that the first
	// object is locked as the last.
	Lock *s3.BucketObjectLockConfigurationV2

	ctx    *pulumi.Context
	name   string
	parent pulumi.ResourceOption
}

// New creates the bucket name and its configurations, all named name and
// parented by parent.
func New(ctx *pulumi.Context, name string, spec Spec, parent pulumi.ResourceOption) (*Bucket, error) {
	if spec.Bucket == nil || spec.Encryption == nil {
		return nil, errors.New("s3bucket: Spec.Bucket and Spec.Encryption are required; pass the bucket's arguments and its default encryption")
	}
	res, err := s3.NewBucketV2(ctx, name, spec.Bucket, spec.Options...)
	if err != nil {
		return nil, err
	}
	id := res.ID()
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: id,
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{spec.Encryption},
	}, parent); err != nil {
		return nil, err
	}
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  id,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent)
	if err != nil {
		return nil, err
	}
	var lock *s3.BucketObjectLockConfigurationV2
	if spec.ObjectLock != nil {
		// Object Lock requires versioning; S3 turns it on with Object Lock
		// and it can never be suspended again.
		lock, err = s3.NewBucketObjectLockConfigurationV2(ctx, name, &s3.BucketObjectLockConfigurationV2Args{
			Bucket: id,
			Rule:   spec.ObjectLock,
		}, parent, pulumi.DependsOn([]pulumi.Resource{versioning}))
		if err != nil {
			return nil, err
		}
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                id,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	// BucketOwnerEnforced disables ACLs: the account owns every object,
	// whoever writes it, and access is decided by policies alone. Log
	// delivery is granted by the log bucket's policy, not by an ACL.
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: id,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	lifecycleOpts := []pulumi.ResourceOption{parent}
	if lock != nil {
		// Expiry and the default retention both act on every version: the
		// lifecycle waits for the lock, so it never runs on the bucket
		// without its retention.
		lifecycleOpts = append(lifecycleOpts, pulumi.DependsOn([]pulumi.Resource{lock}))
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: id,
		Rules:  spec.Lifecycle,
	}, lifecycleOpts...); err != nil {
		return nil, err
	}
	return &Bucket{Resource: res, PublicAccessBlock: pab, Lock: lock, ctx: ctx, name: name, parent: parent}, nil
}

// Policy attaches the bucket policy doc, after the public access block.
func (b *Bucket) Policy(doc pulumi.StringInput) (*s3.BucketPolicy, error) {
	return s3.NewBucketPolicy(b.ctx, b.name, &s3.BucketPolicyArgs{
		Bucket: b.Resource.ID(),
		Policy: doc,
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{b.PublicAccessBlock}))
}

// Logging sends the bucket's server access logs to target under prefix;
// opts add to the parent (such as waiting for the target's policy).
func (b *Bucket) Logging(target pulumi.StringInput, prefix string, opts ...pulumi.ResourceOption) (*s3.BucketLoggingV2, error) {
	return s3.NewBucketLoggingV2(b.ctx, b.name, &s3.BucketLoggingV2Args{
		Bucket:       b.Resource.ID(),
		TargetBucket: target,
		TargetPrefix: pulumi.String(prefix),
	}, append([]pulumi.ResourceOption{b.parent}, opts...)...)
}

// KMSEncryption is default encryption with key and a bucket key: one data
// key per bucket instead of a KMS call per object, cheaper and far below
// KMS request quotas.
func KMSEncryption(key pulumi.StringInput) *s3.BucketServerSideEncryptionConfigurationV2RuleArgs {
	return &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
		ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: key,
		},
		BucketKeyEnabled: pulumi.Bool(true),
	}
}

// Everything is the lifecycle filter of a rule for every object.
func Everything() *s3.BucketLifecycleConfigurationV2RuleFilterArgs {
	return &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")}
}

// AbortIncompleteUploads is the lifecycle rule that aborts multipart
// uploads days after they began: abandoned parts accrue storage that no
// listing shows.
func AbortIncompleteUploads(days int) *s3.BucketLifecycleConfigurationV2RuleArgs {
	return &s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("abort-incomplete-multipart-uploads"),
		Status: pulumi.String("Enabled"),
		Filter: Everything(),
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(days),
		},
	}
}
