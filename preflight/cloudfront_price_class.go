package preflight

// cloudfront-price-class: distributions use one of CloudFront's price
// classes (PriceClass_100, PriceClass_200, PriceClass_All).
func cloudfrontPriceClass() Rule {
	set := loadSet("cloudfront-price-classes")
	return Rule{
		Name:    "cloudfront-price-class",
		Doc:     "distribution priceClass is PriceClass_100, PriceClass_200 or PriceClass_All (" + set.file + ")",
		Sources: set.sources,
		check: func(g *Graph, rep *report) {
			for _, d := range g.Of(typeDistribution) {
				if p, ok := text(d.Inputs["priceClass"]); ok && p != "" && !set.has(p) {
					rep.add(d, "priceClass", p, set.source(), "%s", set.refusal("price class "+p))
				}
			}
		},
	}
}
