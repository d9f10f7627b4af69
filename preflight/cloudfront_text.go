package preflight

// cloudfront-text: CloudFront comments, names and descriptions fit the API.
//
// A distribution's comment is at most 128 characters (DistributionConfig
// Comment); a cache policy's comment at most 128 characters and its TTLs
// ordered minTtl <= defaultTtl <= maxTtl (CachePolicyConfig); an origin
// access control's name at most 64 characters and its description at most
// 256 (OriginAccessControlConfig).
func cloudfrontText() Rule {
	const (
		dist = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html"
		cp   = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html"
		oac  = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"
	)
	return Rule{
		Name:    "cloudfront-text",
		Doc:     "CloudFront distribution and cache policy comments 128, cache policy TTL order, OAC names 64 and descriptions 256",
		Sources: []string{dist, cp, oac},
		check: func(g *Graph, rep *report) {
			for _, d := range g.Of(typeDistribution) {
				checkText(rep, d, "comment", d.Inputs["comment"], textSpec{max: 128}, dist)
			}
			for _, p := range g.Of(typeCachePolicy, typeOriginRequestPolicy) {
				checkText(rep, p, "comment", p.Inputs["comment"], textSpec{max: 128}, cp)
				if p.Type != typeCachePolicy {
					continue
				}
				minT, okMin := num(p.Inputs["minTtl"])
				def, okDef := num(p.Inputs["defaultTtl"])
				maxT, okMax := num(p.Inputs["maxTtl"])
				if okMin && okDef && minT > def {
					rep.add(p, "minTtl", minT, cp, "minTtl is at most defaultTtl (%g)", def)
				}
				if okDef && okMax && def > maxT {
					rep.add(p, "defaultTtl", def, cp, "defaultTtl is at most maxTtl (%g)", maxT)
				}
			}
			for _, o := range g.Of(typeOAC) {
				if name, ok := physical(o, "name"); ok {
					checkText(rep, o, "name", name, textSpec{min: 1, max: 64}, oac)
				}
				checkText(rep, o, "description", o.Inputs["description"], textSpec{max: 256}, oac)
			}
		},
	}
}
