package workspace_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/components/workspace"
)

func lifecycleSettings() workspace.LifecycleSettings {
	return workspace.LifecycleSettings{
		Prefix:          "aifactory-dev",
		SubnetIDs:       []string{"subnet-a", "subnet-b"},
		SecurityGroupID: "sg-studio",
		WorkspaceKeyArn: workspaceKey,
		DataKeyArn:      dataKey,
	}
}

// hereDoc returns the content the script writes to path.
func hereDoc(t *testing.T, script, path string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)cat > "` + regexp.QuoteMeta(path) + `" <<'(\w+)'\n(.*?)\n(\w+)\n`)
	m := re.FindStringSubmatch(script)
	require.NotNil(t, m, "script writes no %s", path)
	require.Equal(t, m[1], m[3], "here-document of %s is not closed by its marker", path)
	return m[2] + "\n"
}

func TestLifecycleScriptKeepsPackageToolsOnThePrivatePaths(t *testing.T) {
	tests := []struct {
		name      string
		index     string
		wantPip   []string
		forbidPip []string
	}{
		{"no private index", "", []string{"no-index = true", "timeout = 10"}, []string{"index-url"}},
		{"private mirror", "https://pypi.internal.aifactory.example/simple/",
			[]string{"index-url = https://pypi.internal.aifactory.example/simple/", "timeout = 10"}, []string{"no-index"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := lifecycleSettings()
			s.PackageIndexURL = tt.index
			script, err := workspace.LifecycleScript(s)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(script, "#!/bin/bash\n"))
			assert.Contains(t, script, "set -euo pipefail")
			pip := hereDoc(t, script, "$HOME/.config/pip/pip.conf")
			for _, want := range tt.wantPip {
				assert.Contains(t, pip, want)
			}
			for _, forbid := range tt.forbidPip {
				assert.NotContains(t, pip, forbid)
			}
			assert.Equal(t, "offline: true\n", hereDoc(t, script, "$HOME/.condarc"))
		})
	}
}

func TestLifecycleScriptSetsSageMakerSDKDefaultsForPrivateEncryptedJobs(t *testing.T) {
	script, err := workspace.LifecycleScript(lifecycleSettings())
	require.NoError(t, err)
	var cfg struct {
		SchemaVersion string `yaml:"SchemaVersion"`
		SageMaker     struct {
			TrainingJob struct {
				VpcConfig struct {
					SecurityGroupIDs []string `yaml:"SecurityGroupIds"`
					Subnets          []string `yaml:"Subnets"`
				} `yaml:"VpcConfig"`
				ResourceConfig struct {
					VolumeKmsKeyID string `yaml:"VolumeKmsKeyId"`
				} `yaml:"ResourceConfig"`
				OutputDataConfig struct {
					KmsKeyID string `yaml:"KmsKeyId"`
				} `yaml:"OutputDataConfig"`
				Encryption bool `yaml:"EnableInterContainerTrafficEncryption"`
			} `yaml:"TrainingJob"`
			ProcessingJob struct {
				NetworkConfig struct {
					VpcConfig struct {
						SecurityGroupIDs []string `yaml:"SecurityGroupIds"`
						Subnets          []string `yaml:"Subnets"`
					} `yaml:"VpcConfig"`
				} `yaml:"NetworkConfig"`
				ProcessingResources struct {
					ClusterConfig struct {
						VolumeKmsKeyID string `yaml:"VolumeKmsKeyId"`
					} `yaml:"ClusterConfig"`
				} `yaml:"ProcessingResources"`
				ProcessingOutputConfig struct {
					KmsKeyID string `yaml:"KmsKeyId"`
				} `yaml:"ProcessingOutputConfig"`
			} `yaml:"ProcessingJob"`
		} `yaml:"SageMaker"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(hereDoc(t, script, "$HOME/.config/sagemaker/config.yaml")), &cfg))
	assert.Equal(t, "1.0", cfg.SchemaVersion)
	tj, pj := cfg.SageMaker.TrainingJob, cfg.SageMaker.ProcessingJob
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, tj.VpcConfig.Subnets)
	assert.Equal(t, []string{"sg-studio"}, tj.VpcConfig.SecurityGroupIDs)
	assert.Equal(t, workspaceKey, tj.ResourceConfig.VolumeKmsKeyID)
	assert.Equal(t, dataKey, tj.OutputDataConfig.KmsKeyID)
	assert.True(t, tj.Encryption)
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, pj.NetworkConfig.VpcConfig.Subnets)
	assert.Equal(t, []string{"sg-studio"}, pj.NetworkConfig.VpcConfig.SecurityGroupIDs)
	assert.Equal(t, workspaceKey, pj.ProcessingResources.ClusterConfig.VolumeKmsKeyID)
	assert.Equal(t, dataKey, pj.ProcessingOutputConfig.KmsKeyID)
}

func TestLifecycleScriptIsValidShell(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed; the script targets the bash of SageMaker's images")
	}
	for _, index := range []string{"", "https://pypi.internal.aifactory.example/simple"} {
		s := lifecycleSettings()
		s.PackageIndexURL = index
		script, err := workspace.LifecycleScript(s)
		require.NoError(t, err)
		cmd := exec.Command(bash, "-n")
		cmd.Stdin = strings.NewReader(script)
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "bash -n: %s", out)
	}
}

func TestLifecycleScriptRejectsValuesThatCouldChangeIt(t *testing.T) {
	tests := []struct {
		name string
		edit func(*workspace.LifecycleSettings)
	}{
		{"index with command substitution", func(s *workspace.LifecycleSettings) { s.PackageIndexURL = "https://x/$(id)" }},
		{"index with credentials", func(s *workspace.LifecycleSettings) { s.PackageIndexURL = "https://user:secret@pypi.example/simple" }},
		{"plain http index", func(s *workspace.LifecycleSettings) { s.PackageIndexURL = "http://pypi.example/simple" }},
		{"subnet with newline", func(s *workspace.LifecycleSettings) { s.SubnetIDs = []string{"subnet-a\nAIFACTORY_SAGEMAKER"} }},
		{"key with quote", func(s *workspace.LifecycleSettings) { s.DataKeyArn = "arn:aws:kms:'x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := lifecycleSettings()
			tt.edit(&s)
			_, err := workspace.LifecycleScript(s)
			assert.Error(t, err)
		})
	}
}

func TestEncodedScriptFitsTheStudioLimit(t *testing.T) {
	s := lifecycleSettings()
	s.SubnetIDs = []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"}
	script, err := workspace.LifecycleScript(s)
	require.NoError(t, err)
	// StudioLifecycleConfigContent accepts at most 16384 characters.
	assert.LessOrEqual(t, len(workspace.EncodeLifecycleScript(script)), 16384)
}
