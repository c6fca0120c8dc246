package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/internal/stackconfig"
)

// reportAWS loads the AWS configuration the report reads Cost Explorer
// and the cleanup job's log group with; reportClock stamps the report.
// Tests point them at a fake endpoint and a fixed time.
var (
	reportAWS = func(ctx context.Context, region string) (aws.Config, error) {
		return awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
	}
	reportClock = time.Now
)

// reportCommand writes the monthly FinOps report of a stack: cost per team
// and service from Cost Explorer, the waste the cleanup job reclaimed (its
// decisions read from its log group, or from --actions), unit economics and
// budget burn. The stack file gives the tags, budgets, region, pipeline
// schedule and the job's log group.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flagSet("report", "<stack> --month YYYY-MM [--json] [--out dir] [--actions file]", stderr)
	stackFlag := fs.String("stack", "", "the stack (or give it as the first argument)")
	month := fs.String("month", "", "the month to report, YYYY-MM (required)")
	asJSON := fs.Bool("json", false, "write report.json instead of report.md and its charts")
	out := fs.String("out", "", "directory to write the report into (default out/finops/<stack>/<YYYY-MM>)")
	actions := fs.String("actions", "", "read the cleanup job's decisions from this action log (JSON lines) instead of its log group")
	root := fs.String("root", "", "repository root (default: found from the working directory)")
	positional, err := parse(fs, args)
	if err != nil {
		return factory.ExitBadInput
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "aifactory report: %s\n", strings.TrimSpace(err.Error()))
		return factory.Code(err)
	}
	g := globals{stack: *stackFlag}
	stack, rest, err := g.stackArg(positional)
	if err == nil && len(rest) > 0 {
		err = factory.BadInput(errUnexpected(rest))
	}
	if err != nil {
		return fail(err)
	}
	if *month == "" {
		return fail(factory.BadInput(errors.New("--month is required: the month to report, e.g. --month 2026-02")))
	}
	m, err := time.Parse("2006-01", *month)
	if err != nil {
		return fail(factory.BadInput(fmt.Errorf("--month %q is not a month such as 2026-02", *month)))
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", "finops", stack, m.Format("2006-01"))
	}
	cfg, err := reportStack(*root, stack)
	if err != nil {
		return fail(err)
	}
	o := report.StackOptions(cfg, m, reportClock())
	if *actions != "" {
		file, err := os.Open(*actions)
		if err != nil {
			return fail(factory.BadInput(fmt.Errorf("--actions: %w", err)))
		}
		o.Actions, err = report.ReadActions(file)
		file.Close()
		if err != nil {
			return fail(factory.BadInput(fmt.Errorf("--actions %s: %w", *actions, err)))
		}
	}
	awsCfg, err := reportAWS(ctx, cfg.Region)
	if err != nil {
		return fail(fmt.Errorf("loading AWS credentials: %w", err))
	}
	if *actions == "" {
		logs := cloudwatchlogs.NewFromConfig(awsCfg, func(lo *cloudwatchlogs.Options) { lo.Region = cfg.Region })
		if o.Actions, err = report.ReadActionsFromLogs(ctx, logs, cfg.CleanupLogGroupName(), m); err != nil {
			return fail(fmt.Errorf("%w (give an exported action log with --actions)", err))
		}
	}
	r, err := report.Build(ctx, costexplorer.NewFromConfig(awsCfg), o)
	if err != nil {
		return fail(err)
	}
	written, err := r.Write(dir, *asJSON)
	if err != nil {
		return fail(err)
	}
	fmt.Fprint(stdout, r.Text())
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", filepath.ToSlash(p))
	}
	return factory.ExitOK
}

// reportStack reads and validates a stack file as the program does. The
// report needs no engine, state backend or secrets: only the file.
func reportStack(root, stack string) (*stackconfig.Config, error) {
	if root == "" {
		var err error
		if root, err = offline.FindRoot(); err != nil {
			return nil, factory.BadInput(fmt.Errorf("%w; or pass --root", err))
		}
	}
	file := filepath.Join(root, "Pulumi."+stack+".yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, factory.BadInput(fmt.Errorf("stack %q: no %s; choose one of %s", stack, file, strings.Join(stackconfig.Environments, ", ")))
	}
	cfg, err := stackconfig.ParseFile(stack, b)
	if err != nil {
		return nil, factory.BadInput(err)
	}
	return cfg, nil
}
