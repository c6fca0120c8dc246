package main

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/awsio/s3fake"
	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The weekly pipeline runs one task per country and step with exactly
// these arguments (components/pipeline, whose tests assert every command
// line the state machine sends; optimiser/README.md, "Running in the
// pipeline"). bucket stands for both the pipeline's access point alias
// (inputs) and the models bucket (outputs); run is <YYYY-MM-DD>/<execution
// name>, so no run overwrites another's files.
func pipelineTrainArgs(bucket, cc, run string) []string {
	return []string{"train", "--country", cc,
		"--config-dir", "s3://" + bucket + "/pipeline/configs/",
		"--data-dir", "s3://" + bucket + "/pipeline/data/",
		"--out", "s3://" + bucket + "/pipeline/models/" + run + "/"}
}

func pipelineRecommendArgs(bucket, cc, run string) []string {
	return []string{"recommend", "--country", cc,
		"--config-dir", "s3://" + bucket + "/pipeline/configs/",
		"--data-dir", "s3://" + bucket + "/pipeline/data/",
		"--model", "s3://" + bucket + "/pipeline/models/" + run + "/" + cc + "/model.json",
		"--out", "s3://" + bucket + "/pipeline/outputs/" + run + "/",
		"--cash-secret", cashSecretArn,
		"--draw", "next",
		"--require-cash"}
}

// cashSecretArn is the pipeline's cash secret, as the workflow names it.
const cashSecretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/optimiser/cash-AbCdEf"

// withoutFlag drops a flag and its value from a command line.
func withoutFlag(args []string, flag string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == flag {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// pipelineClock is the pipeline's "now" in these tests: the Monday before
// the draw that follows the bundled histories (2024-12-28), so that
// "--draw next" is that draw.
var pipelineClock = time.Date(2024, 12, 23, 5, 0, 0, 0, time.UTC)

// pipelineBucket serves S3 with the bundled configs and histories under
// pipeline/, as the pipeline lays them out, with edits applied.
func pipelineBucket(t *testing.T, editData map[string]func(string) string) *s3fake.Server {
	t.Helper()
	srv := s3fake.Start(t, "lottery")
	for _, dir := range []struct {
		fsys   fs.FS
		prefix string
	}{{bundled.Configs(), "pipeline/configs/"}, {bundled.Data(), "pipeline/data/"}} {
		entries, err := fs.ReadDir(dir.fsys, ".")
		require.NoError(t, err)
		for _, e := range entries {
			b, err := fs.ReadFile(dir.fsys, e.Name())
			require.NoError(t, err)
			if f, ok := editData[e.Name()]; ok {
				b = []byte(f(string(b)))
			}
			srv.PutObject(t, "lottery", dir.prefix+e.Name(), b)
		}
	}
	return srv
}

func TestPipelineTasksReadAndWriteS3(t *testing.T) {
	srv := pipelineBucket(t, nil)
	env := cliEnv{s3: srv, now: pipelineClock, secrets: map[string]string{cashSecretArn: `{"NL": 1e9, "GB": 1e9, "SE": 1e10}`}}
	const run = "2024-12-23/weekly-1"
	for _, cc := range []string{"NL", "GB", "SE"} {
		t.Run(cc, func(t *testing.T) {
			r := runCLIEnv(t, env, pipelineTrainArgs("lottery", cc, run)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			models := srv.Objects(t, "lottery", "pipeline/models/")
			model, ok := models["pipeline/models/"+run+"/"+cc+"/model.json"]
			require.True(t, ok, "model written to S3: %v", s3fake.Keys(models))

			r = runCLIEnv(t, env, pipelineRecommendArgs("lottery", cc, run)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			prefix := "pipeline/outputs/" + run + "/" + cc + "/"
			outs := srv.Objects(t, "lottery", prefix)
			assert.Equal(t, []string{prefix + "metadata.json", prefix + "recommendation.json"}, s3fake.Keys(outs))

			var rec report.Recommendation
			require.NoError(t, json.Unmarshal(outs[prefix+"recommendation.json"], &rec))
			assert.Equal(t, "optimal", rec.Status, "cash came from the secret")
			assert.Equal(t, "2024-12-28", rec.DrawDate, "the next draw after the pipeline's today")
			var meta report.Metadata
			require.NoError(t, json.Unmarshal(outs[prefix+"metadata.json"], &meta))
			assert.Equal(t, "s3://lottery/pipeline/data/"+strings.ToLower(cc)+".csv", meta.DataSource)
			assert.Equal(t, "s3://lottery/pipeline/configs/"+strings.ToLower(cc)+".yaml", meta.ConfigSource)
			assert.Equal(t, sha256Hex(model), meta.ModelSHA256, "the model read back from S3 is the one used")
			assert.False(t, meta.SyntheticData)
		})
	}
}

func TestPipelineFailuresLeaveNoObjectBehind(t *testing.T) {
	broken := map[string]func(string) string{"gb.csv": replaceLine(30, ",saturday,", ",someday,")}
	srv := pipelineBucket(t, broken)
	cash := map[string]string{"OPTIMISER_CASH_NL": "1e9", "OPTIMISER_CASH_GB": "1e9"}

	t.Run("bad history", func(t *testing.T) {
		r := runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock, vars: cash}, pipelineTrainArgs("lottery", "GB", "run-1")...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "s3://lottery/pipeline/data/gb.csv")
		assert.Contains(t, r.stderr, "row 30")
		assert.Empty(t, srv.Objects(t, "lottery", "pipeline/models/"))
	})

	t.Run("cash required but missing", func(t *testing.T) {
		require.Equal(t, exitOK, runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock}, pipelineTrainArgs("lottery", "NL", "run-1")...).code)

		// The secret has no figure for the country.
		noNL := cliEnv{s3: srv, now: pipelineClock, secrets: map[string]string{cashSecretArn: `{"GB": 1e9}`}}
		r := runCLIEnv(t, noNL, pipelineRecommendArgs("lottery", "NL", "run-1")...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "has no entry for NL")
		assert.Empty(t, srv.Objects(t, "lottery", "pipeline/outputs/"))

		// No cash source at all.
		args := withoutFlag(pipelineRecommendArgs("lottery", "NL", "run-1"), "--cash-secret")
		r = runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock}, args...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "NL: available cash is required")
		assert.Contains(t, r.stderr, "OPTIMISER_CASH_NL")
		assert.Empty(t, srv.Objects(t, "lottery", "pipeline/outputs/"))

		// The container sets the same through its environment.
		require.Equal(t, "--require-cash", args[len(args)-1])
		args = args[:len(args)-1]
		r = runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock, vars: map[string]string{"OPTIMISER_REQUIRE_CASH": "true"}}, args...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "NL: available cash is required")
		assert.Empty(t, srv.Objects(t, "lottery", "pipeline/outputs/"))
	})

	t.Run("a refused write restores last week's outputs", func(t *testing.T) {
		require.Equal(t, exitOK, runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock}, pipelineTrainArgs("lottery", "NL", "run-2")...).code)
		require.Equal(t, exitOK, runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock, vars: cash}, pipelineRecommendArgs("lottery", "NL", "run-2")...).code)
		before := srv.Objects(t, "lottery", "pipeline/outputs/run-2/")
		require.Len(t, before, 2)

		srv.FailPuts(func(_, key string) bool { return strings.HasSuffix(key, "/metadata.json") })
		defer srv.FailPuts(nil)
		r := runCLIEnv(t, cliEnv{s3: srv, now: pipelineClock, vars: map[string]string{"OPTIMISER_CASH_NL": "2e9"}}, pipelineRecommendArgs("lottery", "NL", "run-2")...)
		assert.Equal(t, exitError, r.code)
		assert.Contains(t, r.stderr, "AccessDenied")
		assert.Contains(t, r.stderr, "nothing was written")
		assert.Equal(t, before, srv.Objects(t, "lottery", "pipeline/outputs/run-2/"), "the previous set is back, byte for byte")
	})
}

func TestPipelineRefusesAStaleHistory(t *testing.T) {
	srv := pipelineBucket(t, nil)
	env := cliEnv{s3: srv, now: time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC), vars: map[string]string{"OPTIMISER_CASH_NL": "1e9"}}
	require.Equal(t, exitOK, runCLIEnv(t, env, pipelineTrainArgs("lottery", "NL", "run-1")...).code)
	r := runCLIEnv(t, env, pipelineRecommendArgs("lottery", "NL", "run-1")...)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "NL: sales history s3://lottery/pipeline/data/nl.csv ends with the draw of 2024-12-21")
	assert.Contains(t, r.stderr, "max_staleness_days")
	assert.Empty(t, srv.Objects(t, "lottery", "pipeline/outputs/"))
}

// run over S3: a broken country leaves no object behind, the others are
// written, each as a whole set, and summary.json records both.
func TestRunOverS3FailsOnlyTheBrokenCountry(t *testing.T) {
	srv := pipelineBucket(t, map[string]func(string) string{"gb.csv": replaceLine(30, ",saturday,", ",someday,")})
	env := cliEnv{s3: srv, now: pipelineClock, vars: map[string]string{"OPTIMISER_CASH": "NL=1e9,GB=1e9,SE=1e10", "OPTIMISER_REQUIRE_CASH": "true"}}
	r := runCLIEnv(t, env, "run", "--config-dir", "s3://lottery/pipeline/configs", "--data-dir", "s3://lottery/pipeline/data",
		"--out", "s3://lottery/pipeline/outputs/run-3", "--draw", "next")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "GB failed (exit 1)")
	objs := srv.Objects(t, "lottery", "pipeline/outputs/run-3/")
	assert.Equal(t, []string{
		"pipeline/outputs/run-3/NL/metadata.json", "pipeline/outputs/run-3/NL/recommendation.json",
		"pipeline/outputs/run-3/SE/metadata.json", "pipeline/outputs/run-3/SE/recommendation.json",
		"pipeline/outputs/run-3/summary.json",
	}, s3fake.Keys(objs))
	var sum Summary
	require.NoError(t, json.Unmarshal(objs["pipeline/outputs/run-3/summary.json"], &sum))
	assert.Equal(t, exitError, sum.ExitCode)
	statuses := map[string]string{}
	for _, c := range sum.Countries {
		statuses[c.Country] = c.Status + "/" + c.Outcome
	}
	assert.Equal(t, map[string]string{"GB": "failed/error", "NL": "written/optimal", "SE": "written/optimal"}, statuses)
}
