// Package logfilter evaluates CloudWatch Logs JSON filter patterns against
// JSON log events, so that the audit component's metric filters are tested
// by running them on sample CloudTrail records rather than by reading them.
//
// It implements the subset of the syntax the platform's patterns use
// (Amazon CloudWatch Logs user guide, "Filter pattern syntax for metric
// filters, subscription filters, and filter log events", JSON log events):
//
//	pattern    = "{" expression "}"
//	expression = term { ("&&" | "||") term }
//	term       = "(" expression ")" | selector comparison
//	comparison = ("=" | "!=") value | "EXISTS" | "NOT EXISTS"
//	selector   = "$" { "." name | "[" index "]" }
//	value      = quoted string | bare word
//
// Semantics, and where this evaluator is stricter than CloudWatch:
//   - A quoted value ("Yes") matches the field's text exactly. A bare word
//     (kms.amazonaws.com, 123.123.*) matches it too, and its "*" matches
//     any run of characters, as CloudWatch's wildcards do.
//   - A field is compared by its JSON text: strings as they are, numbers as
//     written, booleans as true or false; objects, arrays and null never
//     match a value.
//   - A selector that names no field matches neither "=" nor "!=" (only
//     NOT EXISTS): the evaluator never reports a match that rests on a
//     missing field.
//   - "&&" and "||" in one expression without parentheses are refused: the
//     platform's patterns always say which binds first, so their meaning
//     does not hang on a precedence rule.
//   - Numeric comparisons (<, >, <=, >=), IS NULL, IS TRUE/FALSE, regular
//     expressions and the non-JSON pattern forms are refused with an error
//     that names them, rather than evaluated approximately.
package logfilter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Pattern is a parsed JSON filter pattern.
type Pattern struct {
	source string
	root   node
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.source }

// Parse parses a JSON filter pattern. The error says where the pattern
// leaves the supported syntax.
func Parse(pattern string) (*Pattern, error) {
	toks, err := lex(pattern)
	if err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w", pattern, err)
	}
	p := &parser{toks: toks}
	if err := p.expect(tokLBrace); err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w (a JSON pattern is enclosed in { })", pattern, err)
	}
	root, err := p.expression()
	if err == nil {
		err = p.expect(tokRBrace)
	}
	if err == nil && p.peek().kind != tokEOF {
		err = fmt.Errorf("unexpected %s after the closing }", p.peek())
	}
	if err != nil {
		return nil, fmt.Errorf("filter pattern %q: %w", pattern, err)
	}
	return &Pattern{source: pattern, root: root}, nil
}

// MustParse is Parse for patterns known to be valid; it panics otherwise.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// Match reports whether the JSON log event matches. An event that is not a
// JSON object matches no JSON pattern, as in CloudWatch, and is reported as
// an error so a test cannot pass on a malformed sample.
func (p *Pattern) Match(event []byte) (bool, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false, fmt.Errorf("log event is not JSON: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return false, errors.New("log event is not a JSON object")
	}
	return p.root.eval(v), nil
}

// node is a part of a parsed pattern.
type node interface{ eval(event any) bool }

type and []node
type or []node

func (n and) eval(e any) bool {
	for _, c := range n {
		if !c.eval(e) {
			return false
		}
	}
	return true
}

func (n or) eval(e any) bool {
	for _, c := range n {
		if c.eval(e) {
			return true
		}
	}
	return false
}

// step is one part of a selector: a member name, or an array index when
// name is empty.
type step struct {
	name  string
	index int
}

type selector []step

// lookup returns the selected value and whether it exists.
func (s selector) lookup(e any) (any, bool) {
	cur := e
	for _, st := range s {
		if st.name != "" {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[st.name]; !ok {
				return nil, false
			}
			continue
		}
		arr, ok := cur.([]any)
		if !ok || st.index >= len(arr) {
			return nil, false
		}
		cur = arr[st.index]
	}
	return cur, true
}

type exists struct {
	sel  selector
	want bool
}

func (n exists) eval(e any) bool {
	_, ok := n.sel.lookup(e)
	return ok == n.want
}

type compare struct {
	sel      selector
	negate   bool
	value    string
	wildcard bool
}

func (n compare) eval(e any) bool {
	v, ok := n.sel.lookup(e)
	if !ok {
		return false
	}
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case bool:
		text = strconv.FormatBool(x)
	default:
		return false
	}
	eq := text == n.value
	if n.wildcard {
		eq = glob(n.value, text)
	}
	return eq != n.negate
}

// glob matches s against a pattern whose "*" matches any run of characters.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// Tokens.

type tokKind int

const (
	tokEOF tokKind = iota
	tokLBrace
	tokRBrace
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokEq
	tokNe
	tokSelector
	tokString
	tokWord
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of pattern"
	}
	return fmt.Sprintf("%q at %d", t.text, t.pos)
}

// wordEnd are the characters that end a bare word or a selector.
const wordEnd = " \t\r\n(){}&|=!<>\""

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		two := ""
		if i+1 < len(s) {
			two = s[i : i+2]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '{':
			out = append(out, token{tokLBrace, "{", i})
			i++
		case c == '}':
			out = append(out, token{tokRBrace, "}", i})
			i++
		case c == '(':
			out = append(out, token{tokLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tokRParen, ")", i})
			i++
		case two == "&&":
			out = append(out, token{tokAnd, "&&", i})
			i += 2
		case two == "||":
			out = append(out, token{tokOr, "||", i})
			i += 2
		case two == "!=":
			out = append(out, token{tokNe, "!=", i})
			i += 2
		case c == '=':
			out = append(out, token{tokEq, "=", i})
			i++
		case c == '<' || c == '>':
			return nil, fmt.Errorf("numeric comparison %q at %d is not supported", string(c), i)
		case c == '"':
			text, n, err := quoted(s[i:])
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			out = append(out, token{tokString, text, i})
			i += n
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(wordEnd, rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at %d", string(c), i)
			}
			kind := tokWord
			if c == '$' {
				kind = tokSelector
			}
			out = append(out, token{kind, s[i:j], i})
			i = j
		}
	}
	return append(out, token{kind: tokEOF, pos: len(s)}), nil
}

// quoted reads a double-quoted string with backslash escapes from the
// start of s and returns its text and length in s.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", 0, errors.New("unterminated string")
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, errors.New("unterminated string")
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

// next consumes a token; at the end it keeps returning tokEOF.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) expect(k tokKind) error {
	want := map[tokKind]string{tokLBrace: "{", tokRBrace: "}", tokRParen: ")"}[k]
	if t := p.next(); t.kind != k {
		return fmt.Errorf("expected %q, found %s", want, t)
	}
	return nil
}

func (p *parser) expression() (node, error) {
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	terms := []node{first}
	var op token
	for k := p.peek().kind; k == tokAnd || k == tokOr; k = p.peek().kind {
		t := p.next()
		if op.kind != tokEOF && op.kind != t.kind {
			return nil, fmt.Errorf("%s mixes && and || without parentheses; group the terms so the pattern says which binds first", t)
		}
		op = t
		next, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	switch {
	case len(terms) == 1:
		return first, nil
	case op.kind == tokAnd:
		return and(terms), nil
	default:
		return or(terms), nil
	}
}

func (p *parser) term() (node, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		n, err := p.expression()
		if err != nil {
			return nil, err
		}
		return n, p.expect(tokRParen)
	case tokSelector:
		sel, err := parseSelector(t)
		if err != nil {
			return nil, err
		}
		return p.comparison(sel)
	}
	return nil, fmt.Errorf("expected a selector ($.field) or \"(\", found %s", t)
}

func (p *parser) comparison(sel selector) (node, error) {
	t := p.next()
	switch {
	case t.kind == tokEq || t.kind == tokNe:
		v := p.next()
		switch v.kind {
		case tokString:
			return compare{sel: sel, negate: t.kind == tokNe, value: v.text}, nil
		case tokWord:
			if v.text == "NULL" || v.text == "TRUE" || v.text == "FALSE" || strings.HasPrefix(v.text, "%") {
				return nil, fmt.Errorf("value %s is not supported (IS NULL, booleans and regular expressions are out of scope)", v)
			}
			return compare{sel: sel, negate: t.kind == tokNe, value: v.text, wildcard: strings.Contains(v.text, "*")}, nil
		}
		return nil, fmt.Errorf("expected a value after %s, found %s", t, v)
	case t.kind == tokWord && t.text == "EXISTS":
		return exists{sel: sel, want: true}, nil
	case t.kind == tokWord && t.text == "NOT":
		if e := p.next(); e.kind != tokWord || e.text != "EXISTS" {
			return nil, fmt.Errorf("expected EXISTS after NOT, found %s", e)
		}
		return exists{sel: sel, want: false}, nil
	case t.kind == tokWord && t.text == "IS":
		return nil, fmt.Errorf("%s: IS NULL, IS TRUE and IS FALSE are not supported", t)
	}
	return nil, fmt.Errorf("expected =, !=, EXISTS or NOT EXISTS, found %s", t)
}

// parseSelector parses "$.a.b[0].c".
func parseSelector(t token) (selector, error) {
	rest := t.text[1:]
	var sel selector
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : 1+end]
			if name == "" || name == "*" {
				return nil, fmt.Errorf("selector %s: empty or wildcard member name", t)
			}
			sel = append(sel, step{name: name})
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("selector %s: unclosed [", t)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("selector %s: array index %q is not a number", t, rest[1:end])
			}
			sel = append(sel, step{index: n})
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("selector %s: expected . or [ after $", t)
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("selector %s names no field", t)
	}
	return sel, nil
}
