// Package fleetconfig turns a stack's `wpfleet:*` configuration into
// components.FleetArgs: the one place where config keys, their JSON forms and
// the Go fields meet. Pulumi.yaml declares every key with its type,
// description and default; tests keep the two in step.
package fleetconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wpfleet/wpfleet/components"
)

// RegionKey is the AWS provider's region setting, required by every stack.
const RegionKey = "aws:region"

// Field describes one `wpfleet:` config key.
type Field struct {
	// Key is the full key, e.g. "wpfleet:taskCpu".
	Key string
	// Name is the part after the namespace, e.g. "taskCpu".
	Name string
	// Type is the Pulumi.yaml type: string, integer, boolean, array or object.
	Type string
	// ItemType is the element type of an array.
	ItemType string
	index    int
	kind     reflect.Kind
}

// Fields lists every key FleetArgs reads, in declaration order.
func Fields() []Field {
	t := reflect.TypeOf(components.FleetArgs{})
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		f := Field{Key: components.ConfigNamespace + ":" + name, Name: name, index: i, kind: sf.Type.Kind()}
		switch sf.Type.Kind() {
		case reflect.String, reflect.Float64:
			// Pulumi.yaml has no number type: fractional numbers are strings ("0.5").
			f.Type = "string"
		case reflect.Int:
			f.Type = "integer"
		case reflect.Bool:
			f.Type = "boolean"
		case reflect.Map:
			f.Type = "object"
		case reflect.Slice:
			f.Type = "array"
			switch sf.Type.Elem().Kind() {
			case reflect.String:
				f.ItemType = "string"
			default:
				f.ItemType = "object"
			}
		}
		out = append(out, f)
	}
	return out
}

// Load reads the running stack's configuration. Under the Pulumi engine the
// whole configuration is also in the environment (PULUMI_CONFIG), so an
// unknown `wpfleet:` key (a typo) is an error there too.
func Load(ctx *pulumi.Context) (components.FleetArgs, error) {
	values := map[string]string{}
	for _, f := range Fields() {
		if v, ok := ctx.GetConfig(f.Key); ok {
			values[f.Key] = v
		}
	}
	if v, ok := ctx.GetConfig(RegionKey); ok {
		values[RegionKey] = v
	}
	if all := os.Getenv(pulumi.EnvConfig); all != "" && !ctx.RunningWithMocks() {
		var engine map[string]string
		if err := json.Unmarshal([]byte(all), &engine); err == nil {
			if err := CheckKeys(engine); err != nil {
				return components.FleetArgs{}, err
			}
		}
	}
	return FromMap(values, ctx.Stack())
}

// CheckKeys returns an error naming every `wpfleet:` key that FleetArgs does
// not know, so a typo never silently falls back to a default.
func CheckKeys(values map[string]string) error {
	known := map[string]bool{}
	for _, f := range Fields() {
		known[f.Key] = true
	}
	var errs []string
	for _, k := range sortedKeys(values) {
		if strings.HasPrefix(k, components.ConfigNamespace+":") && !known[k] {
			errs = append(errs, fmt.Sprintf("%s: unknown key; known keys are %s", k, knownKeys()))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// FromMap builds FleetArgs from raw config values as Pulumi hands them to a
// program: scalars as text, arrays and objects as JSON. Keys of other
// namespaces are ignored, except that aws:region must be set. Unknown
// `wpfleet:` keys are errors, so a typo never silently falls back to a
// default. The environment defaults to the stack name. The result is
// validated.
func FromMap(values map[string]string, stack string) (components.FleetArgs, error) {
	args := components.DefaultFleetArgs()
	args.Environment = stack
	byKey := map[string]Field{}
	for _, f := range Fields() {
		byKey[f.Key] = f
	}
	var errs []string
	if strings.TrimSpace(values[RegionKey]) == "" {
		errs = append(errs, RegionKey+`: (unset) is not valid; the AWS region to deploy into, e.g. "ap-northeast-1"`)
	}
	v := reflect.ValueOf(&args).Elem()
	for _, k := range sortedKeys(values) {
		if !strings.HasPrefix(k, components.ConfigNamespace+":") {
			continue
		}
		f, ok := byKey[k]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: unknown key; known keys are %s", k, knownKeys()))
			continue
		}
		if err := decode(v.Field(f.index), f, values[k]); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return args, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	if err := args.Validate(); err != nil {
		return args, err
	}
	return args, nil
}

func decode(dst reflect.Value, f Field, raw string) error {
	bad := func(allowed string) error {
		return fmt.Errorf("%s: %q is not valid; %s", f.Key, raw, allowed)
	}
	switch f.kind {
	case reflect.String:
		dst.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return bad("a whole number")
		}
		dst.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return bad(`a number, written as a string in YAML, e.g. "0.5"`)
		}
		dst.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return bad("true or false")
		}
		dst.SetBool(b)
	default:
		if err := checkObjectKeys(f, raw); err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
		dec.DisallowUnknownFields()
		fresh := reflect.New(dst.Type())
		if err := dec.Decode(fresh.Interface()); err != nil {
			return fmt.Errorf("%s: %s", f.Key, describeJSONError(err))
		}
		dst.Set(fresh.Elem())
	}
	return nil
}

// checkObjectKeys reports unknown fields in sites, their jobs and DNS zones
// with the index of the element, which encoding/json does not give.
func checkObjectKeys(f Field, raw string) error {
	var allowed map[string]bool
	switch f.Name {
	case "sites":
		allowed = jsonFields(components.SiteConfig{})
	case "dnsZones":
		allowed = jsonFields(components.DNSZone{})
	case "ciGithub":
		allowed = jsonFields(components.GitHubRelease{})
	default:
		return nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return fmt.Errorf("%s: %s", f.Key, describeJSONError(err))
	}
	jobFields := jsonFields(components.JobConfig{})
	for i, item := range items {
		for k, v := range item {
			if !allowed[k] {
				return fmt.Errorf("%s[%d].%s: unknown field; allowed fields are %s", f.Key, i, k, joinKeys(allowed))
			}
			if f.Name == "sites" && k == "jobs" {
				var jobs []map[string]json.RawMessage
				if err := json.Unmarshal(v, &jobs); err != nil {
					return fmt.Errorf("%s[%d].jobs: %s", f.Key, i, describeJSONError(err))
				}
				for j, job := range jobs {
					for jk := range job {
						if !jobFields[jk] {
							return fmt.Errorf("%s[%d].jobs[%d].%s: unknown field; allowed fields are %s", f.Key, i, j, jk, joinKeys(jobFields))
						}
					}
				}
			}
		}
	}
	return nil
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("a JSON %s at %q is not valid; %s expected", te.Value, te.Field, te.Type.String())
	}
	return err.Error()
}

func jsonFields(v any) map[string]bool {
	t := reflect.TypeOf(v)
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if n := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; n != "" && n != "-" {
			out[n] = true
		}
	}
	return out
}

func joinKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func knownKeys() string {
	var names []string
	for _, f := range Fields() {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DefaultValues returns each key's default in its Pulumi.yaml form (nil
// when the key has none): the values Pulumi.yaml must declare.
func DefaultValues() map[string]any {
	d := components.DefaultFleetArgs()
	v := reflect.ValueOf(d)
	out := map[string]any{}
	for _, f := range Fields() {
		fv := v.Field(f.index)
		switch f.kind {
		case reflect.Float64:
			out[f.Name] = strconv.FormatFloat(fv.Float(), 'f', -1, 64)
		case reflect.Slice:
			if fv.Len() == 0 {
				out[f.Name] = nil
				continue
			}
			out[f.Name] = fv.Interface()
		default:
			out[f.Name] = fv.Interface()
		}
	}
	// No defaults: the environment falls back to the stack name in code, and
	// the images must be given.
	for _, k := range []string{"environment", "nginxImage", "phpImage", "releaseRepoUrlTemplate"} {
		out[k] = nil
	}
	return out
}
