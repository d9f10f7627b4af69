package preflight

import (
	"fmt"
)

// cloudfront-quotas: CloudFront distributions and policies stay within
// CloudFront's default quotas.
//
// Per account: at most 20 cache policies (custom ones; managed policies do
// not count). Per distribution: at most 100 alternate domain names and 75
// cache behaviors. Per cache policy: at most 10 cookies, 10 headers and 10
// query strings named, and at most 100 distributions associated with it
// (CloudFront quotas, "General quotas on distributions" and "General quotas
// on policies").
// Not checked offline: policies and distributions that exist in the
// account outside this stack (another stack's cache policies count against
// the same 20), and raised quotas.
func cloudfrontQuotas() Rule {
	const src = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"
	return Rule{
		Name:    "cloudfront-quotas",
		Doc:     "20 cache policies per account (this stack's), 100 aliases and 75 cache behaviors per distribution, 10 cookies/headers/query strings per policy, 100 distributions per policy",
		Sources: []string{src},
		check: func(g *Graph, rep *report) {
			policies := g.Of(typeCachePolicy)
			if len(policies) > 20 {
				rep.add(policies[20], "cachePolicies", len(policies), src, "at most 20 cache policies per account; this stack alone creates %d", len(policies))
			}
			uses := map[string]int{}
			for _, d := range g.Of(typeDistribution) {
				if n := len(items(d.Inputs["aliases"])); n > 100 {
					rep.add(d, "aliases", n, src, "at most 100 alternate domain names per distribution")
				}
				behaviors := items(d.Inputs["orderedCacheBehaviors"])
				if n := len(behaviors) + 1; n > 75 {
					rep.add(d, "orderedCacheBehaviors", n, src, "at most 75 cache behaviors per distribution (the default one included)")
				}
				seen := map[string]bool{}
				for _, b := range append([]any{d.Inputs["defaultCacheBehavior"]}, behaviors...) {
					if id := str(at(b, "cachePolicyId")); id != "" && !seen[id] {
						seen[id] = true
						uses[id]++
					}
				}
			}
			for _, p := range policies {
				params := at(p.Inputs, "parametersInCacheKeyAndForwardedToOrigin")
				for _, k := range []string{"cookiesConfig.cookies.items", "headersConfig.headers.items", "queryStringsConfig.queryStrings.items"} {
					if n := len(items(at(params, k))); n > 10 {
						rep.add(p, "parametersInCacheKeyAndForwardedToOrigin."+k, n, src, "at most 10 per cache policy")
					}
				}
				if n := uses[p.ID]; n > 100 {
					rep.add(p, "distributions", n, src, fmt.Sprintf("at most 100 distributions per cache policy; %d use this one", n))
				}
			}
		},
	}
}
