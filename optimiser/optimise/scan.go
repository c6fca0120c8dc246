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

// index returns the grid index of j and whether j is (to rounding) a grid
// point.
func (g jackpotGrid) index(j float64) (int, bool) {
	i := int(math.Round((j - g.min) / g.step))
	return i, i >= 0 && i < g.n && math.Abs(g.value(i)-j) < 1e-9*math.Max(1, math.Abs(j))
}

// scan is the dense search: every grid point of the allowed interval is
// evaluated, so the best feasible point is found whatever the shape of the
// objective or of the feasible set (a U-shaped sales curve, a feasible set
// made of several intervals). Evaluating a point costs microseconds, so a
// grid of thousands of points takes milliseconds.
//
// It keeps what the explanation needs without holding every Evaluation:
// per point the objective, net revenue, expected tickets and which
// constraints fail (a bit per constraint, in the order of Evaluation.Checks,
// which is the same for every point of one problem).
type scan struct {
	g      jackpotGrid
	lo, hi int

	objective, netRevenue, tickets []float64
	violated                       []uint64
	names                          []string
	bounds                         []Bound
	enforced                       []bool

	best, closest *Evaluation
	bestIndex     int
}

// maxChecks is the number of constraints one bit mask can describe; a
// problem has at most 11 (see the Name constants).
const maxChecks = 64

func runScan(e *evaluator, g jackpotGrid, lo, hi int) (*scan, error) {
	n := hi - lo + 1
	s := &scan{
		g: g, lo: lo, hi: hi, bestIndex: -1,
		objective: make([]float64, n), netRevenue: make([]float64, n), tickets: make([]float64, n),
		violated: make([]uint64, n),
	}
	for i := lo; i <= hi; i++ {
		ev := e.evaluate(g.value(i))
		if err := ev.finite(); err != nil {
			return nil, err
		}
		k := i - lo
		if s.names == nil {
			for _, c := range ev.Checks {
				s.names = append(s.names, c.Name)
				s.bounds = append(s.bounds, c.Bound)
				s.enforced = append(s.enforced, c.Enforced)
			}
		}
		s.objective[k], s.netRevenue[k], s.tickets[k] = ev.Objective, ev.NetRevenue, ev.ExpectedTickets
		for b, c := range ev.Checks {
			if !c.Holds() && b < maxChecks {
				s.violated[k] |= 1 << b
			}
		}
		// Strictly greater: ties go to the smaller jackpot, deterministically.
		if ev.Feasible && (s.best == nil || ev.Objective > s.best.Objective) {
			s.best, s.bestIndex = ev, i
		}
		if !ev.Feasible && (s.closest == nil || ev.Violation < s.closest.Violation) {
			s.closest = ev
		}
	}
	return s, nil
}

func (s *scan) feasible(i int) bool { return s.violated[i-s.lo] == 0 }

// evaluations is the number of grid points evaluated.
func (s *scan) evaluations() int { return s.hi - s.lo + 1 }

// feasibleRanges are the maximal runs of feasible grid points.
func (s *scan) feasibleRanges() []Range {
	return s.ranges(func(i int) bool { return s.feasible(i) })
}

// ranges returns the maximal runs of grid points where ok holds.
func (s *scan) ranges(ok func(i int) bool) []Range {
	var out []Range
	start := -1
	for i := s.lo; i <= s.hi+1; i++ {
		if i <= s.hi && ok(i) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, Range{s.g.value(start), s.g.value(i - 1)})
			start = -1
		}
	}
	return out
}

// curvePoints is how many evenly spaced grid points the objective curve
// shows across the allowed interval, besides the optimum, its neighbours,
// the ends of every feasible range and the best point of each.
const curvePoints = 101

// curve samples the objective over the whole allowed interval, so that a
// reviewer can see that no feasible jackpot earns more than the optimum.
func (s *scan) curve() []CurvePoint {
	pick := map[int]bool{}
	n := s.evaluations()
	for k := range min(curvePoints, n) {
		pick[s.lo+int(math.Round(float64(k)*float64(n-1)/float64(max(min(curvePoints, n)-1, 1))))] = true
	}
	if s.best != nil {
		for _, i := range []int{s.bestIndex - 1, s.bestIndex, s.bestIndex + 1} {
			if i >= s.lo && i <= s.hi {
				pick[i] = true
			}
		}
	}
	for _, r := range s.feasibleRanges() {
		a, _ := s.g.index(r.From)
		b, _ := s.g.index(r.To)
		pick[a], pick[b] = true, true
		top := a
		for i := a; i <= b; i++ {
			if s.objective[i-s.lo] > s.objective[top-s.lo] {
				top = i
			}
		}
		pick[top] = true
	}
	idx := make([]int, 0, len(pick))
	for i := range pick {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]CurvePoint, 0, len(idx))
	for _, i := range idx {
		k := i - s.lo
		p := CurvePoint{
			Jackpot: s.g.value(i), Objective: s.objective[k], NetRevenue: s.netRevenue[k], ExpectedTickets: s.tickets[k],
			Feasible: s.violated[k] == 0, Optimum: s.best != nil && i == s.bestIndex,
		}
		for b, name := range s.names {
			if b < maxChecks && s.violated[k]&(1<<b) != 0 {
				p.Violated = append(p.Violated, name)
			}
		}
		out = append(out, p)
	}
	return out
}

// explainInfeasible names the constraints that rule out every jackpot of
// the allowed interval: those that hold nowhere or, when each holds
// somewhere, all that fail somewhere (they exclude each other), with the
// ranges on which each holds.
func (s *scan) explainInfeasible() ([]string, []Conflict) {
	var conflicts []Conflict
	var nowhere, somewhere []string
	for b, name := range s.names {
		if !s.enforced[b] || b >= maxChecks {
			continue
		}
		bit := uint64(1) << b
		failsSomewhere := false
		for _, v := range s.violated {
			if v&bit != 0 {
				failsSomewhere = true
				break
			}
		}
		if !failsSomewhere {
			continue
		}
		ranges := s.ranges(func(i int) bool { return s.violated[i-s.lo]&bit == 0 })
		conflicts = append(conflicts, Conflict{Name: name, Bound: s.bounds[b], HoldsOn: ranges})
		if len(ranges) == 0 {
			nowhere = append(nowhere, name)
		} else {
			somewhere = append(somewhere, name)
		}
	}
	if len(nowhere) > 0 {
		return nowhere, conflicts
	}
	return somewhere, conflicts
}
