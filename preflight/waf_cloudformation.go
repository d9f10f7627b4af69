package preflight

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/wpfleet/wpfleet/mocks"
)

// waf-cloudformation: a CloudFormation stack (and the WAFv2 web ACL it
// holds) fits CreateStack and CreateWebACL.
//
// A stack name is 1-128 characters, a letter then letters, digits and
// hyphens; a template body at most 51,200 bytes (CreateStack). A WAFv2
// web ACL (AWS::WAFv2::WebACL in a template, or aws:wafv2/webAcl) has a
// name of 1-128 characters of letters, digits, _ and -; a scope of
// CLOUDFRONT or REGIONAL, and CLOUDFRONT only in us-east-1; a default
// action; a visibility config whose metric name is 1-255 characters of
// letters, digits and _ # : . - / ; rules with distinct priorities, each
// with a name and a visibility config (CreateWebACL, VisibilityConfig).
// Not checked offline: YAML templates (only JSON bodies are read), and
// whether managed rule groups named in the ACL exist.
func wafCloudFormation() Rule {
	const (
		stack = "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html"
		acl   = "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html"
		vis   = "https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html"
	)
	return Rule{
		Name:    "waf-cloudformation",
		Doc:     "CloudFormation stack names and template size; WAFv2 web ACL names, scope (CLOUDFRONT in us-east-1), default action, metric names, rule priorities",
		Sources: []string{stack, acl, vis},
		check: func(g *Graph, rep *report) {
			for _, s := range g.Of(typeCFNStack) {
				if name, ok := physical(s, "name"); ok {
					checkText(rep, s, "name", name, textSpec{min: 1, max: 128, allowed: stackNameRe, describe: "characters: a letter, then letters, digits and hyphens"}, stack)
				}
				body, ok := text(s.Inputs["templateBody"])
				if !ok {
					continue
				}
				checkText(rep, s, "templateBody", body, textSpec{min: 1, max: 51200, bytes: true}, stack)
				var tmpl map[string]any
				if json.Unmarshal([]byte(body), &tmpl) != nil {
					continue
				}
				res := asMap(tmpl["Resources"])
				for _, id := range sortedKeys(res) {
					if str(at(res[id], "Type")) == "AWS::WAFv2::WebACL" {
						checkWebACL(rep, s, "templateBody.Resources."+id+".Properties.", asMap(at(res[id], "Properties")), g.RegionOf(s), acl, vis, true)
					}
				}
			}
			for _, w := range g.Of(typeWAFWebACL) {
				checkWebACL(rep, w, "", w.Inputs, g.RegionOf(w), acl, vis, false)
			}
		},
	}
}

var (
	stackNameRe  = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	wafNameRe    = regexp.MustCompile(`^[\w\-]+$`)
	wafMetricRe  = regexp.MustCompile(`^[\w#:.\-/]+$`)
	wafUpperKeys = map[bool][5]string{
		true:  {"Name", "Scope", "DefaultAction", "VisibilityConfig", "Rules"},
		false: {"name", "scope", "defaultAction", "visibilityConfig", "rules"},
	}
)

// checkWebACL checks a web ACL's properties; cfn selects CloudFormation's
// capitalised keys or pulumi-aws's camel-case ones.
func checkWebACL(rep *report, r *mocks.Resource, prefix string, p map[string]any, region, acl, vis string, cfn bool) {
	k := wafUpperKeys[cfn]
	metric := "metricName"
	priority := "priority"
	if cfn {
		metric, priority = "MetricName", "Priority"
	}
	name, _ := physical(r, "name")
	if cfn {
		name = str(p[k[0]])
	}
	if name != "" && (!wafNameRe.MatchString(name) || len(name) > 128) {
		rep.add(r, prefix+k[0], name, acl, "a web ACL name is 1-128 letters, digits, _ and -")
	}
	scope := str(p[k[1]])
	switch {
	case scope != "CLOUDFRONT" && scope != "REGIONAL":
		rep.add(r, prefix+k[1], scope, acl, "a web ACL scope is CLOUDFRONT or REGIONAL")
	case scope == "CLOUDFRONT" && region != "us-east-1":
		rep.add(r, prefix+k[1], scope, acl, "a CLOUDFRONT web ACL is created in us-east-1; this one would be created in %s", region)
	}
	if p[k[2]] == nil {
		rep.add(r, prefix+k[2], nil, acl, "a web ACL needs a default action (Allow or Block)")
	}
	checkWAFMetric(rep, r, prefix+k[3]+"."+metric, at(p[k[3]], metric), vis)
	prios := map[float64]int{}
	for i, rule := range items(p[k[4]]) {
		field := fmt.Sprintf("%s%s[%d]", prefix, k[4], i)
		if n, ok := num(at(rule, priority)); ok {
			if j, dup := prios[n]; dup {
				rep.add(r, field+"."+priority, n, acl, "rule priorities are distinct; rule %d has it too", j)
			}
			prios[n] = i
		}
		checkWAFMetric(rep, r, field+"."+k[3]+"."+metric, at(rule, k[3]+"."+metric), vis)
	}
}

func checkWAFMetric(rep *report, r *mocks.Resource, field string, v any, src string) {
	s, ok := text(v)
	if !ok || s == "" || !wafMetricRe.MatchString(s) || len(s) > 255 {
		rep.add(r, field, v, src, "a metric name is 1-255 letters, digits and _ # : . - /")
	}
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
