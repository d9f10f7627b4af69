package components

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Tag keys every resource that accepts tags carries.
const (
	TagEnvironment = "environment"
	TagSite        = "site"
	TagManagedBy   = "managed-by"
	ManagedByValue = "wpfleet"
)

// Tags builds the tag set for an environment (and a site, when site is not
// empty) on top of extra user tags; wpfleet's keys win over user tags.
func Tags(env, site string, extra map[string]string) map[string]string {
	t := make(map[string]string, len(extra)+3)
	for k, v := range extra {
		t[k] = v
	}
	t[TagEnvironment] = env
	t[TagManagedBy] = ManagedByValue
	if site != "" {
		t[TagSite] = site
	}
	return t
}

// withTag returns a copy of tags with one more key.
func withTag(tags map[string]string, k, v string) map[string]string {
	t := make(map[string]string, len(tags)+1)
	for kk, vv := range tags {
		t[kk] = vv
	}
	t[k] = v
	return t
}

func tagInput(tags map[string]string) pulumi.StringMap {
	return pulumi.ToStringMap(tags)
}
