package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

// Synthetic resources for the rule tests. Properties are plain values;
// unk stands for a value unknown during preview.

const unk = mocks.UnknownPlaceholder

type obj = map[string]any
type list = []any

// res builds a resource of the prod stack; name doubles as its ID-like
// identity in URNs.
func res(typ, name string, props obj) policyx.AnalyzerResource {
	return resIn("prod", typ, name, props)
}

func resIn(stack, typ, name string, props obj) policyx.AnalyzerResource {
	if props == nil {
		props = obj{}
	}
	return policyx.AnalyzerResource{
		Type:       typ,
		Name:       name,
		URN:        "urn:pulumi:" + stack + "::wpfleet::" + typ + "::" + name,
		Properties: PropertiesFromPlain(props),
	}
}

// dep records that src's property key was built from targets' outputs,
// as the engine does when an input is another resource's output.
func dep(src policyx.AnalyzerResource, key string, targets ...policyx.AnalyzerResource) policyx.AnalyzerResource {
	deps := map[string][]string{}
	for k, v := range src.PropertyDependencies {
		deps[k] = append([]string(nil), v...)
	}
	for _, t := range targets {
		deps[key] = append(deps[key], t.URN)
	}
	src.PropertyDependencies = deps
	return src
}

func protected(r policyx.AnalyzerResource) policyx.AnalyzerResource {
	r.Options.Protect = true
	return r
}

// doc renders a policy document (or any JSON) as the string pulumi-aws takes.
func doc(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func policyDoc(statements ...obj) string {
	st := make(list, len(statements))
	for i, s := range statements {
		st[i] = s
	}
	return doc(obj{"Version": "2012-10-17", "Statement": st})
}

func tags(env string) obj {
	return obj{"environment": env, "managed-by": "wpfleet"}
}

// rule returns the pack's policy of that name (default options).
func rule(t testing.TB, name string, o ...Options) policyx.Policy {
	t.Helper()
	opts := Options{}
	if len(o) > 0 {
		opts = o[0]
	}
	for _, p := range Policies(opts) {
		if p.Name() == name {
			return p
		}
	}
	t.Fatalf("no policy named %s", name)
	return nil
}

// run checks resources against one policy of the pack.
func run(t testing.TB, p policyx.Policy, resources ...policyx.AnalyzerResource) []Violation {
	t.Helper()
	pack, err := policyx.NewPolicyPack("test", mustVersion(), policyx.EnforcementLevelMandatory, []policyx.Policy{p})
	require.NoError(t, err)
	vs, err := Check(pack, resources, nil)
	require.NoError(t, err)
	return vs
}

// bad is a stack the rule must reject with a message containing want,
// reported against the resource named at (when at is set).
type bad struct {
	name      string
	resources []policyx.AnalyzerResource
	want      string
	at        string
}

// ruleCase is the proof for one rule: a stack it accepts and stacks it
// rejects.
type ruleCase struct {
	ok  []policyx.AnalyzerResource
	bad []bad
}

func (c ruleCase) run(t *testing.T, p policyx.Policy) {
	t.Helper()
	t.Run("compliant", func(t *testing.T) {
		for _, v := range run(t, p, c.ok...) {
			t.Errorf("unexpected violation: %s", v)
		}
	})
	require.NotEmpty(t, c.bad, "a rule needs at least one violating case")
	for _, b := range c.bad {
		t.Run(b.name, func(t *testing.T) {
			vs := run(t, p, b.resources...)
			require.NotEmptyf(t, vs, "%s accepted a violating stack", p.Name())
			found := false
			for _, v := range vs {
				require.Equal(t, p.Name(), v.Policy)
				require.Equal(t, p.EnforcementLevel(), v.Level)
				if strings.Contains(v.Message, b.want) && (b.at == "" || strings.HasSuffix(v.URN, "::"+b.at)) {
					found = true
				}
			}
			require.Truef(t, found, "no violation containing %q (at %q) among:\n%v", b.want, b.at, vs)
		})
	}
}

// with returns resources plus more (a fresh slice).
func with(resources []policyx.AnalyzerResource, more ...policyx.AnalyzerResource) []policyx.AnalyzerResource {
	out := append([]policyx.AnalyzerResource(nil), resources...)
	return append(out, more...)
}

type ar = policyx.AnalyzerResource

func rs(r ...ar) []ar { return r }
