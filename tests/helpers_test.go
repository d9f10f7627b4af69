package tests

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/components"
	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/program"
)

// stacks are the stacks this repository ships (Pulumi.<stack>.yaml).
var stacks = []string{"prod", "stg"}

// repoRoot is the repository's top directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// stackConfig reads a shipped stack's configuration the way cmd/preview does.
func stackConfig(t testing.TB, stack string) *fleetconfig.StackFiles {
	t.Helper()
	root := repoRoot()
	files, err := fleetconfig.ReadStackFiles(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"))
	require.NoError(t, err)
	return files
}

// fleetArgs is a shipped stack's configuration as the program reads it.
func fleetArgs(t testing.TB, stack string) components.FleetArgs {
	t.Helper()
	files := stackConfig(t, stack)
	args, err := fleetconfig.FromMapWithSecrets(files.Config, stack, files.SecretKeys)
	require.NoError(t, err)
	return args
}

var (
	stackCache   = map[string]*mocks.Result{}
	stackCacheMu sync.Mutex
)

// shippedStack runs the program on a shipped stack under the recording
// mocks (once per test binary).
func shippedStack(t testing.TB, stack string) *mocks.Result {
	t.Helper()
	stackCacheMu.Lock()
	defer stackCacheMu.Unlock()
	if res, ok := stackCache[stack]; ok {
		return res
	}
	files := stackConfig(t, stack)
	res, _, err := program.Preview(files.Project, stack, files.Config, files.SecretKeys)
	require.NoError(t, err)
	stackCache[stack] = res
	return res
}

// runConfig runs the program on a configuration map and returns the
// recorder too, to check what was registered when the run fails.
func runConfig(stack string, cfg map[string]string) (*mocks.Result, *mocks.Recorder, error) {
	return program.Preview("wpfleet", stack, cfg, nil)
}

func copyConfig(cfg map[string]string) map[string]string {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		out[k] = v
	}
	return out
}

// sitesOf decodes the wpfleet:sites value.
func sitesOf(t testing.TB, cfg map[string]string) []map[string]any {
	t.Helper()
	var sites []map[string]any
	require.NoError(t, json.Unmarshal([]byte(cfg["wpfleet:sites"]), &sites))
	return sites
}

func setSites(t testing.TB, cfg map[string]string, sites []map[string]any) {
	t.Helper()
	b, err := json.Marshal(sites)
	require.NoError(t, err)
	cfg["wpfleet:sites"] = string(b)
}

// poolsOf decodes the wpfleet:pools value (nil when unset).
func poolsOf(t testing.TB, cfg map[string]string) []map[string]any {
	t.Helper()
	var pools []map[string]any
	if raw := cfg["wpfleet:pools"]; raw != "" {
		require.NoError(t, json.Unmarshal([]byte(raw), &pools))
	}
	return pools
}

func setPools(t testing.TB, cfg map[string]string, pools []map[string]any) {
	t.Helper()
	b, err := json.Marshal(pools)
	require.NoError(t, err)
	cfg["wpfleet:pools"] = string(b)
}

// at walks a decoded JSON value by a dotted path; numbers index arrays.
func at(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			if _, err := fmt.Sscanf(p, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// jsonInput decodes an input that holds a JSON document (policies,
// container definitions, event inputs).
func jsonInput(t testing.TB, r mocks.Resource, key string) any {
	t.Helper()
	raw, ok := r.Inputs[key].(string)
	require.Truef(t, ok, "%s %s: input %s is not a string: %#v", r.Type, r.Name, key, r.Inputs[key])
	var v any
	require.NoErrorf(t, json.Unmarshal([]byte(raw), &v), "%s %s: input %s is not JSON", r.Type, r.Name, key)
	return v
}

// siteNames returns the site names of a stack's configuration, sorted.
func siteNames(t testing.TB, cfg map[string]string) []string {
	var names []string
	for _, s := range sitesOf(t, cfg) {
		names = append(names, s["name"].(string))
	}
	sort.Strings(names)
	return names
}

// component returns the component resource of a type and name.
func component(t testing.TB, res *mocks.Result, typ, name string) mocks.Resource {
	t.Helper()
	r, ok := res.Find("wpfleet:components:"+typ, name)
	require.Truef(t, ok, "no %s component named %s", typ, name)
	return r
}

func ofType(rs []mocks.Resource, token string) []mocks.Resource {
	var out []mocks.Resource
	for _, r := range rs {
		if r.Type == token {
			out = append(out, r)
		}
	}
	return out
}

// onlyOne returns the single resource of a type among rs.
func onlyOne(t testing.TB, rs []mocks.Resource, token, what string) mocks.Resource {
	t.Helper()
	found := ofType(rs, token)
	require.Lenf(t, found, 1, "%s: want exactly one %s", what, token)
	return found[0]
}

// byURN indexes a graph's resources.
func byURN(res *mocks.Result) map[string]mocks.Resource {
	out := map[string]mocks.Resource{}
	for _, r := range res.Resources {
		out[r.URN] = r
	}
	return out
}

// ancestorOfType returns the closest ancestor of r with the given type.
func ancestorOfType(index map[string]mocks.Resource, r mocks.Resource, typ string) (mocks.Resource, bool) {
	for p, ok := index[r.Parent]; ok; p, ok = index[p.Parent] {
		if p.Type == typ {
			return p, true
		}
	}
	return mocks.Resource{}, false
}

// containers decodes a task definition's containers by name.
func containers(t testing.TB, td mocks.Resource) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, d := range jsonInput(t, td, "containerDefinitions").([]any) {
		m := d.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

// pairs decodes a container's environment or secrets list into a map.
func pairs(c map[string]any, list, valueKey string) map[string]string {
	out := map[string]string{}
	items, _ := c[list].([]any)
	for _, e := range items {
		out[str(at(e, "name"))] = str(at(e, valueKey))
	}
	return out
}

func envOf(c map[string]any) map[string]string     { return pairs(c, "environment", "value") }
func secretsOf(c map[string]any) map[string]string { return pairs(c, "secrets", "valueFrom") }

// mounts decodes a container's mount points as path -> "volume ro|rw".
func mounts(c map[string]any) map[string]string {
	out := map[string]string{}
	items, _ := c["mountPoints"].([]any)
	for _, m := range items {
		mode := "rw"
		if at(m, "readOnly") == true {
			mode = "ro"
		}
		out[str(at(m, "containerPath"))] = str(at(m, "sourceVolume")) + " " + mode
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// statements returns a policy document's statements.
func statements(doc any) []map[string]any {
	var out []map[string]any
	switch s := at(doc, "Statement").(type) {
	case []any:
		for _, x := range s {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

// statement returns the statement of a policy document with a Sid.
func statement(t testing.TB, doc any, sid string) map[string]any {
	t.Helper()
	for _, st := range statements(doc) {
		if st["Sid"] == sid {
			return st
		}
	}
	require.Failf(t, "no statement", "no statement %s in %v", sid, doc)
	return nil
}

func strList(v any) []string {
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

// deniesInsecureTransport reports whether a policy document has a Deny on
// aws:SecureTransport = false.
func deniesInsecureTransport(doc any) bool {
	for _, st := range statements(doc) {
		if st["Effect"] == "Deny" && at(st, "Condition.Bool.aws:SecureTransport") == "false" {
			return true
		}
	}
	return false
}

// poolSites maps each pool of a stack to its sites, in pool order.
func poolSites(t testing.TB, stack string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range fleetArgs(t, stack).PoolsOrDefault() {
		out[p.Name] = p.Sites
	}
	return out
}

// siteHosts maps each site of a stack to its hostnames.
func siteHosts(t testing.TB, stack string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range fleetArgs(t, stack).Sites {
		out[s.Name] = s.Hostnames
	}
	return out
}

func alarmsOn(res *mocks.Result, metric string) []mocks.Resource {
	var out []mocks.Resource
	for _, a := range res.ByType("aws:cloudwatch/metricAlarm:MetricAlarm") {
		if a.Inputs["metricName"] == metric {
			out = append(out, a)
		}
	}
	return out
}
