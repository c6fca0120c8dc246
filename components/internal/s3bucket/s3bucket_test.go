package s3bucket_test

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/internal/s3bucket"
	"github.com/aifactory/platform/internal/mocktest"
)

// depMocks also records what each resource was made to wait for, by
// "<type> <name>".
type depMocks struct {
	*mocktest.Mocks
	mu   sync.Mutex
	deps map[string][]string
}

func (d *depMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.RegisterRPC != nil {
		d.mu.Lock()
		d.deps[args.TypeToken+" "+args.Name] = args.RegisterRPC.GetDependencies()
		d.mu.Unlock()
	}
	return d.Mocks.NewResource(args)
}

type component struct{ pulumi.ResourceState }

const (
	parentURN = "urn:pulumi:dev::aifactory::aifactory:test:Component::comp"
	bucketT   = "aws:s3/bucketV2:BucketV2"
	sseT      = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	versionT  = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	lockT     = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	pabT      = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	ownerT    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	lifeT     = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	policyT   = "aws:s3/bucketPolicy:BucketPolicy"
	loggingT  = "aws:s3/bucketLoggingV2:BucketLoggingV2"
)

func urn(typ, name string) string {
	return "urn:pulumi:dev::aifactory::aifactory:test:Component$" + typ + "::" + name
}

func TestBucketCarriesEveryGuardrail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		locked bool
	}{
		{"without object lock", false},
		{"with object lock", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &depMocks{Mocks: &mocktest.Mocks{}, deps: map[string][]string{}}
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				c := &component{}
				if err := ctx.RegisterComponentResource("aifactory:test:Component", "comp", c); err != nil {
					return err
				}
				spec := s3bucket.Spec{
					Bucket:     &s3.BucketV2Args{Bucket: pulumi.String("aifactory-dev-things")},
					Options:    []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Protect(true)},
					Encryption: s3bucket.KMSEncryption(pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")),
					Lifecycle:  s3.BucketLifecycleConfigurationV2RuleArray{s3bucket.AbortIncompleteUploads(7)},
				}
				if tc.locked {
					spec.Bucket.ObjectLockEnabled = pulumi.Bool(true)
					spec.ObjectLock = &s3.BucketObjectLockConfigurationV2RuleArgs{
						DefaultRetention: &s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{Mode: pulumi.String("COMPLIANCE"), Days: pulumi.Int(30)},
					}
				}
				b, err := s3bucket.New(ctx, "comp-things", spec, pulumi.Parent(c))
				if err != nil {
					return err
				}
				assert.Equal(t, tc.locked, b.Lock != nil)
				if _, err := b.Policy(pulumi.String(`{"Version":"2012-10-17","Statement":[]}`)); err != nil {
					return err
				}
				_, err = b.Logging(pulumi.String("aifactory-dev-logs"), "things/")
				return err
			}, pulumi.WithMocks("aifactory", "dev", m))
			require.NoError(t, err)

			types := []string{bucketT, sseT, versionT, pabT, ownerT, lifeT, policyT, loggingT}
			if tc.locked {
				types = append(types, lockT)
			} else {
				assert.Empty(t, m.OfType(lockT))
			}
			for _, typ := range types {
				r := m.Named(t, typ, "comp-things")
				assert.Equal(t, parentURN, r.Parent, typ)
				assert.Equal(t, typ == bucketT, r.Protect, "%s: only the bucket takes Spec.Options", typ)
			}

			var sse []struct {
				ApplyServerSideEncryptionByDefault struct {
					SseAlgorithm   string `json:"sseAlgorithm"`
					KmsMasterKeyID string `json:"kmsMasterKeyId"`
				} `json:"applyServerSideEncryptionByDefault"`
				BucketKeyEnabled bool `json:"bucketKeyEnabled"`
			}
			require.NoError(t, m.Named(t, sseT, "comp-things").JSON("rules", &sse))
			require.Len(t, sse, 1)
			assert.Equal(t, "aws:kms", sse[0].ApplyServerSideEncryptionByDefault.SseAlgorithm)
			assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/k", sse[0].ApplyServerSideEncryptionByDefault.KmsMasterKeyID)
			assert.True(t, sse[0].BucketKeyEnabled)

			var versioning struct {
				Status string `json:"status"`
			}
			require.NoError(t, m.Named(t, versionT, "comp-things").JSON("versioningConfiguration", &versioning))
			assert.Equal(t, "Enabled", versioning.Status)

			pab := m.Named(t, pabT, "comp-things")
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				assert.True(t, pab.Bool(k), k)
			}
			var owner struct {
				ObjectOwnership string `json:"objectOwnership"`
			}
			require.NoError(t, m.Named(t, ownerT, "comp-things").JSON("rule", &owner))
			assert.Equal(t, "BucketOwnerEnforced", owner.ObjectOwnership)

			var rules []struct {
				ID                             string         `json:"id"`
				Filter                         map[string]any `json:"filter"`
				AbortIncompleteMultipartUpload struct {
					DaysAfterInitiation float64 `json:"daysAfterInitiation"`
				} `json:"abortIncompleteMultipartUpload"`
			}
			require.NoError(t, m.Named(t, lifeT, "comp-things").JSON("rules", &rules))
			require.Len(t, rules, 1)
			assert.Equal(t, "abort-incomplete-multipart-uploads", rules[0].ID)
			assert.Equal(t, map[string]any{"prefix": ""}, rules[0].Filter)
			assert.Equal(t, 7.0, rules[0].AbortIncompleteMultipartUpload.DaysAfterInitiation)

			logging := m.Named(t, loggingT, "comp-things")
			assert.Equal(t, "aifactory-dev-logs", logging.Str("targetBucket"))
			assert.Equal(t, "things/", logging.Str("targetPrefix"))

			assert.Contains(t, m.deps[policyT+" comp-things"], urn(pabT, "comp-things"), "S3 rejects concurrent changes to the public access block and the policy")
			if tc.locked {
				assert.Contains(t, m.deps[lockT+" comp-things"], urn(versionT, "comp-things"), "Object Lock needs versioning")
				assert.Contains(t, m.deps[lifeT+" comp-things"], urn(lockT, "comp-things"))
			} else {
				assert.Equal(t, []string{urn(bucketT, "comp-things")}, m.deps[lifeT+" comp-things"], "only the bucket it configures")
			}
		})
	}
}

func TestSpecNamesWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec s3bucket.Spec
	}{
		{"no bucket", s3bucket.Spec{Encryption: s3bucket.KMSEncryption(pulumi.String("k"))}},
		{"no encryption", s3bucket.Spec{Bucket: &s3.BucketV2Args{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				_, err := s3bucket.New(ctx, "b", tc.spec, nil)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Spec.Bucket and Spec.Encryption are required")
		})
	}
}
