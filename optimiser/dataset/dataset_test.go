package dataset_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const header = "week_start,tickets_sold,jackpot_announced,draw_day,jackpot_won,prizes_paid,marketing_spend\n"

// weeks builds n consecutive valid rows starting 2024-01-06.
func weeks(n int) string {
	var b strings.Builder
	b.WriteString(header)
	start := time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s,%d,%d,saturday,%v,%d,%d\n", start.AddDate(0, 0, 7*i).Format(dataset.DateLayout), 100000+i, 5000000+1000*i, i%3 == 0, 40000+i, 1000)
	}
	return b.String()
}

func TestParseReadsAValidHistory(t *testing.T) {
	h, err := dataset.Parse([]byte(weeks(5)), "nl.csv")
	require.NoError(t, err)
	require.Equal(t, 5, h.Len())
	assert.Equal(t, dataset.Columns{DrawDay: true, JackpotWon: true, PrizesPaid: true, MarketingSpend: true}, h.Columns)
	first := h.Weeks[0]
	assert.Equal(t, "2024-01-06", first.Start.Format(dataset.DateLayout))
	assert.Equal(t, 100000.0, first.TicketsSold)
	assert.Equal(t, 5e6, first.JackpotAnnounced)
	assert.Equal(t, time.Saturday, first.DrawDay)
	assert.True(t, first.JackpotWon)
	assert.Equal(t, "2024-02-10", h.NextWeekStart().Format(dataset.DateLayout))
	assert.Len(t, h.SHA256, 64)
}

func TestParseAcceptsOnlyRequiredColumnsInAnyOrder(t *testing.T) {
	h, err := dataset.Parse([]byte("jackpot_announced,week_start,tickets_sold\n1000,2024-01-06,50\n1200,2024-01-13,55\n"), "x.csv")
	require.NoError(t, err)
	assert.Equal(t, dataset.Columns{}, h.Columns)
	assert.Equal(t, 1200.0, h.Last().JackpotAnnounced)
}

func TestParseRejectsBadInputNamingRowColumnAndFix(t *testing.T) {
	valid := weeks(4)
	lines := strings.Split(strings.TrimSuffix(valid, "\n"), "\n")
	replaceRow := func(row int, from, to string) string {
		out := append([]string(nil), lines...)
		out[row-1] = strings.Replace(out[row-1], from, to, 1)
		return strings.Join(out, "\n") + "\n"
	}
	cases := []struct {
		name string
		csv  string
		want []string
	}{
		{"empty file", "", []string{"file is empty", "header"}},
		{"header only", header, []string{"history is empty", "no data rows"}},
		{"missing required column", strings.Replace(valid, ",tickets_sold", ",tickets", 1), []string{"column tickets_sold", "missing required column", "unknown column \"tickets\""}},
		{"unknown column", strings.Replace(valid, "marketing_spend", "marketing_spent", 1), []string{"unknown column \"marketing_spent\"", "rename it"}},
		{"duplicate column", strings.Replace(valid, "draw_day,", "week_start,", 1), []string{"column week_start", "appears twice"}},
		{"NaN tickets", replaceRow(3, ",100001,", ",NaN,"), []string{"row 3", "column tickets_sold", "not a finite number"}},
		{"infinite jackpot", replaceRow(2, ",5000000,", ",+Inf,"), []string{"row 2", "column jackpot_announced", "not a finite number"}},
		{"negative prizes", replaceRow(4, ",40002,", ",-5,"), []string{"row 4", "column prizes_paid", "negative"}},
		{"zero tickets", replaceRow(2, ",100000,", ",0,"), []string{"row 2", "column tickets_sold", "greater than zero"}},
		{"text in number", replaceRow(2, ",100000,", ",1.000.000,"), []string{"row 2", "not a number", "thousands separators"}},
		{"empty value", replaceRow(2, ",100000,", ",,"), []string{"row 2", "column tickets_sold", "empty value"}},
		{"bad date", replaceRow(2, "2024-01-06", "06/01/2024"), []string{"row 2", "column week_start", "YYYY-MM-DD"}},
		{"duplicate week", replaceRow(3, "2024-01-13", "2024-01-06"), []string{"row 3", "duplicates row 2"}},
		{"gap", replaceRow(4, "2024-01-20", "2024-01-27"), []string{"row 4", "gap of 1 missing week", "add a row"}},
		{"unsorted", strings.Join([]string{lines[0], lines[2], lines[1]}, "\n") + "\n", []string{"row 3", "sort the rows"}},
		{"not weekly", replaceRow(3, "2024-01-13", "2024-01-14"), []string{"row 3", "8 days after"}},
		{"bad weekday", replaceRow(2, "saturday", "someday"), []string{"row 2", "column draw_day", "someday"}},
		{"bad boolean", replaceRow(2, "true", "maybe"), []string{"row 2", "column jackpot_won", "true/false"}},
		{"short row", valid + "2024-02-03,5\n", []string{"row 6", "same number of fields"}},
		{"fractional tickets", replaceRow(3, ",100001,", ",100001.5,"), []string{"row 3", "column tickets_sold", "not a whole number"}},
		{"both date columns", strings.Replace(valid, "draw_day,", "draw_date,", 1), []string{"both week_start and draw_date"}},
		{"no date column", strings.Replace(valid, "week_start,", "week,", 1), []string{"week_start or draw_date"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := dataset.Parse([]byte(tc.csv), "nl.csv")
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), "nl.csv")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParseListsSeveralProblemsAtOnceButBoundsTheList(t *testing.T) {
	var b strings.Builder
	b.WriteString("week_start,tickets_sold,jackpot_announced\n")
	for i := range 40 {
		fmt.Fprintf(&b, "2024-01-%02d,-1,100\n", 1+i%28)
	}
	_, err := dataset.Parse([]byte(b.String()), "x.csv")
	var de *dataset.Error
	require.ErrorAs(t, err, &de)
	assert.Len(t, de.Problems, 12)
	assert.Equal(t, 28, de.Omitted)
	assert.Contains(t, err.Error(), "and 28 more problems")
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(weeks(3)))
	f.Add([]byte("week_start,tickets_sold,jackpot_announced\n2024-01-06,1,1\n"))
	f.Add([]byte("week_start,tickets_sold,jackpot_announced\n2024-01-06,NaN,1\n"))
	f.Add([]byte("\"week_start\ntickets"))
	f.Add([]byte(header + "2024-01-06,1,2,sun,yes,0,0\n2024-01-13,1e308,2,mon,no,0,0\n"))
	f.Add([]byte(drawHeader + "2024-01-02,10,5,false,1\n2024-01-05,12,6,true,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := dataset.Parse(data, "fuzz.csv")
		if err != nil {
			require.Nil(t, h)
			return
		}
		// Anything accepted is a gap-free weekly series of usable numbers.
		require.NotZero(t, h.Len())
		for i, w := range h.Weeks {
			require.Greater(t, w.TicketsSold, 0.0)
			require.Greater(t, w.JackpotAnnounced, 0.0)
			require.False(t, math.IsInf(w.TicketsSold, 0) || math.IsInf(w.JackpotAnnounced, 0))
			require.GreaterOrEqual(t, w.PrizesPaid, 0.0)
			require.GreaterOrEqual(t, w.MarketingSpend, 0.0)
			require.Equal(t, w.TicketsSold, math.Trunc(w.TicketsSold), "whole tickets")
			if i > 0 && !h.DrawLevel {
				require.Equal(t, 7*24*time.Hour, w.Start.Sub(h.Weeks[i-1].Start))
			}
			if i > 0 && h.DrawLevel {
				gap := w.Start.Sub(h.Weeks[i-1].Start)
				require.True(t, gap > 0 && gap <= 7*24*time.Hour, "draws ascending, at least one a week")
				require.Equal(t, w.Start.Weekday(), w.DrawDay)
			}
		}
	})
}

const drawHeader = "draw_date,tickets_sold,jackpot_announced,jackpot_won,prizes_paid\n"

// twiceWeekly builds n draws on Tuesdays and Fridays from 2024-01-02.
func twiceWeekly(n int) string {
	var b strings.Builder
	b.WriteString(drawHeader)
	d := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, "%s,%d,%d,%v,%d\n", d.Format(dataset.DateLayout), 50000+i, 1000000+1000*i, i%5 == 0, 20000+i)
		if d.Weekday() == time.Tuesday {
			d = d.AddDate(0, 0, 3)
		} else {
			d = d.AddDate(0, 0, 4)
		}
	}
	return b.String()
}

func TestParseReadsADrawLevelHistory(t *testing.T) {
	h, err := dataset.Parse([]byte(twiceWeekly(6)), "em.csv")
	require.NoError(t, err)
	require.True(t, h.DrawLevel)
	require.Equal(t, 6, h.Len())
	assert.True(t, h.Columns.DrawDay, "the date says the draw day")
	assert.Equal(t, dataset.ColDrawDate, h.DateColumn())
	days := []time.Weekday{}
	for _, w := range h.Weeks {
		days = append(days, w.DrawDay)
	}
	assert.Equal(t, []time.Weekday{time.Tuesday, time.Friday, time.Tuesday, time.Friday, time.Tuesday, time.Friday}, days)
	assert.Equal(t, 7, h.Weeks[5].Row)
	assert.True(t, h.Slice(1, 3).DrawLevel)
}

func TestParseRejectsBadDrawLevelHistories(t *testing.T) {
	valid := twiceWeekly(5)
	lines := strings.Split(strings.TrimSuffix(valid, "\n"), "\n")
	join := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	cases := []struct {
		name string
		csv  string
		want []string
	}{
		{"duplicate draw", join(lines[0], lines[1], lines[2], lines[2]), []string{"row 4", "duplicates row 3"}},
		{"unsorted", join(lines[0], lines[2], lines[1]), []string{"row 3", "sort the rows by draw_date"}},
		{"a week without a draw", join(lines[0], lines[1], lines[4]), []string{"row 3", "gap of 10 days", "draws are missing"}},
		{"draw day disagrees with the date", strings.Replace(strings.Replace(valid, "draw_date,", "draw_date,draw_day,", 1), "2024-01-02,", "2024-01-02,friday,", 1),
			[]string{"row 2", "column draw_day", "is a Tuesday"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataset.Parse([]byte(tc.csv), "em.csv")
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
