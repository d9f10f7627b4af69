package components

import "fmt"

// Fargate capacity providers.
const (
	CapacityFargate     = "FARGATE"
	CapacityFargateSpot = "FARGATE_SPOT"
)

// CapacityStrategy splits a service's tasks between on-demand Fargate and
// Fargate Spot: the first OnDemandBase tasks run on demand, the rest are
// spread by weight.
type CapacityStrategy struct {
	// OnDemandBase tasks always run on FARGATE. Defaults to 0.
	OnDemandBase int
	// OnDemandWeight is FARGATE's share of tasks beyond the base. Defaults to 0.
	OnDemandWeight int
	// SpotWeight is FARGATE_SPOT's share of tasks beyond the base. Defaults to 0.
	// At least one of the two weights must be positive.
	SpotWeight int
}

// Check returns nil for a strategy ECS accepts.
func (s CapacityStrategy) Check() error {
	if s.OnDemandBase < 0 || s.OnDemandBase > 100000 || s.OnDemandWeight < 0 || s.OnDemandWeight > 1000 ||
		s.SpotWeight < 0 || s.SpotWeight > 1000 {
		return fmt.Errorf("base 0-100000 and weights 0-1000")
	}
	if s.OnDemandWeight == 0 && s.SpotWeight == 0 {
		return fmt.Errorf("at least one of the on-demand and Spot weights must be positive")
	}
	return nil
}

// providers lists the capacity providers in use, in a stable order, as
// (name, base, weight) triples; a provider with weight 0 and base 0 is left out.
func (s CapacityStrategy) providers() []capacityShare {
	var out []capacityShare
	if s.OnDemandBase > 0 || s.OnDemandWeight > 0 {
		out = append(out, capacityShare{CapacityFargate, s.OnDemandBase, s.OnDemandWeight})
	}
	if s.SpotWeight > 0 {
		out = append(out, capacityShare{CapacityFargateSpot, 0, s.SpotWeight})
	}
	return out
}

type capacityShare struct {
	provider     string
	base, weight int
}
