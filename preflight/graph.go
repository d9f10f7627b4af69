package preflight

import (
	"encoding/json"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// Graph indexes a recorded result for the rules: resources by type and by
// every identifier another resource may hold of them (ID, ARN, name).
type Graph struct {
	Result *mocks.Result
	// Region and Account are the stack's region and account.
	Region, Account string

	byType map[string][]*mocks.Resource
	byURN  map[string]*mocks.Resource
	byRef  map[string]*mocks.Resource
	docs   map[string]any

	netCache *netView
}

// NewGraph indexes res.
func NewGraph(res *mocks.Result) *Graph {
	g := &Graph{Result: res, Region: res.Region, Account: res.AccountID,
		byType: map[string][]*mocks.Resource{}, byURN: map[string]*mocks.Resource{},
		byRef: map[string]*mocks.Resource{}, docs: map[string]any{}}
	for i := range res.Resources {
		r := &res.Resources[i]
		g.byType[r.Type] = append(g.byType[r.Type], r)
		g.byURN[r.URN] = r
	}
	// IDs and ARNs first, so a name never shadows them.
	for i := range res.Resources {
		r := &res.Resources[i]
		if !r.Custom {
			continue
		}
		for _, ref := range []string{r.ID, str(r.Outputs["arn"]), str(r.Outputs["id"])} {
			if ref != "" && g.byRef[ref] == nil {
				g.byRef[ref] = r
			}
		}
	}
	return g
}

// Of returns the resources of the given types, in graph order.
func (g *Graph) Of(types ...string) []*mocks.Resource {
	var out []*mocks.Resource
	for _, t := range types {
		out = append(out, g.byType[t]...)
	}
	return out
}

// URN returns the resource with that URN.
func (g *Graph) URN(urn string) *mocks.Resource { return g.byURN[urn] }

// Ref returns the resource whose ID or ARN is v (a task definition ARN with
// a revision also matches), or nil.
func (g *Graph) Ref(v string) *mocks.Resource {
	if r := g.byRef[v]; r != nil {
		return r
	}
	return nil
}

// RefOf returns the resource of one of the given types whose ID or ARN is v.
func (g *Graph) RefOf(v string, types ...string) *mocks.Resource {
	r := g.Ref(v)
	if r == nil {
		return nil
	}
	for _, t := range types {
		if r.Type == t {
			return r
		}
	}
	return nil
}

// RegionOf is the region a resource is created in: its explicit aws
// provider's (a provider reference is "<provider URN>::<provider ID>"), or
// the stack's.
func (g *Graph) RegionOf(r *mocks.Resource) string {
	if p := r.Options.Provider; p != "" {
		for _, prov := range g.Of(typeAWSProvider) {
			if strings.HasPrefix(p, prov.URN+"::") {
				if region := str(prov.Inputs["region"]); region != "" {
					return region
				}
			}
		}
	}
	return g.Region
}

// JSON decodes a string input that holds a JSON document (policies,
// container definitions); nil when it is not JSON. Decoded once per graph.
func (g *Graph) JSON(r *mocks.Resource, key string) any {
	s, ok := r.Inputs[key].(string)
	if !ok || !known(s) {
		return nil
	}
	cacheKey := r.URN + "\x00" + key
	if v, ok := g.docs[cacheKey]; ok {
		return v
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		v = nil
	}
	g.docs[cacheKey] = v
	return v
}

// Lookups returns the answered invokes of one token.
func (g *Graph) Lookups(token string) []mocks.Lookup {
	var out []mocks.Lookup
	for _, l := range g.Result.Lookups {
		if l.Token == token {
			out = append(out, l)
		}
	}
	return out
}
