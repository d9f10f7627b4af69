package policy

import (
	"crypto/sha256"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// alb-origin-secret-per-site: each site's ALB rules require a secret origin
// header of the site's own.
//
// Checks: every aws:lb/listenerRule:ListenerRule that forwards has an
// http-header condition on X-Origin-Verify with at least one value, and no
// two rules of different sites (a site's rules share their parent, the
// WordPressSite; rules without a parent are told apart by their host names)
// accept a common value
// (at most two values each: the current secret, and the previous one while
// a rotation is under way).
// Why: the ALB is reachable from every CloudFront distribution in the
// world; the header is what proves a request came through the site's own
// distribution. One secret for every site means a leak through any one
// site's plugin or logs opens every site to a distribution of the
// attacker's. The secrets are compared by hash; none is printed.
// Level: mandatory.
// Not applicable: fixed-response and redirect rules, other types. Unknown
// values (preview): not judged.
func albOriginSecretPerSite(settings) policyx.Policy {
	return stackRule("alb-origin-secret-per-site",
		"ALB rules that forward require a secret origin header of their site's own (at most two values, during a rotation).",
		policyx.EnforcementLevelMandatory,
		func(v *stackView, report func(policyx.AnalyzerResource, string, ...any)) {
			owner := map[[32]byte]string{}
			for _, r := range v.of(typeLBListenerRule, typeALBListenerRule) {
				if !forwards(r) {
					continue
				}
				hosts, secrets, judged := originCondition(r)
				if !judged {
					continue
				}
				site := hosts // a site's rules share its parent (WordPressSite)
				if r.Parent != "" {
					site = r.Parent
				}
				switch {
				case len(secrets) == 0:
					report(r, "forwards without requiring the X-Origin-Verify header: any CloudFront distribution can reach the site")
				case len(secrets) > 2:
					report(r, "accepts %d origin secrets; one, or two during a rotation", len(secrets))
				}
				for _, s := range secrets {
					h := sha256.Sum256([]byte(s))
					if other, seen := owner[h]; seen && other != site {
						report(r, "shares an origin secret with the rules of %s: each site needs its own", other)
					}
					owner[h] = site
				}
			}
		})
}

func forwards(r policyx.AnalyzerResource) bool {
	actions := prop(r.Properties, "actions")
	if hasUnknown(actions) {
		return false
	}
	for _, a := range items(actions) {
		if t := str(at(a, "type")); t == "forward" || t == "" {
			return true
		}
	}
	return false
}

// originCondition returns a rule's host names (joined) and the values its
// X-Origin-Verify condition accepts; judged is false when any is unknown.
func originCondition(r policyx.AnalyzerResource) (hosts string, secrets []string, judged bool) {
	var hostNames []string
	conds := prop(r.Properties, "conditions")
	if hasUnknown(conds) {
		return "", nil, false
	}
	for _, c := range items(conds) {
		if hh := at(c, "hostHeader", "values"); !unknown(hh) {
			for _, h := range items(hh) {
				hostNames = append(hostNames, str(h))
			}
		}
		hdr := at(c, "httpHeader")
		if unknown(hdr) {
			return "", nil, false
		}
		if !strings.EqualFold(str(at(hdr, "httpHeaderName")), "X-Origin-Verify") {
			continue
		}
		vals := at(hdr, "values")
		if unknown(vals) || !vals.IsArray() && !vals.IsNull() {
			return "", nil, false // secret as a whole (offline preview): not judged
		}
		for _, s := range items(vals) {
			if unknown(s) {
				return "", nil, false
			}
			secrets = append(secrets, str(s))
		}
	}
	return strings.Join(hostNames, ","), secrets, true
}
