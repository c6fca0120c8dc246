package data_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	account  = mocktest.AccountID
	dataKey  = "arn:aws:kms:eu-west-1:123456789012:key/data"
	logsKey  = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	vpce     = "vpce-0s3gateway"
	jackpot  = "jackpot-analytics"
	player   = "player-insights"
	roleA    = "arn:aws:iam::123456789012:role/aifactory-dev-jackpot-analytics"
	roleB    = "arn:aws:iam::123456789012:role/aifactory-dev-player-insights"
	admin    = "arn:aws:iam::123456789012:role/platform-admin"
	deployer = "arn:aws:iam::123456789012:role/aifactory-deployer"

	bucketType    = "aws:s3/bucketV2:BucketV2"
	sseType       = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	versionType   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	pabType       = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	ownershipType = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	lifecycleType = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	loggingType   = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	policyType    = "aws:s3/bucketPolicy:BucketPolicy"
	apType        = "aws:s3/accessPoint:AccessPoint"
)

var purposes = []string{data.DataPurpose, data.ModelsPurpose, data.AppLogsPurpose, data.AccessLogsPurpose}

func args() *data.Args {
	return &data.Args{
		Scope:                  scopetest.Dev(),
		VpcID:                  pulumi.String("vpc-0platform"),
		VpcEndpointIDs:         pulumi.StringArray{pulumi.String(vpce)},
		DataKeyArn:             pulumi.String(dataKey),
		LogsKeyArn:             pulumi.String(logsKey),
		AccessLogRetentionDays: 30,
		DeployerRoleArn:        deployer,
		Teams: []data.Team{
			{Name: jackpot, RoleArn: pulumi.String(roleA)},
			{Name: player, RoleArn: pulumi.String(roleB)},
		},
	}
}

// recorder adds what mocktest.Resource does not carry (RetainOnDelete) and
// gives access points the alias AWS computes.
type recorder struct {
	*mocktest.Mocks
	mu       sync.Mutex
	retained map[string]bool
}

func (r *recorder) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if rpc := a.RegisterRPC; rpc != nil && rpc.GetRetainOnDelete() {
		r.mu.Lock()
		r.retained[a.TypeToken+"::"+a.Name] = true
		r.mu.Unlock()
	}
	return r.Mocks.NewResource(a)
}

func (r *recorder) retainedOnDelete(typ, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.retained[typ+"::"+name]
}

// outputs are the component's team maps, read once the program has run.
type outputs struct {
	arns, aliases map[string]string
}

func run(t *testing.T, stack string, a *data.Args) (*recorder, outputs, error) {
	t.Helper()
	rec := &recorder{Mocks: &mocktest.Mocks{}, retained: map[string]bool{}}
	rec.Outputs = func(typ, name string, _ resource.PropertyMap) resource.PropertyMap {
		if typ == apType {
			return resource.PropertyMap{"alias": resource.NewStringProperty(name + "-abc123-s3alias")}
		}
		return nil
	}
	var out outputs
	done := make(chan struct{})
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		p, err := data.New(ctx, "data", a)
		if err != nil {
			close(done)
			return err
		}
		pulumi.All(p.AccessPointArns, p.AccessPointAliases).ApplyT(func(v []any) error {
			out.arns, out.aliases = v[0].(map[string]string), v[1].(map[string]string)
			close(done)
			return nil
		})
		return nil
	}, pulumi.WithMocks("aifactory", stack, rec))
	if err == nil {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the component's outputs never resolved")
		}
	}
	return rec, out, err
}

func build(t *testing.T, a *data.Args) (*recorder, outputs) {
	t.Helper()
	rec, out, err := run(t, "dev", a)
	require.NoError(t, err)
	return rec, out
}

// sibling returns the configuration resource of the bucket for purpose and
// checks that it is attached to that bucket.
func sibling(t *testing.T, m *recorder, typ, purpose string) mocktest.Resource {
	t.Helper()
	r := m.Named(t, typ, "data-"+purpose)
	require.Equal(t, "data-"+purpose+"-id", r.Str("bucket"), "%s must configure the %s bucket", typ, purpose)
	return r
}

func policyOf(t *testing.T, r mocktest.Resource) iamdoc.Document {
	t.Helper()
	doc, err := iamdoc.Parse(r.Str("policy"))
	require.NoError(t, err, "%s %s", r.Type, r.Name)
	require.Equal(t, iamdoc.Version, doc.Version)
	return doc
}

func TestBucketsAreNamedForPrefixPurposeAndAccount(t *testing.T) {
	m, _ := build(t, args())
	buckets := m.OfType(bucketType)
	require.Len(t, buckets, len(purposes))
	for _, p := range purposes {
		b := m.Named(t, bucketType, "data-"+p)
		name := b.Str("bucket")
		assert.Equal(t, "aifactory-dev-"+p+"-"+account, name)
		assert.LessOrEqual(t, len(name), 63)
		assert.Equal(t, strings.ToLower(name), name)
		assert.False(t, b.Bool("forceDestroy"), "a destroy never empties a bucket unless asked")
		assert.Equal(t, p, b.Tags()["purpose"])
	}
}

func TestDataAndModelBucketsUseTheDataKeyWithBucketKey(t *testing.T) {
	m, _ := build(t, args())
	type rule struct {
		ApplyServerSideEncryptionByDefault struct {
			SseAlgorithm   string `json:"sseAlgorithm"`
			KmsMasterKeyID string `json:"kmsMasterKeyId"`
		} `json:"applyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool `json:"bucketKeyEnabled"`
	}
	tests := []struct {
		purpose, algorithm, key string
		bucketKey               bool
	}{
		{data.DataPurpose, "aws:kms", dataKey, true},
		{data.ModelsPurpose, "aws:kms", dataKey, true},
		{data.AppLogsPurpose, "aws:kms", logsKey, true},
		// S3 server access logging supports only SSE-S3 on its target.
		{data.AccessLogsPurpose, "AES256", "", false},
	}
	require.Len(t, m.OfType(sseType), 4)
	for _, tt := range tests {
		t.Run(tt.purpose, func(t *testing.T) {
			var rules []rule
			require.NoError(t, sibling(t, m, sseType, tt.purpose).JSON("rules", &rules))
			require.Len(t, rules, 1)
			assert.Equal(t, tt.algorithm, rules[0].ApplyServerSideEncryptionByDefault.SseAlgorithm)
			assert.Equal(t, tt.key, rules[0].ApplyServerSideEncryptionByDefault.KmsMasterKeyID)
			assert.Equal(t, tt.bucketKey, rules[0].BucketKeyEnabled)
		})
	}
}

func TestEveryBucketIsVersionedPrivateAndOwnerEnforced(t *testing.T) {
	m, _ := build(t, args())
	for _, p := range purposes {
		t.Run(p, func(t *testing.T) {
			var versioning struct {
				Status string `json:"status"`
			}
			require.NoError(t, sibling(t, m, versionType, p).JSON("versioningConfiguration", &versioning))
			assert.Equal(t, "Enabled", versioning.Status)

			pab := sibling(t, m, pabType, p)
			for _, block := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				assert.True(t, pab.Bool(block), block)
			}

			var ownership struct {
				ObjectOwnership string `json:"objectOwnership"`
			}
			require.NoError(t, sibling(t, m, ownershipType, p).JSON("rule", &ownership))
			assert.Equal(t, "BucketOwnerEnforced", ownership.ObjectOwnership)
		})
	}
}

type lifecycleRule struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Filter *struct {
		Prefix string `json:"prefix"`
	} `json:"filter"`
	NoncurrentVersionExpiration *struct {
		NoncurrentDays int `json:"noncurrentDays"`
	} `json:"noncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation int `json:"daysAfterInitiation"`
	} `json:"abortIncompleteMultipartUpload"`
	Expiration *struct {
		Days int `json:"days"`
	} `json:"expiration"`
}

func TestLifecycleExpiresOldVersionsAndAbandonedUploads(t *testing.T) {
	tests := []struct {
		name                    string
		noncurrent, abort       int
		wantNoncurrent, wantAbt int
	}{
		{"safe defaults", 0, 0, data.DefaultNoncurrentVersionExpirationDays, data.DefaultAbortIncompleteMultipartDays},
		{"configured", 30, 3, 30, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			a.NoncurrentVersionExpirationDays, a.AbortIncompleteMultipartDays = tt.noncurrent, tt.abort
			m, _ := build(t, a)
			for _, p := range purposes {
				var rules []lifecycleRule
				require.NoError(t, sibling(t, m, lifecycleType, p).JSON("rules", &rules))
				var noncurrent, abort int
				for _, r := range rules {
					assert.Equal(t, "Enabled", r.Status, r.ID)
					require.NotNil(t, r.Filter, "rule %s must say which objects it covers", r.ID)
					assert.Empty(t, r.Filter.Prefix, "rule %s covers the whole bucket", r.ID)
					if r.NoncurrentVersionExpiration != nil {
						noncurrent = r.NoncurrentVersionExpiration.NoncurrentDays
					}
					if r.AbortIncompleteMultipartUpload != nil {
						abort = r.AbortIncompleteMultipartUpload.DaysAfterInitiation
					}
				}
				assert.Equal(t, tt.wantNoncurrent, noncurrent, "%s: noncurrent versions expire", p)
				assert.Equal(t, tt.wantAbt, abort, "%s: incomplete uploads abort", p)
			}
		})
	}
}

func TestLogsExpireAfterTheirRetention(t *testing.T) {
	m, _ := build(t, args())
	var rules []lifecycleRule
	for _, p := range []string{data.AccessLogsPurpose, data.AppLogsPurpose} {
		require.NoError(t, sibling(t, m, lifecycleType, p).JSON("rules", &rules))
		var days int
		for _, r := range rules {
			if r.Expiration != nil {
				days = r.Expiration.Days
			}
		}
		assert.Equal(t, 30, days, p)
	}
	for _, p := range []string{data.DataPurpose, data.ModelsPurpose} {
		require.NoError(t, sibling(t, m, lifecycleType, p).JSON("rules", &rules))
		for _, r := range rules {
			assert.Nil(t, r.Expiration, "%s: current data and models never expire by lifecycle (captured data: TestCapturedDataExpires)", p)
		}
	}
}

// TestCapturedDataExpires: nobody may delete captured data, so S3 expires
// it, per serving team, under that team's serving/ only.
func TestCapturedDataExpires(t *testing.T) {
	for _, tc := range []struct {
		name       string
		days, want int
	}{
		{"default", 0, data.DefaultCaptureRetentionDays},
		{"configured", 365, 365},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := args()
			a.CaptureRetentionDays = tc.days
			a.Teams[0].ServingRoleArn = "arn:aws:iam::" + scopetest.Dev().AccountID + ":role/aifactory-dev-jackpot-analytics-serving"
			m, _ := build(t, a)
			var rules []lifecycleRule
			require.NoError(t, sibling(t, m, lifecycleType, data.DataPurpose).JSON("rules", &rules))
			expiring := map[string]int{}
			for _, r := range rules {
				if r.Expiration != nil {
					require.NotNil(t, r.Filter, r.ID)
					expiring[r.Filter.Prefix] = r.Expiration.Days
				}
			}
			assert.Equal(t, map[string]int{"teams/" + jackpot + "/serving/": tc.want}, expiring,
				"only the serving team's captured data expires; a team without a serving role captures nothing")
			require.NoError(t, sibling(t, m, lifecycleType, data.ModelsPurpose).JSON("rules", &rules))
			for _, r := range rules {
				assert.Nil(t, r.Expiration, "models never expire by lifecycle")
			}
		})
	}
}

func TestEveryBucketButTheAccessLogsLogsToTheAccessLogBucket(t *testing.T) {
	m, _ := build(t, args())
	require.Len(t, m.OfType(loggingType), 3, "the access-log bucket is not logged into itself")
	for _, p := range []string{data.DataPurpose, data.ModelsPurpose, data.AppLogsPurpose} {
		l := sibling(t, m, loggingType, p)
		assert.Equal(t, "data-"+data.AccessLogsPurpose+"-id", l.Str("targetBucket"))
		assert.Equal(t, p+"/", l.Str("targetPrefix"))
	}
}

// Request contexts as S3 builds them.
func ctxKeys(extra ...string) map[string]string {
	keys := map[string]string{"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:PrincipalIsAWSService": "false"}
	for i := 0; i+1 < len(extra); i += 2 {
		keys[extra[i]] = extra[i+1]
	}
	return keys
}

func fromVPC(extra ...string) map[string]string {
	return ctxKeys(append([]string{"aws:SourceVpce", vpce}, extra...)...)
}

func throughAccessPoint(apArn string, extra ...string) map[string]string {
	return fromVPC(append([]string{"s3:DataAccessPointArn", apArn, "s3:DataAccessPointAccount", account, "s3:AccessPointNetworkOrigin", "VPC"}, extra...)...)
}

func TestBucketPoliciesKeepObjectsInsideThePerimeter(t *testing.T) {
	m, _ := build(t, args())
	require.Len(t, m.OfType(policyType), len(purposes))
	for _, p := range []string{data.DataPurpose, data.ModelsPurpose, data.AppLogsPurpose} {
		t.Run(p, func(t *testing.T) {
			doc := policyOf(t, sibling(t, m, policyType, p))
			bucket := "arn:aws:s3:::aifactory-dev-" + p + "-" + account
			object := bucket + "/teams/" + jackpot + "/train.parquet"
			tests := []struct {
				name string
				r    request
				want string
			}{
				{"read from the VPC over TLS is left to IAM", request{principal: admin, action: "s3:GetObject", resource: object, keys: fromVPC()}, noOpinion},
				{"write from the VPC over TLS is left to IAM", request{principal: admin, action: "s3:PutObject", resource: object, keys: fromVPC()}, noOpinion},
				{"plain HTTP", request{principal: admin, action: "s3:GetObject", resource: object, keys: fromVPC("aws:SecureTransport", "false")}, denied},
				{"plain HTTP on bucket configuration", request{principal: admin, action: "s3:PutBucketPolicy", resource: bucket, keys: ctxKeys("aws:SecureTransport", "false")}, denied},
				{"TLS 1.1", request{principal: admin, action: "s3:GetObject", resource: object, keys: fromVPC("s3:TlsVersion", "1.1")}, denied},
				{"read from the internet", request{principal: admin, action: "s3:GetObject", resource: object, keys: ctxKeys()}, denied},
				{"read a version from the internet", request{principal: admin, action: "s3:GetObjectVersion", resource: object, keys: ctxKeys()}, denied},
				{"write from the internet", request{principal: admin, action: "s3:PutObject", resource: object, keys: ctxKeys()}, denied},
				{"delete from the internet", request{principal: admin, action: "s3:DeleteObject", resource: object, keys: ctxKeys()}, denied},
				{"read through another VPC's endpoint", request{principal: admin, action: "s3:GetObject", resource: object, keys: ctxKeys("aws:SourceVpce", "vpce-elsewhere")}, denied},
				{"deployer manages the bucket from outside the VPC", request{principal: deployer, action: "s3:PutBucketPolicy", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"deployer reads the bucket (HeadBucket) from outside the VPC", request{principal: deployer, action: "s3:ListBucket", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"deployer reads versioning from outside the VPC", request{principal: deployer, action: "s3:GetBucketVersioning", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"deployer deletes the bucket", request{principal: deployer, action: "s3:DeleteBucket", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"another role changes the policy from outside the VPC", request{principal: admin, action: "s3:PutBucketPolicy", resource: bucket, keys: ctxKeys()}, denied},
				{"another role changes the policy from the VPC", request{principal: admin, action: "s3:PutBucketPolicy", resource: bucket, keys: fromVPC()}, denied},
				{"another role adds a replication rule", request{principal: admin, action: "s3:PutReplicationConfiguration", resource: bucket, keys: fromVPC()}, denied},
				{"another role turns off the public access block", request{principal: admin, action: "s3:PutBucketPublicAccessBlock", resource: bucket, keys: fromVPC()}, denied},
				{"another role deletes the bucket", request{principal: admin, action: "s3:DeleteBucket", resource: bucket, keys: fromVPC()}, denied},
				{"another role lists from outside the VPC", request{principal: admin, action: "s3:ListBucket", resource: bucket, keys: ctxKeys()}, denied},
				{"another role lists versions from outside the VPC", request{principal: admin, action: "s3:ListBucketVersions", resource: bucket, keys: ctxKeys()}, denied},
				{"another role reads the policy from outside the VPC", request{principal: admin, action: "s3:GetBucketPolicy", resource: bucket, keys: ctxKeys()}, denied},
				{"another role reads replication from outside the VPC", request{principal: admin, action: "s3:GetReplicationConfiguration", resource: bucket, keys: ctxKeys()}, denied},
				{"locating the bucket from the VPC is left to IAM", request{principal: admin, action: "s3:GetBucketLocation", resource: bucket, keys: fromVPC()}, noOpinion},
			}
			// Inside the VPC the data and model buckets are listed only by
			// the platform (TestDirectListingAndConfigurationReads...); the
			// application logs are left to IAM.
			inVPC := noOpinion
			if p != data.AppLogsPurpose {
				inVPC = denied
			}
			tests = append(tests, struct {
				name string
				r    request
				want string
			}{"another role lists from the VPC", request{principal: admin, action: "s3:ListBucket", resource: bucket, keys: fromVPC()}, inVPC})
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
				})
			}
		})
	}
}

func TestDataBucketDelegatesToThePlatformsAccessPoints(t *testing.T) {
	m, _ := build(t, args())
	dataDoc := policyOf(t, sibling(t, m, policyType, data.DataPurpose))
	modelsDoc := policyOf(t, sibling(t, m, policyType, data.ModelsPurpose))
	object := "arn:aws:s3:::aifactory-dev-data-" + account + "/teams/" + jackpot + "/x"
	teamAP := scopetest.Dev().AccessPointARN("dev-" + jackpot)
	otherEnvAP := scopetest.Dev().AccessPointARN("prod-" + jackpot)

	assert.Equal(t, allowed, evaluate(t, dataDoc, request{principal: roleA, action: "s3:GetObject", resource: object, keys: throughAccessPoint(teamAP)}),
		"the bucket allows what the team's access point allows")
	assert.Equal(t, allowed, evaluate(t, dataDoc, request{principal: roleA, action: "s3:ListBucket", resource: "arn:aws:s3:::aifactory-dev-data-" + account,
		keys: throughAccessPoint(teamAP, "s3:prefix", "teams/"+jackpot+"/")}))
	assert.Equal(t, noOpinion, evaluate(t, dataDoc, request{principal: roleA, action: "s3:GetObject", resource: object, keys: throughAccessPoint(otherEnvAP)}),
		"access points of another environment get no delegation")
	internetOrigin := fromVPC("s3:DataAccessPointArn", teamAP, "s3:DataAccessPointAccount", account, "s3:AccessPointNetworkOrigin", "Internet")
	assert.Equal(t, denied, evaluate(t, dataDoc, request{principal: roleA, action: "s3:GetObject", resource: object, keys: internetOrigin}),
		"an access point of a platform name but internet origin gets nothing")
	assert.Equal(t, denied, evaluate(t, dataDoc, request{principal: roleA, action: "s3:ListBucket", resource: "arn:aws:s3:::aifactory-dev-data-" + account, keys: internetOrigin}))
	foreign := fromVPC("s3:DataAccessPointArn", "arn:aws:s3:eu-west-1:999999999999:accesspoint/dev-x", "s3:DataAccessPointAccount", "999999999999",
		"s3:AccessPointNetworkOrigin", "VPC")
	assert.Equal(t, noOpinion, evaluate(t, dataDoc, request{principal: roleA, action: "s3:GetObject", resource: object, keys: foreign}),
		"access points of another account get no delegation")
	assert.Equal(t, noOpinion, evaluate(t, modelsDoc, request{principal: roleA, action: "s3:GetObject", resource: "arn:aws:s3:::aifactory-dev-models-" + account + "/m",
		keys: throughAccessPoint(teamAP)}), "the models bucket delegates to no access point")

	for _, st := range dataDoc.Statement {
		if st.Effect == iamdoc.Allow {
			assert.Equal(t, iamdoc.Strings{account}, st.Condition["StringEquals"]["s3:DataAccessPointAccount"], "every Allow is a delegation to this account's access points")
			assert.False(t, st.Action.Contains("s3:*"))
		}
	}
}

func TestLogBucketAdmitsOnlyLogDeliveryFromTheSourceBuckets(t *testing.T) {
	m, _ := build(t, args())
	doc := policyOf(t, sibling(t, m, policyType, data.AccessLogsPurpose))
	logs := "arn:aws:s3:::aifactory-dev-access-logs-" + account
	delivery := func(source, key string) request {
		return request{service: data.LogDeliveryService, action: "s3:PutObject", resource: logs + "/" + key,
			keys: ctxKeys("aws:PrincipalIsAWSService", "true", "aws:SourceArn", source, "aws:SourceAccount", account)}
	}
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"data bucket logs", delivery("arn:aws:s3:::aifactory-dev-data-"+account, "data/2026-01-01-00-00-00-ABC"), allowed},
		{"models bucket logs", delivery("arn:aws:s3:::aifactory-dev-models-"+account, "models/2026-01-01-00-00-00-ABC"), allowed},
		{"some other bucket's logs", delivery("arn:aws:s3:::someone-else", "data/x"), noOpinion},
		{"logs outside the source's prefix", delivery("arn:aws:s3:::aifactory-dev-data-"+account, "models/x"), noOpinion},
		{"a role writing into the log bucket from the VPC", request{principal: admin, action: "s3:PutObject", resource: logs + "/data/forged", keys: fromVPC()}, denied},
		{"an auditor reading logs from the VPC", request{principal: admin, action: "s3:GetObject", resource: logs + "/data/x", keys: fromVPC()}, noOpinion},
		{"reading logs from the internet", request{principal: admin, action: "s3:GetObject", resource: logs + "/data/x", keys: ctxKeys()}, denied},
		{"reading logs over plain HTTP", request{principal: admin, action: "s3:GetObject", resource: logs + "/data/x", keys: fromVPC("aws:SecureTransport", "false")}, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}
}

func TestEveryTeamGetsAVPCOnlyPrivateAccessPoint(t *testing.T) {
	m, out := build(t, args())
	aps := m.OfType(apType)
	require.Len(t, aps, 2)
	for _, team := range []string{jackpot, player} {
		ap := m.Named(t, apType, "data-"+team)
		assert.Equal(t, "dev-"+team, ap.Str("name"))
		assert.Equal(t, "aifactory-dev-data-"+account, ap.Str("bucket"), "access points sit on the data bucket")
		assert.Equal(t, account, ap.Str("accountId"))
		var vpc struct {
			VpcID string `json:"vpcId"`
		}
		require.NoError(t, ap.JSON("vpcConfiguration", &vpc))
		assert.Equal(t, "vpc-0platform", vpc.VpcID, "network origin is the platform's VPC")
		var pab map[string]bool
		require.NoError(t, ap.JSON("publicAccessBlockConfiguration", &pab))
		for _, block := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			assert.True(t, pab[block], "%s %s", team, block)
		}
	}
	assert.Equal(t, map[string]string{
		jackpot: "arn:aws:mock:eu-west-1:123456789012:aws:s3/accessPoint:AccessPoint/data-" + jackpot,
		player:  "arn:aws:mock:eu-west-1:123456789012:aws:s3/accessPoint:AccessPoint/data-" + player,
	}, out.arns)
	assert.Equal(t, map[string]string{jackpot: "data-" + jackpot + "-abc123-s3alias", player: "data-" + player + "-abc123-s3alias"}, out.aliases)
}

func TestAccessPointPoliciesConfineEachTeamToItsPrefix(t *testing.T) {
	m, _ := build(t, args())
	roles := map[string]string{jackpot: roleA, player: roleB}
	for team, role := range roles {
		t.Run(team, func(t *testing.T) {
			doc := policyOf(t, m.Named(t, apType, "data-"+team))
			ap := scopetest.Dev().AccessPointARN("dev-" + team)
			own := ap + "/object/teams/" + team + "/features/part-0.parquet"
			other := jackpot
			if team == jackpot {
				other = player
			}
			otherRole := roles[other]
			theirs := ap + "/object/teams/" + other + "/features/part-0.parquet"
			tests := []struct {
				name string
				r    request
				want string
			}{
				{"team reads its prefix", request{principal: role, action: "s3:GetObject", resource: own, keys: throughAccessPoint(ap)}, allowed},
				{"team writes its prefix", request{principal: role, action: "s3:PutObject", resource: own, keys: throughAccessPoint(ap)}, allowed},
				{"team deletes in its prefix (a delete marker)", request{principal: role, action: "s3:DeleteObject", resource: own, keys: throughAccessPoint(ap)}, allowed},
				{"team lists its prefix", request{principal: role, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap, "s3:prefix", "teams/"+team+"/")}, allowed},
				{"team lists below its prefix", request{principal: role, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap, "s3:prefix", "teams/"+team+"/features/")}, allowed},
				{"team reads another team's prefix", request{principal: role, action: "s3:GetObject", resource: theirs, keys: throughAccessPoint(ap)}, denied},
				{"team writes outside any team prefix", request{principal: role, action: "s3:PutObject", resource: ap + "/object/shared/x", keys: throughAccessPoint(ap)}, denied},
				{"team deletes a version for good", request{principal: role, action: "s3:DeleteObjectVersion", resource: own, keys: throughAccessPoint(ap)}, denied},
				{"team lists every team", request{principal: role, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap, "s3:prefix", "teams/")}, denied},
				{"team lists the whole bucket", request{principal: role, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap)}, denied},
				{"team lists a prefix that shares its name's start", request{principal: role, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap, "s3:prefix", "teams/"+team)}, denied},
				{"team lists versions of another prefix", request{principal: role, action: "s3:ListBucketVersions", resource: ap, keys: throughAccessPoint(ap, "s3:prefix", "teams/"+other+"/")}, denied},
				{"other team's role reads through this access point", request{principal: otherRole, action: "s3:GetObject", resource: own, keys: throughAccessPoint(ap, "aws:PrincipalArn", otherRole)}, denied},
				{"other team's role lists through this access point", request{principal: otherRole, action: "s3:ListBucket", resource: ap, keys: throughAccessPoint(ap, "aws:PrincipalArn", otherRole, "s3:prefix", "teams/"+team+"/")}, denied},
				{"an administrator reads through this access point", request{principal: admin, action: "s3:GetObject", resource: own, keys: throughAccessPoint(ap, "aws:PrincipalArn", admin)}, denied},
				{"the deployer updates the access point policy", request{principal: admin, action: "s3:PutAccessPointPolicy", resource: ap, keys: ctxKeys("aws:PrincipalArn", admin)}, noOpinion},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if tt.r.keys["aws:PrincipalArn"] == "" {
						tt.r.keys["aws:PrincipalArn"] = tt.r.principal
					}
					assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
				})
			}
			for _, st := range doc.Statement {
				if st.Effect != iamdoc.Allow {
					continue
				}
				assert.Equal(t, iamdoc.Strings{role}, st.Principal.AWS, "only the team's role is granted anything")
				assert.False(t, st.Principal.Any)
				for _, r := range st.Resource {
					within := r == ap || strings.HasPrefix(r, ap+"/object/teams/"+team+"/")
					assert.True(t, within, "%s's policy grants %s, beyond its access point and prefix (such as %s's)", team, r, other)
				}
			}
		})
	}
}

func TestPolicyStatementIdsAreUniqueAndAlphanumeric(t *testing.T) {
	a := args()
	a.Teams = append(a.Teams, data.Team{Name: "closed-team"})
	m, _ := build(t, a)
	policies := append(m.OfType(policyType), m.OfType(apType)...)
	require.Len(t, policies, len(purposes)+len(a.Teams))
	for _, r := range policies {
		seen := map[string]bool{}
		for _, st := range policyOf(t, r).Statement {
			assert.Regexp(t, `^[A-Za-z0-9]+$`, st.Sid, "%s %s", r.Type, r.Name)
			assert.False(t, seen[st.Sid], "%s %s: statement id %s used twice", r.Type, r.Name, st.Sid)
			seen[st.Sid] = true
		}
	}
}

func TestTeamWithoutARoleGetsAClosedAccessPoint(t *testing.T) {
	a := args()
	a.Teams[1].RoleArn = nil
	m, _ := build(t, a)
	doc := policyOf(t, m.Named(t, apType, "data-"+player))
	ap := scopetest.Dev().AccessPointARN("dev-" + player)
	for _, st := range doc.Statement {
		assert.Equal(t, iamdoc.Deny, st.Effect, "a team without a role is granted nothing")
	}
	for _, principal := range []string{roleA, roleB, admin} {
		for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"} {
			r := request{principal: principal, action: action, resource: ap + "/object/teams/" + player + "/x",
				keys: throughAccessPoint(ap, "aws:PrincipalArn", principal, "s3:prefix", "teams/"+player+"/")}
			if action == "s3:ListBucket" {
				r.resource = ap
			}
			assert.Equal(t, denied, evaluate(t, doc, r), "%s %s", principal, action)
		}
	}
	assert.Len(t, m.OfType(apType), 2, "the team still gets its access point")
}

func TestOnlyARoleCanBeATeamsPrincipal(t *testing.T) {
	for _, bad := range []string{"*", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice", "123456789012"} {
		t.Run(bad, func(t *testing.T) {
			a := args()
			a.Teams[0].RoleArn = pulumi.String(bad)
			_, _, err := run(t, "dev", a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "RoleArn")
			assert.Contains(t, err.Error(), jackpot)
		})
	}
}

func TestAnEmptyEndpointListIsRejected(t *testing.T) {
	a := args()
	a.VpcEndpointIDs = pulumi.StringArray{}
	_, _, err := run(t, "dev", a)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "VpcEndpointIDs")
}

func TestProtectedBucketsSurviveADestroy(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*data.Args)
		protect bool
	}{
		{"prod", func(a *data.Args) { a.Environment, a.Prefix, a.Protect = "prod", "aifactory-prod", true }, true},
		{"dev", func(*data.Args) {}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, _ := build(t, a)
			for _, b := range m.OfType(bucketType) {
				assert.Equal(t, tt.protect, b.Protect, "%s protected", b.Name)
				assert.Equal(t, tt.protect, m.retainedOnDelete(bucketType, b.Name), "%s retained on delete", b.Name)
			}
		})
	}
}

func TestEveryChildIsParentedToTheComponent(t *testing.T) {
	m, _ := build(t, args())
	for _, r := range m.Resources() {
		if r.Type == data.Type {
			continue
		}
		assert.Contains(t, r.Parent, data.Type, "%s %s", r.Type, r.Name)
	}
}

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name string
		edit func(*data.Args)
		want string
	}{
		{"prefix with spaces", func(a *data.Args) { a.Prefix = "AI Factory" }, "Prefix"},
		{"prefix too long for the log bucket name", func(a *data.Args) { a.Prefix = strings.Repeat("a", 39) }, "Prefix"},
		{"reserved prefix", func(a *data.Args) { a.Prefix = "xn--factory" }, "Prefix"},
		{"environment in capitals", func(a *data.Args) { a.Environment = "Prod" }, "Environment"},
		{"account id", func(a *data.Args) { a.AccountID = "1234" }, "AccountID"},
		{"no region", func(a *data.Args) { a.Region = "" }, "Region"},
		{"no VPC", func(a *data.Args) { a.VpcID = nil }, "VpcID"},
		{"no endpoints", func(a *data.Args) { a.VpcEndpointIDs = nil }, "VpcEndpointIDs"},
		{"no data key", func(a *data.Args) { a.DataKeyArn = nil }, "DataKeyArn"},
		{"logs kept forever", func(a *data.Args) { a.AccessLogRetentionDays = 0 }, "AccessLogRetentionDays"},
		{"negative noncurrent expiry", func(a *data.Args) { a.NoncurrentVersionExpirationDays = -1 }, "NoncurrentVersionExpirationDays"},
		{"negative upload abort", func(a *data.Args) { a.AbortIncompleteMultipartDays = -7 }, "AbortIncompleteMultipartDays"},
		{"negative capture retention", func(a *data.Args) { a.CaptureRetentionDays = -1 }, "CaptureRetentionDays"},
		{"capture kept for decades", func(a *data.Args) { a.CaptureRetentionDays = 3651 }, "CaptureRetentionDays"},
		{"unprotected prod", func(a *data.Args) { a.Environment = "prod" }, "Protect"},
		{"force destroy in prod", func(a *data.Args) { a.Environment, a.Protect, a.ForceDestroy = "prod", true, true }, "ForceDestroy"},
		{"force destroy of protected buckets", func(a *data.Args) { a.Protect, a.ForceDestroy = true, true }, "ForceDestroy"},
		{"team name in capitals", func(a *data.Args) { a.Teams[1].Name = "Player-Insights" }, "Teams[1].Name"},
		{"team name too short", func(a *data.Args) { a.Teams[0].Name = "a" }, "Teams[0].Name"},
		{"team name too long", func(a *data.Args) { a.Teams[0].Name = strings.Repeat("a", 33) }, "Teams[0].Name"},
		{"team name with double hyphen", func(a *data.Args) { a.Teams[0].Name = "jackpot--analytics" }, "Teams[0].Name"},
		{"team name ending in a hyphen", func(a *data.Args) { a.Teams[0].Name = "jackpot-" }, "Teams[0].Name"},
		{"team name with a dot", func(a *data.Args) { a.Teams[0].Name = "jackpot.analytics" }, "Teams[0].Name"},
		{"team listed twice", func(a *data.Args) { a.Teams[1].Name = jackpot }, "Teams[1].Name"},
		{"reserved access point suffix", func(a *data.Args) { a.Teams[0].Name = "x-s3alias" }, "Teams[0].Name"},
		{"no deployer", func(a *data.Args) { a.DeployerRoleArn = "" }, "DeployerRoleArn"},
		{"a user as deployer", func(a *data.Args) { a.DeployerRoleArn = "arn:aws:iam::123456789012:user/ci" }, "DeployerRoleArn"},
		{"a deployer of another account", func(a *data.Args) { a.DeployerRoleArn = "arn:aws:iam::999999999999:role/deployer" }, "DeployerRoleArn"},
		{"another prefix's bucket logging here", func(a *data.Args) {
			a.ExtraLogSources = []data.LogSource{{BucketArn: "arn:aws:s3:::someone-else", Prefix: "audit/"}}
		}, "ExtraLogSources[0].BucketArn"},
		{"a lister outside the platform", func(a *data.Args) { a.DirectListers = []string{"arn:aws:iam::123456789012:role/admin"} }, "DirectListers[0]"},
		{"every platform role as lister", func(a *data.Args) { a.DirectListers = []string{"arn:aws:iam::123456789012:role/aifactory-dev-*"} }, "DirectListers[0]"},
		{"a configuration reader of another account", func(a *data.Args) {
			a.ConfigReaders = []string{"arn:aws:iam::999999999999:role/aifactory-dev-config-recorder"}
		}, "ConfigReaders[0]"},
		{"a wildcard inside a configuration reader", func(a *data.Args) {
			a.ConfigReaders = []string{"arn:aws:iam::123456789012:role/aifactory-dev-*-recorder"}
		}, "ConfigReaders[0]"},
		{"an extra log source under a bucket's own prefix", func(a *data.Args) {
			a.ExtraLogSources = []data.LogSource{{BucketArn: "arn:aws:s3:::aifactory-dev-audit-" + account, Prefix: "data/"}}
		}, "ExtraLogSources[0].Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, _, err := run(t, "dev", a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestAllProblemsAreReportedTogether(t *testing.T) {
	a := args()
	a.Prefix, a.AccessLogRetentionDays, a.Teams[0].Name = "", 0, "A"
	_, _, err := run(t, "dev", a)
	require.Error(t, err)
	for _, field := range []string{"Prefix", "AccessLogRetentionDays", "Teams[0].Name"} {
		assert.Contains(t, err.Error(), field)
	}
}

func TestNoTeamsMeansNoAccessPoints(t *testing.T) {
	a := args()
	a.Teams = nil
	m, out := build(t, a)
	assert.Empty(t, m.OfType(apType))
	assert.Len(t, m.OfType(bucketType), len(purposes))
	assert.Empty(t, out.arns)
}

func TestServiceAccessExemptsOnlyItsRoleAndOnlyItsPrefix(t *testing.T) {
	a := args()
	studioRole := "arn:aws:iam::" + account + ":role/aifactory-dev-emr-studio-service"
	a.ServiceAccess = []data.ServiceAccess{{Prefix: "emr-studio/", RoleArn: studioRole}}
	m, _ := build(t, a)
	doc := policyOf(t, sibling(t, m, policyType, data.DataPurpose))
	bucket := "arn:aws:s3:::aifactory-dev-data-" + account
	as := func(principal string) map[string]string { return ctxKeys("aws:PrincipalArn", principal) }
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"the service role saves a workspace from AWS's network", request{principal: studioRole, action: "s3:PutObject", resource: bucket + "/emr-studio/ws-1/notebook.ipynb", keys: as(studioRole)}, noOpinion},
		{"the service role cannot reach team data from outside", request{principal: studioRole, action: "s3:GetObject", resource: bucket + "/teams/" + jackpot + "/x", keys: as(studioRole)}, denied},
		{"anyone else is still kept out of the service prefix", request{principal: admin, action: "s3:GetObject", resource: bucket + "/emr-studio/ws-1/notebook.ipynb", keys: as(admin)}, denied},
		{"anyone else still reaches it from the VPC", request{principal: admin, action: "s3:GetObject", resource: bucket + "/emr-studio/ws-1/notebook.ipynb", keys: fromVPC("aws:PrincipalArn", admin)}, noOpinion},
		{"plain HTTP is refused even to the service role", request{principal: studioRole, action: "s3:PutObject", resource: bucket + "/emr-studio/x", keys: ctxKeys("aws:PrincipalArn", studioRole, "aws:SecureTransport", "false")}, denied},
		{"the service role reads the bucket's encryption from AWS's network", request{principal: studioRole, action: "s3:GetEncryptionConfiguration", resource: bucket, keys: as(studioRole)}, noOpinion},
		{"the service role lists from AWS's network (its IAM policy limits the prefix)", request{principal: studioRole, action: "s3:ListBucket", resource: bucket, keys: as(studioRole)}, noOpinion},
		{"the service role cannot change the bucket", request{principal: studioRole, action: "s3:PutBucketPolicy", resource: bucket, keys: as(studioRole)}, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}

	models := policyOf(t, sibling(t, m, policyType, data.ModelsPurpose))
	assert.Equal(t, denied, evaluate(t, models, request{principal: studioRole, action: "s3:PutObject",
		resource: "arn:aws:s3:::aifactory-dev-models-" + account + "/emr-studio/x", keys: as(studioRole)}), "the exemption is the data bucket's only")
}

// A team's service role (serverless inference reading the team's model
// artefacts) is exempt below the team's prefix only, and only itself.
func TestTeamServiceAccessExemptsOnlyItsRoleBelowItsTeamsPrefix(t *testing.T) {
	a := args()
	servingRole := "arn:aws:iam::" + account + ":role/aifactory-dev-serving-" + jackpot
	a.ServiceAccess = []data.ServiceAccess{{Prefix: "teams/" + jackpot + "/models/", RoleArn: servingRole, Team: jackpot}}
	m, _ := build(t, a)
	doc := policyOf(t, sibling(t, m, policyType, data.DataPurpose))
	bucket := "arn:aws:s3:::aifactory-dev-data-" + account
	as := func(principal string) map[string]string { return ctxKeys("aws:PrincipalArn", principal) }
	artefact := bucket + "/teams/" + jackpot + "/models/churn/3/model.tar.gz"
	for _, tt := range []struct {
		name string
		r    request
		want string
	}{
		{"the serving role reads its artefacts from AWS's network", request{principal: servingRole, action: "s3:GetObject", resource: artefact, keys: as(servingRole)}, noOpinion},
		{"but nothing else of its team's prefix", request{principal: servingRole, action: "s3:GetObject", resource: bucket + "/teams/" + jackpot + "/features/x", keys: as(servingRole)}, denied},
		{"nor another team's artefacts", request{principal: servingRole, action: "s3:GetObject", resource: bucket + "/teams/other/models/x", keys: as(servingRole)}, denied},
		{"anyone else stays outside", request{principal: admin, action: "s3:GetObject", resource: artefact, keys: as(admin)}, denied},
		{"the team still reaches it through its access point", request{principal: roleA, action: "s3:GetObject", resource: artefact,
			keys: ctxKeys("aws:PrincipalArn", roleA, "s3:DataAccessPointArn", "arn:aws:s3:eu-west-1:"+account+":accesspoint/dev-"+jackpot,
				"s3:DataAccessPointAccount", account, "s3:AccessPointNetworkOrigin", "VPC")}, allowed},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, evaluate(t, doc, tt.r)) })
	}
}

func TestServiceAccessIsValidated(t *testing.T) {
	tests := []struct {
		name string
		sa   data.ServiceAccess
		want string
	}{
		{"team prefix", data.ServiceAccess{Prefix: "teams/x/", RoleArn: roleA}, "ServiceAccess[0].Prefix"},
		{"no trailing slash", data.ServiceAccess{Prefix: "emr-studio", RoleArn: roleA}, "ServiceAccess[0].Prefix"},
		{"whole bucket", data.ServiceAccess{Prefix: "", RoleArn: roleA}, "ServiceAccess[0].Prefix"},
		{"wildcard role", data.ServiceAccess{Prefix: "emr-studio/", RoleArn: "*"}, "ServiceAccess[0].RoleArn"},
		{"account root", data.ServiceAccess{Prefix: "emr-studio/", RoleArn: "arn:aws:iam::" + account + ":root"}, "ServiceAccess[0].RoleArn"},
		{"a team's whole prefix", data.ServiceAccess{Prefix: "teams/" + jackpot + "/", RoleArn: roleA, Team: jackpot}, "never the whole team prefix"},
		{"another team's prefix", data.ServiceAccess{Prefix: "teams/" + jackpot + "/models/", RoleArn: roleA, Team: "player-insights-x"}, "never the whole team prefix"},
		{"a team that is not one", data.ServiceAccess{Prefix: "teams/nobody/models/", RoleArn: roleA, Team: "nobody"}, "of a team of Teams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			a.ServiceAccess = []data.ServiceAccess{tt.sa}
			_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				_, err := data.New(ctx, "data", a)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLogBucketAdmitsTheExtraLogSourcesUnderTheirOwnPrefix(t *testing.T) {
	a := args()
	audit := "arn:aws:s3:::aifactory-dev-audit-" + account
	a.ExtraLogSources = []data.LogSource{{BucketArn: audit, Prefix: "audit/"}}
	m, _ := build(t, a)
	doc := policyOf(t, sibling(t, m, policyType, data.AccessLogsPurpose))
	logs := "arn:aws:s3:::aifactory-dev-access-logs-" + account
	delivery := func(source, key string) request {
		return request{service: data.LogDeliveryService, action: "s3:PutObject", resource: logs + "/" + key,
			keys: ctxKeys("aws:PrincipalIsAWSService", "true", "aws:SourceArn", source, "aws:SourceAccount", account)}
	}
	assert.Equal(t, allowed, evaluate(t, doc, delivery(audit, "audit/2026-01-01-00-00-00-ABC")))
	assert.Equal(t, noOpinion, evaluate(t, doc, delivery(audit, "data/x")), "only under its own prefix")
	assert.Equal(t, allowed, evaluate(t, doc, delivery("arn:aws:s3:::aifactory-dev-data-"+account, "data/x")), "the perimeter's own buckets still log")
}

func TestDirectListingAndConfigurationReadsOnlyByThePlatform(t *testing.T) {
	sc := scopetest.Dev()
	nodeRoleA := sc.RoleARN("aifactory-dev-emr-nodes-" + jackpot)
	recorder := sc.RoleARN("aifactory-dev-config-recorder")
	studioRole := sc.RoleARN("aifactory-dev-emr-studio-" + jackpot)
	servingRole := sc.RoleARN("aifactory-dev-serving-" + jackpot)
	approver := sc.RoleARN("jackpot-model-approver")
	a := args()
	a.DirectListers = []string{sc.RoleARN("aifactory-dev-emr-nodes-*")}
	a.ConfigReaders = []string{recorder}
	a.Teams[0].ModelApproverArns = []string{approver}
	a.ServiceAccess = []data.ServiceAccess{
		{Prefix: "emr-studio/" + jackpot + "/", RoleArn: studioRole},
		{Prefix: "teams/" + jackpot + "/models/approved/", RoleArn: servingRole, Team: jackpot},
	}
	m, _ := build(t, a)
	teamAP := sc.AccessPointARN("dev-" + jackpot)
	dataDoc := policyOf(t, sibling(t, m, policyType, data.DataPurpose))
	apDoc := policyOf(t, m.Named(t, apType, "data-"+jackpot))
	prefix := func(p string) map[string]string { return fromVPC("s3:prefix", p) }

	for _, p := range []string{data.DataPurpose, data.ModelsPurpose} {
		t.Run(p, func(t *testing.T) {
			doc := policyOf(t, sibling(t, m, policyType, p))
			bucket := "arn:aws:s3:::aifactory-dev-" + p + "-" + account
			tests := []struct {
				name string
				r    request
				want string
			}{
				// A role of the account granted s3:* on * by its identity
				// policies, inside the VPC (through the gateway endpoint).
				{"a broad role lists the bucket", request{principal: admin, action: "s3:ListBucket", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role lists a team's prefix", request{principal: admin, action: "s3:ListBucket", resource: bucket, keys: prefix("teams/" + jackpot + "/")}, denied},
				{"a broad role lists versions", request{principal: admin, action: "s3:ListBucketVersions", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role lists uploads", request{principal: admin, action: "s3:ListBucketMultipartUploads", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads the policy", request{principal: admin, action: "s3:GetBucketPolicy", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads replication", request{principal: admin, action: "s3:GetReplicationConfiguration", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads encryption", request{principal: admin, action: "s3:GetEncryptionConfiguration", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads lifecycle", request{principal: admin, action: "s3:GetLifecycleConfiguration", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads the ACL", request{principal: admin, action: "s3:GetBucketAcl", resource: bucket, keys: fromVPC()}, denied},
				{"a broad role reads the public access block", request{principal: admin, action: "s3:GetBucketPublicAccessBlock", resource: bucket, keys: fromVPC()}, denied},
				{"a role named like a platform role but not named by the stack lists", request{principal: sc.RoleARN("aifactory-dev-anything"), action: "s3:ListBucket", resource: bucket, keys: fromVPC()}, denied},
				{"a team's role lists directly", request{principal: roleA, action: "s3:ListBucket", resource: bucket, keys: prefix("teams/" + jackpot + "/")}, denied},
				{"a team's serving role lists directly", request{principal: servingRole, action: "s3:ListBucket", resource: bucket, keys: fromVPC()}, denied},
				{"an EMR node role reads the policy", request{principal: nodeRoleA, action: "s3:GetBucketPolicy", resource: bucket, keys: fromVPC()}, denied},
				{"the Config recorder lists", request{principal: recorder, action: "s3:ListBucket", resource: bucket, keys: ctxKeys()}, denied},
				{"locating the bucket is left to IAM", request{principal: admin, action: "s3:GetBucketLocation", resource: bucket, keys: fromVPC()}, noOpinion},
				{"the deployer lists from the VPC", request{principal: deployer, action: "s3:ListBucket", resource: bucket, keys: fromVPC()}, noOpinion},
				{"the deployer lists from outside", request{principal: deployer, action: "s3:ListBucketVersions", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"the deployer reads the policy", request{principal: deployer, action: "s3:GetBucketPolicy", resource: bucket, keys: fromVPC()}, noOpinion},
				{"the deployer reads replication from outside", request{principal: deployer, action: "s3:GetReplicationConfiguration", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"an EMR node role lists its prefix (its identity policy limits it)", request{principal: nodeRoleA, action: "s3:ListBucket", resource: bucket, keys: prefix("teams/" + jackpot + "/")}, noOpinion},
				{"an EMR node role lists from outside the VPC", request{principal: nodeRoleA, action: "s3:ListBucket", resource: bucket, keys: ctxKeys("s3:prefix", "teams/"+jackpot+"/")}, denied},
				{"the Config recorder reads the policy from AWS's network", request{principal: recorder, action: "s3:GetBucketPolicy", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"the Config recorder reads replication", request{principal: recorder, action: "s3:GetReplicationConfiguration", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"a team's EMR Studio service role reads encryption", request{principal: studioRole, action: "s3:GetEncryptionConfiguration", resource: bucket, keys: ctxKeys()}, noOpinion},
				{"a team's EMR Studio service role lists (its identity policy limits the prefix)", request{principal: studioRole, action: "s3:ListBucket", resource: bucket, keys: ctxKeys("s3:prefix", "emr-studio/"+jackpot+"/")}, noOpinion},
			}
			if p == data.DataPurpose {
				tests = append(tests, []struct {
					name string
					r    request
					want string
				}{
					{"a model approver lists the team's models", request{principal: approver, action: "s3:ListBucket", resource: bucket, keys: prefix("teams/" + jackpot + "/models/")}, noOpinion},
					{"a model approver reads the policy", request{principal: approver, action: "s3:GetBucketPolicy", resource: bucket, keys: fromVPC()}, denied},
				}...)
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
				})
			}
		})
	}

	// Through its access point a team lists its own prefix and nothing
	// else: the bucket delegates, the access point decides.
	bucket := "arn:aws:s3:::aifactory-dev-data-" + account
	for _, tt := range []struct {
		name         string
		principal    string
		prefix       string
		bucket, apAt string
	}{
		{"the team lists its prefix", roleA, "teams/" + jackpot + "/", allowed, allowed},
		{"the team lists another team's prefix", roleA, "teams/" + player + "/", allowed, denied},
		{"the team lists every team", roleA, "teams/", allowed, denied},
		{"a broad role lists through the team's access point", admin, "teams/" + jackpot + "/", allowed, denied},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.bucket, evaluate(t, dataDoc, request{principal: tt.principal, action: "s3:ListBucket", resource: bucket,
				keys: throughAccessPoint(teamAP, "s3:prefix", tt.prefix)}), "bucket policy")
			assert.Equal(t, tt.apAt, evaluate(t, apDoc, request{principal: tt.principal, action: "s3:ListBucket", resource: teamAP,
				keys: throughAccessPoint(teamAP, "aws:PrincipalArn", tt.principal, "s3:prefix", tt.prefix)}), "access point policy")
		})
	}
}
