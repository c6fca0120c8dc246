package spec_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/serving/spec"
)

const version1 = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-team-a/1"

func limits() spec.Limits {
	return spec.Limits{AllowedInstanceTypes: []string{"ml.m5.large", "ml.c5.large"}, MaxInstances: 4, AllowServerless: true, MaxServerlessConcurrency: 5}
}

func realTime() spec.Endpoint {
	return spec.Endpoint{Name: "churn", ModelPackageArn: version1, InstanceType: "ml.m5.large", MinInstances: 1, MaxInstances: 2,
		DataCapturePercent: 20, ExpiresAt: "2027-12-31T18:00:00Z"}
}

func TestValidEndpointsPass(t *testing.T) {
	require.NoError(t, realTime().Validate("dev", limits()))
	sl := spec.Endpoint{Name: "score", ModelPackageArn: version1, Serverless: &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 5}, ExpiresAt: "2027-12-31T18:00:00Z"}
	require.NoError(t, sl.Validate("dev", limits()))
	prod := realTime()
	prod.ExpiresAt = ""
	require.NoError(t, prod.Validate("prod", limits()), "expiresAt is optional outside dev")
}

func TestDefaults(t *testing.T) {
	e := spec.Endpoint{Name: "churn", ModelPackageArn: version1, InstanceType: "ml.m5.large", DataCapturePercent: 5}.WithDefaults()
	assert.Equal(t, 1, e.MinInstances)
	assert.Equal(t, 1, e.MaxInstances)
	assert.Equal(t, spec.DefaultTargetInvocationsPerInstance, e.TargetInvocationsPerInstance)
	assert.Equal(t, float64(spec.DefaultMaxErrorRatePercent), e.Alarms.MaxErrorRatePercent)
	assert.Equal(t, spec.DefaultMaxLatencyMs, e.Alarms.MaxLatencyMs)
	s := spec.Endpoint{Serverless: &spec.Serverless{}}.WithDefaults()
	assert.Zero(t, s.MinInstances, "serverless endpoints do not scale by instances")
}

func TestInvalidEndpointsNameTheFieldAndTheFix(t *testing.T) {
	tests := []struct {
		name string
		env  string
		edit func(*spec.Endpoint)
		lim  func(*spec.Limits)
		want string
	}{
		{"bad name", "dev", func(e *spec.Endpoint) { e.Name = "Churn_Model" }, nil, `name "Churn_Model"`},
		{"double hyphen", "dev", func(e *spec.Endpoint) { e.Name = "churn--x" }, nil, "single hyphens"},
		{"not a version ARN", "dev", func(e *spec.Endpoint) {
			e.ModelPackageArn = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/x"
		}, nil, "modelPackageArn"},
		{"version 0", "dev", func(e *spec.Endpoint) {
			e.ModelPackageArn = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/x/0"
		}, nil, "start at 1"},
		{"type not allowed", "dev", func(e *spec.Endpoint) { e.InstanceType = "ml.p3.2xlarge" }, nil, "serving.allowedInstanceTypes"},
		{"no type", "dev", func(e *spec.Endpoint) { e.InstanceType = "" }, nil, "instanceType is not set"},
		{"too many instances", "dev", func(e *spec.Endpoint) { e.MaxInstances = 9 }, nil, "maxInstances 9"},
		{"min above max", "dev", func(e *spec.Endpoint) { e.MinInstances = 3 }, nil, "1 <= minInstances <= maxInstances"},
		{"no capture", "dev", func(e *spec.Endpoint) { e.DataCapturePercent = 0 }, nil, "dataCapturePercent 0"},
		{"capture above 100", "dev", func(e *spec.Endpoint) { e.DataCapturePercent = 101 }, nil, "dataCapturePercent 101"},
		{"dev without expiry", "dev", func(e *spec.Endpoint) { e.ExpiresAt = "" }, nil, "expiresAt is not set"},
		{"expiry not a time", "staging", func(e *spec.Endpoint) { e.ExpiresAt = "next week" }, nil, `expiresAt "next week"`},
		{"error rate above 100", "dev", func(e *spec.Endpoint) { e.Alarms.MaxErrorRatePercent = 120 }, nil, "alarms.maxErrorRatePercent"},
		{"latency above a minute", "dev", func(e *spec.Endpoint) { e.Alarms.MaxLatencyMs = 90000 }, nil, "alarms.maxLatencyMs"},
		{"both kinds", "dev", func(e *spec.Endpoint) { e.Serverless = &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 1} }, nil, "both set"},
		{"serverless not allowed", "dev", func(e *spec.Endpoint) {
			e.InstanceType, e.MinInstances, e.MaxInstances, e.DataCapturePercent = "", 0, 0, 0
			e.Serverless = &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 1}
		}, func(l *spec.Limits) { l.AllowServerless = false }, "does not allow serverless inference"},
		{"serverless memory", "dev", func(e *spec.Endpoint) {
			e.InstanceType, e.MinInstances, e.MaxInstances, e.DataCapturePercent = "", 0, 0, 0
			e.Serverless = &spec.Serverless{MemorySizeMB: 1000, MaxConcurrency: 1}
		}, nil, "serverless.memorySizeMb 1000"},
		{"serverless concurrency", "dev", func(e *spec.Endpoint) {
			e.InstanceType, e.MinInstances, e.MaxInstances, e.DataCapturePercent = "", 0, 0, 0
			e.Serverless = &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 6}
		}, nil, "serverless.maxConcurrency 6"},
		{"serverless cannot capture", "dev", func(e *spec.Endpoint) {
			e.InstanceType, e.MinInstances, e.MaxInstances = "", 0, 0
			e.Serverless = &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 1}
		}, nil, "serverless inference cannot capture data"},
		{"serverless with instances", "dev", func(e *spec.Endpoint) {
			e.InstanceType, e.DataCapturePercent = "", 0
			e.Serverless = &spec.Serverless{MemorySizeMB: 2048, MaxConcurrency: 1}
		}, nil, "remove them"},
		{"instance storage type allowed", "dev", nil, func(l *spec.Limits) { l.AllowedInstanceTypes = append(l.AllowedInstanceTypes, "ml.m5d.large") }, "NVMe instance storage"},
		{"no instance bound", "dev", nil, func(l *spec.Limits) { l.MaxInstances = 0 }, "maxInstances 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, l := realTime(), limits()
			if tt.edit != nil {
				tt.edit(&e)
			}
			if tt.lim != nil {
				tt.lim(&l)
			}
			err := e.Validate(tt.env, l)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestModelPackagesBelongToTheTeamsRegistry(t *testing.T) {
	p, err := spec.ParseModelPackageArn(version1)
	require.NoError(t, err)
	assert.Equal(t, spec.ModelPackage{Partition: "aws", Region: "eu-west-1", Account: "123456789012", Group: "aifactory-dev-team-a", Version: 1}, p)
	require.NoError(t, spec.CheckModelPackage(version1, "eu-west-1", "123456789012", "aifactory-dev-team-a"))
	for name, tc := range map[string]struct{ arn, want string }{
		"another team's registry": {"arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-team-b/1", `own registry "aifactory-dev-team-a"`},
		"another region":          {"arn:aws:sagemaker:us-east-1:123456789012:model-package/aifactory-dev-team-a/1", "region us-east-1"},
		"another account":         {"arn:aws:sagemaker:eu-west-1:210987654321:model-package/aifactory-dev-team-a/1", "aifactory:accountId is 123456789012"},
	} {
		err := spec.CheckModelPackage(tc.arn, "eu-west-1", "123456789012", "aifactory-dev-team-a")
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
}

func TestNamesFitSageMakersLimits(t *testing.T) {
	assert.Equal(t, "aifactory-dev-team-a--churn", spec.EndpointName("aifactory-dev", "team-a", "churn"))
	assert.Equal(t, "aifactory-dev-team-a", spec.RegistryName("aifactory-dev", "team-a"))
	require.NoError(t, spec.CheckNames("aifactory-dev", "team-a", []string{"churn"}))
	err := spec.CheckNames("aifactory-staging", "jackpot-analytics-forecasting", []string{"jackpot-propensity-weekly"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shorten the endpoint name")
}

func TestExpiryNeverReadsTheClock(t *testing.T) {
	at, err := realTime().Expiry()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2027, 12, 31, 18, 0, 0, 0, time.UTC), at)
	at, err = spec.Endpoint{}.Expiry()
	require.NoError(t, err)
	assert.True(t, at.IsZero())
	// A time long past is still valid config: the cleanup job, not the
	// preview, decides what has expired.
	past := realTime()
	past.ExpiresAt = "2001-01-01T00:00:00Z"
	require.NoError(t, past.Validate("dev", limits()))
}

func TestInstanceTypes(t *testing.T) {
	for _, ok := range []string{"ml.m5.large", "ml.c6i.xlarge", "ml.inf2.xlarge", "ml.t2.medium"} {
		assert.NoError(t, spec.CheckInstanceType(ok), ok)
	}
	for _, bad := range []string{"m5.large", "ml.m5d.large", "ml.g4dn.xlarge", "ml.p4d.24xlarge", "ml.c5d.2xlarge", "ml.g5.xlarge"} {
		assert.Error(t, spec.CheckInstanceType(bad), bad)
	}
	assert.NoError(t, spec.CheckRoleName("jackpot-pricing-service"))
	assert.Error(t, spec.CheckRoleName("arn:aws:iam::123456789012:role/x"))
}
