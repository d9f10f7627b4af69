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

	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/program"
)

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

// sites decodes the wpfleet:sites value.
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

// siteNames returns the site names of a stack's configuration.
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
