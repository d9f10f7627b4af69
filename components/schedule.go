package components

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// DefaultCronSchedule runs wp-cron every five minutes.
const DefaultCronSchedule = "rate(5 minutes)"

var (
	rateRe = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronRe = regexp.MustCompile(`^cron\((.*)\)$`)
)

// CheckScheduleExpression accepts an EventBridge schedule expression:
// "rate(N unit)" (unit minute(s), hour(s) or day(s), singular only for 1) or
// "cron(minutes hours day-of-month month day-of-week year)" in UTC, where
// exactly one of day-of-month and day-of-week is "?".
func CheckScheduleExpression(expr string) error {
	if m := rateRe.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 {
			return fmt.Errorf("a rate is a positive whole number, e.g. rate(5 minutes)")
		}
		singular := !strings.HasSuffix(m[2], "s")
		if (n == 1) != singular {
			return fmt.Errorf(`use the singular unit for 1 and the plural otherwise, e.g. "rate(1 hour)", "rate(5 minutes)"`)
		}
		return nil
	}
	if m := cronRe.FindStringSubmatch(expr); m != nil {
		return checkCronFields(m[1])
	}
	return fmt.Errorf(`a schedule is "rate(N minutes|hours|days)" or "cron(min hour day-of-month month day-of-week year)", e.g. "rate(5 minutes)" or "cron(0 3 * * ? *)"`)
}

type cronField struct {
	name     string
	min, max int
	names    []string // symbolic values, index+min is the number
	special  string   // extra characters allowed in this field
}

var cronFields = []cronField{
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

func checkCronFields(body string) error {
	parts := strings.Fields(body)
	if len(parts) != 6 {
		return fmt.Errorf("a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), e.g. cron(0 3 * * ? *); got %d", len(parts))
	}
	for i, f := range cronFields {
		if err := f.check(parts[i]); err != nil {
			return err
		}
	}
	dom, dow := parts[2], parts[4]
	if (dom == "?") == (dow == "?") {
		return fmt.Errorf(`exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 3 * * ? *)`)
	}
	return nil
}

func (f cronField) check(v string) error {
	bad := func() error {
		return fmt.Errorf("cron %s field %q: allowed are %d-%d%s, *, lists (a,b), ranges (a-b) and increments (a/b)%s",
			f.name, v, f.min, f.max, f.namesHint(), f.specialHint())
	}
	if v == "?" {
		if strings.Contains(f.special, "?") {
			return nil
		}
		return bad()
	}
	for _, item := range strings.Split(v, ",") {
		if !f.item(item) {
			return bad()
		}
	}
	return nil
}

func (f cronField) item(item string) bool {
	if item == "" {
		return false
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > f.max {
			return false
		}
	}
	switch {
	case base == "*":
		return true
	case base == "L" && strings.Contains(f.special, "L") && !hasStep:
		return true
	case base == "LW" && strings.Contains(f.special, "W") && !hasStep:
		return true
	}
	if strings.Contains(f.special, "W") && strings.HasSuffix(base, "W") && !hasStep {
		return f.value(strings.TrimSuffix(base, "W"))
	}
	if strings.Contains(f.special, "#") && strings.Contains(base, "#") && !hasStep {
		d, nth, _ := strings.Cut(base, "#")
		n, err := strconv.Atoi(nth)
		return f.value(d) && err == nil && n >= 1 && n <= 5
	}
	if strings.Contains(f.special, "L") && strings.HasSuffix(base, "L") && f.name == "day-of-week" && !hasStep {
		return f.value(strings.TrimSuffix(base, "L"))
	}
	if lo, hi, isRange := strings.Cut(base, "-"); isRange {
		return f.value(lo) && f.value(hi)
	}
	return f.value(base)
}

func (f cronField) value(s string) bool {
	for _, n := range f.names {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= f.min && n <= f.max
}

func (f cronField) namesHint() string {
	if len(f.names) == 0 {
		return ""
	}
	return " or " + f.names[0] + "-" + f.names[len(f.names)-1]
}

func (f cronField) specialHint() string {
	var hints []string
	for _, c := range f.special {
		switch c {
		case '?':
			hints = append(hints, "? (any)")
		case 'L':
			hints = append(hints, "L (last)")
		case 'W':
			hints = append(hints, "W (weekday)")
		case '#':
			hints = append(hints, "# (nth weekday)")
		}
	}
	if len(hints) == 0 {
		return ""
	}
	return ", " + strings.Join(hints, ", ")
}
