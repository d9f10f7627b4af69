package preflight

import (
	"fmt"

	"github.com/wpfleet/wpfleet/mocks"
)

// ecs-capacity-providers: services use capacity providers their cluster
// has, in a valid strategy, and Fargate Spot only for X86_64 tasks.
//
// Linux tasks with the ARM64 architecture don't support the Fargate Spot
// capacity provider: Fargate Spot only supports Linux tasks with the
// X86_64 architecture (AWS Fargate capacity providers); an ARM64 service
// with FARGATE_SPOT in its strategy cannot place the tasks that go to
// Spot. A strategy names providers associated with the cluster
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
		Doc:     "no FARGATE_SPOT for ARM64 tasks; strategies use the cluster's providers, one base, base 0-100000, weight 0-1000",
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
		if p == "FARGATE_SPOT" && td != nil && str(at(td.Inputs["runtimePlatform"], "cpuArchitecture")) == "ARM64" && (weight > 0 || base > 0) {
			rep.add(r, f+".capacityProvider", p, fargate, "task definition %s is ARM64; Fargate Spot runs only X86_64 Linux tasks, so the tasks sent to FARGATE_SPOT never start", str(td.Inputs["family"]))
		}
	}
	if bases > 1 {
		rep.add(r, field, strategy, item, "only one capacity provider in a strategy can have a base")
	}
	if len(strategy) > 0 && weights == 0 {
		rep.add(r, field, strategy, item, "at least one capacity provider in a strategy has a weight above 0")
	}
}
