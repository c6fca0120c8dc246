// Package spec holds the values an environment chooses for the weekly
// pipeline, as stack config writes them, and their checks: the image
// reference (by digest only), the weekly schedule, its time zone, the
// Fargate task size and the country codes. It is a leaf: stack config
// checks its keys with these functions before any resource is registered,
// and the pipeline component checks its arguments with the same ones, so
// the two never disagree.
package spec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	// Time zones are checked against the IANA database compiled into the
	// binary, not the machine's, so a check never depends on where it runs.
	_ "time/tzdata"
)

// Image is a container image referenced by digest.
type Image struct {
	// Registry is the host (and port) of the registry, e.g.
	// 123456789012.dkr.ecr.eu-west-1.amazonaws.com.
	Registry string
	// Repository is the path of the repository in the registry.
	Repository string
	// Digest is "sha256:" and 64 lower-case hex digits.
	Digest string
	// ECR is set when Registry is a private ECR registry.
	ECR *ECRRegistry
}

// ECRRegistry is the account and region of a private ECR registry.
type ECRRegistry struct {
	Account string
	Region  string
}

// String is the reference as a task definition takes it:
// <registry>/<repository>@sha256:<hex>.
func (i Image) String() string { return i.Registry + "/" + i.Repository + "@" + i.Digest }

var (
	// A registry host: a domain name with at least one dot, "localhost", or
	// either with a port; without one of those the first path segment would
	// be read as a Docker Hub namespace, never as a registry.
	registryHost = regexp.MustCompile(`^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:[0-9]{1,5})?$`)
	ecrHost      = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9])\.amazonaws\.com(\.cn)?$`)
	// Repository paths as the OCI distribution spec and ECR allow them.
	repositoryPath = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	sha256Digest   = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

const imageFix = "reference the image by digest as `make image` prints it: " +
	"<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex digits>"

// ParseImage reads an image reference that names its digest:
// <registry>/<repository>@sha256:<64 hex>. A tag, alone or with the digest,
// is refused: a tag can be moved to other content, a digest cannot, and
// promotion copies the digest.
func ParseImage(ref string) (Image, error) {
	name, digest, hasDigest := strings.Cut(ref, "@")
	lastSlash := strings.LastIndex(name, "/")
	if lastSlash > 0 && strings.Contains(name[lastSlash:], ":") {
		tag := name[lastSlash+1:]
		tag = tag[strings.Index(tag, ":"):]
		if hasDigest {
			return Image{}, fmt.Errorf("%q carries the tag %s as well as a digest; drop the tag and %s", ref, tag, imageFix)
		}
		return Image{}, fmt.Errorf("%q is a tag (%s), which can be moved to other content; %s", ref, tag, imageFix)
	}
	if !hasDigest {
		return Image{}, fmt.Errorf("%q names no digest; %s", ref, imageFix)
	}
	if !sha256Digest.MatchString(digest) {
		return Image{}, fmt.Errorf("%q: the digest %q is not sha256: and 64 lower-case hex digits; %s", ref, digest, imageFix)
	}
	registry, repository, ok := strings.Cut(name, "/")
	if !ok || !registryHost.MatchString(registry) {
		return Image{}, fmt.Errorf("%q does not start with a registry host (a name with a dot, such as <account>.dkr.ecr.<region>.amazonaws.com); %s", ref, imageFix)
	}
	if len(repository) < 2 || len(repository) > 256 || !repositoryPath.MatchString(repository) {
		return Image{}, fmt.Errorf("%q: the repository %q is not a valid repository name (lower-case letters, digits, separators . _ - and /); %s", ref, repository, imageFix)
	}
	img := Image{Registry: registry, Repository: repository, Digest: digest}
	if m := ecrHost.FindStringSubmatch(registry); m != nil {
		img.ECR = &ECRRegistry{Account: m[1], Region: m[2]}
	}
	return img, nil
}

// Schedule is a weekly run time: a weekday, an hour and a minute, in the
// time zone configured alongside it.
type Schedule struct {
	Weekday time.Weekday
	Hour    int
	Minute  int
}

// Expression is the schedule as an EventBridge Scheduler cron expression,
// e.g. cron(0 6 ? * MON *).
func (s Schedule) Expression() string {
	return fmt.Sprintf("cron(%d %d ? * %s *)", s.Minute, s.Hour, strings.ToUpper(s.Weekday.String()[:3]))
}

const scheduleFix = "use cron(<minute> <hour> ? * <day> *), e.g. cron(0 6 ? * MON *) for Mondays at 06:00 in the configured time zone"

var (
	dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	cronExpr = regexp.MustCompile(`^cron\((.*)\)$`)
)

// ParseWeeklySchedule reads an EventBridge Scheduler cron expression that
// fires exactly once a week: a fixed minute and hour, any day of the month
// ("?"), every month, one day of the week (SUN-SAT or 1-7, 1 being
// Sunday), every year. Anything that fires more or less often is refused.
func ParseWeeklySchedule(expr string) (Schedule, error) {
	m := cronExpr.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return Schedule{}, fmt.Errorf("%q is not a cron(...) expression; %s", expr, scheduleFix)
	}
	f := strings.Fields(m[1])
	if len(f) != 6 {
		return Schedule{}, fmt.Errorf("%q has %d fields, EventBridge Scheduler takes 6 (minute hour day-of-month month day-of-week year); %s", expr, len(f), scheduleFix)
	}
	var errs []string
	minute, err := strconv.Atoi(f[0])
	if err != nil || minute < 0 || minute > 59 {
		errs = append(errs, fmt.Sprintf("minute %q must be one number 0-59", f[0]))
	}
	hour, err := strconv.Atoi(f[1])
	if err != nil || hour < 0 || hour > 23 {
		errs = append(errs, fmt.Sprintf("hour %q must be one number 0-23", f[1]))
	}
	if f[2] != "?" {
		errs = append(errs, fmt.Sprintf("day-of-month %q must be ? (the day of the week decides)", f[2]))
	}
	if f[3] != "*" {
		errs = append(errs, fmt.Sprintf("month %q must be * (every month)", f[3]))
	}
	day := -1
	if n, err := strconv.Atoi(f[4]); err == nil && n >= 1 && n <= 7 {
		day = n - 1
	} else if i := slices.Index(dayNames, strings.ToUpper(f[4])); i >= 0 {
		day = i
	} else {
		errs = append(errs, fmt.Sprintf("day-of-week %q must be one day, SUN-SAT or 1-7", f[4]))
	}
	if f[5] != "*" {
		errs = append(errs, fmt.Sprintf("year %q must be * (every year: a schedule that ends would stop the job without a word)", f[5]))
	}
	if len(errs) > 0 {
		return Schedule{}, fmt.Errorf("%q does not fire exactly once a week: %s; %s", expr, strings.Join(errs, "; "), scheduleFix)
	}
	return Schedule{Weekday: time.Weekday(day), Hour: hour, Minute: minute}, nil
}

// CheckTimezone accepts an IANA time zone name such as Europe/Amsterdam, as
// EventBridge Scheduler takes it.
func CheckTimezone(tz string) error {
	const fix = "use an IANA time zone name such as Europe/Amsterdam or UTC"
	if tz == "" || tz == "Local" || strings.HasPrefix(tz, "/") {
		return fmt.Errorf("%q is not a time zone name; %s", tz, fix)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("%q is not in the IANA time zone database; %s", tz, fix)
	}
	return nil
}

// fargateSizes are the memory sizes (MiB) Fargate accepts for each CPU size
// (units, 1024 = one vCPU) of a Linux task: minimum, maximum and step.
var fargateSizes = []struct{ cpu, minMem, maxMem, step int }{
	{256, 512, 2048, 0},
	{512, 1024, 4096, 1024},
	{1024, 2048, 8192, 1024},
	{2048, 4096, 16384, 1024},
	{4096, 8192, 30720, 1024},
	{8192, 16384, 61440, 4096},
	{16384, 32768, 122880, 8192},
}

// CheckTaskSize accepts a CPU and memory combination that Fargate runs.
func CheckTaskSize(cpu, memoryMiB int) error {
	for _, s := range fargateSizes {
		if s.cpu != cpu {
			continue
		}
		ok := memoryMiB >= s.minMem && memoryMiB <= s.maxMem
		if s.step == 0 {
			ok = slices.Contains([]int{512, 1024, 2048}, memoryMiB)
		} else if ok {
			ok = (memoryMiB-s.minMem)%s.step == 0
		}
		if !ok {
			if s.step == 0 {
				return fmt.Errorf("memory %d MiB does not fit %d CPU units on Fargate; use 512, 1024 or 2048", memoryMiB, cpu)
			}
			return fmt.Errorf("memory %d MiB does not fit %d CPU units on Fargate; use %d-%d in steps of %d", memoryMiB, cpu, s.minMem, s.maxMem, s.step)
		}
		return nil
	}
	cpus := make([]string, 0, len(fargateSizes))
	for _, s := range fargateSizes {
		cpus = append(cpus, strconv.Itoa(s.cpu))
	}
	return fmt.Errorf("%d CPU units is not a Fargate task size; use one of %s (1024 = one vCPU)", cpu, strings.Join(cpus, ", "))
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// CheckCountries accepts a non-empty list of distinct upper-case ISO 3166-1
// alpha-2 codes, as the country configurations name them. Each problem is
// one error naming the entry.
func CheckCountries(codes []string) []error {
	if len(codes) == 0 {
		return []error{errors.New("is empty; list the country codes to run, e.g. [NL, GB]")}
	}
	var errs []error
	seen := map[string]bool{}
	for i, c := range codes {
		switch {
		case !countryCode.MatchString(c):
			errs = append(errs, fmt.Errorf("[%d] %q is not an upper-case two-letter country code as the country's config names it, e.g. NL", i, c))
		case seen[c]:
			errs = append(errs, fmt.Errorf("[%d] %q is listed twice; list each country once", i, c))
		}
		seen[c] = true
	}
	return errs
}

// ConfigFile is the name of a country's configuration file in
// optimiser/bundled/configs and under the pipeline's configs prefix:
// the code in lower case, ".yaml".
func ConfigFile(code string) string { return strings.ToLower(code) + ".yaml" }

var roleName = regexp.MustCompile(`^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)

// CheckRoleName accepts an IAM role name, with an optional path
// ("ci/deploy"), never an ARN.
func CheckRoleName(name string) error {
	if strings.HasPrefix(name, "arn:") {
		return fmt.Errorf("%q is an ARN; give the role's name (the account comes from the stack), e.g. aifactory-deploy", name)
	}
	if !roleName.MatchString(name) || len(name) > 512 {
		return fmt.Errorf("%q is not an IAM role name (letters, digits and +=,.@_- with an optional path)", name)
	}
	return nil
}
