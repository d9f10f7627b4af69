package policy

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// prod-multi-az: in production, losing one availability zone loses no
// service.
//
// Checks, on resources of production environments (see doc.go):
//   - each Aurora cluster has at least two instances (matched by
//     `clusterIdentifier`), in at least two zones where their zones are set
//     (FSBP RDS.15); a non-Aurora aws:rds/instance has multiAz true (RDS.5);
//   - each EFS file system is Regional (no availabilityZoneName: One Zone
//     file systems live in one AZ) with mount targets in at least two
//     subnets;
//   - each ECS service runs at least two tasks: desiredCount >= 2 and, for
//     its autoscaling target (aws:appautoscaling/target whose resourceId
//     names the service), minCapacity >= 2 (ECS spreads a service's tasks
//     over the zones of its subnets);
//   - each load balancer spans at least two subnets;
//   - an awsx VPC does not route every private subnet through a single NAT
//     gateway (natGateways.strategy Single), which would cut every task
//     off from ECR, Secrets Manager and the internet when its zone fails.
//
// Why: a production fleet of a dozen sites must survive an AZ outage;
// staging deliberately runs single-AZ pieces to save money (one NAT, one
// database instance, one task).
// Level: mandatory.
// Not applicable: non-production environments. Unknown values (preview):
// not judged.
func prodMultiAZ(s settings) policyx.Policy {
	return stackRule("prod-multi-az",
		"In production, the database, file system, services, load balancers and NAT span at least two availability zones (FSBP RDS.15, RDS.5).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			prod := func(r policyx.AnalyzerResource) bool { return s.isProd(v.envOf(r)) }

			for _, c := range v.of(typeRDSCluster) {
				if !prod(c) {
					continue
				}
				engine := str(prop(c.Properties, "engine"))
				if engine != "" && engine != "aurora-mysql" && engine != "aurora-postgresql" && engine != "aurora" {
					continue // Multi-AZ DB clusters of mysql/postgres place their own instances.
				}
				instances := v.referrers(c, "clusterIdentifier", typeRDSClusterInstance)
				if len(instances) < 2 {
					report(c, "has %d instance(s); a production Aurora cluster needs a writer and at least one reader in another zone", len(instances))
					continue
				}
				zones, allKnown := map[string]bool{}, true
				for _, i := range instances {
					z := prop(i.Properties, "availabilityZone")
					if str(z) == "" {
						allKnown = false
						continue
					}
					zones[str(z)] = true
				}
				if allKnown && len(zones) < 2 {
					report(c, "all %d instances are in %v; spread them over at least two zones", len(instances), sortedKeys(zones))
				}
			}
			for _, i := range v.of(typeRDSInstance) {
				if prod(i) {
					if m := prop(i.Properties, "multiAz"); !unknown(m) && !isTrue(m) {
						report(i, "multiAz is not true")
					}
				}
			}

			for _, fs := range v.of(typeEFSFileSystem) {
				if !prod(fs) {
					continue
				}
				if az := prop(fs.Properties, "availabilityZoneName"); str(az) != "" {
					report(fs, "is a One Zone file system in %s; production needs a Regional file system", str(az))
					continue
				}
				mts := v.referrers(fs, "fileSystemId", typeEFSMountTarget)
				subnets, allKnown := map[string]bool{}, true
				for _, mt := range mts {
					sn := prop(mt.Properties, "subnetId")
					if str(sn) == "" {
						allKnown = false
						continue
					}
					subnets[str(sn)] = true
				}
				switch {
				case len(mts) < 2:
					report(fs, "has %d mount target(s); production needs one in each of at least two zones", len(mts))
				case allKnown && len(subnets) < 2:
					report(fs, "has all its mount targets in one subnet; production needs one in each of at least two zones")
				}
			}

			targets := v.of(typeAppAutoscalingTarget)
			for _, svc := range v.of(typeECSService) {
				if !prod(svc) {
					continue
				}
				if n, ok := num(prop(svc.Properties, "desiredCount")); ok && n < 2 {
					report(svc, "desiredCount is %g; production services run at least two tasks so that one zone can fail", n)
				}
				for _, t := range targets {
					if !refersTo(t, "resourceId", svc) {
						continue
					}
					if n, ok := num(prop(t.Properties, "minCapacity")); ok && n < 2 {
						report(t, "autoscaling minCapacity of service %s is %g; production needs at least two tasks", svc.Name, n)
					}
				}
			}

			for _, lb := range v.of(typeLB, typeALB) {
				if !prod(lb) {
					continue
				}
				subnets := prop(lb.Properties, "subnets")
				mappings := prop(lb.Properties, "subnetMappings")
				if hasUnknown(subnets) || hasUnknown(mappings) {
					continue
				}
				if n := len(items(subnets)) + len(items(mappings)); n > 0 && n < 2 {
					report(lb, "spans %d subnet; production load balancers span at least two zones", n)
				}
			}

			for _, vpc := range v.of(typeAwsxVpc) {
				if !prod(vpc) {
					continue
				}
				nat := prop(vpc.Properties, "natGateways")
				if unknown(nat) {
					continue
				}
				switch {
				case nat.IsMap():
					if st := at(nat, "strategy"); str(st) == "Single" {
						report(vpc, "natGateways.strategy is Single: every private subnet leaves through one zone's NAT gateway; use OnePerAz")
					}
				case nat.IsArray() && len(items(nat)) == 1:
					// The component's outputs (what stack policies see after
					// an update) list the NAT gateways themselves.
					report(vpc, "has a single NAT gateway; use natGateways.strategy OnePerAz")
				}
			}
		})
}
