package policy

import (
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// alb-http-redirects-to-https: plain HTTP only ever answers with a redirect
// to HTTPS.
//
// Checks: every HTTP listener (protocol HTTP, ALB's default) has only
// `redirect` default actions with redirect.protocol HTTPS, and every
// listener rule attached to it (matched by `listenerArn`) only redirects to
// HTTPS or answers a fixed response, never forwards.
// Why: AWS FSBP ELB.1 (Application Load Balancer should be configured to
// redirect all HTTP requests to HTTPS). WordPress logins and cookies must not
// cross the internet in clear, and a forward rule on port 80 would quietly
// serve a site over HTTP.
// Level: mandatory.
// Not applicable: HTTPS/TLS/TCP listeners. Unknown actions (preview): not
// judged.
func albHTTPRedirectsToHTTPS(settings) policyx.Policy {
	return stackRule("alb-http-redirects-to-https",
		"HTTP listeners only redirect to HTTPS (FSBP ELB.1).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			for _, l := range v.of(typeLBListener, typeALBListener) {
				protocol := prop(l.Properties, "protocol")
				if unknown(protocol) || !(protocol.IsNull() || str(protocol) == "HTTP") {
					continue
				}
				actions := prop(l.Properties, "defaultActions")
				if hasUnknown(actions) {
					continue
				}
				if len(items(actions)) == 0 {
					report(l, "HTTP listener without default actions; redirect to HTTPS")
				}
				for _, a := range items(actions) {
					if !redirectsToHTTPS(a) {
						report(l, "HTTP listener default action %q does not redirect to HTTPS", str(at(a, "type")))
					}
				}
				for _, rule := range v.referrers(l, "listenerArn", typeLBListenerRule, typeALBListenerRule) {
					ra := prop(rule.Properties, "actions")
					if hasUnknown(ra) {
						continue
					}
					for _, a := range items(ra) {
						if !redirectsToHTTPS(a) && str(at(a, "type")) != "fixed-response" {
							report(rule, "rule on HTTP listener %s has a %q action; only redirects to HTTPS (or fixed responses) may answer plain HTTP",
								l.Name, str(at(a, "type")))
						}
					}
				}
			}
		})
}

func redirectsToHTTPS(action property.Value) bool {
	return str(at(action, "type")) == "redirect" && str(at(action, "redirect", "protocol")) == "HTTPS"
}
