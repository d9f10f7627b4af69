package preflight

// log-retention-values: log group retention is one of the periods
// CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653 days);
// PutRetentionPolicy refuses any other number.
func logRetentionValues() Rule {
	set := loadSet("log-retention-days")
	return Rule{
		Name:    "log-retention-values",
		Doc:     "log group retentionInDays is one of CloudWatch Logs' periods (" + set.file + ")",
		Sources: set.sources,
		check: func(g *Graph, rep *report) {
			for _, lg := range g.Of(typeLogGroup) {
				v, ok := lg.Inputs["retentionInDays"]
				if !ok || v == nil {
					continue
				}
				n, isNum := num(v)
				if isNum && n == 0 {
					continue // 0: never expire
				}
				if !isNum || !set.has(showNumber(n)) {
					rep.add(lg, "retentionInDays", v, set.source(), "%s", set.refusal("a retention of "+showNumber(n)+" days"))
				}
			}
		},
	}
}

func showNumber(f float64) string {
	if f == float64(int64(f)) {
		return itoa(int64(f))
	}
	return ftoa(f)
}
