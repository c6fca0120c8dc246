// Command report writes the monthly FinOps report of a stack (package
// finops/report): cost per team and service from Cost Explorer, the waste
// the cleanup job reclaimed (from its action log), unit economics and
// budget burn, as Markdown with PNG charts, or JSON.
//
//	report -stack dev -month 2026-02 -out out/finops/2026-02 -actions cleanup.jsonl
//	report -stack prod -month 2026-02 -out out/finops -json
//
// Budgets, project, environment and the pipeline's schedule come from the
// stack file (Pulumi.<stack>.yaml); costs need AWS credentials allowed
// ce:GetCostAndUsage. This is the library call behind `aifactory report`.
// Exit codes: 0 written, 1 failed, 2 usage.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/stackconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, func(ctx context.Context) (report.CostExplorerAPI, error) {
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		return costexplorer.NewFromConfig(cfg), nil
	}, time.Now)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer,
	costExplorer func(context.Context) (report.CostExplorerAPI, error), clock func() time.Time,
) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack whose resources and budgets the report covers")
	stackFile := fs.String("stack-file", "", "the stack file; Pulumi.<stack>.yaml when empty")
	month := fs.String("month", "", "month to report, YYYY-MM (required)")
	out := fs.String("out", "", "directory to write the report into (required)")
	actions := fs.String("actions", "", "the cleanup job's action log (JSON lines), to price the waste it reclaimed")
	asJSON := fs.Bool("json", false, "write report.json instead of Markdown and charts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	m, err := time.Parse("2006-01", *month)
	if err != nil || *out == "" {
		fmt.Fprintln(stderr, "report: -month YYYY-MM and -out DIR are required, e.g. -month 2026-02 -out out/finops/2026-02")
		return 2
	}
	file := *stackFile
	if file == "" {
		file = "Pulumi." + *stack + ".yaml"
	}
	cfg, err := readStack(*stack, file)
	if err != nil {
		fmt.Fprintln(stderr, "report:", err)
		return 2
	}
	o := report.Options{Month: m, Project: cfg.Tags.Project, Environment: cfg.Environment, Budgets: map[string]float64{},
		PipelineSchedule: cfg.Pipeline.Schedule, PipelineTimezone: cfg.Pipeline.Timezone, Now: clock()}
	for _, t := range cfg.Teams {
		if t.Budget != nil {
			o.Budgets[t.Name] = t.Budget.MonthlyUSD
		}
	}
	if cfg.FinOps.PlatformBudget != nil {
		o.Budgets[cfg.Tags.Team] = cfg.FinOps.PlatformBudget.MonthlyUSD
	}
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
	ce, err := costExplorer(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "report: loading AWS credentials:", err)
		return 1
	}
	r, err := report.Build(ctx, ce, o)
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

// readStack reads and validates a stack file the way the program does.
func readStack(stack, file string) (*stackconfig.Config, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the stack file: %w", err)
	}
	var doc struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	flat := map[string]string{}
	for k, v := range doc.Config {
		switch v := v.(type) {
		case string:
			flat[k] = v
		case map[string]any, []any:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			flat[k] = string(j)
		default:
			flat[k] = fmt.Sprint(v)
		}
	}
	return stackconfig.Parse(stack, func(key string) (string, bool) { v, ok := flat[key]; return v, ok })
}
