package rules

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// state says how much is known about a property value.
type state int

const (
	// absent: the property is missing, null or an empty string.
	absent state = iota
	// unknown: the value is computed from another resource and is only known
	// once that resource exists (preview), or it contains such a value.
	unknown
	// known: the value is there and can be read.
	known
)

// val is a property value together with its path, for messages that name
// the property without ever showing its value.
type val struct {
	v    property.Value
	st   state
	path string
	// underSecret: an enclosing object or array is secret, which makes
	// everything inside it secret too.
	underSecret bool
}

// prop looks up a top-level property of a resource.
func prop(m property.Map, key string) val {
	v, ok := m.GetOk(key)
	return wrap(v, ok, key)
}

func wrap(v property.Value, ok bool, path string) val {
	switch {
	case !ok || v.IsNull():
		return val{st: absent, path: path}
	case v.IsComputed():
		return val{v: v, st: unknown, path: path}
	case v.IsString() && v.AsString() == "":
		return val{v: v, st: absent, path: path}
	}
	return val{v: v, st: known, path: path}
}

// get descends into a nested object. Missing objects make every property
// below them absent; a computed object makes them unknown.
func (x val) get(key string) val {
	p := x.path + "." + key
	switch {
	case x.st == unknown:
		return val{st: unknown, path: p, underSecret: x.underSecret}
	case x.st == absent || !x.v.IsMap():
		// Single-element objects are sometimes arrays of one (older
		// provider schemas); look inside the first element.
		if x.st == known && x.v.IsArray() && x.v.AsArray().Len() > 0 {
			return x.index(0).get(key)
		}
		return val{st: absent, path: p}
	}
	v, ok := x.v.AsMap().GetOk(key)
	return x.child(wrap(v, ok, p))
}

// child marks a value read from inside x as secret when x is.
func (x val) child(c val) val {
	c.underSecret = x.secret()
	return c
}

// at follows a path of object keys.
func (x val) at(keys ...string) val {
	for _, k := range keys {
		x = x.get(k)
	}
	return x
}

func (x val) index(i int) val {
	p := x.path + "[" + strconv.Itoa(i) + "]"
	v := x.v.AsArray().Get(i)
	return x.child(wrap(v, true, p))
}

// items returns the elements of an array (a single object counts as an
// array of one). The state is unknown when the array itself is computed.
func (x val) items() ([]val, state) {
	switch {
	case x.st != known:
		return nil, x.st
	case x.v.IsArray():
		arr := x.v.AsArray()
		out := make([]val, arr.Len())
		for i := range out {
			out[i] = x.index(i)
		}
		return out, known
	case x.v.IsMap():
		return []val{x}, known
	}
	return nil, absent
}

// str returns a string value. Numbers and booleans are formatted, because
// several AWS schemas carry them as strings and programs pass either.
func (x val) str() (string, state) {
	if x.st != known {
		return "", x.st
	}
	switch {
	case x.v.IsString():
		return x.v.AsString(), known
	case x.v.IsNumber():
		return strconv.FormatFloat(x.v.AsNumber(), 'f', -1, 64), known
	case x.v.IsBool():
		return strconv.FormatBool(x.v.AsBool()), known
	}
	// An object or array where a string belongs is not a value the check
	// can compare; treat it like a missing one.
	return "", absent
}

// boolean reads a boolean that may also be written "true"/"false" (launch
// template EBS settings are strings in the AWS schema).
func (x val) boolean() (bool, state) {
	if x.st != known {
		return false, x.st
	}
	switch {
	case x.v.IsBool():
		return x.v.AsBool(), known
	case x.v.IsString():
		b, err := strconv.ParseBool(strings.TrimSpace(x.v.AsString()))
		if err != nil {
			return false, absent
		}
		return b, known
	}
	return false, absent
}

// number reads a number that may also be written as a string.
func (x val) number() (float64, state) {
	if x.st != known {
		return 0, x.st
	}
	switch {
	case x.v.IsNumber():
		return x.v.AsNumber(), known
	case x.v.IsString():
		f, err := strconv.ParseFloat(strings.TrimSpace(x.v.AsString()), 64)
		if err != nil {
			return 0, absent
		}
		return f, known
	}
	return 0, absent
}

// strings reads an array of strings (or a single string). Any computed
// element makes the result unknown.
func (x val) strings() ([]string, state) {
	if x.st != known {
		return nil, x.st
	}
	if x.v.IsString() {
		return []string{x.v.AsString()}, known
	}
	elems, st := x.items()
	if st != known {
		return nil, st
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, st := e.str()
		if st == unknown {
			return nil, unknown
		}
		if st == known {
			out = append(out, s)
		}
	}
	return out, known
}

// secret reports whether the value or anything inside it is secret. Such
// values are evaluated like any other but never shown in a message.
func (x val) secret() bool {
	return x.underSecret || (x.st != absent && (x.v.Secret() || x.v.HasSecrets()))
}

// show returns the value quoted for a message, or a neutral phrase when it
// is secret. Only used for short, enumerated values (instance types, tag
// values the configuration fixes); free-form properties are never shown.
func (x val) show() string {
	if x.secret() {
		return "a secret value"
	}
	s, st := x.str()
	if st != known {
		return "an unset value"
	}
	if len(s) > 64 {
		return "a value that is too long to show"
	}
	return strconv.Quote(s)
}

// top is the top-level property name of the value's path, the unit in
// which the engine records dependencies.
func (x val) top() string { return topLevel(x.path) }

func topLevel(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// toGo converts a known value to plain Go values (maps, slices, strings,
// float64, bool), reporting unknown when a computed value is inside.
func toGo(v property.Value) (any, state) {
	switch {
	case v.IsComputed():
		return nil, unknown
	case v.IsNull():
		return nil, known
	case v.IsString():
		return v.AsString(), known
	case v.IsNumber():
		return v.AsNumber(), known
	case v.IsBool():
		return v.AsBool(), known
	case v.IsArray():
		arr := v.AsArray()
		out := make([]any, 0, arr.Len())
		for _, e := range arr.AsSlice() {
			g, st := toGo(e)
			if st != known {
				return nil, st
			}
			out = append(out, g)
		}
		return out, known
	case v.IsMap():
		out := map[string]any{}
		for k, e := range v.AsMap().All {
			g, st := toGo(e)
			if st != known {
				return nil, st
			}
			out[k] = g
		}
		return out, known
	}
	// Assets, archives and resource references carry nothing a control reads.
	return nil, known
}

// jsonValue decodes a property holding a JSON document, given either as a
// string (the usual form) or as an object. It returns known with ok=false
// when the document is not valid JSON.
func (x val) jsonValue() (doc any, st state, ok bool) {
	switch x.st {
	case absent:
		return nil, absent, false
	case unknown:
		return nil, unknown, false
	}
	if x.v.IsString() {
		if err := json.Unmarshal([]byte(x.v.AsString()), &doc); err != nil {
			return nil, known, false
		}
		return doc, known, true
	}
	g, st := toGo(x.v)
	if st != known {
		return nil, st, false
	}
	return g, known, true
}
