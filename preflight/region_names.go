package preflight

import (
	"github.com/wpfleet/wpfleet/mocks"
)

// region-names: the stack's Region (config aws:region) and every explicit
// aws provider's region are AWS Regions.
//
// The AWS provider sends requests to <service>.<region>.amazonaws.com; a
// name that is no Region (aws:region: tokyo) fails every call, but the
// mocks answer anyway and fake ARNs with it.
// Not checked offline: whether the account has opted in to an opt-in
// Region.
func regionNames() Rule {
	set := loadSet("regions")
	return Rule{
		Name:    "region-names",
		Doc:     "aws:region and provider regions are AWS Regions (" + set.file + ")",
		Sources: set.sources,
		check: func(g *Graph, rep *report) {
			if g.Region != "" && !set.has(g.Region) {
				rep.add(stackResource(g), "aws:region", g.Region, set.source(), "%s", set.refusal("Region "+g.Region))
			}
			for _, p := range g.Of(typeAWSProvider) {
				if r, ok := text(p.Inputs["region"]); ok && !set.has(r) {
					rep.add(p, "region", r, set.source(), "%s", set.refusal("Region "+r))
				}
			}
		},
	}
}

// stackResource stands for the stack itself (its configuration) in a
// violation.
func stackResource(g *Graph) *mocks.Resource {
	p, s := g.Result.Project, g.Result.Stack
	return &mocks.Resource{URN: "urn:pulumi:" + s + "::" + p + "::pulumi:pulumi:Stack::" + p + "-" + s,
		Type: "pulumi:pulumi:Stack", Name: p + "-" + s}
}
