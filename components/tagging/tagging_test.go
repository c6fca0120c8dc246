package tagging_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/internal/mocktest"
)

func defaults() tagging.Set {
	return tagging.Set{
		"team": "platform", "project": "aifactory", "cost-center": "CC-1", "environment": "dev",
		"data-classification": "confidential", "owner": "platform@example.com",
	}
}

func TestSetMissingNamesEveryAbsentOrBlankKey(t *testing.T) {
	s := defaults()
	delete(s, "owner")
	s["team"] = "  "
	assert.Equal(t, []string{"team", "owner"}, s.Missing())
	err := s.Validate("aifactory:tags")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aifactory:tags")
	assert.Contains(t, err.Error(), "team, owner")
	assert.NoError(t, defaults().Validate("x"))
}

func TestMergeOverridesWithoutChangingTheReceiver(t *testing.T) {
	base := defaults()
	merged := base.Merge(tagging.Set{"team": "pricing"})
	assert.Equal(t, "pricing", merged["team"])
	assert.Equal(t, "platform", base["team"])
}

func TestEnforcerCompletesTagsAndKeepsResourceValues(t *testing.T) {
	m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		e, err := tagging.Install(ctx, defaults())
		if err != nil {
			return err
		}
		if _, err := s3.NewBucketV2(ctx, "plain", &s3.BucketV2Args{}); err != nil {
			return err
		}
		if _, err := s3.NewBucketV2(ctx, "team-owned", &s3.BucketV2Args{
			Tags: pulumi.StringMap{"team": pulumi.String("pricing"), "purpose": pulumi.String("models")},
		}); err != nil {
			return err
		}
		// kms.Alias has no tags argument: it must be left alone.
		if _, err := kms.NewAlias(ctx, "alias", &kms.AliasArgs{Name: pulumi.String("alias/x"), TargetKeyId: pulumi.String("k")}); err != nil {
			return err
		}
		return e.Err()
	})
	require.NoError(t, err)

	plain := m.Named(t, "aws:s3/bucketV2:BucketV2", "plain").Tags()
	assert.Equal(t, map[string]string(defaults()), plain)

	owned := m.Named(t, "aws:s3/bucketV2:BucketV2", "team-owned").Tags()
	assert.Equal(t, "pricing", owned["team"], "a component's own value wins over the stack default")
	assert.Equal(t, "models", owned["purpose"])
	assert.Equal(t, "aifactory", owned["project"])

	assert.False(t, m.Named(t, "aws:kms/alias:Alias", "alias").Has("tags"))
}

func TestEnforcerFailsTheProgramOnAnExplicitlyEmptyRequiredTag(t *testing.T) {
	_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		e, err := tagging.Install(ctx, defaults())
		if err != nil {
			return err
		}
		if _, err := s3.NewBucketV2(ctx, "orphan", &s3.BucketV2Args{
			Tags: pulumi.StringMap{"owner": pulumi.String("")},
		}); err != nil {
			return err
		}
		return e.Err()
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "orphan lacks owner")
}

func TestInstallRejectsIncompleteDefaults(t *testing.T) {
	_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		d := defaults()
		d["cost-center"] = ""
		_, err := tagging.Install(ctx, d)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cost-center")
}
