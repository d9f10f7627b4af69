package cost

import (
	"fmt"
	"strconv"
	"strings"
)

// RunsPerMonth is how many times an EventBridge schedule expression fires in
// an average month: rate(value unit) or cron(minutes hours day-of-month month
// day-of-week year) as the EventBridge user guide defines them (one of
// day-of-month and day-of-week is "?"; L, W and # pick one day a month).
func RunsPerMonth(expr string) (float64, error) {
	expr = strings.TrimSpace(expr)
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return rateRuns(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return cronRuns(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	case strings.HasPrefix(expr, "at("):
		return 0, nil // one-time schedule: nothing recurring
	}
	return 0, fmt.Errorf("schedule %q: want rate(...) or cron(...)", expr)
}

func rateRuns(body string) (float64, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return 0, fmt.Errorf("rate(%s): want rate(value unit)", body)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("rate(%s): value must be a positive integer", body)
	}
	per := map[string]float64{"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
	s, ok := per[f[1]]
	if !ok {
		return 0, fmt.Errorf("rate(%s): unit must be minute(s), hour(s) or day(s)", body)
	}
	return SecondsPerMonth / (s * float64(n)), nil
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func cronRuns(body string) (float64, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return 0, fmt.Errorf("cron(%s): want 6 fields (minutes hours day-of-month month day-of-week year)", body)
	}
	mins, err := fieldCount(f[0], 0, 59, nil)
	if err != nil {
		return 0, fmt.Errorf("cron(%s) minutes: %w", body, err)
	}
	hours, err := fieldCount(f[1], 0, 23, nil)
	if err != nil {
		return 0, fmt.Errorf("cron(%s) hours: %w", body, err)
	}
	months, err := fieldCount(f[3], 1, 12, monthNames)
	if err != nil {
		return 0, fmt.Errorf("cron(%s) month: %w", body, err)
	}
	days, err := cronDays(f[2], f[4])
	if err != nil {
		return 0, fmt.Errorf("cron(%s): %w", body, err)
	}
	return float64(mins*hours) * days * float64(months) / 12, nil
}

// cronDays is the days a month a cron's day-of-month and day-of-week pick.
func cronDays(dom, dow string) (float64, error) {
	if (dom == "?") == (dow == "?") {
		return 0, fmt.Errorf("exactly one of day-of-month (%s) and day-of-week (%s) must be ?", dom, dow)
	}
	if dow == "?" {
		if strings.ContainsAny(dom, "LW") {
			return float64(len(strings.Split(dom, ","))), nil
		}
		n, err := fieldCount(dom, 1, 31, nil)
		if err != nil {
			return 0, fmt.Errorf("day-of-month: %w", err)
		}
		if dom == "*" {
			return DaysPerMonth, nil
		}
		return float64(n), nil
	}
	if strings.ContainsAny(dow, "#L") {
		return float64(len(strings.Split(dow, ","))), nil
	}
	n, err := fieldCount(dow, 1, 7, dayNames)
	if err != nil {
		return 0, fmt.Errorf("day-of-week: %w", err)
	}
	return float64(n) * DaysPerMonth / 7, nil
}

// fieldCount counts the distinct values a cron field selects in [lo, hi].
func fieldCount(field string, lo, hi int, names map[string]int) (int, error) {
	seen := map[int]bool{}
	for _, item := range strings.Split(field, ",") {
		start, end, step := lo, hi, 1
		rng := item
		if r, s, ok := strings.Cut(item, "/"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("bad step in %q", item)
			}
			step, rng = n, r
		}
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			x, err := cronValue(a, names)
			if err != nil {
				return 0, err
			}
			start, end = x, x
			if isRange {
				if end, err = cronValue(b, names); err != nil {
					return 0, err
				}
			} else if step > 1 || strings.Contains(item, "/") {
				end = hi
			}
		}
		if start < lo || end > hi || start > end {
			return 0, fmt.Errorf("%q is outside %d-%d", item, lo, hi)
		}
		for v := start; v <= end; v += step {
			seen[v] = true
		}
	}
	return len(seen), nil
}

func cronValue(s string, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}
