package cleanup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Environment variables the job reads its configuration from: the
// scheduled Fargate task gets them from the finops component, a person
// running it by hand may set them or use the command's flags.
const (
	EnvProject         = "CLEANUP_PROJECT"
	EnvEnvironment     = "CLEANUP_ENVIRONMENT"
	EnvDryRun          = "CLEANUP_DRY_RUN"
	EnvStudioIdleLimit = "CLEANUP_STUDIO_IDLE_LIMIT"
	EnvVolumeMinAge    = "CLEANUP_VOLUME_MIN_AGE"
	EnvTopicArn        = "CLEANUP_TOPIC_ARN"
)

// Defaults for settings left unset.
const (
	DefaultStudioIdleLimit = 2 * time.Hour
	DefaultVolumeMinAge    = 7 * 24 * time.Hour
)

// DefaultDryRun is the dry-run setting when none is given: on in dev, so
// that a new environment first shows what it would remove.
func DefaultDryRun(environment string) bool { return environment == "dev" }

// ConfigFromEnv reads the configuration from environment variables;
// unset durations take their defaults and an unset dry-run its
// environment's default. Every malformed variable is reported.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	c := Config{
		Project:     strings.TrimSpace(getenv(EnvProject)),
		Environment: strings.TrimSpace(getenv(EnvEnvironment)),
		TopicArn:    strings.TrimSpace(getenv(EnvTopicArn)),
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not a duration; write it like 2h or 168h", name, v))
		}
		return d
	}
	c.StudioIdleLimit = duration(EnvStudioIdleLimit, DefaultStudioIdleLimit)
	c.VolumeMinAge = duration(EnvVolumeMinAge, DefaultVolumeMinAge)
	c.DryRun = DefaultDryRun(c.Environment)
	if v := strings.TrimSpace(getenv(EnvDryRun)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not true or false", EnvDryRun, v))
		}
		c.DryRun = b
	}
	return c, errors.Join(errs...)
}
