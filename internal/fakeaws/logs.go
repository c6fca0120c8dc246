package fakeaws

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// LogEvent is one event of a CloudWatch Logs log group.
type LogEvent struct {
	Stream  string
	Time    time.Time
	Message string
}

// equalityPattern is the subset of CloudWatch Logs' JSON filter pattern
// syntax the fake understands: one string equality, { $.field = "value" }.
var equalityPattern = regexp.MustCompile(`^\{\s*\$\.([A-Za-z0-9_]+)\s*=\s*"([^"]*)"\s*\}$`)

// logsOps answers CloudWatch Logs (JSON 1.1, target prefix Logs_20140328).
// FilterLogEvents returns the events of LogEvents[logGroupName] in the
// time range, in time order, LogsPageSize at a time with a nextToken.
func (s *Server) logsOps() map[string]jsonOp {
	return map[string]jsonOp{
		"FilterLogEvents": {target: func(in map[string]any) string { return str(in, "logGroupName") }, perform: func(in map[string]any) (any, *Fault) {
			group := str(in, "logGroupName")
			events, ok := s.LogEvents[group]
			if !ok {
				return nil, &Fault{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."}
			}
			var field, value string
			if p := str(in, "filterPattern"); p != "" {
				m := equalityPattern.FindStringSubmatch(p)
				if m == nil {
					return nil, &Fault{Code: "InvalidParameterException", Message: "fakeaws understands only { $.field = \"value\" } filter patterns, not " + p}
				}
				field, value = m[1], m[2]
			}
			startMs, hasStart := in["startTime"].(float64)
			endMs, hasEnd := in["endTime"].(float64)
			sorted := append([]LogEvent(nil), events...)
			sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
			var matched []map[string]any
			for i, e := range sorted {
				ms := e.Time.UnixMilli()
				if (hasStart && ms < int64(startMs)) || (hasEnd && ms > int64(endMs)) {
					continue
				}
				if field != "" && !jsonFieldEquals(e.Message, field, value) {
					continue
				}
				matched = append(matched, map[string]any{
					"logStreamName": e.Stream, "timestamp": ms, "ingestionTime": ms + 1000,
					"message": e.Message, "eventId": fmt.Sprintf("%056d", i),
				})
			}
			from := 0
			if tok := str(in, "nextToken"); tok != "" {
				n, err := strconv.Atoi(tok)
				if err != nil || n < 0 || n > len(matched) {
					return nil, &Fault{Code: "InvalidParameterException", Message: "The specified nextToken is invalid."}
				}
				from = n
			}
			size := s.LogsPageSize
			if l, ok := in["limit"].(float64); ok && (size == 0 || int(l) < size) {
				size = int(l)
			}
			if size <= 0 {
				size = 10000
			}
			to := min(from+size, len(matched))
			out := map[string]any{"events": append([]map[string]any{}, matched[from:to]...), "searchedLogStreams": []any{}}
			if to < len(matched) {
				out["nextToken"] = strconv.Itoa(to)
			}
			return out, nil
		}},
	}
}
