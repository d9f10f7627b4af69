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

// prefixed re-keys the InvalidValueErrors in err (a component's Validate
// result) under prefix, e.g. "PlatformArgs.Network." + "NetworkArgs.CidrBlock"
// becomes "PlatformArgs.Network.CidrBlock": the argument path a caller set.
func prefixed(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range flatten(err) {
		var iv *InvalidValueError
		if errors.As(e, &iv) {
			k := iv.Key
			if i := strings.Index(k, "."); i >= 0 && strings.HasSuffix(k[:i], "Args") {
				k = k[i+1:]
			}
			e = &InvalidValueError{Key: prefix + k, Value: iv.Value, Allowed: iv.Allowed}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// flatten returns the errors joined in err, one by one.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// InvalidValues returns the InvalidValueErrors in err (a Validate result).
func InvalidValues(err error) []*InvalidValueError {
	var out []*InvalidValueError
	for _, e := range flatten(err) {
		var iv *InvalidValueError
		if errors.As(e, &iv) {
			out = append(out, iv)
		}
	}
	return out
}

// UnreadableValue is how a string setting the program cannot read appears:
// an encrypted (secure) config value in the offline preview, which never
// decrypts. Validation accepts it as set and checks nothing about it; the
// run under the Pulumi engine, which decrypts, checks the real value.
const UnreadableValue = "[secret]"

func (c *check) err() error {
	seen := map[string]bool{}
	var out []error
	for _, e := range c.errs {
		if iv, ok := e.(*InvalidValueError); ok && iv.Value == UnreadableValue {
			continue
		}
		if msg := e.Error(); !seen[msg] {
			seen[msg] = true
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}
