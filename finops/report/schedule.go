package report

import (
	"fmt"
	"time"

	pipelinespec "github.com/aifactory/platform/components/pipeline/spec"
)

// WeeklySchedule is when the weekly pipeline runs: a weekday and a time of
// day in a time zone (EventBridge Scheduler's cron with its time zone).
type WeeklySchedule struct {
	Weekday      time.Weekday
	Hour, Minute int
	Location     *time.Location
}

// ParseWeeklySchedule reads a pipeline schedule the way the stack config
// validates it: a cron(...) expression that fires once a week, in an IANA
// time zone.
func ParseWeeklySchedule(expr, timezone string) (WeeklySchedule, error) {
	s, err := pipelinespec.ParseWeeklySchedule(expr)
	if err != nil {
		return WeeklySchedule{}, err
	}
	if err := pipelinespec.CheckTimezone(timezone); err != nil {
		return WeeklySchedule{}, err
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return WeeklySchedule{}, fmt.Errorf("time zone %q: %w", timezone, err)
	}
	return WeeklySchedule{Weekday: s.Weekday, Hour: s.Hour, Minute: s.Minute, Location: loc}, nil
}

// RunsIn counts the scheduled runs in [start, end): the instants the
// schedule fires, in its time zone, that fall in the interval. A run early
// on a Monday in Tokyo is a Sunday in UTC, and can belong to the month
// before.
func (s WeeklySchedule) RunsIn(start, end time.Time) int {
	n := 0
	// Walk the local calendar days that overlap the interval, with a day's
	// margin on each side for the zone's offset.
	from := start.In(s.Location).AddDate(0, 0, -1)
	for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, s.Location); d.Before(end.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != s.Weekday {
			continue
		}
		// time.Date normalises a time skipped by a daylight saving change
		// forward, as EventBridge Scheduler runs it then.
		at := time.Date(d.Year(), d.Month(), d.Day(), s.Hour, s.Minute, 0, 0, s.Location)
		if !at.Before(start) && at.Before(end) {
			n++
		}
	}
	return n
}

// pipelineSchedule parses the options' pipeline schedule, naming the
// fields on error.
func (o Options) pipelineSchedule() (WeeklySchedule, error) {
	s, err := ParseWeeklySchedule(o.PipelineSchedule, o.PipelineTimezone)
	if err != nil {
		return WeeklySchedule{}, fmt.Errorf("PipelineSchedule %q in PipelineTimezone %q: %w (the stack file's pipeline.schedule and pipeline.timezone)",
			o.PipelineSchedule, o.PipelineTimezone, err)
	}
	return s, nil
}
