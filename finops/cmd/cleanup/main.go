// Command cleanup runs the platform's lifecycle cleanup job (package
// finops/cleanup) once: from a terminal, or as the scheduled Fargate task
// the finops component deploys (its image is built by factory/image,
// `make image COMMAND=cleanup`; the task sets the CLEANUP_* variables and
// the dry-run flag).
//
//	cleanup -project aifactory -environment dev                 # dry run: dev's default
//	cleanup -project aifactory -environment dev -dry-run=false  # act
//	cleanup -version
//
// Flags override the CLEANUP_* environment variables. Decisions go to
// standard output as JSON lines. Exit codes: 0 every action succeeded,
// 1 an action or a rule failed, 2 usage or configuration error, 3 the run
// was interrupted (SIGINT/SIGTERM, as Fargate Spot sends before it takes a
// task back, or -timeout); the next run finishes its work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/aifactory/platform/finops/cleanup"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 3
)

// DefaultTimeout bounds a run: a task that hangs on an API stops costing
// money, and what is left waits for the next run.
const DefaultTimeout = 30 * time.Minute

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, awsConfig, time.Now))
}

// awsConfig loads the default credential chain with a patient retryer:
// a cleanup run is not in a hurry, throttling is expected.
func awsConfig(ctx context.Context) (aws.Config, error) {
	return awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 10 })
	}))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer,
	loadAWS func(context.Context) (aws.Config, error), clock func() time.Time,
) int {
	// A malformed variable is reported after the flags, so -version and
	// -help work whatever the environment holds.
	cfg, envErr := cleanup.ConfigFromEnv(getenv)
	fs := flag.NewFlagSet("cleanup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Project, "project", cfg.Project, "project tag value of the resources to consider ("+cleanup.EnvProject+")")
	fs.StringVar(&cfg.Environment, "environment", cfg.Environment, "environment tag value of the resources to consider ("+cleanup.EnvEnvironment+")")
	dryRun := fs.String("dry-run", "", "true to decide and log without acting; default true in dev ("+cleanup.EnvDryRun+")")
	fs.DurationVar(&cfg.StudioIdleLimit, "studio-idle-limit", cfg.StudioIdleLimit, "delete Studio apps idle longer than this ("+cleanup.EnvStudioIdleLimit+")")
	fs.DurationVar(&cfg.VolumeMinAge, "volume-min-age", cfg.VolumeMinAge, "delete unattached EBS volumes older than this ("+cleanup.EnvVolumeMinAge+")")
	fs.StringVar(&cfg.TopicArn, "topic-arn", cfg.TopicArn, "SNS topic for the run's summary ("+cleanup.EnvTopicArn+")")
	timeout := fs.Duration("timeout", DefaultTimeout, "stop after this long; what is left waits for the next run (exit 3)")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *version {
		fmt.Fprintln(stdout, "cleanup", buildinfo.Read())
		return exitOK
	}
	if envErr != nil {
		fmt.Fprintln(stderr, "cleanup:", envErr)
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "cleanup: -timeout=%s: use a positive duration such as 30m\n", *timeout)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cleanup: unexpected argument %q; the job takes flags only\n", fs.Arg(0))
		return exitUsage
	}
	switch *dryRun {
	case "":
		if getenv(cleanup.EnvDryRun) == "" {
			cfg.DryRun = cleanup.DefaultDryRun(cfg.Environment)
		}
	case "true", "false":
		cfg.DryRun = *dryRun == "true"
	default:
		fmt.Fprintf(stderr, "cleanup: -dry-run=%q: use true or false\n", *dryRun)
		return exitUsage
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "cleanup:", err)
		return exitUsage
	}
	cfg.Log = stdout
	// The run's one clock: ages, idle times and expiry are measured against it.
	cfg.Now = clock
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "cleanup: loading AWS credentials:", err)
		return exitFailed
	}
	sum, err := cleanup.Run(ctx, cfg, cleanup.NewClients(awsCfg))
	switch {
	case errors.Is(err, cleanup.ErrInterrupted):
		fmt.Fprintln(stderr, "cleanup:", err)
		return exitInterrupted
	case err != nil:
		fmt.Fprintln(stderr, "cleanup:", err)
		return exitFailed
	}
	fmt.Fprintln(stderr, sum.Subject())
	if !sum.OK() {
		return exitFailed
	}
	return exitOK
}
