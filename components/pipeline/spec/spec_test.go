package spec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/pipeline/spec"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseImageAcceptsDigestReferences(t *testing.T) {
	tests := []struct {
		ref      string
		registry string
		repo     string
		ecr      *spec.ECRRegistry
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@" + digest,
			"123456789012.dkr.ecr.eu-west-1.amazonaws.com", "aifactory-dev-optimiser", &spec.ECRRegistry{Account: "123456789012", Region: "eu-west-1"}},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/optimiser@" + digest,
			"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "team/optimiser", &spec.ECRRegistry{Account: "123456789012", Region: "cn-north-1"}},
		{"registry.example.com/aifactory/optimiser@" + digest, "registry.example.com", "aifactory/optimiser", nil},
		{"localhost:5000/optimiser@" + digest, "localhost:5000", "optimiser", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			img, err := spec.ParseImage(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.registry, img.Registry)
			assert.Equal(t, tt.repo, img.Repository)
			assert.Equal(t, digest, img.Digest)
			assert.Equal(t, tt.ecr, img.ECR)
			assert.Equal(t, tt.ref, img.String())
		})
	}
}

func TestParseImageRefusesAnythingButADigest(t *testing.T) {
	ecr := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser"
	tests := []struct {
		name string
		ref  string
		want []string
	}{
		{"tag", ecr + ":v1.2.0", []string{"is a tag (:v1.2.0)", "@sha256:", "make image"}},
		{"latest", ecr + ":latest", []string{"is a tag (:latest)"}},
		{"tag and digest", ecr + ":v1@" + digest, []string{"tag :v1 as well as a digest", "drop the tag"}},
		{"no digest", ecr, []string{"names no digest"}},
		{"short digest", ecr + "@sha256:0123", []string{"64 lower-case hex digits"}},
		{"upper-case digest", ecr + "@" + strings.ToUpper(digest), []string{"64 lower-case hex digits"}},
		{"other algorithm", ecr + "@sha512:" + strings.Repeat("a", 128), []string{"sha256:"}},
		{"no registry", "optimiser@" + digest, []string{"registry host"}},
		{"Docker Hub namespace", "library/optimiser@" + digest, []string{"registry host"}},
		{"upper-case repository", "registry.example.com/Optimiser@" + digest, []string{"repository \"Optimiser\""}},
		{"empty", "", []string{"names no digest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.ParseImage(tt.ref)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParseWeeklySchedule(t *testing.T) {
	for expr, want := range map[string]spec.Schedule{
		"cron(0 6 ? * MON *)":    {Weekday: time.Monday, Hour: 6},
		"cron(30 23 ? * sun *)":  {Weekday: time.Sunday, Hour: 23, Minute: 30},
		"cron(5 0 ? * 7 *)":      {Weekday: time.Saturday, Minute: 5},
		" cron(0 6 ? * 2 *) ":    {Weekday: time.Monday, Hour: 6},
		"cron(15 4 ? * FRI *)":   {Weekday: time.Friday, Hour: 4, Minute: 15},
		"cron(0 12 ? * WED   *)": {Weekday: time.Wednesday, Hour: 12},
	} {
		got, err := spec.ParseWeeklySchedule(expr)
		require.NoError(t, err, expr)
		assert.Equal(t, want, got, expr)
		again, err := spec.ParseWeeklySchedule(got.Expression())
		require.NoError(t, err)
		assert.Equal(t, got, again, "Expression reads back the same schedule")
	}
	assert.Equal(t, "cron(0 6 ? * MON *)", spec.Schedule{Weekday: time.Monday, Hour: 6}.Expression())
}

func TestParseWeeklyScheduleRefusesOtherCadences(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{"rate(7 days)", "not a cron(...) expression"},
		{"0 6 * * 1", "not a cron(...) expression"},
		{"cron(0 6 ? * MON)", "has 5 fields"},
		{"cron(0 6 * * MON *)", "day-of-month \"*\" must be ?"},
		{"cron(0 6 ? * MON-FRI *)", "one day"},
		{"cron(0 6 ? * MON,THU *)", "one day"},
		{"cron(0 */6 ? * MON *)", "hour \"*/6\""},
		{"cron(* 6 ? * MON *)", "minute \"*\""},
		{"cron(0 24 ? * MON *)", "hour \"24\""},
		{"cron(0 6 ? 1 MON *)", "month \"1\""},
		{"cron(0 6 ? * MON 2026)", "year \"2026\""},
		{"cron(0 6 ? * 8 *)", "one day"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := spec.ParseWeeklySchedule(tt.expr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "cron(0 6 ? * MON *)", "the error shows a valid expression")
		})
	}
}

func TestCheckTimezone(t *testing.T) {
	for _, tz := range []string{"Europe/Amsterdam", "Europe/London", "Europe/Stockholm", "UTC", "America/New_York"} {
		assert.NoError(t, spec.CheckTimezone(tz), tz)
	}
	for _, tz := range []string{"", "Local", "CEST", "Europe/Amsterdm", "+01:00", "/etc/localtime"} {
		err := spec.CheckTimezone(tz)
		if assert.Error(t, err, tz) {
			assert.Contains(t, err.Error(), "Europe/Amsterdam", "the error shows a valid name")
		}
	}
}

func TestCheckTaskSize(t *testing.T) {
	for _, ok := range [][2]int{{256, 512}, {256, 2048}, {512, 1024}, {1024, 2048}, {1024, 8192}, {2048, 16384}, {4096, 30720}, {8192, 61440}, {16384, 122880}} {
		assert.NoError(t, spec.CheckTaskSize(ok[0], ok[1]), "%v", ok)
	}
	for _, bad := range []struct {
		cpu, mem int
		want     string
	}{
		{256, 4096, "use 512, 1024 or 2048"},
		{1024, 1024, "use 2048-8192 in steps of 1024"},
		{1024, 2500, "steps of 1024"},
		{8192, 18000, "steps of 4096"},
		{1000, 2048, "not a Fargate task size"},
		{0, 0, "not a Fargate task size"},
	} {
		err := spec.CheckTaskSize(bad.cpu, bad.mem)
		if assert.Error(t, err, "%d/%d", bad.cpu, bad.mem) {
			assert.Contains(t, err.Error(), bad.want)
		}
	}
}

func TestCheckCountries(t *testing.T) {
	assert.Empty(t, spec.CheckCountries([]string{"NL", "GB", "SE"}))
	errs := spec.CheckCountries([]string{"NL", "nl", "NLD", "NL"})
	require.Len(t, errs, 3)
	assert.Contains(t, errs[0].Error(), `[1] "nl"`)
	assert.Contains(t, errs[1].Error(), `[2] "NLD"`)
	assert.Contains(t, errs[2].Error(), `[3] "NL" is listed twice`)
	require.Len(t, spec.CheckCountries(nil), 1)
	assert.Contains(t, spec.CheckCountries(nil)[0].Error(), "is empty")
	assert.Equal(t, "nl.yaml", spec.ConfigFile("NL"))
}

func TestCheckRoleName(t *testing.T) {
	for _, ok := range []string{"aifactory-deploy", "ci/aifactory-deploy", "sales.history+writer@x"} {
		assert.NoError(t, spec.CheckRoleName(ok), ok)
	}
	for _, bad := range []string{"", "arn:aws:iam::123456789012:role/deploy", "deploy role", strings.Repeat("a", 65)} {
		assert.Error(t, spec.CheckRoleName(bad), bad)
	}
}
