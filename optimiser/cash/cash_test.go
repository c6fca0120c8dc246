package cash_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aifactory/platform/optimiser/cash"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeSecrets struct {
	value string
	calls int
}

func (f *fakeSecrets) SecretString(_ context.Context, id string) (string, error) {
	f.calls++
	if id != "treasury/cash" {
		return "", errors.New("ResourceNotFoundException")
	}
	return f.value, nil
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestCashSourcesAndPrecedence(t *testing.T) {
	secrets := &fakeSecrets{value: `{"NL": 30000000, "gb": 4000000}`}
	factory := func(context.Context) (cash.SecretFetcher, error) { return secrets, nil }
	cases := []struct {
		name       string
		src        cash.Sources
		country    string
		want       float64
		wantSource string
		none       bool
	}{
		{"bare flag for one country", cash.Sources{Flag: "5e7", Single: true}, "NL", 5e7, "flag --cash", false},
		{"flag list", cash.Sources{Flag: "NL=1000, gb=2000"}, "GB", 2000, "flag --cash", false},
		{"flag beats environment", cash.Sources{Flag: "NL=1", Getenv: envOf(map[string]string{"OPTIMISER_CASH_NL": "2"})}, "NL", 1, "flag --cash", false},
		{"per-country environment", cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH_SE": "3e8", "OPTIMISER_CASH": "SE=1"})}, "SE", 3e8, "environment OPTIMISER_CASH_SE", false},
		{"environment list", cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH": "SE=7"})}, "SE", 7, "environment OPTIMISER_CASH", false},
		{"secret from environment id", cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH_SECRET_ID": "treasury/cash"}), Secrets: factory}, "GB", 4e6, "secret treasury/cash", false},
		{"secret from flag id", cash.Sources{SecretID: "treasury/cash", Secrets: factory}, "NL", 3e7, "secret treasury/cash", false},
		{"nothing supplied", cash.Sources{}, "NL", 0, "not supplied", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Countries = configured
			r, err := cash.NewResolver(tc.src)
			require.NoError(t, err)
			got, err := r.For(context.Background(), tc.country)
			require.NoError(t, err)
			assert.Equal(t, tc.wantSource, got.Source)
			if tc.none {
				assert.Nil(t, got.Value)
				return
			}
			require.NotNil(t, got.Value)
			assert.Equal(t, tc.want, *got.Value)
		})
	}
}

// configured are the countries the resolvers of these tests serve.
var configured = []string{"NL", "GB", "SE"}

func TestSecretIsFetchedOnce(t *testing.T) {
	secrets := &fakeSecrets{value: `{"NL": 1, "GB": 2}`}
	r, err := cash.NewResolver(cash.Sources{SecretID: "treasury/cash", Secrets: func(context.Context) (cash.SecretFetcher, error) { return secrets, nil }})
	require.NoError(t, err)
	for _, c := range []string{"NL", "GB"} {
		_, err := r.For(context.Background(), c)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, secrets.calls)
}

func TestBadCashInputIsRejectedWithTheFix(t *testing.T) {
	cases := []struct {
		name string
		src  cash.Sources
		want string
	}{
		{"bare amount for several countries", cash.Sources{Flag: "5e7"}, "CC=amount pairs"},
		{"negative", cash.Sources{Flag: "-1", Single: true}, "not a cash amount"},
		{"NaN", cash.Sources{Flag: "NaN", Single: true}, "not a cash amount"},
		{"bad pair", cash.Sources{Flag: "NL:5"}, "CC=amount pairs"},
		{"bad code", cash.Sources{Flag: "NLD=5"}, "is not CC=amount"},
		{"bad environment", cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH": "NL=lots"})}, "OPTIMISER_CASH for NL"},
		{"mistyped country in the flag", cash.Sources{Flag: "NK=5e7,GB=1e7"}, "--cash: NK not a configured country; use one of NL, GB, SE"},
		{"unknown country in the environment", cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH": "DE=1"})}, "OPTIMISER_CASH: DE not a configured country"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Countries = configured
			_, err := cash.NewResolver(tc.src)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	r, err := cash.NewResolver(cash.Sources{Getenv: envOf(map[string]string{"OPTIMISER_CASH_NL": "x"})})
	require.NoError(t, err)
	_, err = r.For(context.Background(), "NL")
	assert.ErrorContains(t, err, "OPTIMISER_CASH_NL")

	secret := func(v string) cash.Sources {
		return cash.Sources{SecretID: "treasury/cash", Secrets: func(context.Context) (cash.SecretFetcher, error) { return &fakeSecrets{value: v}, nil }}
	}
	for v, want := range map[string]string{
		`{"GB": 1}`:  `no entry for NL`,
		`not json`:   `JSON object`,
		`{"NL": -5}`: `not a cash amount`,
	} {
		r, err := cash.NewResolver(secret(v))
		require.NoError(t, err)
		_, err = r.For(context.Background(), "NL")
		assert.ErrorContains(t, err, want, v)
	}
	r, err = cash.NewResolver(cash.Sources{SecretID: "other"})
	require.NoError(t, err)
	_, err = r.For(context.Background(), "NL")
	assert.ErrorContains(t, err, "not available")
}

func TestRequiredCashMakesAMissingFigureAnError(t *testing.T) {
	cases := []struct {
		name    string
		src     cash.Sources
		wantErr bool
	}{
		{"flag, nothing supplied", cash.Sources{Require: true}, true},
		{"environment, nothing supplied", cash.Sources{Getenv: envOf(map[string]string{cash.EnvRequire: "true"})}, true},
		{"environment false", cash.Sources{Getenv: envOf(map[string]string{cash.EnvRequire: "false"})}, false},
		{"required and supplied for another country only", cash.Sources{Require: true, Flag: "GB=5", Countries: []string{"GB", "NL"}}, true},
		{"required and supplied", cash.Sources{Require: true, Getenv: envOf(map[string]string{"OPTIMISER_CASH_NL": "5e7"})}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := cash.NewResolver(tc.src)
			require.NoError(t, err)
			a, err := r.For(context.Background(), "NL")
			if !tc.wantErr {
				require.NoError(t, err)
				return
			}
			var missing *cash.MissingError
			require.ErrorAs(t, err, &missing)
			assert.Equal(t, "NL", missing.Country)
			assert.Nil(t, a.Value)
			for _, w := range []string{"NL: available cash is required", "--cash NL=AMOUNT", "OPTIMISER_CASH_NL=AMOUNT", "OPTIMISER_CASH_SECRET_ID"} {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := cash.NewResolver(cash.Sources{Getenv: envOf(map[string]string{cash.EnvRequire: "yes please"})})
	assert.ErrorContains(t, err, "OPTIMISER_REQUIRE_CASH")
}
