package policy

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"github.com/stretchr/testify/require"
)

// During `pulumi preview` any input built from another resource's output is
// unknown. A rule must then neither crash (policyx has no recover: a panic
// kills the pack and fails the preview) nor report a violation it cannot
// prove. Both shipped stacks are checked with every property unknown, and
// with every leaf value unknown inside the known structure.
func TestRulesTolerateUnknownValues(t *testing.T) {
	variants := map[string]func(property.Value) property.Value{
		"top-level": func(property.Value) property.Value { return property.New(property.Computed) },
		"leaves":    unknownLeaves,
	}
	for _, stack := range shippedStacks {
		for name, f := range variants {
			t.Run(stack+"/"+name, func(t *testing.T) {
				var resources []policyx.AnalyzerResource
				for _, r := range FromMocks(shippedStack(t, stack)) {
					values := map[string]property.Value{}
					for k, v := range r.Properties.AsMap() {
						values[k] = f(v)
					}
					r.Properties = property.NewMap(values)
					resources = append(resources, r)
				}
				vs, err := Check(defaultPack(t), resources, nil)
				require.NoError(t, err)
				for _, v := range vs {
					t.Errorf("violation reported on unknown values: %s", v)
				}
			})
		}
	}
}

// unknownLeaves replaces every scalar inside v by an unknown value.
func unknownLeaves(v property.Value) property.Value {
	switch {
	case v.IsMap():
		m := map[string]property.Value{}
		for k, e := range v.AsMap().AsMap() {
			m[k] = unknownLeaves(e)
		}
		return property.New(m)
	case v.IsArray():
		var a []property.Value
		for _, e := range v.AsArray().AsSlice() {
			a = append(a, unknownLeaves(e))
		}
		return property.New(a)
	case v.IsNull():
		return v
	}
	return property.New(property.Computed)
}
