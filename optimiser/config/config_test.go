package config_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readBundled(t testing.TB, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(bundled.Configs(), name)
	require.NoError(t, err)
	return b
}

func TestBundledConfigsEncodeThePublicRules(t *testing.T) {
	var files []config.File
	for _, n := range []string{"nl.yaml", "gb.yaml", "se.yaml"} {
		files = append(files, config.File{Name: n, Data: readBundled(t, n)})
	}
	cs, err := config.ParseAll(files)
	require.NoError(t, err)
	require.Len(t, cs, 3)
	byCode := map[string]*config.Country{}
	for _, c := range cs {
		byCode[c.Country] = c
		assert.Len(t, c.SHA256, 64)
	}

	nl := byCode["NL"]
	require.NotNil(t, nl.Constraints.CharityShare)
	assert.Equal(t, 0.40, *nl.Constraints.CharityShare.Min, "NL: at least 40% of sales to good causes")
	assert.Equal(t, config.MechanismPostcode, nl.Mechanism.Type)

	gb := byCode["GB"]
	require.NotNil(t, gb.Constraints.CharityShare)
	assert.Equal(t, 0.20, *gb.Constraints.CharityShare.Min, "GB society lotteries: at least 20% to the society")
	require.NotNil(t, gb.Constraints.PerTicketCap)
	assert.Equal(t, config.TicketCap{Floor: 25000, ShareOfProceeds: 0.10, Ceiling: 500000}, *gb.Constraints.PerTicketCap,
		"GB: largest prize ≤ max(£25,000, 10% of proceeds), never above £500,000")

	se := byCode["SE"]
	require.NotNil(t, se.Constraints.PayoutRatio)
	assert.Equal(t, 0.35, *se.Constraints.PayoutRatio.Min, "SE: prize value at least 35% of stakes")
	assert.Equal(t, 0.50, *se.Constraints.PayoutRatio.Max, "SE: prize value at most 50% of stakes")
	assert.True(t, se.IsRollover())
}

func TestParseAppliesDefaults(t *testing.T) {
	src := strings.Replace(string(readBundled(t, "nl.yaml")), "  sales_tail: 0.01\n", "", 1)
	src = strings.Replace(src, "planning:\n  horizon_weeks: 1\n", "", 1)
	c, err := config.Parse([]byte(src), "nl.yaml")
	require.NoError(t, err)
	assert.Equal(t, config.DefaultSalesTail, c.Constraints.SalesTail)
	assert.Equal(t, config.DefaultHorizonWeeks, c.Planning.HorizonWeeks)
	assert.Equal(t, config.DefaultWeeklyDiscount, c.Planning.WeeklyDiscount)
	assert.Equal(t, 2.0, c.Model.ExtrapolationFactor)
	assert.Equal(t, 14, c.History.MaxStalenessDays)
	assert.Equal(t, config.QualityGate{MaxMAPE: 0.04, MinR2: 0.8, MinCoverage: 0.65, MaxCoverage: 0.95}, c.Model.QualityGate)
	assert.Equal(t, []time.Weekday{time.Saturday}, c.Weekdays())

	twice, err := config.Parse([]byte(strings.Replace(src, "draw_day: saturday", "draw_days: [fri, tuesday]", 1)), "nl.yaml")
	require.NoError(t, err)
	assert.Equal(t, []time.Weekday{time.Tuesday, time.Friday}, twice.Weekdays())
	assert.Equal(t, 2, twice.DrawsPerWeek())
	assert.Equal(t, "tuesday,friday", twice.DrawDaysLabel())
}

func TestParseRejectsBadConfigsNamingTheField(t *testing.T) {
	base := string(readBundled(t, "se.yaml"))
	cases := []struct {
		name    string
		edit    func(string) string
		wantErr []string
	}{
		{"unknown field", func(s string) string {
			return strings.Replace(s, "ticket_price: 10.00", "ticket_price: 10.00\nticket_prise: 10", 1)
		}, []string{"ticket_prise", "line"}},
		{"misspelt nested limit", func(s string) string { return strings.Replace(s, "    min: 0.35", "    minimum: 0.35", 1) }, []string{"minimum"}},
		{"empty file", func(string) string { return "" }, []string{"empty"}},
		{"two documents", func(s string) string { return s + "\n---\ncountry: NL\n" }, []string{"more than one YAML document"}},
		{"zero price", func(s string) string { return strings.Replace(s, "ticket_price: 10.00", "ticket_price: 0", 1) }, []string{"ticket_price", "> 0"}},
		{"lower-case country", func(s string) string { return strings.Replace(s, "country: SE", "country: se", 1) }, []string{"country", "ISO 3166"}},
		{"unknown mechanism", func(s string) string { return strings.Replace(s, "type: lotto", "type: raffle", 1) }, []string{"mechanism.type", "raffle"}},
		{"unknown unwon rule", func(s string) string { return strings.Replace(s, "unwon: rollover", "unwon: keep", 1) }, []string{"mechanism.lotto.unwon"}},
		{"win probability of one", func(s string) string {
			return strings.Replace(s, "win_probability: 1.4871e-7", "win_probability: 1", 1)
		}, []string{"mechanism.lotto.win_probability"}},
		{"shares leave no margin", func(s string) string { return strings.Replace(s, "cost_share: 0.15", "cost_share: 0.8", 1) }, []string{"cost_share", "margin"}},
		{"jackpot max below min", func(s string) string { return strings.Replace(s, "max: 200000000\n  step", "max: 1000\n  step", 1) }, []string{"jackpot.max"}},
		{"window min above max", func(s string) string { return strings.Replace(s, "    min: 0.35", "    min: 0.6", 1) }, []string{"constraints.payout_ratio.min"}},
		{"epsilon too large", func(s string) string { return strings.Replace(s, "epsilon: 0 ", "epsilon: 0.7 ", 1) }, []string{"constraints.cash.epsilon"}},
		{"negative change limit", func(s string) string { return strings.Replace(s, "max_weekly_change: 0.3", "max_weekly_change: -1", 1) }, []string{"constraints.max_weekly_change"}},
		{"unknown feature", func(s string) string { return strings.Replace(s, "[log_jackpot,", "[log_jackpot, weather,", 1) }, []string{"model.features[1]", "weather"}},
		{"no jackpot feature", func(s string) string { return strings.Replace(s, "[log_jackpot, log_jackpot_squared,", "[", 1) }, []string{"model.features", "log_jackpot"}},
		{"too short validation", func(s string) string { return strings.Replace(s, "initial_weeks: 104", "initial_weeks: 4", 1) }, []string{"model.validation.initial_weeks"}},
		{"bad draw day", func(s string) string { return strings.Replace(s, "draw_day: saturday", "draw_day: caturday", 1) }, []string{"draw_day"}},
		{"wrong type", func(s string) string { return strings.Replace(s, "horizon_weeks: 8", "horizon_weeks: eight", 1) }, []string{"eight"}},
		{"draw_day and draw_days", func(s string) string {
			return strings.Replace(s, "draw_day: saturday", "draw_day: saturday\ndraw_days: [tuesday, friday]", 1)
		}, []string{"draw_days", "not both"}},
		{"draw day listed twice", func(s string) string {
			return strings.Replace(s, "draw_day: saturday", "draw_days: [tuesday, tue]", 1)
		}, []string{"draw_days[1]", "twice"}},
		{"extrapolation below one", func(s string) string {
			return strings.Replace(s, "  quality_gate:", "  extrapolation_factor: 0.5\n  quality_gate:", 1)
		}, []string{"model.extrapolation_factor"}},
		{"coverage gate above 80%", func(s string) string {
			return strings.Replace(s, "    min_r2: 0.8", "    min_r2: 0.8\n    min_coverage: 0.9", 1)
		}, []string{"model.quality_gate.min_coverage"}},
		{"staleness of zero days", func(s string) string { return s + "history:\n  max_staleness_days: -3\n" }, []string{"history.max_staleness_days"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.edit(base)), "se.yaml")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "se.yaml")
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestPostcodeDistributionMustBeAProbability(t *testing.T) {
	src := strings.Replace(string(readBundled(t, "nl.yaml")), "{tickets: 80, probability: 0.005}", "{tickets: 80, probability: 0.5}", 1)
	_, err := config.Parse([]byte(src), "nl.yaml")
	var ve *config.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Fields(), "mechanism.postcode.tickets_in_drawn_postcode")
}

func TestParseAllRejectsTwoFilesForOneCountry(t *testing.T) {
	nl := readBundled(t, "nl.yaml")
	_, err := config.ParseAll([]config.File{{Name: "nl.yaml", Data: nl}, {Name: "netherlands.yaml", Data: nl}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already configured in nl.yaml")

	_, err = config.ParseAll(nil)
	assert.ErrorContains(t, err, "no country configuration")
}

func TestFindIsCaseInsensitiveAndListsCountries(t *testing.T) {
	c, err := config.Parse(readBundled(t, "gb.yaml"), "gb.yaml")
	require.NoError(t, err)
	got, err := config.Find([]*config.Country{c}, "gb")
	require.NoError(t, err)
	assert.Same(t, c, got)
	_, err = config.Find([]*config.Country{c}, "FR")
	assert.ErrorContains(t, err, "configured: GB")
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"nl.yaml", "gb.yaml", "se.yaml"} {
		f.Add(readBundled(f, n))
	}
	f.Add([]byte("country: NL\n"))
	f.Add([]byte("{"))
	f.Add([]byte("country: [1, 2]\nmechanism: {type: postcode, postcode: {tickets_in_drawn_postcode: [{tickets: 0}]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(data, "fuzz.yaml")
		if err != nil {
			require.Nil(t, c)
			require.NotEmpty(t, err.Error())
			return
		}
		// Anything accepted must be usable: valid, with a grid and a draw day.
		require.NoError(t, c.Validate())
		require.GreaterOrEqual(t, c.Jackpot.Points(), 1)
		_, err = config.ParseWeekday(c.DrawDay)
		require.NoError(t, err)
	})
}

func TestParseEachFailsOnlyTheBrokenFile(t *testing.T) {
	nl, gb := readBundled(t, "nl.yaml"), readBundled(t, "gb.yaml")
	broken := []byte(strings.Replace(string(readBundled(t, "se.yaml")), "ticket_price: 10.00", "ticket_price: -1", 1))
	cs, failed := config.ParseEach([]config.File{{Name: "nl.yaml", Data: nl}, {Name: "se.yaml", Data: broken}, {Name: "gb.yaml", Data: gb}, {Name: "holland.yaml", Data: nl}})
	require.Len(t, cs, 2)
	assert.Equal(t, "GB", cs[0].Country)
	assert.Equal(t, "NL", cs[1].Country)
	require.Len(t, failed, 2)
	assert.Equal(t, "SE", failed[0].Country)
	assert.ErrorContains(t, failed[0].Err, "ticket_price")
	assert.Equal(t, "NL", failed[1].Country)
	assert.ErrorContains(t, failed[1].Err, "already configured in nl.yaml")
}
