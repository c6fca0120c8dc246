package factory

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExitCodesAreDistinct(t *testing.T) {
	codes := map[int]string{}
	for name, code := range map[string]int{
		"ok": ExitOK, "failure": ExitFailure, "bad input": ExitBadInput, "policy": ExitPolicy,
		"busy": ExitBusy, "refused": ExitRefused, "drift": ExitDrift,
	} {
		assert.NotContains(t, codes, code, "%s shares its exit code with %s", name, codes[code])
		codes[code] = name
	}
	assert.Equal(t, ExitOK, Code(nil))
	assert.Equal(t, ExitFailure, Code(errors.New("x")))
	assert.Equal(t, ExitBadInput, Code(BadInput(errors.New("x"))))
	assert.Equal(t, ExitRefused, Code(Refused(errors.New("x"))))
}

func TestBusyErrorNamesTheLockHolder(t *testing.T) {
	msg := "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
		"  file:///tmp/state/.pulumi/locks/organization/aifactory/dev/abc.json: created by ops@build-7 (pid 4242) at 2026-12-02T09:00:00Z"
	m := lockHolder.FindStringSubmatch(msg)
	if assert.NotNil(t, m) {
		err := &BusyError{Stack: "dev", Holder: m[1] + ", pid " + m[2] + ", since " + m[3]}
		assert.Contains(t, err.Error(), "stack dev is busy")
		assert.Contains(t, err.Error(), "ops@build-7, pid 4242, since 2026-12-02T09:00:00Z")
	}
}

func TestAStepMeetingAHalfWrittenCheckpointIsTriedAgain(t *testing.T) {
	calls := 0
	v, err := whileCheckpointIsWritten(context.Background(), func() (int, error) {
		calls++
		if calls < 3 {
			return 0, errors.New("stderr: error: getting snapshot: failed to load checkpoint: EOF")
		}
		return 42, nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 42, v)
	assert.Equal(t, 3, calls)

	calls = 0
	_, err = whileCheckpointIsWritten(context.Background(), func() (int, error) {
		calls++
		return 0, errors.New("the stack is currently locked by 1 lock(s)")
	})
	assert.Error(t, err)
	assert.Equal(t, 1, calls, "other errors are not retried")
}
