package build_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/internal/build"
	"github.com/aifactory/platform/internal/mocktest"
)

type component struct{ pulumi.ResourceState }

func TestChildrenAreNamedParentedAndProtectedAlike(t *testing.T) {
	for _, tc := range []struct {
		name      string
		protected bool
	}{
		{"unprotected", false},
		{"protected", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				c := &component{}
				if err := ctx.RegisterComponentResource("aifactory:test:Component", "comp", c); err != nil {
					return err
				}
				b := build.New(ctx, "comp", c, tc.protected)
				assert.Equal(t, "comp-bucket", b.Child("bucket"))
				if _, err := s3.NewBucketV2(b.Ctx, b.Child("stateful"), &s3.BucketV2Args{}, b.Protect()...); err != nil {
					return err
				}
				_, err := s3.NewBucketV2(b.Ctx, b.Child("plain"), &s3.BucketV2Args{}, b.Parent)
				return err
			})
			require.NoError(t, err)
			const parent = "urn:pulumi:dev::aifactory::aifactory:test:Component::comp"
			stateful := m.Named(t, "aws:s3/bucketV2:BucketV2", "comp-stateful")
			assert.Equal(t, parent, stateful.Parent)
			assert.Equal(t, tc.protected, stateful.Protect)
			assert.Equal(t, tc.protected, stateful.RetainOnDelete)
			plain := m.Named(t, "aws:s3/bucketV2:BucketV2", "comp-plain")
			assert.Equal(t, parent, plain.Parent)
			assert.False(t, plain.Protect, "only the stateful children are protected")
			assert.False(t, plain.RetainOnDelete)
		})
	}
}
