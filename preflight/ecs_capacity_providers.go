package preflight

import (
	"fmt"
	"strings"

	"github.com/wpfleet/wpfleet/mocks"
)

// ecs-capacity-providers: services use capacity providers their cluster
// has, in a valid strategy, and Fargate Spot only where Fargate runs it.
//
// "FARGATE_SPOT supports Linux tasks with the X86_64 architecture on
// platform version 1.3.0 or later. FARGATE_SPOT supports Linux tasks with
// the ARM64 architecture on platform version 1.4.0 or later."
// (CapacityProviderStrategyItem, ECS API reference, read 2026-11-26; the
// SDK models generated from the current API say the same.) The developer
// guide's page "AWS Fargate capacity providers" still says ARM64 tasks do
// not support Fargate Spot: the API reference is the newer statement (it
// also carries the newer limit of 20 providers per strategy), so ARM64 on
// Spot is accepted with platform version LATEST or 1.4.0+, refused below,
// and Windows tasks never go to Spot. A strategy names providers associated with the cluster
// (PutClusterCapacityProviders), at most one with a base, bases 0-100000
// and weights 0-1000 (CapacityProviderStrategyItem), and at least one
// weight above 0 when there is no base. Checked for services and for
// EventBridge scheduled tasks (their ecsTarget strategy).
func ecsCapacityProviders() Rule {
	const (
		fargate = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html"
		item    = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html"
		put     = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html"
	)
	return Rule{
		Name:    "ecs-capacity-providers",
		Doc:     "FARGATE_SPOT only for Linux tasks (ARM64 on platform 1.4.0+); strategies use the cluster's providers, one base, base 0-100000, weight 0-1000",
		Sources: []string{fargate, item, put},
		check: func(g *Graph, rep *report) {
			clusterProviders := map[string][]string{}
			for _, cp := range g.Of(typeECSCapacity) {
				clusterProviders[str(cp.Inputs["clusterName"])] = strs(cp.Inputs["capacityProviders"])
			}
			for _, s := range g.Of(typeECSService) {
				td := taskDefinitionOf(g, str(s.Inputs["taskDefinition"]))
				providers := clusterProviders[clusterName(g, str(s.Inputs["cluster"]))]
				checkStrategy(rep, s, "capacityProviderStrategies", items(s.Inputs["capacityProviderStrategies"]), td, providers, fargate, item, put)
			}
			for _, t := range g.Of(typeEventTarget) {
				ecs := asMap(t.Inputs["ecsTarget"])
				if ecs == nil {
					continue
				}
				td := taskDefinitionOf(g, str(ecs["taskDefinitionArn"]))
				providers := clusterProviders[clusterName(g, str(t.Inputs["arn"]))]
				checkStrategy(rep, t, "ecsTarget.capacityProviderStrategies", items(ecs["capacityProviderStrategies"]), td, providers, fargate, item, put)
			}
		},
	}
}

// platformAtLeast14 reports whether a Fargate platform version is LATEST (or
// unset: ECS then uses LATEST) or 1.4.0 and later.
func platformAtLeast14(v string) bool {
	if v == "" || v == "LATEST" {
		return true
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch); err != nil {
		return false
	}
	return major > 1 || major == 1 && minor >= 4
}

// clusterName resolves a cluster ARN or name to the cluster's name.
func clusterName(g *Graph, ref string) string {
	if c := g.RefOf(ref, typeECSCluster); c != nil {
		n, _ := physical(c, "name")
		return n
	}
	return ref
}

func checkStrategy(rep *report, r *mocks.Resource, field string, strategy []any, td *mocks.Resource, providers []string, fargate, item, put string) {
	bases, weights := 0, 0.0
	for i, s := range strategy {
		f := fmt.Sprintf("%s[%d]", field, i)
		p := str(at(s, "capacityProvider"))
		if providers != nil && !contains(providers, p) {
			rep.add(r, f+".capacityProvider", p, put, "the cluster's capacity providers are %v", providers)
		}
		base, _ := num(at(s, "base"))
		weight, _ := num(at(s, "weight"))
		if base > 0 {
			bases++
		}
		if base < 0 || base > 100000 {
			rep.add(r, f+".base", base, item, "a base is 0-100000")
		}
		if weight < 0 || weight > 1000 {
			rep.add(r, f+".weight", weight, item, "a weight is 0-1000")
		}
		weights += weight
		if p == "FARGATE_SPOT" && td != nil && (weight > 0 || base > 0) {
			platform := str(r.Inputs["platformVersion"])
			if ecs := asMap(r.Inputs["ecsTarget"]); ecs != nil {
				platform = str(ecs["platformVersion"])
			}
			switch {
			case strings.HasPrefix(str(at(td.Inputs["runtimePlatform"], "operatingSystemFamily")), "WINDOWS"):
				rep.add(r, f+".capacityProvider", p, fargate, "task definition %s runs Windows; Fargate Spot runs only Linux tasks", str(td.Inputs["family"]))
			case str(at(td.Inputs["runtimePlatform"], "cpuArchitecture")) == "ARM64" && !platformAtLeast14(platform):
				rep.add(r, f+".capacityProvider", p, item, "task definition %s is ARM64 on platform version %q; Fargate Spot runs ARM64 tasks on platform version 1.4.0 or later (LATEST) only", str(td.Inputs["family"]), platform)
			}
		}
	}
	if bases > 1 {
		rep.add(r, field, strategy, item, "only one capacity provider in a strategy can have a base")
	}
	if len(strategy) > 0 && weights == 0 {
		rep.add(r, field, strategy, item, "at least one capacity provider in a strategy has a weight above 0")
	}
}
