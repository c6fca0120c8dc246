package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
)

func TestUsageErrorsExitWithBadInput(t *testing.T) {
	for _, args := range [][]string{nil, {"deploy"}, {"preview", "-bogus"}, {"promote", "dev"}, {"release", "check", "dev"}, {"vend"}, {"preview"},
		{"evidence"}, {"evidence", "dev", "staging"}, {"evidence", "-out"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, factory.ExitBadInput, run(context.Background(), args, &out, &errOut), "%v: %s", args, errOut.String())
		assert.NotEmpty(t, errOut.String(), "%v says what is wrong", args)
	}
}

func TestHelpListsEveryCommandAndTheExitCodes(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"help"}, &out, &errOut))
	for _, name := range order {
		assert.Contains(t, out.String(), name)
	}
	assert.Len(t, commands(), len(order))
	assert.Contains(t, out.String(), "4 stack busy")
}

func TestUnknownStackNamesTheChoices(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"preview", "qa", "--offline"}, &out, &errOut)
	assert.Equal(t, factory.ExitBadInput, code)
	assert.Contains(t, errOut.String(), "Pulumi.qa.yaml")
	assert.Contains(t, errOut.String(), "dev, staging, prod")
}

func TestBadRequestFileIsRefusedBeforeAnythingRuns(t *testing.T) {
	file := t.TempDir() + "/request.yaml"
	require.NoError(t, writeFile(file, "team: x\nbudget: 3\n"))
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"vend", file, "--json"}, &out, &errOut)
	assert.Equal(t, factory.ExitBadInput, code)
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	assert.Equal(t, float64(factory.ExitBadInput), res["exitCode"])
	assert.Contains(t, res["error"], "budget")
}

func TestPreviewPrintsThePlanOfTheRealEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level: runs the real Pulumi engine")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"preview", "dev", "--offline", "--state-dir", t.TempDir()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	for _, want := range []string{"aws:kms/key:Key", "aws:ec2/flowLog:FlowLog", "aifactory:network:SecureNetwork", "to create", "Policy: 0 mandatory"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "[mandatory]")

	out.Reset()
	code = run(context.Background(), []string{"preview", "-stack", "dev", "--offline", "--json", "--state-dir", t.TempDir()}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	assert.Equal(t, "preview", res["operation"])
	assert.Equal(t, "dev", res["stack"])
	assert.Equal(t, float64(0), res["exitCode"])
	assert.Greater(t, res["summary"].(map[string]any)["create"], float64(100))
	assert.NotEmpty(t, res["policy"])
	assert.False(t, strings.Contains(out.String(), "Resources:"), "--json prints one JSON object only")
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }

func TestEvidenceOfAStackWithoutAReleaseIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level: runs the real Pulumi engine")
	}
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	code := run(context.Background(), []string{"evidence", "dev", "--offline", "--json", "--state-dir", dir, "--out", dir + "/bundle"}, &out, &errOut)
	assert.Equal(t, factory.ExitRefused, code, errOut.String())
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	assert.Equal(t, "evidence", res["operation"])
	assert.Equal(t, float64(factory.ExitRefused), res["exitCode"])
	assert.Contains(t, res["error"], "no release record")
	assert.NoDirExists(t, dir+"/bundle", "nothing is written")
}

func TestProgressGoesToATerminalOnly(t *testing.T) {
	tty := openTerminal(t)
	assert.Equal(t, tty, progressTo(tty, false), "a terminal shows progress")
	assert.Nil(t, progressTo(tty, true), "--json prints the result object only")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.Nil(t, progressTo(w, false), "a pipe is not a terminal")
	file, err := os.Create(t.TempDir() + "/log")
	require.NoError(t, err)
	defer file.Close()
	assert.Nil(t, progressTo(file, false), "a file is not a terminal")
	assert.Nil(t, progressTo(&bytes.Buffer{}, false))
}

func TestFlagErrorsWithJSONPrintAResultObject(t *testing.T) {
	for _, args := range [][]string{
		{"preview", "dev", "--json", "--bogus"},
		{"up", "--bogus", "dev", "--json"},
		{"promote", "dev", "staging", "-json", "--allow-replace"},
		{"vend", "request.yaml", "--json=true", "--yes=maybe"},
		{"cost", "dev", "--json", "--lines=x"},
		{"evidence", "--json", "dev", "--nope"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, &out, &errOut)
		assert.Equal(t, factory.ExitBadInput, code, "%v", args)
		var res map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &res), "%v prints one JSON object: %q", args, out.String())
		assert.Equal(t, float64(factory.ExitBadInput), res["exitCode"], "%v", args)
		assert.Contains(t, res["error"], "aifactory "+args[0], "%v", args)
		assert.Contains(t, errOut.String(), "usage: aifactory "+args[0], "%v: the usage still goes to stderr", args)
	}
	for _, args := range [][]string{{"preview", "dev", "--bogus"}, {"preview", "dev", "--json=false", "--bogus"}, {"preview", "dev", "--", "--json", "--bogus"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, factory.ExitBadInput, run(context.Background(), args, &out, &errOut), "%v", args)
		assert.Empty(t, out.String(), "%v: without --json nothing goes to stdout", args)
	}
}
