package preflight

import (
	"regexp"
	"strconv"
	"strings"
)

// eventbridge-rules: EventBridge rules and targets fit PutRule/PutTargets.
//
// A rule name is 1-64 characters of letters, digits and . - _ (auto-names
// included); a description at most 512 characters; an event pattern at
// most 4,096 characters; a schedule expression is rate(N unit) with a
// positive N and minute(s), hour(s) or day(s) (singular for 1), or cron()
// with six fields where exactly one of day-of-month and day-of-week is "?"
// (scheduled rules). A rule has at most 5 targets (quota); a target id is
// 1-64 characters of the rule-name set; an input transformer has at most
// 100 input paths and a template of at most 8,192 characters.
func eventbridgeRules() Rule {
	const (
		putRule   = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"
		target    = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html"
		transform = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html"
		schedule  = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html"
		quotaTgts = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
		nameDesc  = "characters of letters, digits and . - _"
	)
	nameSpec := textSpec{min: 1, max: 64, allowed: ebNameRe, describe: nameDesc}
	return Rule{
		Name:    "eventbridge-rules",
		Doc:     "EventBridge rule names 1-64 [.-_A-Za-z0-9], valid rate()/cron() schedules, 5 targets per rule, target ids, input transformer limits",
		Sources: []string{putRule, target, transform, schedule, quotaTgts},
		check: func(g *Graph, rep *report) {
			targets := map[string]int{}
			for _, t := range g.Of(typeEventTarget) {
				if rule, ok := text(t.Inputs["rule"]); ok {
					targets[rule]++
				}
				if id, ok := physical(t, "targetId"); ok {
					checkText(rep, t, "targetId", id, nameSpec, target)
				}
				if paths := asMap(at(t.Inputs["inputTransformer"], "inputPaths")); len(paths) > 100 {
					rep.add(t, "inputTransformer.inputPaths", len(paths), transform, "at most 100 input paths")
				}
				checkText(rep, t, "inputTransformer.inputTemplate", at(t.Inputs["inputTransformer"], "inputTemplate"), textSpec{max: 8192}, transform)
				checkText(rep, t, "input", t.Inputs["input"], textSpec{max: 8192}, target)
			}
			for _, r := range g.Of(typeEventRule) {
				name, ok := physical(r, "name")
				if ok {
					checkText(rep, r, "name", name, nameSpec, putRule)
					if n := targets[name]; n > 5 {
						rep.add(r, "targets", n, quotaTgts, "a rule has at most 5 targets; rule %s has %d", name, n)
					}
				}
				checkText(rep, r, "description", r.Inputs["description"], textSpec{max: 512}, putRule)
				checkText(rep, r, "eventPattern", r.Inputs["eventPattern"], textSpec{max: 4096}, putRule)
				if expr, ok := text(r.Inputs["scheduleExpression"]); ok {
					if p := scheduleProblem(expr); p != "" {
						rep.add(r, "scheduleExpression", expr, schedule, "%s", p)
					}
				}
			}
		},
	}
}

var (
	ebNameRe = regexp.MustCompile(`^[.\-_A-Za-z0-9]*$`)
	rateRe   = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronRe   = regexp.MustCompile(`^cron\(([^)]*)\)$`)
)

// scheduleProblem says what is wrong with an EventBridge schedule expression.
func scheduleProblem(expr string) string {
	if m := rateRe.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch {
		case n < 1:
			return "a rate is a positive number"
		case n == 1 && strings.HasSuffix(m[2], "s"):
			return "rate(1 ...) takes the singular unit (minute, hour, day)"
		case n > 1 && !strings.HasSuffix(m[2], "s"):
			return "a rate above 1 takes the plural unit (minutes, hours, days)"
		}
		return ""
	}
	if m := cronRe.FindStringSubmatch(expr); m != nil {
		f := strings.Fields(m[1])
		if len(f) != 6 {
			return "a cron expression has six fields: minutes hours day-of-month month day-of-week year"
		}
		if (f[2] == "?") == (f[4] == "?") {
			return "exactly one of day-of-month and day-of-week is ? in a cron expression"
		}
		return ""
	}
	return "a schedule is rate(value unit) or cron(fields)"
}
