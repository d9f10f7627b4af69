package preflight

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wpfleet/wpfleet/mocks"
)

// Synthetic graphs for the rule tests: resources as the mocks record them
// (inputs, plus the outputs and ID the fake provider would give).

type obj = map[string]any
type list = []any

const (
	testRegion  = "ap-northeast-1"
	testAccount = "111122223333"
)

// res is a custom resource whose ID is id and whose outputs are its inputs
// plus the given extra outputs (an "arn", a generated "name").
func res(typ, name, id string, inputs obj, outputs ...obj) mocks.Resource {
	if inputs == nil {
		inputs = obj{}
	}
	out := obj{}
	for k, v := range inputs {
		out[k] = v
	}
	for _, o := range outputs {
		for k, v := range o {
			out[k] = v
		}
	}
	return mocks.Resource{URN: "urn:pulumi:test::proj::" + typ + "::" + name, Type: typ, Name: name,
		Custom: true, Inputs: inputs, Outputs: out, ID: id}
}

// graph is a result of the given resources in the test Region and account.
func graph(rs ...mocks.Resource) *mocks.Result {
	return &mocks.Result{Project: "proj", Stack: "test", Resources: rs, Region: testRegion, AccountID: testAccount}
}

// doc renders a JSON document as the string pulumi-aws takes.
func doc(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// bad is a graph a rule must reject, with a violation whose constraint
// contains want, on the resource named at and the field (prefix) field.
type bad struct {
	name      string
	resources []mocks.Resource
	want      string
	at        string
	field     string
}

// Test-only pseudo resources that set the graph's Region or add an invoke
// the program made; graphOf applies and drops them.
const (
	testRegionType = "test:region"
	testLookupType = "test:lookup"
)

func inRegion(region string) mocks.Resource {
	return mocks.Resource{Type: testRegionType, Name: region}
}

func lookedUp(l mocks.Lookup) mocks.Resource {
	return mocks.Resource{Type: testLookupType, Name: l.Token, Inputs: obj{"args": l.Args, "result": l.Result}}
}

// graphOf is graph with the pseudo resources applied.
func graphOf(rs []mocks.Resource) *mocks.Result {
	var real []mocks.Resource
	region := testRegion
	var lookups []mocks.Lookup
	for _, r := range rs {
		switch r.Type {
		case testRegionType:
			region = r.Name
		case testLookupType:
			lookups = append(lookups, mocks.Lookup{Token: r.Name, Args: asMap(r.Inputs["args"]), Result: asMap(r.Inputs["result"])})
		default:
			real = append(real, r)
		}
	}
	g := graph(real...)
	g.Region = region
	g.Lookups = lookups
	return g
}

// ruleCase proves a rule: a graph it accepts and graphs it rejects.
type ruleCase struct {
	ok  []mocks.Resource
	bad []bad
}

func ruleNamed(t *testing.T, name string) Rule {
	t.Helper()
	for _, r := range Rules() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %s", name)
	return Rule{}
}

func (c ruleCase) run(t *testing.T, rule Rule) {
	t.Helper()
	t.Run("compliant", func(t *testing.T) {
		for _, v := range rule.Run(NewGraph(graphOf(c.ok))) {
			t.Errorf("unexpected violation:\n%s", v)
		}
	})
	require.NotEmpty(t, c.bad, "a rule needs at least one violating case")
	for _, b := range c.bad {
		t.Run(b.name, func(t *testing.T) {
			vs := rule.Run(NewGraph(graphOf(b.resources)))
			require.NotEmptyf(t, vs, "%s accepted a violating graph", rule.Name)
			for _, v := range vs {
				require.Equal(t, rule.Name, v.Rule)
				require.NotEmpty(t, v.Source, "every violation names its source")
				require.NotEmpty(t, v.Field)
				if strings.Contains(v.Constraint, b.want) && (b.at == "" || v.Name == b.at) && strings.HasPrefix(v.Field, b.field) {
					return
				}
			}
			t.Fatalf("no violation containing %q at %q field %q among:\n%v", b.want, b.at, b.field, vs)
		})
	}
}

// with returns resources plus more, in a fresh slice.
func with(rs []mocks.Resource, more ...mocks.Resource) []mocks.Resource {
	return append(append([]mocks.Resource(nil), rs...), more...)
}

// replace returns rs with the resource of the same URN replaced.
func replace(rs []mocks.Resource, r mocks.Resource) []mocks.Resource {
	out := append([]mocks.Resource(nil), rs...)
	for i := range out {
		if out[i].URN == r.URN {
			out[i] = r
			return out
		}
	}
	panic("replace: no resource " + r.URN)
}

// set returns a copy of r with an input (dotted path) set, outputs too.
func set(r mocks.Resource, path string, v any) mocks.Resource {
	r.Inputs = deepSet(copyMap(r.Inputs), path, v)
	r.Outputs = deepSet(copyMap(r.Outputs), path, v)
	return r
}

func copyMap(m obj) obj {
	if c, ok := deepCopy(m).(map[string]any); ok {
		return c
	}
	return obj{}
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return normalize(out)
}

// normalize turns JSON numbers into int64 where whole, as mocks.Plain does.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}

func deepSet(m obj, path string, v any) obj {
	parts := strings.Split(path, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = obj{}
			cur[p] = next
		}
		cur = next
	}
	if v == nil {
		delete(cur, parts[len(parts)-1])
	} else {
		cur[parts[len(parts)-1]] = v
	}
	return m
}
