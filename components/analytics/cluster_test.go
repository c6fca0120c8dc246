package analytics_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/components/analytics/spec"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/mocktest"
)

func limits() analytics.Limits {
	return analytics.Limits{
		MaxIdleTimeout:       time.Hour,
		AllowedInstanceTypes: []string{"m5.xlarge", "m5a.xlarge", "m6i.xlarge", "r5.xlarge", "r6i.xlarge"},
		MaxCapacityUnits:     20,
	}
}

// standaloneArgs are what a tool outside the Studio passes to launch a cluster.
func standaloneArgs() *analytics.ClusterArgs {
	return &analytics.ClusterArgs{
		Scope:                        scopetest.Dev(),
		Team:                         jackpot,
		Tags:                         scopetest.TeamTags(jackpot),
		Spec:                         sparkSpec(),
		Limits:                       limits(),
		Now:                          deploymentTime,
		SubnetIDs:                    pulumi.ToStringArray(subnets),
		MasterSecurityGroupID:        pulumi.String("sg-primary"),
		CoreSecurityGroupID:          pulumi.String("sg-core"),
		ServiceAccessSecurityGroupID: pulumi.String("sg-service"),
		ServiceRoleArn:               pulumi.String("arn:aws:iam::123456789012:role/emr-service"),
		InstanceProfileArn:           pulumi.String("arn:aws:iam::123456789012:instance-profile/jackpot-nodes"),
		SecurityConfigurationName:    pulumi.String("aifactory-dev-emr-1"),
		LogBucketName:                pulumi.String(logBucket),
		LogsKeyArn:                   pulumi.String(logsKey),
	}
}

func runCluster(t *testing.T, a *analytics.ClusterArgs) (*mocktest.Mocks, error) {
	t.Helper()
	return mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := analytics.NewEphemeralCluster(ctx, "adhoc", a)
		return err
	})
}

func TestStandaloneClusterKeepsEveryGuardrail(t *testing.T) {
	m, err := runCluster(t, standaloneArgs())
	require.NoError(t, err)
	c := m.Named(t, clusterType, "adhoc")
	assert.Equal(t, "aifactory-dev-emr-1", c.Str("securityConfiguration"))
	assert.Equal(t, "s3://"+logBucket+"/emr/jackpot-analytics/", c.Str("logUri"))
	assert.Equal(t, logsKey, c.Str("logEncryptionKmsKeyId"))
	assert.Equal(t, "2025-06-05T09:00:00Z", c.Tags()[tagkeys.ExpiresAt])
	assert.Equal(t, "emr-7.2.0", c.Str("releaseLabel"))
	assert.ElementsMatch(t, spec.DefaultApplications(), toStrings(t, c, "applications"), "Studio needs Livy and Jupyter Enterprise Gateway")

	task := m.Named(t, fleetType, "adhoc-task")
	assert.Equal(t, 0.0, task.Num("targetOnDemandCapacity"))
	assert.Equal(t, 4.0, task.Num("targetSpotCapacity"))
	var types []struct {
		InstanceType string `json:"instanceType"`
		Ebs          []struct {
			Size int    `json:"size"`
			Type string `json:"type"`
		} `json:"ebsConfigs"`
	}
	require.NoError(t, task.JSON("instanceTypeConfigs", &types))
	require.Len(t, types, 4)
	for _, it := range types {
		require.Len(t, it.Ebs, 1)
		assert.Equal(t, 64, it.Ebs[0].Size, "the default data volume")
		assert.Equal(t, "gp3", it.Ebs[0].Type)
	}
	assert.Len(t, m.OfType(scalingType), 1)
}

func TestClusterArgsAreValidatedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name string
		edit func(*analytics.ClusterArgs)
		want string
	}{
		{"no security configuration", func(a *analytics.ClusterArgs) { a.SecurityConfigurationName = nil }, "SecurityConfigurationName"},
		{"no log key", func(a *analytics.ClusterArgs) { a.LogsKeyArn = nil }, "LogsKeyArn"},
		{"no service access group", func(a *analytics.ClusterArgs) { a.ServiceAccessSecurityGroupID = nil }, "ServiceAccessSecurityGroupID"},
		{"no subnets", func(a *analytics.ClusterArgs) { a.SubnetIDs = nil }, "SubnetIDs"},
		{"no instance profile", func(a *analytics.ClusterArgs) { a.InstanceProfileArn = nil }, "InstanceProfileArn"},
		{"tags of another team", func(a *analytics.ClusterArgs) { a.Tags = scopetest.TeamTags(insights) }, "must be the team's name"},
		{"idle timeout above the bound", func(a *analytics.ClusterArgs) { a.Spec.IdleTimeout = 61 * time.Minute }, "exceeds the environment's MaxIdleTimeout"},
		{"no limits", func(a *analytics.ClusterArgs) { a.Limits = analytics.Limits{} }, "MaxIdleTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := standaloneArgs()
			tt.edit(a)
			m, err := runCluster(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestClusterSpecValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*analytics.ClusterSpec)
		want string // empty: valid
	}{
		{"valid", func(*analytics.ClusterSpec) {}, ""},
		{"idle timeout at the bound", func(s *analytics.ClusterSpec) { s.IdleTimeout = time.Hour }, ""},
		{"idle timeout above the bound", func(s *analytics.ClusterSpec) { s.IdleTimeout = time.Hour + time.Second }, "exceeds the environment's MaxIdleTimeout"},
		{"fractional seconds", func(s *analytics.ClusterSpec) { s.IdleTimeout = 90*time.Second + time.Millisecond }, "whole seconds"},
		{"oldest release", func(s *analytics.ClusterSpec) { s.ReleaseLabel = "emr-6.4.0" }, ""},
		{"release 6.10 is newer than 6.4", func(s *analytics.ClusterSpec) { s.ReleaseLabel = "emr-6.10.1" }, ""},
		{"release 5.x", func(s *analytics.ClusterSpec) { s.ReleaseLabel = "emr-5.36.1" }, "ReleaseLabel"},
		{"negative TTL", func(s *analytics.ClusterSpec) { s.TTL = -time.Hour }, "positive duration"},
		{"too many instance types", func(s *analytics.ClusterSpec) {
			s.TaskInstanceTypes = strings.Split(strings.Repeat("m5.xlarge,", 31), ",")[:31]
		}, "TaskInstanceTypes"},
		{"bad application", func(s *analytics.ClusterSpec) { s.Applications = []string{"Spark 3"} }, "Applications"},
		{"Spot timeout not in minutes", func(s *analytics.ClusterSpec) { s.SpotTimeout = 10*time.Minute + time.Second }, "SpotTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sparkSpec()
			tt.edit(&s)
			err := s.Validate(limits(), deploymentTime)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), `cluster "`+s.Name+`"`, "errors name the cluster")
		})
	}
}

func TestExpiryNeverReadsTheClock(t *testing.T) {
	s := sparkSpec()
	first, err := s.Expiry(deploymentTime)
	require.NoError(t, err)
	second, err := s.Expiry(deploymentTime)
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, "2025-06-05T09:00:00Z", first.Format(time.RFC3339))

	local := time.Date(2025, 6, 2, 11, 0, 0, 500, time.FixedZone("CEST", 2*3600))
	got, err := s.Expiry(local)
	require.NoError(t, err)
	assert.Equal(t, "2025-06-05T09:00:00Z", got.Format(time.RFC3339), "UTC, to the second")
}

func TestClusterSpecReadsFromConfigStrictly(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string // error substring; empty: valid
	}{
		{"durations as Go strings", `{"name":"spark","releaseLabel":"emr-7.2.0","masterInstanceTypes":["m5.xlarge"],
			"coreInstanceTypes":["r5.xlarge"],"coreCapacity":2,"taskInstanceTypes":["m5.xlarge","m5a.xlarge","m6i.xlarge"],
			"taskSpotCapacity":4,"maxCapacity":12,"idleTimeout":"45m","spotTimeout":"15m","ttl":"72h"}`, ""},
		{"absolute expiry", `{"name":"spark","expiresAt":"2025-06-30T18:00:00Z"}`, ""},
		{"misspelt field", `{"name":"spark","idleTimout":"45m"}`, "idleTimout"},
		{"duration without unit", `{"name":"spark","idleTimeout":"45"}`, "idleTimeout \"45\" is not a duration"},
		{"duration as number", `{"name":"spark","ttl":72}`, "ttl"},
		{"malformed expiry", `{"name":"spark","expiresAt":"next friday"}`, "expiresAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s analytics.ClusterSpec
			err := json.Unmarshal([]byte(tt.json), &s)
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "spark", s.Name)
		})
	}

	var parsed []analytics.ClusterSpec
	require.NoError(t, json.Unmarshal([]byte(`[`+tests[0].json+`]`), &parsed))
	require.Len(t, parsed, 1)
	assert.Equal(t, 45*time.Minute, parsed[0].IdleTimeout)
	assert.Equal(t, 15*time.Minute, parsed[0].SpotTimeout)
	assert.Equal(t, 72*time.Hour, parsed[0].TTL)
	assert.NoError(t, parsed[0].Validate(limits(), deploymentTime))

	// What Go tools write, config reads back unchanged.
	for _, s := range []analytics.ClusterSpec{sparkSpec(), explorationSpec()} {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		var back analytics.ClusterSpec
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.Equal(t, s, back)
	}
}

func TestNoPublicEndpointIsExposed(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[analytics.EphemeralCluster](), reflect.TypeFor[analytics.EmrStudio]()} {
		for f := range typ.Fields() {
			tag := strings.ToLower(f.Tag.Get("pulumi"))
			assert.NotContains(t, tag, "public", "%s.%s must not publish a public DNS name or address", typ.Name(), f.Name)
		}
	}
}

func toStrings(t *testing.T, r mocktest.Resource, key string) []string {
	t.Helper()
	var out []string
	require.NoError(t, r.JSON(key, &out))
	return out
}

func TestStudioHandsToolsTheTeamsClusterWiring(t *testing.T) {
	m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		studio, err := analytics.New(ctx, "analytics", args())
		if err != nil {
			return err
		}
		if _, err := studio.ClusterArgs("unknown-team", sparkSpec()); err == nil {
			return errors.New("a team outside the Studio got cluster args")
		}
		spec := sparkSpec()
		spec.Name = "backfill"
		cargs, err := studio.ClusterArgs(insights, spec)
		if err != nil {
			return err
		}
		_, err = analytics.NewEphemeralCluster(ctx, "backfill", cargs, pulumi.Parent(studio))
		return err
	})
	require.NoError(t, err)
	c := m.Named(t, clusterType, "backfill")
	assert.Equal(t, "aifactory-dev-player-insights-backfill", c.Str("name"))
	assert.Equal(t, "s3://"+logBucket+"/emr/player-insights/", c.Str("logUri"))
	assert.Equal(t, m.OfType(secConfigType)[0].Name, c.Str("securityConfiguration"))
	assert.Equal(t, insights, c.Tags()[tagkeys.Team])
	var ec2 struct {
		Master  string `json:"emrManagedMasterSecurityGroup"`
		Service string `json:"serviceAccessSecurityGroup"`
		Profile string `json:"instanceProfile"`
	}
	require.NoError(t, c.JSON("ec2Attributes", &ec2))
	assert.Equal(t, "analytics-player-insights-primary-id", ec2.Master, "the team's own groups")
	assert.Equal(t, "analytics-player-insights-service-access-id", ec2.Service)
	assert.Equal(t, "analytics-player-insights-nodes", arnOf(t, "instanceprofile", ec2.Profile))
}
