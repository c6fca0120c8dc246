package main

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/aifactory/platform/internal/fakeaws"
)

// now is the tests' fixed clock: every run sees this time.
var now = time.Date(2026, 2, 21, 19, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestExitCodesAndDryRunDefault(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		fail    bool
		code    int
		deletes bool
		stderr  string
	}{
		{name: "dev defaults to a dry run", args: []string{"-project", "aifactory", "-environment", "dev"}, code: exitOK, stderr: "(dry run)"},
		{name: "prod acts", args: []string{"-project", "aifactory", "-environment", "prod"}, code: exitOK, deletes: true},
		{name: "dev acts when asked", args: []string{"-project", "aifactory", "-environment", "dev", "-dry-run=false"}, code: exitOK, deletes: true},
		{name: "environment variables", env: map[string]string{"CLEANUP_PROJECT": "aifactory", "CLEANUP_ENVIRONMENT": "dev", "CLEANUP_DRY_RUN": "false"}, code: exitOK, deletes: true},
		{name: "a failed action", args: []string{"-project", "aifactory", "-environment", "prod"}, fail: true, code: exitFailed},
		{name: "no project", args: []string{"-environment", "dev"}, code: exitUsage, stderr: "Project is empty"},
		{name: "bad duration", env: map[string]string{"CLEANUP_STUDIO_IDLE_LIMIT": "two hours"}, code: exitUsage, stderr: "CLEANUP_STUDIO_IDLE_LIMIT"},
		{name: "bad dry-run", args: []string{"-project", "p", "-environment", "dev", "-dry-run=maybe"}, code: exitUsage, stderr: "use true or false"},
		{name: "stray argument", args: []string{"-project", "p", "-environment", "dev", "now"}, code: exitUsage, stderr: "unexpected argument"},
		{name: "bad timeout", args: []string{"-project", "p", "-environment", "dev", "-timeout", "0s"}, code: exitUsage, stderr: "-timeout=0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fakeaws.New(t)
			envName := "prod"
			for i, a := range tc.args {
				if a == "-environment" {
					envName = tc.args[i+1]
				}
			}
			if e := tc.env["CLEANUP_ENVIRONMENT"]; e != "" {
				envName = e
			}
			s.Volumes = []*fakeaws.Volume{{ID: "vol-1", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 10, State: "available",
				Created: now.Add(-30 * 24 * time.Hour), Tags: fakeaws.Tags{"project": "aifactory", "environment": envName}}}
			if tc.fail {
				s.Fail("DeleteVolume", "vol-1", fakeaws.Fault{Code: "UnauthorizedOperation", Message: "denied"})
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, env(tc.env), &stdout, &stderr, func(context.Context) (aws.Config, error) { return s.Config(), nil }, clock)
			assert.Equal(t, tc.code, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.stderr)
			assert.Equal(t, tc.deletes, len(s.Mutations()) > 0 && s.Mutations()[0] == "DeleteVolume vol-1", s.Mutations())
			if code == exitOK {
				assert.Contains(t, stdout.String(), `"msg":"decision"`)
			}
		})
	}
}

func TestVersionNeedsNoConfiguration(t *testing.T) {
	buildinfo.Version, buildinfo.Commit = "v9.8.7", "cafef00d"
	defer func() { buildinfo.Version, buildinfo.Commit = "", "" }()
	var stdout, stderr bytes.Buffer
	// A malformed variable does not stand in the way of -version.
	code := run(context.Background(), []string{"-version"}, env(map[string]string{"CLEANUP_DRY_RUN": "maybe"}), &stdout, &stderr,
		func(context.Context) (aws.Config, error) {
			t.Fatal("-version loads no AWS configuration")
			return aws.Config{}, nil
		}, clock)
	assert.Equal(t, exitOK, code, stderr.String())
	assert.Equal(t, "cleanup v9.8.7 (commit cafef00d, "+runtime.Version()+")\n", stdout.String())
}

// TestTimeoutEndsTheRunAsInterrupted: a run that outlives -timeout stops
// like one Fargate Spot takes back, exit 3, and leaves the rest to the next.
func TestTimeoutEndsTheRunAsInterrupted(t *testing.T) {
	s := fakeaws.New(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-project", "aifactory", "-environment", "prod", "-timeout", "1ns"}, env(nil), &stdout, &stderr,
		func(ctx context.Context) (aws.Config, error) {
			<-ctx.Done()
			return s.Config(), nil
		}, clock)
	assert.Equal(t, exitInterrupted, code, stderr.String())
	assert.Contains(t, stderr.String(), "the next run finishes the work")
}

func TestInterruptedRunExitsThree(t *testing.T) {
	s := fakeaws.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-project", "aifactory", "-environment", "prod"}, env(nil), &stdout, &stderr, func(context.Context) (aws.Config, error) { return s.Config(), nil }, clock)
	assert.Equal(t, exitInterrupted, code)
}

// TestTheRunMeasuresAgesWithItsClock: a volume two days old at the run's
// time is kept, however old it is by the wall clock.
func TestTheRunMeasuresAgesWithItsClock(t *testing.T) {
	s := fakeaws.New(t)
	s.Volumes = []*fakeaws.Volume{{ID: "vol-young", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 10, State: "available",
		Created: now.Add(-48 * time.Hour), Tags: fakeaws.Tags{"project": "aifactory", "environment": "prod"}}}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-project", "aifactory", "-environment", "prod"}, env(nil), &stdout, &stderr,
		func(context.Context) (aws.Config, error) { return s.Config(), nil }, clock)
	assert.Equal(t, exitOK, code, stderr.String())
	assert.Empty(t, s.Mutations())
	assert.Contains(t, stdout.String(), `"outcome":"kept"`)
	assert.Contains(t, stdout.String(), `"time":"2026-02-21T19:00:00Z"`)
}
