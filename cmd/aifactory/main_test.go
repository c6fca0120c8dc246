package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUsageErrorsExitWithTwo(t *testing.T) {
	for _, args := range [][]string{nil, {"deploy"}, {"preview", "-bogus"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, &out, &errOut), "%v", args)
		assert.Contains(t, strings.ToLower(errOut.String()), "usage", "%v", args)
	}
}

func TestUnknownStackNamesTheChoices(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"preview", "-stack", "qa"}, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "Pulumi.qa.yaml")
	assert.Contains(t, errOut.String(), "dev, staging or prod")
	assert.Empty(t, out.String(), "nothing is printed as a plan when the stack does not exist")
}

func TestPreviewPrintsThePlanOfTheRealEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level: runs the real Pulumi engine")
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"preview", "-stack", "dev"}, &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	for _, want := range []string{"aws:kms/key:Key", "aws:ec2/flowLog:FlowLog", "aifactory:network:SecureNetwork", "to create",
		"policy pack aifactory-guardrails", "Policy: 0 mandatory"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "[mandatory]")
}
