package policy

import (
	"encoding/json"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Safe reading of resource properties.
//
// During `pulumi preview` any property may be unknown (computed) and any may
// be secret. property.Value's accessors (AsString, AsBool, ...) panic on a
// value of another kind, and policyx (sdk v3.274.1) installs no recover in its
// gRPC handlers, so one careless accessor kills the policy pack process. Rules
// therefore read properties only through these helpers: every one of them
// answers for any value, and unknown values are reported as such so a rule
// can skip the check instead of guessing (see doc.go, "Unknown values").
// Secret values read like plain ones: a secret flag only hides a value from
// display, it does not change what the value is.

// at walks v through map keys and array indexes (as decimal strings). It
// stops at the first unknown value and returns it, so the caller sees that the
// answer is unknown; a missing key or a value of the wrong shape gives null.
func at(v property.Value, path ...string) property.Value {
	for _, p := range path {
		switch {
		case v.IsComputed():
			return v
		case v.IsMap():
			v = v.AsMap().Get(p)
		case v.IsArray():
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= v.AsArray().Len() {
				return property.Value{}
			}
			v = v.AsArray().Get(i)
		default:
			return property.Value{}
		}
	}
	return v
}

// prop reads a property of a resource by path.
func prop(m property.Map, path ...string) property.Value {
	return at(property.New(m), path...)
}

// unknown reports whether v is not known yet (computed during preview).
func unknown(v property.Value) bool { return v.IsComputed() }

// isTrue is true only for a known boolean true.
func isTrue(v property.Value) bool { return v.IsBool() && v.AsBool() }

// str returns v's string, or "" when v is not a known string.
func str(v property.Value) string {
	if v.IsString() {
		return v.AsString()
	}
	return ""
}

// num returns v's number and whether v is a known number. Numbers given as
// strings (some schemas type ports as strings) count too.
func num(v property.Value) (float64, bool) {
	switch {
	case v.IsNumber():
		return v.AsNumber(), true
	case v.IsString():
		f, err := strconv.ParseFloat(v.AsString(), 64)
		return f, err == nil
	}
	return 0, false
}

// items returns the elements of an array, or nil for anything else.
func items(v property.Value) []property.Value {
	if v.IsArray() {
		return v.AsArray().AsSlice()
	}
	return nil
}

// strs returns the known strings of an array (or a single string), skipping
// anything else.
func strs(v property.Value) []string {
	if v.IsString() {
		return []string{v.AsString()}
	}
	var out []string
	for _, e := range items(v) {
		if e.IsString() {
			out = append(out, e.AsString())
		}
	}
	return out
}

// hasUnknown reports whether v or anything inside it is unknown.
func hasUnknown(v property.Value) bool { return v.HasComputed() }

// jsonState says what a property holding a JSON document contained.
type jsonState int

const (
	jsonAbsent  jsonState = iota // null or missing
	jsonUnknown                  // computed: not known during preview
	jsonInvalid                  // not a string, or not JSON
	jsonOK
)

// jsonDoc decodes a property that holds a JSON document as a string (IAM
// policies, container definitions): pulumi-aws types these as strings.
// Some programs pass an object instead; that is accepted too.
func jsonDoc(v property.Value) (any, jsonState) {
	switch {
	case v.IsNull():
		return nil, jsonAbsent
	case v.HasComputed():
		return nil, jsonUnknown
	case v.IsString():
		var out any
		if err := json.Unmarshal([]byte(v.AsString()), &out); err != nil {
			return nil, jsonInvalid
		}
		return out, jsonOK
	case v.IsMap() || v.IsArray():
		return plain(v), jsonOK
	}
	return nil, jsonInvalid
}

// plain converts a known property value to plain Go values (maps of any,
// []any, float64, string, bool, nil), as JSON decoding gives.
func plain(v property.Value) any {
	switch {
	case v.IsString():
		return v.AsString()
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsArray():
		out := []any{}
		for _, e := range v.AsArray().AsSlice() {
			out = append(out, plain(e))
		}
		return out
	case v.IsMap():
		out := map[string]any{}
		for k, e := range v.AsMap().AsMap() {
			out[k] = plain(e)
		}
		return out
	}
	return nil
}

// jget walks a decoded JSON value by map keys.
func jget(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// jstr returns a decoded JSON string or "".
func jstr(v any) string {
	s, _ := v.(string)
	return s
}

// jlist returns a decoded JSON string or list of strings as a slice.
func jlist(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// jarr returns a decoded JSON array, or nil.
func jarr(v any) []any {
	a, _ := v.([]any)
	return a
}
