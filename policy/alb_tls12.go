package policy

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// tls12Policies are the prefixes of the ELB security policies that accept
// only TLS 1.2 and later (the same set components.LoadBalancerArgs
// validates): the TLS 1.3 policies that keep TLS 1.2 or require 1.3
// (including their FIPS and post-quantum variants), and the TLS-1-2 and
// FS-1-2 families.
var tls12Policies = []string{
	"ELBSecurityPolicy-TLS13-1-2-",
	"ELBSecurityPolicy-TLS13-1-3-",
	"ELBSecurityPolicy-TLS-1-2-",
	"ELBSecurityPolicy-FS-1-2-",
}

// alb-tls12: HTTPS and TLS listeners negotiate TLS 1.2 or later only.
//
// Checks: aws:lb/listener:Listener (and aws:alb/listener:Listener) with
// protocol HTTPS or TLS names an `sslPolicy` from the TLS 1.2+ families
// (ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-*, -FS-1-2-*). A
// missing sslPolicy is a violation: the API default,
// ELBSecurityPolicy-2016-08, still accepts TLS 1.0.
// Why: AWS FSBP ELB.17 (Application and Network Load Balancers with
// listeners should use recommended security policies); TLS 1.0 and 1.1 are
// deprecated (RFC 8996).
// Level: mandatory.
// Not applicable: HTTP/TCP/UDP listeners, other types. Unknown protocol or
// policy (preview): not judged.
func albTLS12(settings) policyx.Policy {
	return resourceRule("alb-tls12",
		"HTTPS/TLS listeners use a TLS 1.2+ security policy (FSBP ELB.17).",
		policyx.EnforcementLevelMandatory,
		[]string{typeLBListener, typeALBListener},
		func(r policyx.AnalyzerResource, report func(string, ...any)) {
			protocol := prop(r.Properties, "protocol")
			if unknown(protocol) || (str(protocol) != "HTTPS" && str(protocol) != "TLS") {
				return
			}
			policy := prop(r.Properties, "sslPolicy")
			if unknown(policy) {
				return
			}
			name := str(policy)
			if name == "" {
				report("no sslPolicy: the default ELBSecurityPolicy-2016-08 accepts TLS 1.0; set e.g. ELBSecurityPolicy-TLS13-1-2-2021-06")
				return
			}
			for _, p := range tls12Policies {
				if strings.HasPrefix(name, p) {
					return
				}
			}
			report("sslPolicy %s accepts TLS versions older than 1.2; use e.g. ELBSecurityPolicy-TLS13-1-2-2021-06", name)
		})
}
