package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
)

// exampleValue is a value the shipped stack files, README or examples use
// as a placeholder, which a real deployment must replace.
type exampleValue struct {
	match func(string) bool
	why   string
}

var (
	exampleDomainRe = regexp.MustCompile(`(^|[.@/])example\.(com|jp|net|org)([^a-z0-9-]|$)`)
	exampleOrgRe    = regexp.MustCompile(`(^|github\.com[/:])example-corp(/|$)`)
	exampleUUIDs    = map[string]bool{
		"3f1c2a90-6d4e-4b7a-9c1f-0e5d8b2a7c44": true, // ciCircleciOrgId in Pulumi.prod.yaml
		"7a0e9d12-3b4c-4d5e-8f60-718293a4b5c6": true, // ciCircleciProjectIds
		"0b1c2d3e-4f50-4617-8899-aabbccddeeff": true,
	}
)

// exampleValues are checked in order; a value is reported with the first
// reason that matches.
var exampleValues = []exampleValue{
	{func(v string) bool { return strings.Contains(v, "sre-alerts@example.com") }, "the example alert address"},
	{func(v string) bool { return strings.Contains(v, ":secret:wpfleet/git-readonly-token-Ab12Cd") }, "the example git token secret ARN"},
	{func(v string) bool { return strings.Contains(v, "123456789012") }, "the example AWS account ID 123456789012"},
	{func(v string) bool { return exampleUUIDs[strings.ToLower(v)] }, "an example CircleCI organisation or project ID"},
	{exampleOrgRe.MatchString, "the example GitHub organisation example-corp"},
	{func(v string) bool {
		return v == "Z0123456789ABCDEFGHIJ" || strings.HasPrefix(v, "Z") && strings.Contains(v, "EXAMPLE")
	}, "an example Route 53 hosted zone ID"},
	{exampleDomainRe.MatchString, "an example domain (example.com, example.jp, example.net, example.org)"},
	{documentationNetwork, "a documentation address range (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), not a real network"},
}

// documentationNetwork reports whether v is an address or network inside the
// RFC 5737 documentation ranges (the shipped allow-lists use them).
func documentationNetwork(v string) bool {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		a, err2 := netip.ParseAddr(v)
		if err2 != nil {
			return false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	for _, doc := range []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"} {
		if netip.MustParsePrefix(doc).Overlaps(p) {
			return true
		}
	}
	return false
}

// finding is one example value in the configuration.
type finding struct {
	key, value, why string
}

// exampleFindings returns every shipped example value in a stack's
// configuration, by key (and path inside objects and lists), sorted.
func exampleFindings(config map[string]string) []finding {
	var out []finding
	for key, raw := range config {
		var v any
		if strings.HasPrefix(strings.TrimSpace(raw), "[") || strings.HasPrefix(strings.TrimSpace(raw), "{") {
			if json.Unmarshal([]byte(raw), &v) != nil {
				v = raw
			}
		} else {
			v = raw
		}
		walkStrings(key, v, func(path, s string) {
			for _, e := range exampleValues {
				if e.match(s) {
					out = append(out, finding{key: path, value: s, why: e.why})
					return
				}
			}
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// walkStrings calls f on every string inside v with its path.
func walkStrings(path string, v any, f func(path, s string)) {
	switch x := v.(type) {
	case string:
		f(path, x)
	case []any:
		for i, e := range x {
			walkStrings(fmt.Sprintf("%s[%d]", path, i), e, f)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(path+"."+k, x[k], f)
		}
	}
}

func (f finding) String() string {
	return fmt.Sprintf("%s = %q: %s", f.key, f.value, f.why)
}
