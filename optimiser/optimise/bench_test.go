package optimise_test

import (
	"math"
	"sort"
	"testing"

	"github.com/aifactory/platform/optimiser/optimise"
)

// BenchmarkSearchVersusDenseGrid runs the optimiser and a dense brute-force
// grid on the same problems in the same run and reports, per problem, the
// evaluations each needs, their ratio and the objective gap:
//
//	go test ./optimiser/optimise -run '^$' -bench SearchVersusDenseGrid
func BenchmarkSearchVersusDenseGrid(b *testing.B) {
	problems := bundledProblems(b, nil)
	problems["analytic"] = &optimise.Problem{Config: lapseConfig(), Sales: powerSales{b: 0.5, sd: 0.05}, Cash: ptr(1e12)}
	names := make([]string, 0, len(problems))
	for n := range problems {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := problems[name]
		b.Run(name+"/search", func(b *testing.B) {
			var res *optimise.Result
			for b.Loop() {
				var err error
				if res, err = optimise.Optimise(p); err != nil {
					b.Fatal(err)
				}
			}
			grid, gridEvals, err := optimise.BruteForce(p)
			if err != nil || grid == nil || res.Best == nil {
				b.Fatalf("no optimum: %v", err)
			}
			b.ReportMetric(float64(res.SearchEvaluations), "evals/op")
			b.ReportMetric(float64(gridEvals), "grid-evals")
			b.ReportMetric(float64(gridEvals)/float64(res.SearchEvaluations), "fewer-evals-x")
			b.ReportMetric(100*(grid.Objective-res.Best.Objective)/math.Abs(grid.Objective), "objective-gap-%")
		})
		b.Run(name+"/dense-grid", func(b *testing.B) {
			evals := 0
			for b.Loop() {
				var err error
				if _, evals, err = optimise.BruteForce(p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(evals), "evals/op")
		})
	}
}
