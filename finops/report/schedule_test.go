package report_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/report"
)

func month(y int, m time.Month) (time.Time, time.Time) {
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

func TestPipelineRunsAreCountedFromTheSchedule(t *testing.T) {
	for _, tc := range []struct {
		name, expr, tz string
		year           int
		month          time.Month
		runs           int
	}{
		{"four Mondays in February 2026", "cron(0 6 ? * MON *)", "Europe/Amsterdam", 2026, time.February, 4},
		{"five Mondays in March 2026", "cron(0 6 ? * MON *)", "Europe/Amsterdam", 2026, time.March, 5},
		{"five Thursdays in April 2026", "cron(30 9 ? * THU *)", "UTC", 2026, time.April, 5},
		{"day numbers count from Sunday", "cron(0 6 ? * 5 *)", "UTC", 2026, time.April, 5},
		// Monday 1 June 06:00 in Tokyo is Sunday 31 May 21:00 UTC: five runs
		// fall in May's (UTC) bill, not four.
		{"a run early on the 1st in Tokyo belongs to the month before", "cron(0 6 ? * MON *)", "Asia/Tokyo", 2026, time.May, 5},
		{"and not to June", "cron(0 6 ? * MON *)", "Asia/Tokyo", 2026, time.June, 4},
		{"the same schedule in UTC", "cron(0 6 ? * MON *)", "UTC", 2026, time.May, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := report.ParseWeeklySchedule(tc.expr, tc.tz)
			require.NoError(t, err)
			start, end := month(tc.year, tc.month)
			assert.Equal(t, tc.runs, s.RunsIn(start, end))
		})
	}
}

func TestABadPipelineScheduleIsRefused(t *testing.T) {
	_, err := report.ParseWeeklySchedule("rate(7 days)", "UTC")
	assert.ErrorContains(t, err, "not a cron(...) expression")
	_, err = report.ParseWeeklySchedule("cron(0 6 ? * MON *)", "Mars/Olympus")
	assert.ErrorContains(t, err, "IANA")
}
