package platform

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/stackconfig"
	"github.com/aifactory/platform/optimiser/bundled"
)

const testDigest = "sha256:e6240706bb9535b10aaf12cfa49125dad0bb87f66da02b769b5f49973006e5f9"

func pipelineConfig(countries ...string) *stackconfig.Config {
	return &stackconfig.Config{Stack: "dev", Pipeline: stackconfig.Pipeline{
		Image:     "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@" + testDigest,
		Countries: countries,
	}, FinOps: stackconfig.FinOps{Cleanup: stackconfig.Cleanup{
		Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup@" + testDigest,
	}}}
}

// bundledWith is the bundled configurations plus extra files.
func bundledWith(t *testing.T, extra map[string]string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(bundled.Configs(), ".")
	require.NoError(t, err)
	for _, e := range entries {
		b, err := fs.ReadFile(bundled.Configs(), e.Name())
		require.NoError(t, err)
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	for name, data := range extra {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

func TestEveryShippedCountryHasABundledConfiguration(t *testing.T) {
	countries, err := checkPipeline(pipelineConfig("NL", "GB", "SE"), scopetest.Dev(), bundled.Configs())
	require.NoError(t, err)
	require.Len(t, countries, 3)
	for _, c := range countries {
		want, err := fs.ReadFile(bundled.Configs(), strings.ToLower(c.Code)+".yaml")
		require.NoError(t, err)
		assert.Equal(t, want, c.Config, "%s is published byte for byte", c.Code)
	}
}

func TestOnboardingACountryIsAFileAndAConfigLine(t *testing.T) {
	se, err := fs.ReadFile(bundled.Configs(), "se.yaml")
	require.NoError(t, err)
	// A new country: the Swedish rules under another code.
	dk := strings.Replace(string(se), "country: SE", "country: DK", 1)
	countries, err := checkPipeline(pipelineConfig("NL", "DK"), scopetest.Dev(), bundledWith(t, map[string]string{"dk.yaml": dk}))
	require.NoError(t, err)
	require.Len(t, countries, 2)
	assert.Equal(t, "DK", countries[1].Code)
	assert.Equal(t, dk, string(countries[1].Config))
}

func TestPipelineProblemsNameTheKeyTheFileAndTheFix(t *testing.T) {
	se, err := fs.ReadFile(bundled.Configs(), "se.yaml")
	require.NoError(t, err)
	tests := []struct {
		name    string
		cfg     *stackconfig.Config
		account string
		extra   map[string]string
		want    []string
	}{
		{"no configuration", pipelineConfig("NL", "DE"), "", nil,
			[]string{`aifactory:pipeline.countries[1] "DE" in Pulumi.dev.yaml`, "no optimiser/bundled/configs/de.yaml", "add the country's configuration"}},
		{"configuration of another country", pipelineConfig("DK"), "", map[string]string{"dk.yaml": string(se)},
			[]string{`aifactory:pipeline.countries[0] "DK"`, `configures country "SE"`}},
		{"configuration the optimiser refuses", pipelineConfig("DK"), "",
			map[string]string{"dk.yaml": strings.Replace(string(se), "ticket_price: 10.00", "ticket_price: -1", 1)},
			[]string{`aifactory:pipeline.countries[0] "DK"`, "optimiser/bundled/configs/dk.yaml", "ticket_price"}},
		{"images in another account", pipelineConfig("NL"), "210987654321", nil,
			[]string{"aifactory:pipeline.image in Pulumi.dev.yaml", "account 123456789012's registry", "deploys to account 210987654321",
				"210987654321.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@" + testDigest,
				"aifactory:finops.cleanup.image in Pulumi.dev.yaml",
				"set aifactory:finops.cleanup.image to 210987654321.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup@" + testDigest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scopetest.Dev()
			if tt.account != "" {
				sc.AccountID = tt.account
			}
			countries, err := checkPipeline(tt.cfg, sc, bundledWith(t, tt.extra))
			require.Error(t, err)
			assert.Nil(t, countries)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
