package optimise

import (
	"math"
	"sort"
)

// jackpotGrid is the set of announceable jackpots min + i·step.
type jackpotGrid struct {
	min, step float64
	n         int
}

func (g jackpotGrid) value(i int) float64 { return g.min + float64(i)*g.step }

// Search tuning. A 9-point coarse scan keeps the search robust to a
// feasible set that is not an interval while costing little; ranges this
// small are cheaper to scan whole.
const (
	coarsePoints    = 9
	exhaustiveBelow = 40
	invPhi          = 0.6180339887498949
)

// searcher finds the best feasible grid point, remembering every
// evaluation so that none is repeated.
type searcher struct {
	e    *evaluator
	g    jackpotGrid
	memo map[int]*Evaluation
}

func newSearcher(e *evaluator, g jackpotGrid) *searcher {
	return &searcher{e: e, g: g, memo: map[int]*Evaluation{}}
}

func (s *searcher) at(i int) *Evaluation {
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
func better(a, b *Evaluation) bool {
	if a.Feasible != b.Feasible {
		return a.Feasible
	}
	if a.Feasible {
		return a.Objective > b.Objective
	}
	return a.Violation < b.Violation
}

// run searches indices lo..hi (inclusive).
func (s *searcher) run(lo, hi int) {
	n := hi - lo + 1
	if n <= exhaustiveBelow {
		s.scan(lo, hi)
		return
	}
	idx := make([]int, coarsePoints)
	best := 0
	for k := range idx {
		idx[k] = lo + int(math.Round(float64(k)*float64(n-1)/float64(coarsePoints-1)))
		if better(s.at(idx[k]), s.at(idx[best])) {
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

func (s *searcher) scan(lo, hi int) {
	for i := lo; i <= hi; i++ {
		s.at(i)
	}
}

// golden narrows [a, b] by integer golden-section search under better.
func (s *searcher) golden(a, b int) {
	for b-a > 3 {
		span := float64(b - a)
		c := b - int(math.Round(span*invPhi))
		d := a + int(math.Round(span*invPhi))
		if c >= d {
			c, d = (a+b)/2, (a+b)/2+1
		}
		if better(s.at(c), s.at(d)) {
			b = d
		} else {
			a = c
		}
	}
	s.scan(a, b)
}

// polish climbs to a local optimum on the grid from the best point found.
func (s *searcher) polish(lo, hi int) {
	for range hi - lo + 1 {
		i := s.bestIndex()
		moved := false
		for _, j := range []int{i - 1, i + 1} {
			if j >= lo && j <= hi && better(s.at(j), s.memo[i]) {
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
func (s *searcher) bestIndex() int {
	keys := make([]int, 0, len(s.memo))
	for i := range s.memo {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	best := keys[0]
	for _, i := range keys[1:] {
		if better(s.memo[i], s.memo[best]) {
			best = i
		}
	}
	return best
}

// best returns the best feasible evaluation, or nil.
func (s *searcher) best() *Evaluation {
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
func (s *searcher) sortedEvaluations() []*Evaluation {
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
