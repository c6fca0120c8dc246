// Command report writes the monthly FinOps report of a stack (package
// finops/report): cost per team and service from Cost Explorer, the waste
// the cleanup job reclaimed (from its decisions: the job's log group, or an
// exported action log), unit economics and budget burn, as Markdown with
// PNG charts, or JSON.
//
//	report -stack dev -month 2026-02 -out out/finops/2026-02 -from-logs
//	report -stack dev -month 2026-02 -out out/finops/2026-02 -actions cleanup.jsonl
//	report -stack prod -month 2026-02 -out out/finops -json
//
// Budgets, project, environment, region, the pipeline's schedule and the
// cleanup job's log group come from the stack file (Pulumi.<stack>.yaml);
// it needs AWS credentials allowed ce:GetCostAndUsage and, with -from-logs,
// logs:FilterLogEvents on the job's log group. `aifactory report` makes the
// same report from the platform tool.
// Exit codes: 0 written, 1 failed, 2 usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/stackconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, func(ctx context.Context) (aws.Config, error) {
		return awsconfig.LoadDefaultConfig(ctx)
	}, time.Now)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer,
	loadAWS func(context.Context) (aws.Config, error), clock func() time.Time,
) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack whose resources and budgets the report covers")
	stackFile := fs.String("stack-file", "", "the stack file; Pulumi.<stack>.yaml when empty")
	month := fs.String("month", "", "month to report, YYYY-MM (required)")
	out := fs.String("out", "", "directory to write the report into (required)")
	actions := fs.String("actions", "", "the cleanup job's action log (JSON lines), to price the waste it reclaimed")
	fromLogs := fs.Bool("from-logs", false, "read the cleanup job's decisions from its log group (/aws/ecs/<prefix>-cleanup) instead")
	asJSON := fs.Bool("json", false, "write report.json instead of Markdown and charts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	m, err := time.Parse("2006-01", *month)
	if err != nil || *out == "" {
		fmt.Fprintln(stderr, "report: -month YYYY-MM and -out DIR are required, e.g. -month 2026-02 -out out/finops/2026-02")
		return 2
	}
	if *fromLogs && *actions != "" {
		fmt.Fprintln(stderr, "report: -actions and -from-logs both give the cleanup job's decisions; use one")
		return 2
	}
	file := *stackFile
	if file == "" {
		file = "Pulumi." + *stack + ".yaml"
	}
	b, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "report: reading the stack file:", err)
		return 2
	}
	cfg, err := stackconfig.ParseFile(*stack, b)
	if err != nil {
		fmt.Fprintln(stderr, "report:", err)
		return 2
	}
	o := report.StackOptions(cfg, m, clock())
	if *actions != "" {
		f, err := os.Open(*actions)
		if err != nil {
			fmt.Fprintln(stderr, "report:", err)
			return 2
		}
		o.Actions, err = report.ReadActions(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "report: reading %s: %v\n", *actions, err)
			return 2
		}
	}
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "report: loading AWS credentials:", err)
		return 1
	}
	if *fromLogs {
		logs := cloudwatchlogs.NewFromConfig(awsCfg, func(lo *cloudwatchlogs.Options) { lo.Region = cfg.Region })
		if o.Actions, err = report.ReadActionsFromLogs(ctx, logs, cfg.CleanupLogGroupName(), m); err != nil {
			fmt.Fprintln(stderr, "report:", err)
			return 1
		}
	}
	r, err := report.Build(ctx, costexplorer.NewFromConfig(awsCfg), o)
	if err != nil {
		fmt.Fprintln(stderr, "report:", err)
		return 1
	}
	written, err := r.Write(*out, *asJSON)
	if err != nil {
		fmt.Fprintln(stderr, "report:", err)
		return 1
	}
	fmt.Fprint(stdout, r.Text())
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", filepath.ToSlash(p))
	}
	return 0
}
