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
	var secrets []string
	for k := range values {
		if ctx.IsConfigSecret(k) {
			secrets = append(secrets, k)
		}
	}
	return FromMapWithSecrets(values, ctx.Stack(), secrets)
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
			errs = append(errs, unknownKey(k))
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
	return FromMapWithSecrets(values, stack, nil)
}

// SecretPlaceholder is what an encrypted (secure) value reads offline: the
// preview never decrypts it. Components accept it as set
// (components.UnreadableValue).
const SecretPlaceholder = components.UnreadableValue

// FromMapWithSecrets is FromMap for a configuration whose secretKeys are
// encrypted in the stack file. Offline their values read SecretPlaceholder:
// a secure string is accepted as set, and the checks of its content are left
// to the run under the Pulumi engine, which decrypts it.
func FromMapWithSecrets(values map[string]string, stack string, secretKeys []string) (components.FleetArgs, error) {
	args := components.DefaultFleetArgs()
	args.Environment = stack
	byKey := map[string]Field{}
	for _, f := range Fields() {
		byKey[f.Key] = f
	}
	blinded := map[string]bool{}
	for _, k := range secretKeys {
		if values[k] == SecretPlaceholder {
			blinded[k] = true
		}
	}
	var errs []string
	switch region := strings.TrimSpace(values[RegionKey]); {
	case region == "":
		errs = append(errs, RegionKey+`: (unset) is not valid; the AWS region to deploy into, e.g. "ap-northeast-1"`)
	case blinded[RegionKey]:
	case components.CheckRegion(region) != nil:
		errs = append(errs, fmt.Sprintf("%s: %q is not valid; %s", RegionKey, region, components.CheckRegion(region)))
	}
	v := reflect.ValueOf(&args).Elem()
	// unread keys failed to decode: the checks of their (default) value
	// would report problems the user does not have.
	unread := map[string]bool{}
	for _, k := range sortedKeys(values) {
		if !strings.HasPrefix(k, components.ConfigNamespace+":") {
			continue
		}
		f, ok := byKey[k]
		if !ok {
			errs = append(errs, unknownKey(k))
			continue
		}
		if !blinded[k] && strings.Contains(values[k], SecretPlaceholder) {
			errs = append(errs, fmt.Sprintf("%s: %q is not valid; %s is how an encrypted value reads offline: set the real value, or a secret with pulumi config set --secret", k, values[k], SecretPlaceholder))
			continue
		}
		if blinded[k] {
			if f.kind != reflect.String {
				errs = append(errs, fmt.Sprintf("%s: a secure value is not valid here; only string settings may be set with --secret (this one is %s)", k, f.Type))
				continue
			}
			v.Field(f.index).SetString(SecretPlaceholder)
			continue
		}
		if err := decode(v.Field(f.index), f, values[k]); err != nil {
			errs = append(errs, err.Error())
			unread[k] = true
		}
	}
	if err := checkEnvironment(values, stack); err != nil {
		errs = append(errs, err.Error())
	}
	// Every problem at once: type errors and the components' checks of the
	// values that could be read.
	if err := args.Validate(); err != nil {
		for _, e := range components.InvalidValues(err) {
			if !blinded[e.Key] && !unread[baseKey(e.Key)] {
				errs = append(errs, e.Error())
			}
		}
		for _, e := range otherErrors(err) {
			errs = append(errs, e.Error())
		}
	}
	if len(errs) > 0 {
		return args, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return args, nil
}

// checkEnvironment: the environment names every AWS resource, so a stack may
// not take another stack's name (two stacks in one account would collide).
// It defaults to the stack name; a stack whose name is not a valid
// environment name ("production", "stg-2") must set one.
func checkEnvironment(values map[string]string, stack string) error {
	env, set := values[components.ConfigNamespace+":environment"]
	if !set || env == stack {
		return nil
	}
	if components.CheckEnvironmentName(stack) == nil {
		return fmt.Errorf("%s:environment: %q is not valid; leave it unset or set it to the stack's name %q "+
			"(it names every AWS resource: a stack using another stack's environment collides with it)", components.ConfigNamespace, env, stack)
	}
	return nil
}

// baseKey is the top-level key of a config key: "wpfleet:sites" for
// "wpfleet:sites[2].name".
func baseKey(k string) string {
	if i := strings.IndexAny(k, "[."); i >= 0 {
		return k[:i]
	}
	return k
}

// otherErrors are the problems in err that are not about one value.
func otherErrors(err error) []error {
	var out []error
	for _, e := range unjoin(err) {
		var iv *components.InvalidValueError
		if !errors.As(e, &iv) {
			out = append(out, e)
		}
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// removedKeys are keys of earlier versions, with what replaced them.
var removedKeys = map[string]string{
	"cronSchedule":           "wp-cron now runs inside each pool: set wpfleet:cronIntervalSeconds (or a pool's cronIntervalSeconds)",
	"alarmResponseTimeP90Ms": "per-site alarms now come from the pools' logs (5xx share, wp-cron); this threshold is gone",
	"healthCheckPath":        "nginx answers /healthz for every pool (image/README.md); the path is no longer configurable",
}

func unknownKey(k string) string {
	name := strings.TrimPrefix(k, components.ConfigNamespace+":")
	if why, ok := removedKeys[name]; ok {
		return fmt.Sprintf("%s: this key was removed; %s", k, why)
	}
	return fmt.Sprintf("%s: unknown key; known keys are %s", k, knownKeys())
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
	case "pools":
		allowed = jsonFields(components.PoolConfig{})
	default:
		return nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return fmt.Errorf("%s: %s", f.Key, describeJSONError(err))
	}
	jobFields := jsonFields(components.JobConfig{})
	for i, item := range items {
		for _, k := range sortedRaw(item) {
			v := item[k]
			if !allowed[k] {
				if f.Name == "sites" && jsonFields(components.PoolConfig{})[k] {
					return fmt.Errorf("%s[%d].%s: task settings moved to pools: set it in a wpfleet:pools entry (or fleet-wide)", f.Key, i, k)
				}
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

func sortedRaw(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
