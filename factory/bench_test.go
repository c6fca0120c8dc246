package factory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
)

// BenchmarkVend measures what a team waits for, offline, on a deployed dev
// stack: from its request to the previewed change (request → preview) and
// to the applied one with its Studio URL (request → applied), each against
// a plain preview of the same stack in the same run. The target is under
// 15 s for each.
func BenchmarkVend(b *testing.B) {
	ctx := context.Background()
	root := checkout(b)
	f := newFactory(b, root, nil)
	_, err := f.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(b, err)

	var preview, toPreview, toApplied time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		_, err := f.Preview(ctx, "dev")
		require.NoError(b, err)
		preview += time.Since(start)

		team := fmt.Sprintf("bench-%d", i)
		req, err := factory.ParseVendRequest([]byte(vendRequest(team)))
		require.NoError(b, err)
		start = time.Now()
		_, err = f.Vend(ctx, req, factory.VendOptions{})
		require.NoError(b, err)
		toPreview += time.Since(start)

		start = time.Now()
		res, err := f.Vend(ctx, req, factory.VendOptions{Yes: true})
		require.NoError(b, err)
		require.NotEmpty(b, res.Vended.StudioURL)
		toApplied += time.Since(start)

		b.StopTimer()
		_, err = f.Offboard(ctx, "dev", team, factory.VendOptions{Yes: true})
		require.NoError(b, err)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(preview.Seconds()/n, "s/preview")
	b.ReportMetric(toPreview.Seconds()/n, "s/request-to-preview")
	b.ReportMetric(toApplied.Seconds()/n, "s/request-to-applied")
	b.ReportMetric(toPreview.Seconds()/preview.Seconds(), "ratio-preview")
	b.ReportMetric(toApplied.Seconds()/preview.Seconds(), "ratio-applied")
}
