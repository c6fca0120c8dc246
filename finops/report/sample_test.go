package report_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/report"
)

var updateSample = flag.Bool("update-sample", false, "rewrite finops/report/sample from the recorded Cost Explorer responses")

// TestSampleReportIsWhatTheCodeWrites keeps the sample the README shows
// (finops/report/sample) equal to what the report writes for the recorded
// February responses and the cleanup job's log:
//
//	go test ./finops/report -run TestSampleReport -update-sample
func TestSampleReportIsWhatTheCodeWrites(t *testing.T) {
	r, _ := build(t)
	dir := "sample"
	if !*updateSample {
		dir = t.TempDir()
	}
	_, err := r.Write(dir, false)
	require.NoError(t, err)
	if *updateSample {
		return
	}
	want, err := os.ReadFile(filepath.Join("sample", report.ReportFile))
	require.NoError(t, err, "no committed sample; run with -update-sample")
	got, err := os.ReadFile(filepath.Join(dir, report.ReportFile))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "the sample is stale; run with -update-sample")
	for _, c := range r.Charts() {
		info, err := os.Stat(filepath.Join("sample", c.File))
		require.NoError(t, err, "the sample's chart %s is missing; run with -update-sample", c.File)
		assert.Positive(t, info.Size())
	}
}
