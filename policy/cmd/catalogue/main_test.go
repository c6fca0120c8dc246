package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

const configDir = "../../config"

func TestJSONListsEveryControlWithItsFrameworkIDsAndEnvironments(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "json", configDir, true))
	var c Catalogue
	require.NoError(t, json.Unmarshal(out.Bytes(), &c))
	assert.Equal(t, pack.Name, c.Pack)
	assert.Equal(t, pack.Version, c.Version)
	assert.Equal(t, []string{"dev", "staging", "prod"}, c.Environments)
	require.Len(t, c.Controls, len(rules.Catalogue()))
	for i, rc := range rules.Catalogue() {
		got := c.Controls[i]
		assert.Equal(t, rc.Name, got.Name)
		assert.Equal(t, nonNil(rc.FSBP), got.FSBP)
		assert.Equal(t, nonNil(rc.Checkov), got.Checkov)
		assert.Equal(t, rc.Description(), got.Description)
		for _, env := range c.Environments {
			assert.NotEmpty(t, got.Environments[env].Level, "%s in %s", rc.Name, env)
		}
	}
	byName := map[string]Control{}
	for _, ctl := range c.Controls {
		byName[ctl.Name] = ctl
	}
	assert.Equal(t, []string{"S3.17"}, byName["s3-sse-kms"].FSBP)
	assert.Equal(t, "mandatory", byName["required-tags"].Environments["prod"].Level)
	assert.Equal(t, "prod", byName["required-tags"].Environments["prod"].Settings["environment"])
	assert.EqualValues(t, 30, byName["logs-kms-retention"].Environments["dev"].Settings["minimumRetentionDays"])
	assert.EqualValues(t, 365, byName["logs-kms-retention"].Environments["prod"].Settings["minimumRetentionDays"])
	assert.EqualValues(t, 365, byName["logs-kms-retention"].Params[0].Default)
}

func TestMarkdownIsATableAndASectionPerControl(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "markdown", configDir, true))
	md := out.String()
	assert.Contains(t, md, "| Control | Category | Scope | Default | FSBP | Checkov | dev | staging | prod |")
	for _, rc := range rules.Catalogue() {
		assert.Contains(t, md, "\n### "+rc.Name+"\n")
		for _, id := range append(append([]string{}, rc.FSBP...), rc.Checkov...) {
			assert.Contains(t, md, id)
		}
	}
	assert.Contains(t, md, "| `minimumRetentionDays` | integer | 365 | 30 | 90 | 365 |")
	assert.Equal(t, len(rules.Categories()), strings.Count(md, "\n## "))
}

func TestWithoutConfigFilesTheCatalogueStillPrints(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, "json", "does-not-exist", false))
	var c Catalogue
	require.NoError(t, json.Unmarshal(out.Bytes(), &c))
	assert.Empty(t, c.Environments)
	assert.Error(t, run(&out, "json", "does-not-exist", true), "an explicit directory must exist")
	assert.ErrorContains(t, run(&out, "yaml", "", false), `unknown -format "yaml"`)
}
