package kms_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/mocktest"
)

func args() *kms.Args {
	return &kms.Args{Scope: scopetest.Scope("prod"), DeletionWindowDays: 30, Protect: true}
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
				assert.Equal(t, "arn:aws:iam::123456789012:root", arn, "%s/%s: only this account", k.Name, st.Sid)
			}
			if len(st.Principal.Service) > 0 {
				assert.NotEmpty(t, st.Condition, "%s/%s: service statements are limited to this account's resources", k.Name, st.Sid)
			}
		}
	}
}

func TestLogsKeyLetsCloudWatchLogsEncryptOnlyThisAccountsLogGroups(t *testing.T) {
	doc := kms.KeyPolicy(kms.Logs, scopetest.Dev())
	var found bool
	for _, st := range doc.Statement {
		if st.Principal.Service.Contains("logs.eu-west-1.amazonaws.com") {
			found = true
			assert.Equal(t, iamdoc.Strings{"arn:aws:logs:eu-west-1:123456789012:log-group:*"},
				st.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
		}
	}
	assert.True(t, found)
	data := kms.KeyPolicy(kms.Data, scopetest.Dev())
	for _, st := range data.Statement {
		assert.Empty(t, st.Principal.Service, "no service acts on its own with the data key")
	}
}

func TestInvalidArgs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*kms.Args)
		want string
	}{
		{"window too short", func(a *kms.Args) { a.DeletionWindowDays = 3 }, "DeletionWindowDays 3"},
		{"window unset", func(a *kms.Args) { a.DeletionWindowDays = 0 }, "DeletionWindowDays"},
		{"no account", func(a *kms.Args) { a.AccountID = "" }, "AccountID"},
		{"unknown purpose", func(a *kms.Args) { a.Purposes = []kms.Purpose{"backups"} }, `"backups"`},
		{"bad prefix", func(a *kms.Args) { a.Prefix = "Bad Prefix" }, "Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := build(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestPipelineKeyAdmitsFargateAndLogDeliveryOnlyForThisAccount(t *testing.T) {
	doc := kms.KeyPolicy(kms.Pipeline, scopetest.Dev())
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
		for _, st := range kms.KeyPolicy(p, scopetest.Dev()).Statement {
			assert.False(t, st.Principal.Service.Contains("fargate.amazonaws.com"), "%s key: Fargate uses only the pipeline key", p)
		}
	}
}
