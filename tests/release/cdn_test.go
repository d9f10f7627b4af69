package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCDNInvalidation (issue 11, purge on publish): after a release and after a rollback the
// job invalidates /* on the site's own CloudFront distribution (WPFLEET_CDN_DISTRIBUTIONS),
// never another site's; a failed invalidation is a warning naming the distribution and the
// error, and the release still succeeds.
func TestCDNInvalidation(t *testing.T) {
	f := newFixture(t, "blog", "news")
	f.env["WPFLEET_CDN_DISTRIBUTIONS"] = "blog=E1BLOGDIST news=E2NEWSDIST"
	log := filepath.Join(f.secrets, "cloudfront.log")
	calls := func() string { b, _ := os.ReadFile(log); return string(b) }

	r := f.run("blog", "release", "main")
	if r.code != 0 || calls() != "E1BLOGDIST /*\n" || !strings.Contains(r.stderr, "CloudFront invalidation I2J3K4L5M6N7O8 of /* on distribution E1BLOGDIST") {
		t.Fatalf("release: invalidations %q\n%s", calls(), r)
	}
	f.commit("blog", "2", map[string]string{"two.txt": "2\n"})
	f.release("blog", "main")
	if r := f.run("blog", "rollback", ""); r.code != 0 {
		t.Fatalf("rollback: %s", r)
	}
	if got := calls(); got != strings.Repeat("E1BLOGDIST /*\n", 3) {
		t.Fatalf("after a release, another and a rollback: %q", got)
	}
	// A failed release invalidates nothing.
	f.commit("blog", "bad", map[string]string{"bad": Link + "/etc/passwd"})
	if r := f.run("blog", "release", "main"); r.code != 1 || strings.Count(calls(), "\n") != 3 {
		t.Fatalf("failed release: invalidations %q\n%s", calls(), r)
	}
	f.commit("blog", "fixed", map[string]string{"bad": Deleted})

	// CloudFront refuses: reported, not fatal.
	writeFile(t, filepath.Join(f.secrets, "cloudfront-fail"), "E1BLOGDIST", 0o644)
	r = f.run("blog", "release", "main")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: CloudFront invalidation of /* on distribution E1BLOGDIST failed: An error occurred (AccessDenied)") {
		t.Fatalf("failed invalidation: %s", r)
	}
	f.checkSite("blog")
	// A site without a distribution in the list: nothing to invalidate.
	f.env["WPFLEET_CDN_DISTRIBUTIONS"] = "news=E2NEWSDIST"
	before := calls()
	if r := f.run("blog", "rollback", ""); r.code != 0 || calls() != before {
		t.Fatalf("site without a distribution: %q\n%s", calls(), r)
	}
}
