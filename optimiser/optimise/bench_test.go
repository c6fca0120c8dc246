package optimise_test

import (
	"sort"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/optimise"
)

// BenchmarkDenseScanVersusBracketingSearch runs, on the same problems in
// the same run, the optimiser (a dense scan of every grid point plus the
// explanation, payout quantiles and Monte Carlo cross-check) and the
// bracketing search it replaced (search only), and reports the time of each
// and their ratio:
//
//	go test ./optimiser/optimise -run '^$' -bench DenseScan
func BenchmarkDenseScanVersusBracketingSearch(b *testing.B) {
	problems := bundledProblems(b, nil)
	problems["analytic"] = &optimise.Problem{Config: lapseConfig(), Sales: powerSales{b: 0.5, sd: 0.05}, Cash: ptr(1e12)}
	names := make([]string, 0, len(problems))
	for n := range problems {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := problems[name]
		b.Run(name, func(b *testing.B) {
			var dense, bracket time.Duration
			var res *optimise.Result
			var oldEvals int
			for b.Loop() {
				t0 := time.Now()
				var err error
				if res, err = optimise.Optimise(p); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, oldEvals, err = optimise.LegacyOptimum(p); err != nil {
					b.Fatal(err)
				}
				dense, bracket = dense+t1.Sub(t0), bracket+time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(dense.Microseconds())/1e3/n, "dense-ms/op")
			b.ReportMetric(float64(bracket.Microseconds())/1e3/n, "bracketing-ms/op")
			b.ReportMetric(float64(dense)/float64(bracket), "dense/bracketing-x")
			b.ReportMetric(float64(res.SearchEvaluations), "dense-evals")
			b.ReportMetric(float64(oldEvals), "bracketing-evals")
		})
	}
}
