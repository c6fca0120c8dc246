package optimise

import (
	"math"
	"sort"
)

// The bracketing search the optimiser used before the dense scan: a 9-point
// coarse scan, integer golden-section refinement and a ±1-step climb. It
// assumes one peak inside its bracket, so it can miss the optimum of a
// U-shaped objective or of a feasible set made of two intervals. It is kept
// here only as the baseline of the benchmarks and of the property test that
// shows what the dense scan fixes.
const (
	coarsePoints    = 9
	exhaustiveBelow = 40
	invPhi          = 0.6180339887498949
)

// legacySearcher finds the best feasible grid point, remembering every
// evaluation so that none is repeated.
type legacySearcher struct {
	e    *evaluator
	g    jackpotGrid
	memo map[int]*Evaluation
}

func newLegacySearcher(e *evaluator, g jackpotGrid) *legacySearcher {
	return &legacySearcher{e: e, g: g, memo: map[int]*Evaluation{}}
}

func (s *legacySearcher) at(i int) *Evaluation {
	if ev, ok := s.memo[i]; ok {
		return ev
	}
	ev := s.e.evaluate(s.g.value(i))
	s.memo[i] = ev
	return ev
}

// better ranks candidates: feasible before infeasible; among feasible, the
// higher objective; among infeasible, the smaller violation. Using one
// ordering for both lets the same bracketing walk out of an infeasible
// region and then climb the objective, and makes a constraint boundary look
// like a peak.
func legacyBetter(a, b *Evaluation) bool {
	if a.Feasible != b.Feasible {
		return a.Feasible
	}
	if a.Feasible {
		return a.Objective > b.Objective
	}
	return a.Violation < b.Violation
}

// run searches indices lo..hi (inclusive).
func (s *legacySearcher) run(lo, hi int) {
	n := hi - lo + 1
	if n <= exhaustiveBelow {
		s.scan(lo, hi)
		return
	}
	idx := make([]int, coarsePoints)
	best := 0
	for k := range idx {
		idx[k] = lo + int(math.Round(float64(k)*float64(n-1)/float64(coarsePoints-1)))
		if legacyBetter(s.at(idx[k]), s.at(idx[best])) {
			best = k
		}
	}
	s.golden(idx[max(best-1, 0)], idx[min(best+1, coarsePoints-1)])
	s.polish(lo, hi)
	if s.best() == nil {
		// Nothing feasible seen: check every point before declaring the
		// problem infeasible, so that a narrow feasible sliver is not missed.
		s.scan(lo, hi)
	}
}

func (s *legacySearcher) scan(lo, hi int) {
	for i := lo; i <= hi; i++ {
		s.at(i)
	}
}

// golden narrows [a, b] by integer golden-section search under better.
func (s *legacySearcher) golden(a, b int) {
	for b-a > 3 {
		span := float64(b - a)
		c := b - int(math.Round(span*invPhi))
		d := a + int(math.Round(span*invPhi))
		if c >= d {
			c, d = (a+b)/2, (a+b)/2+1
		}
		if legacyBetter(s.at(c), s.at(d)) {
			b = d
		} else {
			a = c
		}
	}
	s.scan(a, b)
}

// polish climbs to a local optimum on the grid from the best point found.
func (s *legacySearcher) polish(lo, hi int) {
	for range hi - lo + 1 {
		i := s.bestIndex()
		moved := false
		for _, j := range []int{i - 1, i + 1} {
			if j >= lo && j <= hi && legacyBetter(s.at(j), s.memo[i]) {
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// bestIndex is the index of the best evaluation so far (ties: lowest index,
// so that results do not depend on map order).
func (s *legacySearcher) bestIndex() int {
	keys := make([]int, 0, len(s.memo))
	for i := range s.memo {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	best := keys[0]
	for _, i := range keys[1:] {
		if legacyBetter(s.memo[i], s.memo[best]) {
			best = i
		}
	}
	return best
}

// best returns the best feasible evaluation, or nil.
func (s *legacySearcher) best() *Evaluation {
	if len(s.memo) == 0 {
		return nil
	}
	ev := s.memo[s.bestIndex()]
	if !ev.Feasible {
		return nil
	}
	return ev
}

// sortedEvaluations returns the memo in jackpot order.
func (s *legacySearcher) sortedEvaluations() []*Evaluation {
	keys := make([]int, 0, len(s.memo))
	for i := range s.memo {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	out := make([]*Evaluation, len(keys))
	for k, i := range keys {
		out[k] = s.memo[i]
	}
	return out
}

// LegacyOptimum runs the bracketing search on a problem and returns its
// answer (nil when it found nothing feasible) and its evaluations. Exported
// to the external tests through this test file only.
func LegacyOptimum(p *Problem) (*Evaluation, int, error) {
	if err := p.check(); err != nil {
		return nil, 0, err
	}
	e := newEvaluator(p)
	if p.Config.IsRollover() {
		e.plan = buildPlan(e)
	}
	c := p.Config
	g := jackpotGrid{min: c.Jackpot.Min, step: c.Jackpot.Step, n: c.Jackpot.Points()}
	loJ, hiJ, _, _ := e.interval()
	lo := max(0, int(math.Ceil((loJ-g.min)/g.step-1e-9)))
	hi := min(g.n-1, int(math.Floor((hiJ-g.min)/g.step+1e-9)))
	if lo > hi {
		return nil, 0, nil
	}
	planned := e.count
	s := newLegacySearcher(e, g)
	s.run(lo, hi)
	return s.best(), e.count - planned, nil
}
