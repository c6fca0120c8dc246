package synthetic_test

import (
	"io/fs"
	"testing"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/synthetic"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bundled sample data must be exactly what the documented generator
// and seed produce, so that anyone can reproduce it.
func TestBundledDataIsReproducibleFromTheDocumentedSeed(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		s, ok := synthetic.Scenarios[c.Config.Country]
		require.True(t, ok, "no scenario for %s", c.Config.Country)
		got, err := synthetic.Generate(c.Config, s, synthetic.CountrySeed(synthetic.DefaultSeed, c.Config.Country))
		require.NoError(t, err)
		want, err := fs.ReadFile(bundled.Data(), c.Config.DataFile())
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s: regenerate with go generate ./optimiser/bundled", c.Config.Country)
	}
}

func TestGeneratedHistoryIsValidAndFollowsTheMechanism(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		s := synthetic.Scenarios[c.Config.Country]
		s.Weeks = 120
		data, err := synthetic.Generate(c.Config, s, 99)
		require.NoError(t, err)
		h, err := dataset.Parse(data, "gen.csv")
		require.NoError(t, err)
		require.Equal(t, 120, h.Len())
		won := 0
		for i, w := range h.Weeks {
			assert.GreaterOrEqual(t, w.JackpotAnnounced, c.Config.Jackpot.Min)
			assert.LessOrEqual(t, w.JackpotAnnounced, c.Config.Jackpot.Max)
			if w.JackpotWon {
				won++
			}
			if c.Config.IsRollover() && i > 0 && !h.Weeks[i-1].JackpotWon {
				assert.GreaterOrEqual(t, w.JackpotAnnounced, h.Weeks[i-1].JackpotAnnounced, "an unwon jackpot rolls over")
			}
		}
		if c.Config.Mechanism.Type == "postcode" {
			assert.Equal(t, h.Len(), won, "a postcode draw is always won")
		} else {
			assert.Less(t, won, h.Len())
			assert.Positive(t, won)
		}
		again, err := synthetic.Generate(c.Config, s, 99)
		require.NoError(t, err)
		assert.Equal(t, data, again, "same seed, same data")
	}
}
