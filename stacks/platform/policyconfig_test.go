package platform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/internal/stackconfig"
)

// TestPolicyConfigMatchesTheStackFiles keeps the two places an environment's
// bounds are written in step: a value the stack accepts must never fail a
// mandatory policy, and the policy must never allow more than the stack.
func TestPolicyConfigMatchesTheStackFiles(t *testing.T) {
	for _, env := range stackconfig.Environments {
		t.Run(env, func(t *testing.T) {
			cfg, err := stackconfig.Parse(env, func(k string) (string, bool) {
				v, ok := stackConfig(t, env)[k]
				return v, ok
			})
			require.NoError(t, err)
			b, err := os.ReadFile(filepath.Join("..", "..", "policy", "config", env+".json"))
			require.NoError(t, err)
			var policy struct {
				Tags struct {
					Environment string `json:"environment"`
				} `json:"required-tags"`
				Logs struct {
					MinimumRetentionDays int `json:"minimumRetentionDays"`
				} `json:"logs-kms-retention"`
				KMS struct {
					MinimumDeletionWindowDays int `json:"minimumDeletionWindowDays"`
				} `json:"kms-rotation"`
				EMR struct {
					MaxIdleTimeoutSeconds int `json:"maxIdleTimeoutSeconds"`
				} `json:"emr-auto-termination"`
				Studio struct {
					MaxIdleTimeoutMinutes int `json:"maxIdleTimeoutMinutes"`
				} `json:"sagemaker-idle-shutdown"`
				Types struct {
					SageMaker   []string `json:"sagemakerInstanceTypes"`
					EMR         []string `json:"emrInstanceTypes"`
					MaxECSCPU   int      `json:"maxEcsTaskCpu"`
					MaxECSMemMi int      `json:"maxEcsTaskMemoryMiB"`
				} `json:"instance-type-allowlist"`
				Endpoints struct {
					AccountIDs []string `json:"accountIds"`
				} `json:"vpc-endpoint-policy"`
				Resources struct {
					AccountIDs []string `json:"accountIds"`
				} `json:"resource-policy-no-public"`
				Trust struct {
					AccountIDs []string `json:"accountIds"`
				} `json:"iam-trust-confused-deputy"`
				Internet struct {
					Allow bool `json:"allowInternetEgress"`
				} `json:"no-internet-path"`
				Serving struct {
					Types          []string `json:"servingInstanceTypes"`
					MaxInstances   int      `json:"maxEndpointInstances"`
					Serverless     bool     `json:"allowServerless"`
					MaxConcurrency int      `json:"maxServerlessConcurrency"`
				} `json:"sagemaker-endpoint-instance-allowlist"`
			}
			require.NoError(t, json.Unmarshal(b, &policy))

			assert.Equal(t, env, policy.Tags.Environment)
			assert.Equal(t, cfg.LogRetentionDays, policy.Logs.MinimumRetentionDays, "log retention")
			assert.Equal(t, cfg.KMSDeletionWindowDays, policy.KMS.MinimumDeletionWindowDays, "KMS deletion window")
			assert.Equal(t, cfg.Analytics.MaxIdleTimeoutMinutes*60, policy.EMR.MaxIdleTimeoutSeconds, "EMR idle bound")
			assert.Equal(t, cfg.Workspace.MaxIdleTimeoutMinutes, policy.Studio.MaxIdleTimeoutMinutes, "Studio idle bound")
			assert.ElementsMatch(t, cfg.Analytics.AllowedInstanceTypes, policy.Types.EMR, "EMR instance types")
			assert.ElementsMatch(t, cfg.Workspace.AllowedInstanceTypes, policy.Types.SageMaker, "SageMaker instance types")
			// The environment's account is the stack's: grants to it are the
			// environment's own, to any other account cross-account.
			for name, ids := range map[string][]string{
				"vpc-endpoint-policy": policy.Endpoints.AccountIDs, "resource-policy-no-public": policy.Resources.AccountIDs,
				"iam-trust-confused-deputy": policy.Trust.AccountIDs,
			} {
				assert.Equal(t, []string{cfg.AccountID}, ids, "%s accountIds: set it to aifactory:accountId", name)
			}
			assert.Equal(t, cfg.Network.AllowInternetEgress, policy.Internet.Allow, "internet egress")
			// Model serving: aifactory:serving and sagemaker-endpoint-instance-allowlist.
			assert.ElementsMatch(t, cfg.Serving.AllowedInstanceTypes, policy.Serving.Types, "serving instance types")
			assert.Equal(t, cfg.Serving.MaxInstances, policy.Serving.MaxInstances, "serving maxInstances")
			assert.Equal(t, cfg.Serving.AllowServerless, policy.Serving.Serverless, "serverless inference")
			if cfg.Serving.AllowServerless {
				assert.Equal(t, cfg.Serving.MaxServerlessConcurrency, policy.Serving.MaxConcurrency, "serverless concurrency")
			}
			limits := stackconfig.PipelineTaskLimits[env]
			assert.Equal(t, policy.Types.MaxECSCPU, limits.MaxCPU, "pipeline task CPU limit")
			assert.Equal(t, policy.Types.MaxECSMemMi, limits.MaxMemoryMiB, "pipeline task memory limit")
			assert.LessOrEqual(t, cfg.Pipeline.TaskCPU, policy.Types.MaxECSCPU, "the stack's task fits the policy")
			assert.LessOrEqual(t, cfg.Pipeline.TaskMemoryMiB, policy.Types.MaxECSMemMi, "the stack's task fits the policy")
		})
	}
}
