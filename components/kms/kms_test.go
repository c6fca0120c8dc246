package kms_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	deployer = "arn:aws:iam::123456789012:role/aifactory-deployer"
	nodeRole = "arn:aws:iam::123456789012:role/aifactory-prod-emr-nodes-risk"
	teamRole = "arn:aws:iam::123456789012:role/aifactory-prod-studio-risk"
)

func args() *kms.Args {
	return &kms.Args{
		Scope: scopetest.Scope("prod"), DeletionWindowDays: 30, Protect: true,
		Administrators: []string{deployer},
		DirectUsers:    map[kms.Purpose][]string{kms.Data: {nodeRole}},
	}
}

func build(t *testing.T, a *kms.Args) (*mocktest.Mocks, error) {
	t.Helper()
	return mocktest.Run(t, "prod", nil, func(ctx *pulumi.Context) error {
		_, err := kms.New(ctx, "keys", a)
		return err
	})
}

func TestOneRotatedProtectedKeyPerPurpose(t *testing.T) {
	m, err := build(t, args())
	require.NoError(t, err)
	keys := m.OfType("aws:kms/key:Key")
	require.Len(t, keys, len(kms.AllPurposes()))
	for _, k := range keys {
		assert.True(t, k.Bool("enableKeyRotation"), k.Name)
		assert.Equal(t, 30.0, k.Num("deletionWindowInDays"), k.Name)
		assert.True(t, k.Protect, "%s must be protected", k.Name)
		assert.Equal(t, "ENCRYPT_DECRYPT", k.Str("keyUsage"))
	}
	aliases := map[string]bool{}
	for _, a := range m.OfType("aws:kms/alias:Alias") {
		aliases[a.Str("name")] = true
		assert.True(t, a.Protect, "alias %s must be protected: services find keys by alias", a.Name)
	}
	assert.Equal(t, map[string]bool{
		"alias/aifactory-prod-data": true, "alias/aifactory-prod-logs": true,
		"alias/aifactory-prod-workspace": true, "alias/aifactory-prod-pipeline": true,
	}, aliases)
}

func TestDeletionWindowAndProtectFollowArgs(t *testing.T) {
	a := args()
	a.DeletionWindowDays, a.Protect, a.Purposes = 7, false, []kms.Purpose{kms.Logs}
	m, err := build(t, a)
	require.NoError(t, err)
	keys := m.OfType("aws:kms/key:Key")
	require.Len(t, keys, 1)
	assert.Equal(t, 7.0, keys[0].Num("deletionWindowInDays"))
	assert.False(t, keys[0].Protect)
}

func TestKeyPoliciesAreScopedToTheAccountAndServices(t *testing.T) {
	m, err := build(t, args())
	require.NoError(t, err)
	for _, k := range m.OfType("aws:kms/key:Key") {
		doc, err := iamdoc.Parse(k.Str("policy"))
		require.NoError(t, err, k.Name)
		for _, st := range doc.Statement {
			require.NotNil(t, st.Principal, "%s/%s", k.Name, st.Sid)
			if st.Principal.Any {
				assert.NotEmpty(t, st.Condition, "%s/%s: a * principal needs conditions", k.Name, st.Sid)
			}
			for _, arn := range st.Principal.AWS {
				assert.Contains(t, []string{"arn:aws:iam::123456789012:root", deployer}, arn, "%s/%s: only this account", k.Name, st.Sid)
			}
			if len(st.Principal.Service) > 0 {
				assert.NotEmpty(t, st.Condition, "%s/%s: service statements are limited to this account's resources", k.Name, st.Sid)
			}
		}
	}
}

func TestLogsKeyLetsCloudWatchLogsEncryptOnlyThisAccountsLogGroups(t *testing.T) {
	doc := kms.KeyPolicy(kms.Logs, scopetest.Dev(), kms.PolicySpec{Administrators: []string{deployer}})
	var found bool
	for _, st := range doc.Statement {
		if st.Principal.Service.Contains("logs.eu-west-1.amazonaws.com") {
			found = true
			assert.Equal(t, iamdoc.Strings{"arn:aws:logs:eu-west-1:123456789012:log-group:*"},
				st.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
		}
	}
	assert.True(t, found)
	data := kms.KeyPolicy(kms.Data, scopetest.Dev(), kms.PolicySpec{Administrators: []string{deployer}})
	for _, st := range data.Statement {
		assert.Empty(t, st.Principal.Service, "no service acts on its own with the data key")
	}
}

// everything is an identity policy that allows every KMS action: the key
// policy alone has to keep administrators and users apart.
var everything = iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}})

func TestKeyPoliciesSeparateAdministratorsFromUsers(t *testing.T) {
	m, err := build(t, args())
	require.NoError(t, err)
	policies := map[string]iamdoc.Document{}
	for _, k := range m.OfType("aws:kms/key:Key") {
		doc, err := iamdoc.Parse(k.Str("policy"))
		require.NoError(t, err)
		policies[k.Name] = doc
	}
	require.Len(t, policies, 4)
	key := "arn:aws:kms:eu-west-1:123456789012:key/k"
	via := func(svc string) iameval.Context {
		return iameval.Keys("kms:ViaService", svc+".eu-west-1.amazonaws.com", "kms:CallerAccount", "123456789012")
	}
	direct := iameval.Keys("kms:CallerAccount", "123456789012")
	tests := []struct {
		name      string
		key       string
		principal string
		action    string
		ctx       iameval.Context
		want      iameval.Decision
	}{
		{"the administrator rotates the key", "keys-data", deployer, "kms:EnableKeyRotation", direct, iameval.Allow},
		{"the administrator changes the key policy", "keys-data", deployer, "kms:PutKeyPolicy", direct, iameval.Allow},
		{"the administrator schedules deletion", "keys-workspace", deployer, "kms:ScheduleKeyDeletion", direct, iameval.Allow},
		{"the administrator cannot decrypt", "keys-data", deployer, "kms:Decrypt", direct, iameval.ImplicitDeny},
		{"the administrator cannot decrypt through S3 either", "keys-data", deployer, "kms:Decrypt", via("s3"), iameval.ImplicitDeny},
		{"the administrator's services create grants for AWS resources", "keys-workspace", deployer, "kms:CreateGrant",
			via("elasticfilesystem").With("kms:GrantIsForAWSResource", "true"), iameval.Allow},
		{"the administrator cannot grant itself use", "keys-data", deployer, "kms:CreateGrant", direct, iameval.ImplicitDeny},
		{"a user decrypts data through S3", "keys-data", teamRole, "kms:Decrypt", via("s3"), iameval.Allow},
		{"a user decrypts data through SageMaker", "keys-data", teamRole, "kms:Decrypt", via("sagemaker"), iameval.Allow},
		{"a user cannot decrypt data directly", "keys-data", teamRole, "kms:Decrypt", direct, iameval.ImplicitDeny},
		{"a user cannot decrypt data through another service", "keys-data", teamRole, "kms:Decrypt", via("secretsmanager"), iameval.ImplicitDeny},
		{"a user cannot administer", "keys-data", teamRole, "kms:PutKeyPolicy", direct, iameval.ImplicitDeny},
		{"a user cannot schedule deletion", "keys-logs", teamRole, "kms:ScheduleKeyDeletion", direct, iameval.ImplicitDeny},
		{"a service creates a grant for an AWS resource", "keys-workspace", teamRole, "kms:CreateGrant",
			via("elasticfilesystem").With("kms:GrantIsForAWSResource", "true"), iameval.Allow},
		{"no grant for anything else", "keys-workspace", teamRole, "kms:CreateGrant", via("elasticfilesystem"), iameval.ImplicitDeny},
		{"the workspace key is not used through S3", "keys-workspace", teamRole, "kms:Decrypt", via("s3"), iameval.ImplicitDeny},
		{"logs are read through S3", "keys-logs", teamRole, "kms:Decrypt", via("s3"), iameval.Allow},
		{"EMR nodes encrypt local disks directly", "keys-data", nodeRole, "kms:GenerateDataKey", direct, iameval.Allow},
		{"EMR nodes cannot use the workspace key directly", "keys-workspace", nodeRole, "kms:GenerateDataKey", direct, iameval.ImplicitDeny},
		{"another account's role", "keys-data", "arn:aws:iam::999999999999:role/x", "kms:Decrypt",
			iameval.Keys("kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:CallerAccount", "999999999999"), iameval.ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{
				Identity:          []iamdoc.Document{everything},
				Resource:          []iamdoc.Document{policies[tt.key]},
				ResourceMustAllow: true,
			}, iameval.Request{Principal: tt.principal, Action: tt.action, Resource: key, Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}

func TestEveryPurposeNamesItsServices(t *testing.T) {
	for _, p := range kms.AllPurposes() {
		assert.NotEmpty(t, kms.UseServices(p), p)
	}
}

func TestPipelineKeyAdmitsFargateAndLogDeliveryOnlyForThisAccount(t *testing.T) {
	doc := kms.KeyPolicy(kms.Pipeline, scopetest.Dev(), kms.PolicySpec{})
	bySid := map[string]iamdoc.Statement{}
	for _, st := range doc.Statement {
		bySid[st.Sid] = st
	}
	gen := bySid["FargateEncryptsTaskStorageOfPlatformClusters"]
	assert.Equal(t, iamdoc.Strings{"fargate.amazonaws.com"}, gen.Principal.Service)
	assert.Equal(t, iamdoc.Strings{"kms:GenerateDataKeyWithoutPlaintext"}, gen.Action)
	assert.Equal(t, iamdoc.Strings{"123456789012"}, gen.Condition["StringEquals"]["kms:EncryptionContext:aws:ecs:clusterAccount"])
	assert.Equal(t, iamdoc.Strings{"aifactory-dev-*"}, gen.Condition["StringLike"]["kms:EncryptionContext:aws:ecs:clusterName"])
	grant := bySid["FargateDecryptsTaskStorageThroughGrants"]
	assert.Equal(t, iamdoc.Strings{"kms:CreateGrant"}, grant.Action)
	assert.Equal(t, iamdoc.Strings{"Decrypt"}, grant.Condition["ForAllValues:StringEquals"]["kms:GrantOperations"], "grants only ever decrypt")
	logs := bySid["LogDeliveryDecryptsExecutionData"]
	assert.Equal(t, iamdoc.Strings{"delivery.logs.amazonaws.com"}, logs.Principal.Service)
	assert.Equal(t, iamdoc.Strings{"kms:Decrypt"}, logs.Action)
	assert.Equal(t, iamdoc.Strings{"arn:aws:logs:eu-west-1:123456789012:*"}, logs.Condition["StringEquals"]["kms:EncryptionContext:SourceArn"])
	for _, p := range []kms.Purpose{kms.Data, kms.Logs, kms.Workspace} {
		for _, st := range kms.KeyPolicy(p, scopetest.Dev(), kms.PolicySpec{}).Statement {
			assert.False(t, st.Principal.Service.Contains("fargate.amazonaws.com"), "%s key: Fargate uses only the pipeline key", p)
		}
	}
}

func TestLogsKeyLetsOnlyThePlatformTrailEncryptAndOnlyThisAccountsAlarmsPublish(t *testing.T) {
	doc := kms.KeyPolicy(kms.Logs, scopetest.Dev(), kms.PolicySpec{Administrators: []string{deployer}})
	key := "arn:aws:kms:eu-west-1:123456789012:key/logs"
	trail := "arn:aws:cloudtrail:eu-west-1:123456789012:trail/aifactory-dev-trail"
	context := func(sourceArn, account, trailArn string) iameval.Context {
		return iameval.Keys("aws:SourceArn", sourceArn, "aws:SourceAccount", account, "kms:EncryptionContext:aws:cloudtrail:arn", trailArn)
	}
	for _, tc := range []struct {
		name    string
		service string
		action  string
		ctx     iameval.Context
		want    iameval.Effect
	}{
		{"the platform's trail encrypts its logs", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", context(trail, "123456789012", trail), iameval.Allowed},
		{"the platform's trail describes the key", "cloudtrail.amazonaws.com", "kms:DescribeKey", context(trail, "123456789012", trail), iameval.Allowed},
		{"another account's trail cannot", "cloudtrail.amazonaws.com", "kms:GenerateDataKey",
			context("arn:aws:cloudtrail:eu-west-1:999999999999:trail/aifactory-dev-trail", "999999999999", "arn:aws:cloudtrail:eu-west-1:999999999999:trail/aifactory-dev-trail"), iameval.NotApplicable},
		{"another trail of the account cannot", "cloudtrail.amazonaws.com", "kms:GenerateDataKey",
			context("arn:aws:cloudtrail:eu-west-1:123456789012:trail/shadow", "123456789012", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/shadow"), iameval.NotApplicable},
		{"CloudTrail never decrypts", "cloudtrail.amazonaws.com", "kms:Decrypt", context(trail, "123456789012", trail), iameval.NotApplicable},
		{"the account's alarms publish to the audit topic", "cloudwatch.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", "123456789012"), iameval.Allowed},
		{"EventBridge rules of the account publish too", "events.amazonaws.com", "kms:Decrypt", iameval.Keys("aws:SourceAccount", "123456789012"), iameval.Allowed},
		{"another account's alarms cannot", "cloudwatch.amazonaws.com", "kms:GenerateDataKey", iameval.Keys("aws:SourceAccount", "999999999999"), iameval.NotApplicable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iameval.Document(doc, iameval.Request{Service: tc.service, Action: tc.action, Resource: key, Context: tc.ctx})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, p := range []kms.Purpose{kms.Data, kms.Workspace, kms.Pipeline} {
		for _, st := range kms.KeyPolicy(p, scopetest.Dev(), kms.PolicySpec{}).Statement {
			assert.False(t, st.Principal.Service.Contains("cloudtrail.amazonaws.com"), "%s key: CloudTrail uses only the logs key", p)
		}
	}
}
