package runtime

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// frontPageAssets returns the front page's stylesheet and script URLs by
// path (without the query) and the release that answered.
func frontPageAssets(t *testing.T, home string) (map[string]string, string) {
	t.Helper()
	resp, err := wpstack.Do("GET", home+"/", nil, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("front page: %v %+v", err, resp)
	}
	if p, c := resp.Header.Get("X-Wpfleet-Release"), resp.Header.Get("X-Test-Release"); p != c {
		t.Errorf("the platform says release %q (X-Wpfleet-Release), the release's code says %q", p, c)
	}
	out := map[string]string{}
	for _, m := range assetRE.FindAllStringSubmatch(resp.Body, -1) {
		u := strings.ReplaceAll(m[1], "&#038;", "&")
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		out[p.Path] = u
	}
	return out, resp.Header.Get("X-Test-Release")
}

// checkAssetVersions: a release that changes a stylesheet changes its URL;
// a stylesheet (the test's own, and WordPress's) that the release does not
// change keeps its URL; both are versioned by content (?ver=<16 hex>) and
// sent with a year's lifetime, and the new URL serves the new content.
func checkAssetVersions(t *testing.T, tk *task) {
	before, rel := frontPageAssets(t, tk.home())
	changed, unchanged := "/"+wpstack.ChangedCSS, "/"+wpstack.UnchangedCSS
	core := "/wp-includes/blocks/navigation/style.min.css"
	for _, p := range []string{changed, unchanged, core} {
		if before[p] == "" {
			t.Fatalf("front page of release %s does not link %s: %v", rel, p, before)
		}
	}
	id := tk.publishSite(t, tk.site)
	err := wpstack.WaitFor(nil, 20*time.Second, "release "+id, func() error {
		if _, r := frontPageAssets(t, tk.home()); r != id {
			return fmt.Errorf("still %s", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tk.releases[tk.site] = id
	after, _ := frontPageAssets(t, tk.home())
	if after[changed] == before[changed] {
		t.Errorf("%s changed with release %s but its URL did not: %s", changed, id, after[changed])
	}
	for _, p := range []string{unchanged, core} {
		if after[p] != before[p] {
			t.Errorf("%s is the same in both releases but its URL changed: %s -> %s", p, before[p], after[p])
		}
	}
	for path, u := range after {
		ver := ""
		if p, err := url.Parse(u); err == nil {
			ver = p.Query().Get("ver")
		}
		a, err := wpstack.Do("GET", u, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ver) != 16 || strings.Trim(ver, "0123456789abcdef") != "" || a.StatusCode != 200 || !strings.Contains(a.Header.Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("%s: ver %q, HTTP %d, Cache-Control %q; want a content version and a year", u, ver, a.StatusCode, a.Header.Get("Cache-Control"))
		}
		if path == changed && !strings.Contains(a.Body, id) {
			t.Errorf("%s serves %q, not release %s's file", u, a.Body, id)
		}
	}
	// Static files without the platform's version may change under the same
	// URL with a release: a short lifetime.
	a, err := wpstack.Do("GET", tk.home()+changed, nil, nil)
	if err != nil || !strings.Contains(a.Header.Get("Cache-Control"), "max-age=600") {
		t.Errorf("%s without a version: %v Cache-Control %q, want ten minutes", changed, err, a.Header.Get("Cache-Control"))
	}
	// Each file is hashed once per release: the versions are kept in the
	// site's temp directory.
	if m, _ := filepath.Glob("/tmp/wpfleet/" + tk.site + "/wpfleet-assets-" + id + ".json"); len(m) != 1 {
		t.Errorf("no versions file of release %s in the site's temp directory", id)
	}
}
