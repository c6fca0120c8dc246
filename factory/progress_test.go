package factory

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/factory/engine"
)

func TestProgressIsOneLinePerResourceOperationWithARunningCount(t *testing.T) {
	var out bytes.Buffer
	report := progressLines(&out, engine.OpUp, "dev")
	for _, c := range []engine.Change{
		{Op: "same", Type: "pulumi:pulumi:Stack", Name: "aifactory-dev"},
		{Op: "create", Type: "aws:kms/key:Key", Name: "keys-data"},
		{Op: "same", Type: "aws:ec2/vpc:Vpc", Name: "network-vpc"},
		{Op: "update", Type: "aws:cloudwatch/logGroup:LogGroup", Name: "network-flow-logs"},
		{Op: "delete", Type: "aws:iam/role:Role", Name: "workspace-old"},
	} {
		report(c)
	}
	assert.Equal(t, "up dev [1] create aws:kms/key:Key keys-data\n"+
		"up dev [2] update aws:cloudwatch/logGroup:LogGroup network-flow-logs\n"+
		"up dev [3] delete aws:iam/role:Role workspace-old\n", out.String())
}

func TestProgressCountsConcurrentStepsOnce(t *testing.T) {
	var out bytes.Buffer
	report := progressLines(&out, engine.OpPreview, "prod")
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			report(engine.Change{Op: "create", Type: "aws:s3/bucketV2:BucketV2", Name: "b"})
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, 50)
	assert.Equal(t, "preview prod [50] create aws:s3/bucketV2:BucketV2 b", lines[49], "the count runs in order")
}
