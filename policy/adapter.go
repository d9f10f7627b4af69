package policy

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/wpfleet/wpfleet/mocks"
)

// FromMocks converts a recorded offline run (mocks.Run, program.Preview)
// into the resources the Pulumi engine would hand the pack, so the pack can
// be run offline with Check.
//
// Each resource's Properties are its recorded inputs, the same keys the
// engine sends analyzers: mocks.SecretPlaceholder becomes a secret value and
// mocks.UnknownPlaceholder an unknown (computed) one. URN, type, name,
// parent, dependencies and property dependencies are copied. Of the
// resource options only those the engine sends analyzers are set: Protect,
// IgnoreChanges and DeleteBeforeReplace. RetainOnDelete is deliberately not
// carried: the analyzer protocol has no field for it (and
// pulumi.ResourceOptions none either), so a rule that could see it offline
// would judge differently under `pulumi preview --policy-pack`.
//
// One difference remains and is on the safe side: under the engine, stack
// policies see each resource's outputs (inputs plus IDs and ARNs once
// known); here they see the inputs, so rules link resources through
// property dependencies, which both carry.
func FromMocks(res *mocks.Result) []policyx.AnalyzerResource {
	out := make([]policyx.AnalyzerResource, 0, len(res.Resources))
	for _, r := range res.Resources {
		out = append(out, FromMockResource(r))
	}
	return out
}

// FromMockResource converts one recorded resource; see FromMocks.
func FromMockResource(r mocks.Resource) policyx.AnalyzerResource {
	var deps map[string][]string
	if len(r.PropertyDependencies) > 0 {
		deps = map[string][]string{}
		for _, k := range sortedKeys(r.PropertyDependencies) {
			if len(r.PropertyDependencies[k]) > 0 {
				deps[k] = append([]string(nil), r.PropertyDependencies[k]...)
			}
		}
	}
	return policyx.AnalyzerResource{
		Type:       r.Type,
		Properties: PropertiesFromPlain(r.Inputs),
		URN:        r.URN,
		Name:       r.Name,
		Options: pulumi.ResourceOptions{
			Protect:             r.Options.Protect,
			IgnoreChanges:       append([]string(nil), r.Options.IgnoreChanges...),
			DeleteBeforeReplace: r.Options.DeleteBeforeReplace,
		},
		Parent:               r.Parent,
		Dependencies:         append([]string(nil), r.Dependencies...),
		PropertyDependencies: deps,
	}
}

// PropertiesFromPlain converts plain JSON-like values (maps, slices,
// strings, numbers of any Go kind, booleans, nil) into a property map, with
// mocks' placeholders turned back into secret and unknown values. Use it to
// build resources for Check in tests of one's own stacks.
func PropertiesFromPlain(m map[string]any) property.Map {
	values := make(map[string]property.Value, len(m))
	for k, v := range m {
		values[k] = ValueFromPlain(v)
	}
	return property.NewMap(values)
}

// ValueFromPlain converts one plain value; see PropertiesFromPlain.
func ValueFromPlain(v any) property.Value {
	switch x := v.(type) {
	case nil:
		return property.Value{}
	case string:
		switch x {
		case mocks.SecretPlaceholder:
			return property.New(x).WithSecret(true)
		case mocks.UnknownPlaceholder:
			return property.New(property.Computed)
		}
		return property.New(x)
	case bool:
		return property.New(x)
	case float64:
		return property.New(x)
	case float32:
		return property.New(float64(x))
	case int:
		return property.New(float64(x))
	case int32:
		return property.New(float64(x))
	case int64:
		return property.New(float64(x))
	case json.Number:
		f, _ := x.Float64()
		return property.New(f)
	case []any:
		arr := make([]property.Value, len(x))
		for i, e := range x {
			arr[i] = ValueFromPlain(e)
		}
		return property.New(arr)
	case []string:
		arr := make([]property.Value, len(x))
		for i, e := range x {
			arr[i] = property.New(e)
		}
		return property.New(arr)
	case map[string]any:
		return property.New(PropertiesFromPlain(x))
	case map[string]string:
		m := make(map[string]property.Value, len(x))
		for k, e := range x {
			m[k] = property.New(e)
		}
		return property.New(m)
	case property.Value:
		return x
	}
	// Anything else: go through JSON (structs of tests, typed slices).
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("policy: cannot convert %T to a property value: %v", v, err))
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		panic(fmt.Sprintf("policy: cannot convert %T to a property value: %v", v, err))
	}
	return ValueFromPlain(back)
}
