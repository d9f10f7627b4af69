package components

import (
	"fmt"
	"regexp"
	"strings"
)

// Name limits. Physical names are built from the environment and site names,
// so these bound every AWS name the components create; the graph tests check
// each resource type's limit (for example 32 characters for ALB and target
// group names) against the longest names allowed here.
const (
	// MaxEnvironmentNameLength bounds the environment name ("prod", "stg").
	MaxEnvironmentNameLength = 8
	// MaxSiteNameLength bounds a site name: "<env>-<site>" plus Pulumi's
	// 8-character auto-name suffix must fit a 32-character target group name.
	MaxSiteNameLength = 14
	// MaxJobNameLength bounds a batch job name within a site.
	MaxJobNameLength = 20
	// AutonameSuffixLength is what Pulumi appends to a logical name to make a
	// physical one: a hyphen and 7 random characters.
	AutonameSuffixLength = 8
)

var (
	envNameRe  = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	siteNameRe = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)
)

// CheckEnvironmentName accepts 1-8 lowercase letters and digits, starting
// with a letter.
func CheckEnvironmentName(env string) error {
	if len(env) > MaxEnvironmentNameLength || !envNameRe.MatchString(env) {
		return fmt.Errorf("an environment name is 1-%d lowercase letters and digits starting with a letter",
			MaxEnvironmentNameLength)
	}
	return nil
}

// CheckSiteName accepts names usable in every AWS name derived from them:
// 1-14 characters of lowercase letters, digits and single hyphens, starting
// with a letter and not ending with a hyphen.
func CheckSiteName(site string) error {
	return checkDNSLabel(site, MaxSiteNameLength, "a site name")
}

// CheckJobName applies the site-name rules to a batch job name, with a limit
// of 20 characters.
func CheckJobName(job string) error {
	return checkDNSLabel(job, MaxJobNameLength, "a job name")
}

func checkDNSLabel(s string, max int, what string) error {
	if len(s) == 0 || len(s) > max || !siteNameRe.MatchString(s) || strings.Contains(s, "--") {
		return fmt.Errorf("%s is 1-%d characters of lowercase letters, digits and single hyphens, "+
			"starting with a letter and not ending with a hyphen", what, max)
	}
	return nil
}

var hostnameLabelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckHostname accepts a fully qualified lowercase DNS name without a
// trailing dot and without wildcards.
func CheckHostname(h string) error {
	allowed := fmt.Errorf("a hostname is a lowercase DNS name such as www.example.com " +
		"(no wildcard, no trailing dot, at most 253 characters)")
	if len(h) == 0 || len(h) > 253 || strings.HasSuffix(h, ".") {
		return allowed
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return allowed
	}
	for _, l := range labels {
		if !hostnameLabelRe.MatchString(l) {
			return allowed
		}
	}
	return nil
}
