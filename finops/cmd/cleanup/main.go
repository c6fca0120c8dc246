// Command cleanup runs the platform's lifecycle cleanup job (package
// finops/cleanup) once: from a terminal, or as the scheduled Lambda
// function the finops component deploys (it detects the Lambda runtime and
// serves each scheduled invocation with one run).
//
//	cleanup -project aifactory -environment dev                 # dry run: dev's default
//	cleanup -project aifactory -environment dev -dry-run=false  # act
//	cleanup -version
//
// Flags override the CLEANUP_* environment variables. Decisions go to
// standard output as JSON lines. Exit codes: 0 every action succeeded,
// 1 an action or a rule failed, 2 usage or configuration error, 3 the run
// was interrupted (SIGINT/SIGTERM); the next run finishes its work.
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

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/aifactory/platform/finops/buildinfo"
	"github.com/aifactory/platform/finops/cleanup"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 3
)

func main() {
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(handler)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, awsConfig))
}

// awsConfig loads the default credential chain with a patient retryer:
// a cleanup run is not in a hurry, throttling is expected.
func awsConfig(ctx context.Context) (aws.Config, error) {
	return awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 10 })
	}))
}

// handler serves one scheduled invocation. A failed run returns an error,
// so the invocation counts as failed in the function's metrics and alarms.
func handler(ctx context.Context) (*cleanup.Summary, error) {
	cfg, err := cleanup.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	cfg.Log = os.Stdout
	awsCfg, err := awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	sum, err := cleanup.Run(ctx, cfg, cleanup.NewClients(awsCfg))
	if err != nil {
		return sum, err
	}
	if !sum.OK() {
		return sum, fmt.Errorf("cleanup finished with %d failed actions and %d failed rules", sum.Failed, len(sum.RuleErrors))
	}
	return sum, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer,
	loadAWS func(context.Context) (aws.Config, error),
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
