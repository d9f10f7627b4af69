package components

import (
	"errors"
	"fmt"
	"strings"
)

// InvalidValueError says which setting was wrong, what it was and what is
// allowed. Key is a config key ("wpfleet:sites[2].taskCpu") when the value came
// from stack configuration, or an Args field ("WordPressSiteArgs.Cpu") when a
// program built the component directly.
type InvalidValueError struct {
	Key     string
	Value   any
	Allowed string
}

func (e *InvalidValueError) Error() string {
	return fmt.Sprintf("%s: %s is not valid; %s", e.Key, quoteValue(e.Value), e.Allowed)
}

func quoteValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case nil:
		return "(unset)"
	default:
		return fmt.Sprint(x)
	}
}

// invalid builds an InvalidValueError.
func invalid(key string, value any, allowedFormat string, a ...any) error {
	return &InvalidValueError{Key: key, Value: value, Allowed: fmt.Sprintf(allowedFormat, a...)}
}

// check collects validation errors so a user sees every problem at once.
type check struct{ errs []error }

func (c *check) add(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}

// keyed re-labels a rule's error (which says only what is allowed) with a key
// and value.
func (c *check) keyed(key string, value any, err error) {
	if err != nil {
		c.errs = append(c.errs, &InvalidValueError{Key: key, Value: value, Allowed: err.Error()})
	}
}

// err joins the problems found, each once: a fleet-wide setting that is
// wrong for every site is reported a single time.
// required reports every pulumi input of inputs that was left unset, as
// "<prefix><field>", in field order.
func (c *check) required(prefix string, inputs map[string]any) {
	for _, f := range sortedKeys(inputs) {
		if isNilInput(inputs[f]) {
			c.add(invalid(prefix+f, nil, "required"))
		}
	}
}

func (c *check) err() error {
	seen := map[string]bool{}
	var out []error
	for _, e := range c.errs {
		if msg := e.Error(); !seen[msg] {
			seen[msg] = true
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}
