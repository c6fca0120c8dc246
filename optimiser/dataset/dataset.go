// Package dataset reads and validates a country's sales history: one CSV
// row per week (week_start) or one row per draw (draw_date, for games that
// draw several times a week), with tickets_sold and jackpot_announced, and
// optionally draw_day, jackpot_won, prizes_paid and marketing_spend. Every
// problem is reported with its row, column and the fix, because the history
// arrives from outside and a silent mistake would move real money.
package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Column names.
const (
	ColWeekStart        = "week_start"
	ColDrawDate         = "draw_date"
	ColTicketsSold      = "tickets_sold"
	ColJackpotAnnounced = "jackpot_announced"
	ColDrawDay          = "draw_day"
	ColJackpotWon       = "jackpot_won"
	ColPrizesPaid       = "prizes_paid"
	ColMarketingSpend   = "marketing_spend"
)

// RequiredColumns must be in every history file, with either week_start
// (weekly history) or draw_date (draw-level history).
var RequiredColumns = []string{ColTicketsSold, ColJackpotAnnounced}

// DateColumns are the alternative date columns: exactly one is required.
var DateColumns = []string{ColWeekStart, ColDrawDate}

// OptionalColumns may be in a history file.
var OptionalColumns = []string{ColDrawDay, ColJackpotWon, ColPrizesPaid, ColMarketingSpend}

// DateLayout is the ISO 8601 calendar date used for week_start and
// draw_date.
const DateLayout = "2006-01-02"

// maxReported caps how many row problems one error lists.
const maxReported = 12

// Week is one row of the history: a week, or one draw in a draw-level
// history.
type Week struct {
	// Start is the week_start of a weekly row or the draw_date of a draw.
	Start            time.Time
	TicketsSold      float64
	JackpotAnnounced float64
	DrawDay          time.Weekday
	JackpotWon       bool
	PrizesPaid       float64
	MarketingSpend   float64
	// Row is the row's line in the file (header = 1), for error messages.
	Row int
}

// Columns records which optional columns the file had.
type Columns struct {
	DrawDay, JackpotWon, PrizesPaid, MarketingSpend bool
}

// History is a validated series in ascending order: gap-free weeks, or
// (DrawLevel) every draw, at least one a week.
type History struct {
	Weeks   []Week
	Columns Columns
	// DrawLevel is true for a draw_date history: one row per draw, the draw
	// day taken from the date.
	DrawLevel bool
	// SHA256 is the hex digest of the file bytes, recorded with every model
	// and recommendation built from it.
	SHA256 string
	Source string
}

// Len is the number of weeks.
func (h *History) Len() int { return len(h.Weeks) }

// Last is the most recent week.
func (h *History) Last() Week { return h.Weeks[len(h.Weeks)-1] }

// NextWeekStart is the start of the week after a weekly history.
func (h *History) NextWeekStart() time.Time { return h.Last().Start.AddDate(0, 0, 7) }

// DateColumn is the name of the history's date column.
func (h *History) DateColumn() string {
	if h.DrawLevel {
		return ColDrawDate
	}
	return ColWeekStart
}

// Slice returns the history restricted to rows [from, to).
func (h *History) Slice(from, to int) *History {
	return &History{Weeks: h.Weeks[from:to], Columns: h.Columns, DrawLevel: h.DrawLevel, SHA256: h.SHA256, Source: h.Source}
}

// RowError is a problem with one cell of a history file, found after
// parsing (e.g. by a plausibility check).
func RowError(source string, row int, column, fix, format string, args ...any) *Error {
	return &Error{Source: source, Problems: []Problem{{Row: row, Column: column, Detail: fmt.Sprintf(format, args...), Fix: fix}}}
}

// Problem is one defect in the file, located by row (the line number as a
// spreadsheet shows it, header = 1) and column.
type Problem struct {
	Row    int
	Column string
	Detail string
	Fix    string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Row > 0 {
		fmt.Fprintf(&b, "row %d", p.Row)
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "column %s", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Detail)
	if p.Fix != "" {
		b.WriteString(" — " + p.Fix)
	}
	return b.String()
}

// Error lists the problems of one file.
type Error struct {
	Source   string
	Problems []Problem
	// Omitted counts problems beyond those listed.
	Omitted int
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sales history %s is invalid:", e.Source)
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n  … and %d more problems", e.Omitted)
	}
	return b.String()
}

type collector struct {
	src      string
	problems []Problem
	omitted  int
}

func (c *collector) add(row int, col, fix, format string, args ...any) {
	if len(c.problems) >= maxReported {
		c.omitted++
		return
	}
	c.problems = append(c.problems, Problem{Row: row, Column: col, Detail: fmt.Sprintf(format, args...), Fix: fix})
}

func (c *collector) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Error{Source: c.src, Problems: c.problems, Omitted: c.omitted}
}

// Parse reads and validates a history CSV. source names the file in errors.
func Parse(data []byte, source string) (*History, error) {
	col := &collector{src: source}
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		col.add(0, "", "the first line must be a header: week_start (or draw_date),"+strings.Join(RequiredColumns, ","), "file is empty")
		return nil, col.err()
	}
	if err != nil {
		col.add(lineOf(err), "", "save the file as comma-separated UTF-8 with one header line", "cannot read CSV: %v", err)
		return nil, col.err()
	}
	index, ok := readHeader(col, header)
	if !ok {
		return nil, col.err()
	}
	h := &History{Source: source}
	_, h.DrawLevel = index[ColDrawDate]
	_, h.Columns.DrawDay = index[ColDrawDay]
	// A draw's date says its weekday.
	h.Columns.DrawDay = h.Columns.DrawDay || h.DrawLevel
	_, h.Columns.JackpotWon = index[ColJackpotWon]
	_, h.Columns.PrizesPaid = index[ColPrizesPaid]
	_, h.Columns.MarketingSpend = index[ColMarketingSpend]

	rowNo := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		if err != nil {
			col.add(lineOf(err), "", "every row needs the same number of fields as the header", "cannot read CSV: %v", errors.Unwrap(err))
			if !errors.Is(err, csv.ErrFieldCount) {
				return nil, col.err()
			}
			continue
		}
		if w, ok := readRow(col, rowNo, rec, index, h.DrawLevel); ok {
			h.Weeks = append(h.Weeks, w)
		}
	}
	if rowNo == 1 {
		col.add(0, "", "add at least one row per week (or per draw) of sales history", "history is empty: the file has a header but no data rows")
	}
	if err := col.err(); err != nil {
		return nil, err
	}
	if h.DrawLevel {
		checkDraws(col, h.Weeks)
	} else {
		checkSequence(col, h.Weeks)
	}
	if err := col.err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	h.SHA256 = hex.EncodeToString(sum[:])
	return h, nil
}

func lineOf(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func readHeader(col *collector, header []string) (map[string]int, bool) {
	allowed := map[string]bool{}
	for _, c := range RequiredColumns {
		allowed[c] = true
	}
	for _, c := range DateColumns {
		allowed[c] = true
	}
	for _, c := range OptionalColumns {
		allowed[c] = true
	}
	index := map[string]int{}
	for i, raw := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff")))
		if !allowed[name] {
			col.add(1, name, "rename it to one of: "+strings.Join(append(append(append([]string{}, DateColumns...), RequiredColumns...), OptionalColumns...), ", ")+" or remove it", "unknown column %q", raw)
			continue
		}
		if _, dup := index[name]; dup {
			col.add(1, name, "keep one column of that name", "column appears twice")
			continue
		}
		index[name] = i
	}
	_, weekly := index[ColWeekStart]
	_, draws := index[ColDrawDate]
	switch {
	case weekly && draws:
		col.add(1, ColDrawDate, "keep week_start for one row per week or draw_date for one row per draw, not both", "both week_start and draw_date are present")
	case !weekly && !draws:
		col.add(1, ColWeekStart, "add week_start (one row per week) or draw_date (one row per draw) to the header", "missing required column (week_start or draw_date)")
	}
	for _, req := range RequiredColumns {
		if _, ok := index[req]; !ok {
			col.add(1, req, "add the column to the header (required: week_start or draw_date, "+strings.Join(RequiredColumns, ", ")+")", "missing required column")
		}
	}
	return index, len(col.problems) == 0
}

func readRow(col *collector, row int, rec []string, index map[string]int, drawLevel bool) (Week, bool) {
	before := len(col.problems) + col.omitted
	w := Week{Row: row}
	field := func(name string) string { return strings.TrimSpace(rec[index[name]]) }

	dateCol, emptyFix := ColWeekStart, "write the Monday (or first day) of the sales week as YYYY-MM-DD"
	if drawLevel {
		dateCol, emptyFix = ColDrawDate, "write the date of the draw as YYYY-MM-DD"
	}
	if s := field(dateCol); s == "" {
		col.add(row, dateCol, emptyFix, "empty date")
	} else if t, err := time.Parse(DateLayout, s); err != nil {
		col.add(row, dateCol, "write dates as YYYY-MM-DD, e.g. 2024-01-06", "%q is not an ISO date", s)
	} else {
		w.Start = t
	}
	w.TicketsSold = number(col, row, ColTicketsSold, field(ColTicketsSold), true)
	if w.TicketsSold != math.Trunc(w.TicketsSold) {
		col.add(row, ColTicketsSold, "tickets are counted whole: write the number of tickets sold, not an average or a revenue", "value %v is not a whole number of tickets", w.TicketsSold)
	}
	w.JackpotAnnounced = number(col, row, ColJackpotAnnounced, field(ColJackpotAnnounced), true)
	if _, ok := index[ColPrizesPaid]; ok {
		w.PrizesPaid = number(col, row, ColPrizesPaid, field(ColPrizesPaid), false)
	}
	if _, ok := index[ColMarketingSpend]; ok {
		w.MarketingSpend = number(col, row, ColMarketingSpend, field(ColMarketingSpend), false)
	}
	if _, ok := index[ColDrawDay]; ok {
		d, err := parseWeekday(field(ColDrawDay))
		if err != nil {
			col.add(row, ColDrawDay, "use a day name such as saturday or sat", "%v", err)
		} else if drawLevel && !w.Start.IsZero() && d != w.Start.Weekday() {
			col.add(row, ColDrawDay, "correct the draw_day or the draw_date, or drop the draw_day column (the date says the day)", "%s, but draw_date %s is a %s", d, w.Start.Format(DateLayout), w.Start.Weekday())
		}
		w.DrawDay = d
	}
	if drawLevel {
		w.DrawDay = w.Start.Weekday()
	}
	if _, ok := index[ColJackpotWon]; ok {
		b, err := parseBool(field(ColJackpotWon))
		if err != nil {
			col.add(row, ColJackpotWon, "use true/false, yes/no or 1/0", "%v", err)
		}
		w.JackpotWon = b
	}
	return w, len(col.problems)+col.omitted == before
}

// number parses a finite value; strictlyPositive also rejects zero because
// the sales model takes logarithms of tickets and jackpots.
func number(col *collector, row int, name, s string, strictlyPositive bool) float64 {
	if s == "" {
		col.add(row, name, "fill in the value for every week", "empty value")
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		col.add(row, name, "write plain numbers with a dot as decimal separator and no thousands separators", "%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		col.add(row, name, "replace it with the measured value", "%q is not a finite number", s)
	case strictlyPositive && v <= 0:
		col.add(row, name, "it must be greater than zero", "value %v is not positive", v)
	case v < 0:
		col.add(row, name, "it cannot be negative", "value %v is negative", v)
	default:
		return v
	}
	return 0
}

func parseWeekday(s string) (time.Weekday, error) {
	t := strings.ToLower(s)
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if t == name || t == name[:3] {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a weekday", s)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "1":
		return true, nil
	case "false", "no", "n", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// checkDraws requires draws in strictly increasing date order with no
// week without a draw: every supported game draws at least once a week, so
// a longer gap is a missing row. Missing draws within a week are found
// against the configured schedule (weekly.CheckHistory).
func checkDraws(col *collector, draws []Week) {
	for i := 1; i < len(draws); i++ {
		prev, cur := draws[i-1].Start, draws[i].Start
		row := draws[i].Row
		days := int(cur.Sub(prev).Hours() / 24)
		switch {
		case days == 0:
			col.add(row, ColDrawDate, "remove the duplicate or merge the two rows", "draw %s duplicates row %d", cur.Format(DateLayout), draws[i-1].Row)
		case days < 0:
			col.add(row, ColDrawDate, "sort the rows by draw_date, oldest first", "draw %s comes after %s in row %d", cur.Format(DateLayout), prev.Format(DateLayout), draws[i-1].Row)
		case days > 7:
			col.add(row, ColDrawDate, "add a row for every draw", "gap of %d days between the draws of %s and %s: draws are missing", days, prev.Format(DateLayout), cur.Format(DateLayout))
		}
	}
}

// checkSequence requires strictly weekly steps: no duplicates, no gaps, no
// reordering. A gap would bias the trend and the rolling windows.
func checkSequence(col *collector, weeks []Week) {
	for i := 1; i < len(weeks); i++ {
		prev, cur := weeks[i-1].Start, weeks[i].Start
		row := i + 2 // header is row 1, first data row is row 2
		days := int(cur.Sub(prev).Hours() / 24)
		switch {
		case days == 7:
		case days == 0:
			col.add(row, ColWeekStart, "remove the duplicate or merge the two rows", "week %s duplicates row %d", cur.Format(DateLayout), row-1)
		case days < 0:
			col.add(row, ColWeekStart, "sort the rows by week_start, oldest first", "week %s comes after %s in row %d", cur.Format(DateLayout), prev.Format(DateLayout), row-1)
		case days%7 == 0:
			missing := days/7 - 1
			col.add(row, ColWeekStart, "add a row for every missing week", "gap of %d missing week(s) between %s and %s", missing, prev.Format(DateLayout), cur.Format(DateLayout))
		default:
			col.add(row, ColWeekStart, "weeks must be exactly 7 days apart; use the same weekday for every week_start", "week %s is %d days after %s", cur.Format(DateLayout), days, prev.Format(DateLayout))
		}
	}
}
