package policy

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

// alb-drops-invalid-headers: ALBs drop malformed headers and mitigate HTTP
// desync.
//
// Checks: aws:lb/loadBalancer:LoadBalancer (and aws:alb/...) of type
// application has `dropInvalidHeaderFields: true` and a
// `desyncMitigationMode` of defensive (the default) or strictest.
// Why: AWS FSBP ELB.4 (Application Load Balancer should be configured to
// drop invalid http headers) and ELB.12 (... defensive or strictest desync
// mitigation mode): request smuggling and header injection against nginx
// and PHP behind the ALB.
// Level: mandatory.
// Not applicable: network and gateway load balancers, other types. Unknown
// values (preview): not judged.
func albDropsInvalidHeaders(settings) policyx.Policy {
	return resourceRule("alb-drops-invalid-headers",
		"ALBs drop invalid header fields and use defensive or strictest desync mitigation (FSBP ELB.4, ELB.12).",
		policyx.EnforcementLevelMandatory,
		[]string{typeLB, typeALB},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			t := prop(r.Properties, "loadBalancerType")
			if unknown(t) || !(t.IsNull() || str(t) == "application") {
				return
			}
			if d := prop(r.Properties, "dropInvalidHeaderFields"); !unknown(d) && !isTrue(d) {
				report("dropInvalidHeaderFields is not true")
			}
			if m := prop(r.Properties, "desyncMitigationMode"); !unknown(m) && !m.IsNull() &&
				str(m) != "defensive" && str(m) != "strictest" {
				report("desyncMitigationMode is %q; use defensive or strictest", str(m))
			}
		})
}
