// Package fuzzbytes turns a fuzz test's input into a stream of choices, so
// that the random resources the policy fuzz tests build are the same for the
// same bytes, and gives them their seed corpus.
package fuzzbytes

import "math/rand/v2"

// Stream reads a fuzz input a byte at a time. Past the end it reads zeros,
// so every input, even an empty one, builds a finite structure.
type Stream struct {
	data []byte
	i    int
}

// New returns a stream over data.
func New(data []byte) *Stream { return &Stream{data: data} }

// Next returns the next byte, or zero when the input is used up.
func (s *Stream) Next() byte {
	if s.i >= len(s.data) {
		return 0
	}
	b := s.data[s.i]
	s.i++
	return b
}

// Seeds returns n pseudo-random inputs of minLen up to maxLen bytes, the
// same for the same seed.
func Seeds(n, minLen, maxLen int, seed uint64) [][]byte {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	out := make([][]byte, n)
	for k := range out {
		b := make([]byte, minLen+rng.IntN(maxLen-minLen))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		out[k] = b
	}
	return out
}
