package cost

import (
	"strings"
)

// netFacts is what the graph says about NAT, endpoints and public addresses.
type netFacts struct {
	NATs       int
	NATEIPs    int // NAT gateways' Elastic IPs (public NAT gateways)
	EIPs       int // Elastic IPs the stack allocates itself
	S3Gateway  bool
	Interfaces map[string]int // interface endpoints: service -> AZs
	ALBs       []alb
	Unpriced   []string // load balancers other than ALBs
}

type alb struct {
	Name      string
	Public    bool
	Nodes     int // subnets (one node per AZ)
	LogBucket string
}

func (g *graph) network(region string) netFacts {
	n := netFacts{Interfaces: map[string]int{}}
	for _, v := range g.of("awsx:ec2:Vpc") {
		strategy := str(obj(v.Inputs["natGateways"])["strategy"])
		azs := len(list(v.Inputs["availabilityZoneNames"]))
		if azs == 0 {
			azs = int(num(v.Inputs["numberOfAvailabilityZones"]))
		}
		if azs == 0 {
			azs = 3 // awsx default
		}
		c := NATGatewayCount(strategy, azs)
		n.NATs += c
		n.NATEIPs += c // awsx allocates an Elastic IP for each of its NAT gateways
	}
	n.EIPs = len(g.of("aws:ec2/eip:Eip"))
	for _, r := range g.of("aws:ec2/natGateway:NatGateway") {
		n.NATs++
		// A public NAT gateway the stack makes itself uses an Elastic IP that
		// the stack allocates too (counted in EIPs); without any, count one.
		if str(r.Inputs["connectivityType"]) != "private" && n.EIPs == 0 {
			n.NATEIPs++
		}
	}
	for _, e := range g.of("aws:ec2/vpcEndpoint:VpcEndpoint") {
		svc := endpointService(str(e.Inputs["serviceName"]), region)
		typ := str(e.Inputs["vpcEndpointType"])
		if typ == "" || typ == "Gateway" {
			if svc == "s3" {
				n.S3Gateway = true
			}
			continue
		}
		n.Interfaces[svc] = max(1, len(list(e.Inputs["subnetIds"])))
	}
	for _, lb := range g.of("aws:lb/loadBalancer:LoadBalancer") {
		if t := str(lb.Inputs["loadBalancerType"]); t != "" && t != "application" {
			n.Unpriced = append(n.Unpriced, lb.Name+" ("+t+" load balancer)")
			continue
		}
		a := alb{Name: lb.Name, Public: lb.Inputs["internal"] != true, Nodes: len(list(lb.Inputs["subnets"])) + len(list(lb.Inputs["subnetMappings"]))}
		if l := obj(lb.Inputs["accessLogs"]); l["enabled"] == true {
			a.LogBucket = str(l["bucket"])
		}
		n.ALBs = append(n.ALBs, a)
	}
	return n
}

// endpointService is "s3" for "com.amazonaws.ap-northeast-1.s3", "ecr.dkr"
// for "com.amazonaws.ap-northeast-1.ecr.dkr".
func endpointService(name, region string) string {
	if _, after, ok := strings.Cut(name, "."+region+"."); ok {
		return after
	}
	parts := strings.SplitN(name, ".", 4)
	return parts[len(parts)-1]
}

// cdnShare is the usage profile's share, or the share of hostnames routed
// by the ALB that a CloudFront distribution serves.
func (g *graph) cdnShare(u *Usage) float64 {
	if u.CDNShare >= 0 {
		return u.CDNShare
	}
	dists := g.of("aws:cloudfront/distribution:Distribution")
	if len(dists) == 0 {
		return 0
	}
	aliases := map[string]bool{}
	for _, d := range dists {
		for _, a := range list(d.Inputs["aliases"]) {
			aliases[str(a)] = true
		}
	}
	hosts := map[string]bool{}
	for _, r := range g.of("aws:lb/listenerRule:ListenerRule") {
		for _, c := range list(r.Inputs["conditions"]) {
			for _, h := range list(obj(obj(c)["hostHeader"])["values"]) {
				hosts[str(h)] = true
			}
		}
	}
	if len(hosts) == 0 {
		return 1
	}
	covered := 0
	for h := range hosts {
		if aliases[h] {
			covered++
		}
	}
	return float64(covered) / float64(len(hosts))
}
