package policy

import (
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/fleetconfig"
	"github.com/wpfleet/wpfleet/mocks"
	"github.com/wpfleet/wpfleet/program"
)

// shippedStacks are the stacks this repository ships (Pulumi.<stack>.yaml).
var shippedStacks = []string{"prod", "stg"}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

var (
	stackCache   = map[string]*mocks.Result{}
	stackCacheMu sync.Mutex
)

// shippedStack runs the real program on a shipped stack offline, the way
// tests/ and cmd/preview do (once per test binary).
func shippedStack(t testing.TB, stack string) *mocks.Result {
	t.Helper()
	stackCacheMu.Lock()
	defer stackCacheMu.Unlock()
	if res, ok := stackCache[stack]; ok {
		return res
	}
	root := repoRoot()
	files, err := fleetconfig.ReadStackFiles(filepath.Join(root, "Pulumi.yaml"), filepath.Join(root, "Pulumi."+stack+".yaml"))
	require.NoError(t, err)
	res, _, err := program.Preview(files.Project, stack, files.Config, files.SecretKeys)
	require.NoError(t, err)
	stackCache[stack] = res
	return res
}

func defaultPack(t testing.TB) policyx.PolicyPack {
	t.Helper()
	pack, err := Pack(Options{})
	require.NoError(t, err)
	return pack
}

// pendingFixes are mandatory violations of the shipped stacks that a rule
// found and that wait for a fix outside policy/ (the rule stays as it is).
// Each entry names the policy, the resource (type and name) and the fix.
// They are logged, not failed; an entry that no longer matches fails the
// test, so it is removed when the fix lands.
var pendingFixes = []struct {
	stack, policy, resourceType, resourceName, fix string
}{}

func pendingFix(v Violation, stack string) (int, bool) {
	for i, p := range pendingFixes {
		if p.stack == stack && p.policy == v.Policy && strings.HasSuffix(v.URN, p.resourceType+"::"+p.resourceName) {
			return i, true
		}
	}
	return -1, false
}

// Every rule runs against both shipped stacks: a mandatory violation fails
// the test (unless it is a listed pending fix), an advisory one is logged.
func TestShippedStacksPassThePack(t *testing.T) {
	for _, stack := range shippedStacks {
		t.Run(stack, func(t *testing.T) {
			resources := FromMocks(shippedStack(t, stack))
			vs, err := Check(defaultPack(t), resources, nil)
			require.NoError(t, err)
			matched := map[int]bool{}
			for _, v := range vs {
				switch i, pending := pendingFix(v, stack); {
				case v.Mandatory() && pending:
					matched[i] = true
					t.Logf("PENDING FIX (%s): %s\n    on %s", pendingFixes[i].fix, v, v.URN)
				case v.Mandatory():
					t.Errorf("%s\n    on %s", v, v.URN)
				default:
					t.Logf("%s\n    on %s", v, v.URN)
				}
			}
			for i, p := range pendingFixes {
				if p.stack == stack && !matched[i] {
					t.Errorf("pending fix no longer needed (remove it from pendingFixes): %s on %s %s", p.policy, p.resourceType, p.resourceName)
				}
			}
		})
	}
}
