package workspace

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// LifecycleSettings are the values the Studio lifecycle script writes into
// every JupyterLab and Code Editor app of the domain.
type LifecycleSettings struct {
	// Prefix names the platform in the script's header.
	Prefix string
	// PackageIndexURL is a Python package index reachable from the private
	// subnets (a CodeArtifact or internal mirror). Empty: pip has no index
	// and installs only local wheels.
	PackageIndexURL string
	// SubnetIDs, SecurityGroupID and the keys become the defaults of the
	// SageMaker Python SDK, so a job started from a notebook satisfies the
	// execution role's conditions without the user repeating them.
	SubnetIDs       []string
	SecurityGroupID string
	WorkspaceKeyArn string
	DataKeyArn      string
}

// packageIndexPattern admits https URLs without spaces, quotes or shell
// metacharacters; the URL is written into a configuration file by a shell
// script and must not be able to change the script.
var packageIndexPattern = regexp.MustCompile(`^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+-]*)?$`)

// safeValuePattern admits the AWS identifiers the script embeds.
var safeValuePattern = regexp.MustCompile(`^[A-Za-z0-9:/._-]+$`)

// LifecycleScript returns the lifecycle configuration script. The domain
// runs in VpcOnly mode with no route to the internet; the built-in app
// settings cannot tell the tools inside an app so. The script points pip
// at the private index (or at none, so installs fail at once instead of
// hanging on pypi.org), keeps conda offline, and writes the SageMaker
// Python SDK defaults that put jobs in the private subnets with the
// platform's keys.
func LifecycleScript(s LifecycleSettings) (string, error) {
	if s.PackageIndexURL != "" && !packageIndexPattern.MatchString(s.PackageIndexURL) {
		return "", fmt.Errorf("package index %q: use an https URL without credentials, spaces or quotes", s.PackageIndexURL)
	}
	for _, v := range append([]string{s.SecurityGroupID, s.WorkspaceKeyArn, s.DataKeyArn}, s.SubnetIDs...) {
		if !safeValuePattern.MatchString(v) {
			return "", fmt.Errorf("lifecycle script: %q is not an AWS identifier", v)
		}
	}
	sdk, err := sdkDefaults(s)
	if err != nil {
		return "", err
	}

	pip := "[global]\n"
	if s.PackageIndexURL == "" {
		pip += "no-index = true\n"
	} else {
		pip += "index-url = " + s.PackageIndexURL + "\n"
	}
	pip += "timeout = 10\nretries = 1\n"

	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Studio lifecycle configuration of %s, managed by Pulumi: edits here are overwritten.\n", s.Prefix)
	b.WriteString("# The domain has no route to the internet; point the tools at the private paths.\n")
	b.WriteString("set -euo pipefail\n")
	b.WriteString("# JupyterLab and Code Editor run lifecycle scripts as sagemaker-user.\n")
	b.WriteString(": \"${HOME:=/home/sagemaker-user}\"\n\n")
	b.WriteString("mkdir -p \"$HOME/.config/pip\" \"$HOME/.config/sagemaker\"\n\n")
	b.WriteString("# pip: the private package index only, and fail fast.\n")
	writeFile(&b, "$HOME/.config/pip/pip.conf", "AIFACTORY_PIP", pip)
	b.WriteString("# conda: no public channels are reachable.\n")
	writeFile(&b, "$HOME/.condarc", "AIFACTORY_CONDA", "offline: true\n")
	b.WriteString("# SageMaker Python SDK: jobs run in the private subnets with the platform's keys.\n")
	writeFile(&b, "$HOME/.config/sagemaker/config.yaml", "AIFACTORY_SAGEMAKER", sdk)
	return b.String(), nil
}

// writeFile appends a quoted here-document, so the shell expands nothing
// inside the content.
func writeFile(b *strings.Builder, path, marker, content string) {
	fmt.Fprintf(b, "cat > \"%s\" <<'%s'\n%s%s\n\n", path, marker, content, marker)
}

// sdkDefaults is the SageMaker Python SDK configuration file
// (~/.config/sagemaker/config.yaml) for training and processing jobs.
func sdkDefaults(s LifecycleSettings) (string, error) {
	vpc := map[string]any{"SecurityGroupIds": []string{s.SecurityGroupID}, "Subnets": s.SubnetIDs}
	doc := map[string]any{
		"SchemaVersion": "1.0",
		"SageMaker": map[string]any{
			"TrainingJob": map[string]any{
				"VpcConfig":                             vpc,
				"EnableInterContainerTrafficEncryption": true,
				"ResourceConfig":                        map[string]any{"VolumeKmsKeyId": s.WorkspaceKeyArn},
				"OutputDataConfig":                      map[string]any{"KmsKeyId": s.DataKeyArn},
			},
			"ProcessingJob": map[string]any{
				"NetworkConfig": map[string]any{
					"VpcConfig":                             vpc,
					"EnableInterContainerTrafficEncryption": true,
				},
				"ProcessingResources":    map[string]any{"ClusterConfig": map[string]any{"VolumeKmsKeyId": s.WorkspaceKeyArn}},
				"ProcessingOutputConfig": map[string]any{"KmsKeyId": s.DataKeyArn},
			},
		},
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("lifecycle script: SageMaker SDK defaults: %w", err)
	}
	return string(out), nil
}

// EncodeLifecycleScript base64-encodes a script as StudioLifecycleConfig
// content requires.
func EncodeLifecycleScript(script string) string {
	return base64.StdEncoding.EncodeToString([]byte(script))
}
