// Package cash resolves the cash available to pay prizes. It comes from a
// command-line flag, an environment variable or (in AWS) a Secrets Manager
// secret — never from a file in the repository, because it is confidential
// treasury data that changes every week.
//
// Accepted forms, in order of precedence:
//
//	--cash 50000000                 one amount (single-country commands only)
//	--cash NL=50000000,GB=9000000   amounts per country code
//	OPTIMISER_CASH_NL=50000000      per-country environment variable
//	OPTIMISER_CASH=NL=5e7,GB=9e6    same syntax as the flag
//	secret (--cash-secret or OPTIMISER_CASH_SECRET_ID) whose value is a JSON
//	object {"NL": 50000000, "GB": 9000000}
package cash

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Environment variable names.
const (
	EnvCash     = "OPTIMISER_CASH"
	EnvPrefix   = "OPTIMISER_CASH_"
	EnvSecretID = "OPTIMISER_CASH_SECRET_ID"
	// EnvRequire set to true makes a missing cash figure an error, as
	// --require-cash does: in the pipeline an unchecked safety net must not
	// pass silently.
	EnvRequire = "OPTIMISER_REQUIRE_CASH"
)

// SecretFetcher returns a secret's string value.
type SecretFetcher interface {
	SecretString(ctx context.Context, id string) (string, error)
}

// Sources are the places cash may come from.
type Sources struct {
	// Flag is the --cash value ("" when not given).
	Flag string
	// SecretID is the --cash-secret value ("" to fall back to the
	// environment).
	SecretID string
	// Getenv reads the environment.
	Getenv func(string) string
	// Secrets fetches secrets; called only when a secret ID is set.
	Secrets func(ctx context.Context) (SecretFetcher, error)
	// Single is true for commands that handle one country, where a bare
	// amount is unambiguous.
	Single bool
	// Countries are the configured country codes. A CC=amount pair for any
	// other code is an error: a mistyped code would otherwise leave the
	// intended country's safety net unchecked without a word.
	Countries []string
	// Require makes a country without a cash figure an error instead of an
	// unchecked safety net (--require-cash; OPTIMISER_REQUIRE_CASH=true
	// has the same effect).
	Require bool
}

// MissingError is a country without a cash figure when cash is required.
type MissingError struct{ Country string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s: available cash is required (--require-cash or %s=true) but none was supplied, so the cash safety net cannot be checked; "+
		"supply it with --cash %s=AMOUNT, %s%s=AMOUNT, %s=%s=AMOUNT or a cash secret (--cash-secret / %s) holding {\"%s\": AMOUNT}",
		e.Country, EnvRequire, e.Country, EnvPrefix, e.Country, EnvCash, e.Country, EnvSecretID, e.Country)
}

// Amount is a resolved cash figure and where it came from.
type Amount struct {
	Value  *float64
	Source string
}

// Resolver caches a fetched secret across countries.
type Resolver struct {
	src    Sources
	secret map[string]float64
	loaded bool
}

// NewResolver checks the flag and environment syntax up front so that a
// typo fails before any work is done.
func NewResolver(src Sources) (*Resolver, error) {
	if src.Getenv == nil {
		src.Getenv = func(string) string { return "" }
	}
	if v := strings.TrimSpace(src.Getenv(EnvRequire)); v != "" {
		req, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: use true or false", EnvRequire, v)
		}
		src.Require = src.Require || req
	}
	r := &Resolver{src: src}
	for _, list := range []struct{ value, name string }{{src.Flag, "--cash"}, {src.Getenv(EnvCash), EnvCash}} {
		_, m, err := parseList(list.value, list.name, src.Single)
		if err != nil {
			return nil, err
		}
		if err := knownCountries(m, list.name, src.Countries); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func knownCountries(m map[string]float64, name string, countries []string) error {
	var unknown []string
	for code := range m {
		if !slices.Contains(countries, code) {
			unknown = append(unknown, code)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("%s: %s not a configured country; use one of %s", name, strings.Join(unknown, ", "), strings.Join(countries, ", "))
}

// For returns the available cash for a country, or a nil Value when no
// source provides one (a MissingError when cash is required).
func (r *Resolver) For(ctx context.Context, country string) (Amount, error) {
	if bare, m, _ := parseList(r.src.Flag, "--cash", r.src.Single); bare != nil {
		return Amount{bare, "flag --cash"}, nil
	} else if v, ok := m[country]; ok {
		return Amount{&v, "flag --cash"}, nil
	}
	name := EnvPrefix + country
	if s := strings.TrimSpace(r.src.Getenv(name)); s != "" {
		v, err := parseAmount(s, name)
		if err != nil {
			return Amount{}, err
		}
		return Amount{&v, "environment " + name}, nil
	}
	if bare, m, _ := parseList(r.src.Getenv(EnvCash), EnvCash, r.src.Single); bare != nil {
		return Amount{bare, "environment " + EnvCash}, nil
	} else if v, ok := m[country]; ok {
		return Amount{&v, "environment " + EnvCash}, nil
	}
	id := r.src.SecretID
	if id == "" {
		id = r.src.Getenv(EnvSecretID)
	}
	if id == "" {
		if r.src.Require {
			return Amount{}, &MissingError{Country: country}
		}
		return Amount{Source: "not supplied"}, nil
	}
	if err := r.loadSecret(ctx, id); err != nil {
		return Amount{}, err
	}
	if v, ok := r.secret[country]; ok {
		return Amount{&v, "secret " + id}, nil
	}
	return Amount{}, fmt.Errorf("cash secret %s has no entry for %s; add \"%s\": <amount> to the secret's JSON", id, country, country)
}

func (r *Resolver) loadSecret(ctx context.Context, id string) error {
	if r.loaded {
		return nil
	}
	if r.src.Secrets == nil {
		return fmt.Errorf("cash secret %s: secrets are not available in this build", id)
	}
	f, err := r.src.Secrets(ctx)
	if err != nil {
		return fmt.Errorf("cash secret %s: %w", id, err)
	}
	s, err := f.SecretString(ctx, id)
	if err != nil {
		return fmt.Errorf("cash secret %s: %w", id, err)
	}
	m, err := ParseSecret(s)
	if err != nil {
		return fmt.Errorf("cash secret %s: %w", id, err)
	}
	r.secret, r.loaded = m, true
	return nil
}

// ParseSecret reads {"NL": 50000000, ...}.
func ParseSecret(s string) (map[string]float64, error) {
	var raw map[string]json.Number
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("value must be a JSON object of country code to amount, e.g. {\"NL\": 50000000}: %v", err)
	}
	out := map[string]float64{}
	for k, v := range raw {
		f, err := parseAmount(v.String(), "secret key "+k)
		if err != nil {
			return nil, err
		}
		out[strings.ToUpper(k)] = f
	}
	return out, nil
}

// parseList reads "amount" or "CC=amount,CC=amount".
func parseList(s, name string, single bool) (*float64, map[string]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil, nil
	}
	if !strings.Contains(s, "=") {
		if !single {
			return nil, nil, fmt.Errorf("%s: a bare amount is ambiguous for several countries; write CC=amount pairs such as NL=50000000,GB=9000000", name)
		}
		v, err := parseAmount(s, name)
		if err != nil {
			return nil, nil, err
		}
		return &v, nil, nil
	}
	m := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
		code = strings.ToUpper(strings.TrimSpace(code))
		if !ok || len(code) != 2 {
			return nil, nil, fmt.Errorf("%s: %q is not CC=amount (e.g. NL=50000000)", name, part)
		}
		v, err := parseAmount(amount, name+" for "+code)
		if err != nil {
			return nil, nil, err
		}
		m[code] = v
	}
	return nil, m, nil
}

func parseAmount(s, name string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%s: %q is not a cash amount ≥ 0 (write a plain number such as 50000000)", name, s)
	}
	return v, nil
}
