package preflight

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wpfleet/wpfleet/mocks"
)

// known reports whether a string is a real value, not a placeholder for an
// unknown or secret one.
func known(s string) bool {
	return s != mocks.UnknownPlaceholder && s != mocks.SecretPlaceholder
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// text returns a known string value.
func text(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok && known(s)
}

// num returns a number (recorded as int64 or float64, or a numeric string).
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func truthy(v any) bool {
	b, _ := v.(bool)
	return b
}

// at walks a value by a dotted path; numbers index arrays.
func at(v any, path string) any {
	if path == "" {
		return v
	}
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func items(v any) []any {
	a, _ := v.([]any)
	return a
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// strs returns the known strings of a list (or of a single string).
func strs(v any) []string {
	if s, ok := text(v); ok {
		return []string{s}
	}
	var out []string
	for _, x := range items(v) {
		if s, ok := text(x); ok {
			out = append(out, s)
		}
	}
	return out
}

// physical is a resource's physical name held in field: the input when the
// program set it, otherwise the name the provider would generate (the mocks
// record it in the outputs, as Pulumi's auto-naming makes it).
func physical(r *mocks.Resource, field string) (string, bool) {
	if s, ok := r.Inputs[field].(string); ok && s != "" {
		return s, known(s)
	}
	return text(r.Outputs[field])
}

// textSpec is what AWS accepts in a text field.
type textSpec struct {
	min, max int
	// allowed matches the whole value; describe says it in words.
	allowed  *regexp.Regexp
	describe string
	// bytes counts the length in bytes instead of characters.
	bytes bool
}

// problem returns what is wrong with s, or "".
func (t textSpec) problem(s string) string {
	n := utf8.RuneCountInString(s)
	unit := "characters"
	if t.bytes {
		n, unit = len(s), "bytes"
	}
	if n < t.min || (t.max > 0 && n > t.max) {
		return fmt.Sprintf("%s; it has %d %s", t.rangeText(), n, unit)
	}
	if t.allowed != nil && !t.allowed.MatchString(s) {
		return fmt.Sprintf("%s; %s", t.rangeText(), firstBad(s, t.allowed))
	}
	return ""
}

func (t textSpec) rangeText() string {
	what := t.describe
	if what == "" {
		what = "characters"
	}
	unit := ""
	if t.bytes {
		unit = " bytes of"
	}
	switch {
	case t.max == 0:
		return fmt.Sprintf("at least %d%s %s", t.min, unit, what)
	case t.min == t.max:
		return fmt.Sprintf("exactly %d%s %s", t.min, unit, what)
	}
	return fmt.Sprintf("%d-%d%s %s", t.min, t.max, unit, what)
}

// firstBad names the first character that keeps s from matching a
// character-class pattern (or says the pattern as a whole does not match).
func firstBad(s string, re *regexp.Regexp) string {
	for i, c := range s {
		one := string(c)
		if !re.MatchString(one) && !re.MatchString(strings.Repeat(one, 3)) && classOnly(re) {
			return fmt.Sprintf("%q at position %d is not allowed", c, i)
		}
	}
	return "the value does not have the required form"
}

// classOnly reports whether re is a single repeated character class, so a
// character can be judged on its own.
func classOnly(re *regexp.Regexp) bool {
	src := re.String()
	classes := strings.Count(src, "[") - strings.Count(src, `\[`)
	return classes == 1 && strings.HasPrefix(src, "^[") && (strings.HasSuffix(src, "]*$") || strings.HasSuffix(src, "]+$"))
}

// checkText reports field of res when value breaks spec.
func checkText(rep *report, res *mocks.Resource, field string, value any, spec textSpec, source string) {
	s, ok := text(value)
	if !ok {
		return
	}
	if p := spec.problem(s); p != "" {
		rep.add(res, field, s, source, "%s", p)
	}
}

func itoa(i int64) string   { return strconv.FormatInt(i, 10) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
