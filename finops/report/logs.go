package report

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/aifactory/platform/finops/cleanup"
)

// LogsAPI is the call the report makes to read the cleanup job's log group.
type LogsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// DecisionFilter is the CloudWatch Logs filter pattern that selects the
// job's decision lines, so that the summary and other lines never leave
// the service.
const DecisionFilter = `{ $.msg = "` + DecisionMessage + `" }`

// LogSlack is how long after the month's end the log group is still read:
// a run that starts before midnight logs its decisions, stamped with the
// run's start time, for as long as it runs (at most its 30-minute
// timeout). Decisions are assigned to the month by that stamp.
const LogSlack = time.Hour

// ReadActionsFromLogs reads the decisions the cleanup job's task logged to
// its log group (/aws/ecs/<prefix>-cleanup) for the month that holds
// month, following every page: the same lines as the -actions file,
// without exporting them first.
func ReadActionsFromLogs(ctx context.Context, api LogsAPI, logGroup string, month time.Time) ([]cleanup.Decision, error) {
	if logGroup == "" {
		return nil, fmt.Errorf("the cleanup job's log group is not set: pass /aws/ecs/<project>-<environment>-cleanup")
	}
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	p := cloudwatchlogs.NewFilterLogEventsPaginator(api, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(logGroup),
		StartTime:     aws.Int64(start.UnixMilli()),
		EndTime:       aws.Int64(end.Add(LogSlack).UnixMilli() - 1),
		FilterPattern: aws.String(DecisionFilter),
	})
	var out []cleanup.Decision
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the cleanup job's decisions from log group %s: %w", logGroup, err)
		}
		for _, e := range page.Events {
			d, ok, err := parseDecision(aws.ToString(e.Message))
			if err != nil {
				return nil, fmt.Errorf("log group %s, stream %s, event %s: %w", logGroup, aws.ToString(e.LogStreamName), aws.ToString(e.EventId), err)
			}
			if ok {
				out = append(out, d)
			}
		}
	}
	return out, nil
}
