package factory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/internal/fakeaws"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/internal/stackconfig"
)

const (
	jackpotV1 = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-jackpot-analytics/1"
	playerV1  = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-player-insights/1"
	stagingV1 = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-staging-jackpot-analytics/1"
)

// registry is SageMaker's DescribeModelPackage, served by the in-process
// fake over the real JSON 1.1 protocol, with the given versions.
func registry(t testing.TB, versions map[string]string) (factory.SageMakerRegistry, *fakeaws.Server) {
	t.Helper()
	s := fakeaws.New(t)
	for arn, status := range versions {
		s.ModelPackages = append(s.ModelPackages, &fakeaws.ModelPackage{ARN: arn, Status: status})
	}
	return factory.SageMakerRegistry{Client: sagemaker.NewFromConfig(s.Config())}, s
}

func TestServedVersionsOfTheDevStack(t *testing.T) {
	root, err := offline.FindRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "Pulumi.dev.yaml"))
	require.NoError(t, err)
	cfg, err := stackconfig.ParseFile("dev", b)
	require.NoError(t, err)
	versions := factory.ServedVersions(cfg)
	require.Len(t, versions, 2)
	assert.Equal(t, "jackpot-analytics", versions[0].Team)
	assert.Equal(t, jackpotV1, versions[0].ModelPackageArn)
	assert.Regexp(t, `^teams\[\d+\]\.serving\.endpoints\[0\]$`, versions[0].Key)
	assert.Equal(t, playerV1, versions[1].ModelPackageArn)
}

func TestCheckApprovals(t *testing.T) {
	served := []factory.ServedVersion{
		{Key: "teams[0].serving.endpoints[0]", Team: "jackpot-analytics", Endpoint: "jackpot-propensity", ModelPackageArn: jackpotV1},
		{Key: "teams[1].serving.endpoints[0]", Team: "player-insights", Endpoint: "churn", ModelPackageArn: playerV1},
	}
	tests := []struct {
		name     string
		versions map[string]string
		want     []string // in the error; none: no error
		absent   []string
	}{
		{"all approved", map[string]string{jackpotV1: "Approved", playerV1: "Approved"}, nil, nil},
		{"one pending", map[string]string{jackpotV1: "Approved", playerV1: "PendingManualApproval"},
			[]string{"teams[1].serving.endpoints[0] (team player-insights, endpoint churn)", playerV1 + " is PendingManualApproval, not Approved", "approver roles approves it"},
			[]string{jackpotV1}},
		{"one rejected, one missing", map[string]string{jackpotV1: "Rejected"},
			[]string{jackpotV1 + " is Rejected", "reading " + playerV1, "does not exist"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, _ := registry(t, tt.versions)
			err := factory.CheckApprovals(context.Background(), reg, served)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, a := range tt.absent {
				assert.NotContains(t, err.Error(), a)
			}
		})
	}
}

func TestCheckApprovalsRetriesThrottling(t *testing.T) {
	reg, s := registry(t, map[string]string{jackpotV1: "Approved"})
	s.Throttle("DescribeModelPackage", 2)
	err := factory.CheckApprovals(context.Background(), reg, []factory.ServedVersion{{ModelPackageArn: jackpotV1}})
	require.NoError(t, err)
	assert.Len(t, s.Calls(), 3, "two throttled calls, then the answer")
}
