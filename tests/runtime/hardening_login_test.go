package runtime

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

const throttleMessage = "Too many failed login attempts"

// post sends a form (or an XML body) to the site on pool as client, the
// address the trusted proxy forwards, over https as CloudFront and the ALB
// see it.
func (h *hardened) post(t *testing.T, pool *wpstack.Pool, client, path, contentType, body string, hdr map[string]string) *wpstack.Response {
	t.Helper()
	all := map[string]string{"Content-Type": contentType, "X-Forwarded-Proto": "https", "X-Forwarded-For": client}
	for k, v := range hdr {
		all[k] = v
	}
	resp, err := wpstack.Do("POST", pool.Home(hardenSite)+path, all, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// login posts wp-login.php's form.
func (h *hardened) login(t *testing.T, pool *wpstack.Pool, client, user, pass string) *wpstack.Response {
	t.Helper()
	form := url.Values{"log": {user}, "pwd": {pass}, "wp-submit": {"Log In"}, "redirect_to": {"/wp-admin/"}}
	return h.post(t, pool, client, "/wp-login.php", "application/x-www-form-urlencoded", form.Encode(), nil)
}

// cookies is the Cookie header for the cookies a response set, and whether
// they log in.
func cookies(r *wpstack.Response) (string, bool) {
	var c []string
	in := false
	for _, sc := range r.Header.Values("Set-Cookie") {
		nv, _, _ := strings.Cut(sc, ";")
		c = append(c, nv)
		in = in || (strings.HasPrefix(nv, "wordpress_logged_in_") && !strings.HasSuffix(nv, "="))
	}
	return strings.Join(c, "; "), in
}

var loginErrorRE = regexp.MustCompile(`(?s)<div id="login_error">(.*?)</div>`)

func loginError(r *wpstack.Response) string {
	if m := loginErrorRE.FindStringSubmatch(r.Body); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

func checkEnumeration(t *testing.T, h *hardened) {
	for _, p := range []string{"/?rest_route=/wp/v2/users", "/?rest_route=/wp/v2/users/1", "/?rest_route=/wp/v2/Users",
		"/?rest_route=/wp/v2/users/1&context=embed", "/?rest_route=/wp/v2/users&_method=GET", "/wp-json/wp/v2/users"} {
		resp, err := wpstack.Do("GET", h.home()+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 401 || strings.Contains(resp.Body, `"slug":"admin"`) {
			t.Errorf("GET %s: %d %.200q, want 401 without users", p, resp.StatusCode, resp.Body)
		}
	}
	if resp, err := wpstack.Do("GET", h.home()+"/?rest_route=/wp/v2/posts&_embed=author", nil, nil); err != nil || resp.StatusCode != 200 || strings.Contains(resp.Body, `"slug":"admin"`) {
		t.Errorf("posts with the author embedded: %v %+v, want no author's slug", err, resp)
	}
	if resp, err := wpstack.Do("GET", h.home()+"/?author=1", nil, nil); err != nil || resp.StatusCode != 404 || strings.Contains(resp.Header.Get("Location"), "/author/") {
		t.Errorf("/?author=1: %v %+v, want 404", err, resp)
	}
	// The users sitemap (sitemaps are on for a public site).
	if _, err := env.db.SQL("UPDATE `" + h.site.DBName + "`.wp_options SET option_value = '1' WHERE option_name = 'blog_public'"); err != nil {
		t.Fatal(err)
	}
	if resp, err := wpstack.Do("GET", h.home()+"/wp-sitemap.xml", nil, nil); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, "wp-sitemap-posts-") || strings.Contains(resp.Body, "wp-sitemap-users-") {
		t.Errorf("sitemap index: %v %+v, want posts and no users", err, resp)
	}
	if resp, err := wpstack.Do("GET", h.home()+"/wp-sitemap-users-1.xml", nil, nil); err != nil || strings.Contains(resp.Body, "<urlset") || strings.Contains(resp.Body, "/author/") {
		t.Errorf("users sitemap: %v %+v", err, resp)
	}
	// Lost password: a known and an unknown user are answered alike.
	for _, u := range []string{"nosuchuser", "nobody@example.com", "admin", "admin@example.com"} {
		r := h.post(t, h.pool, "198.51.100.30", "/wp-login.php?action=lostpassword", "application/x-www-form-urlencoded",
			url.Values{"user_login": {u}, "wp-submit": {"Get New Password"}}.Encode(), nil)
		if r.StatusCode != 302 || !strings.Contains(r.Header.Get("Location"), "checkemail=confirm") {
			t.Errorf("lost password for %q: %d Location %q %q, want the redirect to checkemail=confirm", u, r.StatusCode, r.Header.Get("Location"), loginError(r))
		}
	}
	// A logged-in user (the block editor) still lists users and reaches
	// author archives.
	login := h.login(t, h.pool, "198.51.100.31", "admin", h.adminPass)
	c, in := cookies(login)
	if !in {
		t.Fatalf("admin login: %d %q", login.StatusCode, loginError(login))
	}
	as := map[string]string{"Cookie": c, "X-Forwarded-Proto": "https"}
	nonce, err := wpstack.Do("GET", h.home()+"/wp-admin/admin-ajax.php?action=rest-nonce", as, nil)
	if err != nil || nonce.StatusCode != 200 {
		t.Fatalf("rest nonce: %v %+v", err, nonce)
	}
	if resp, err := wpstack.Do("GET", h.home()+"/?rest_route=/wp/v2/users&_wpnonce="+strings.TrimSpace(nonce.Body), as, nil); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"slug":"admin"`) {
		t.Errorf("users for a logged-in admin: %v %+v", err, resp)
	}
	if resp, err := wpstack.Do("GET", h.home()+"/?author=1", as, nil); err != nil || resp.StatusCode != 301 || !strings.HasSuffix(resp.Header.Get("Location"), "/author/admin/") {
		t.Errorf("/?author=1 for a logged-in user: %v %+v, want the redirect to the archive", err, resp)
	}
}

func checkLoginError(t *testing.T, h *hardened) {
	wrong := "wrong-" + randomSecret(t)
	var first, firstUser string
	for _, u := range []string{"admin", "nosuchuser", "admin@example.com", "nobody@example.com"} {
		r := h.login(t, h.pool, "198.51.100.40", u, wrong)
		if _, in := cookies(r); in || r.StatusCode != 200 || loginError(r) == "" {
			t.Fatalf("login %q with a wrong password: %d %q", u, r.StatusCode, loginError(r))
		}
		// The page, with the name the visitor typed in put aside.
		page := strings.ReplaceAll(r.Body, `value="`+html.EscapeString(u)+`"`, `value="LOGIN"`)
		if first == "" {
			first, firstUser = page, u
			continue
		}
		if page != first {
			t.Errorf("login page for %q differs from the one for %q: error %q, want %q", u, firstUser, loginError(r), loginError(&wpstack.Response{Body: first}))
		}
	}
}

func checkThrottle(t *testing.T, h *hardened) {
	wrong := "wrong-" + randomSecret(t)
	a, b := "198.51.100.77", "198.51.100.78"
	for i := range 10 {
		r := h.login(t, h.pool, a, "admin", wrong)
		if _, in := cookies(r); in || strings.Contains(r.Body, throttleMessage) {
			t.Fatalf("failure %d of %s: logged in %v, throttled already: %q", i+1, a, in, loginError(r))
		}
	}
	for _, pool := range []*wpstack.Pool{h.pool, h.pool2} {
		r := h.login(t, pool, a, "admin", h.adminPass)
		if _, in := cookies(r); in || !strings.Contains(r.Body, throttleMessage) {
			t.Errorf("right password from %s after 10 failures (task %s): logged in %v, %q; want refused", a, pool.Dir, in, loginError(r))
		}
	}
	if r := h.login(t, h.pool2, b, "admin", h.adminPass); !loggedIn(r) {
		t.Errorf("another address (%s) is refused: %q", b, loginError(r))
	}
	// IPv6: one subscriber's /64 is one client.
	for range 10 {
		h.login(t, h.pool, "2001:db8:5:6::1", "nosuchuser", wrong)
	}
	if r := h.login(t, h.pool2, "2001:db8:5:6::ffff", "admin", h.adminPass); loggedIn(r) || !strings.Contains(r.Body, throttleMessage) {
		t.Errorf("2001:db8:5:6::ffff after 10 failures of 2001:db8:5:6::1: %q, want refused", loginError(r))
	}
	if r := h.login(t, h.pool, "2001:db8:5:7::1", "admin", h.adminPass); !loggedIn(r) {
		t.Errorf("another /64 is refused: %q", loginError(r))
	}
	// The window ends (moved back by its length instead of waiting).
	if _, err := env.db.SQL(fmt.Sprintf("UPDATE `%s`.wp_wpfleet_login_failures SET window_start = window_start - 900 WHERE client = '%s'", h.site.DBName, a)); err != nil {
		t.Fatal(err)
	}
	if r := h.login(t, h.pool, a, "admin", h.adminPass); !loggedIn(r) {
		t.Errorf("%s after its window ended: %q, want logged in", a, loginError(r))
	}
	out, _ := env.db.SQL(fmt.Sprintf("SELECT client, failures FROM `%s`.wp_wpfleet_login_failures ORDER BY client", h.site.DBName))
	t.Logf("throttle table:\n%s", out)
}

func loggedIn(r *wpstack.Response) bool {
	_, in := cookies(r)
	return in
}

func xmlrpcCall(method string, params ...string) string {
	var p strings.Builder
	for _, v := range params {
		p.WriteString("<param><value><string>" + html.EscapeString(v) + "</string></value></param>")
	}
	return `<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params>` + p.String() + `</params></methodCall>`
}

var faultRE = regexp.MustCompile(`(?s)<name>faultString</name>\s*<value><string>(.*?)</string>`)

func checkXMLRPC(t *testing.T, h *hardened) {
	call := func(client, body string) *wpstack.Response {
		return h.post(t, h.pool, client, "/xmlrpc.php", "text/xml", body, nil)
	}
	list := xmlrpcCall("system.listMethods")
	if r := call("198.51.100.50", list); r.StatusCode != 403 || strings.Contains(r.Body, "pingback") {
		t.Errorf("XML-RPC off: %d %.200q, want 403", r.StatusCode, r.Body)
	}
	// Nothing advertises it: no RSD link, no pingback URL or header.
	for _, p := range []string{"/", "/?p=1"} {
		resp, err := wpstack.Do("GET", h.home()+p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(resp.Body, "xmlrpc.php") || resp.Header.Get("X-Pingback") != "" {
			t.Errorf("GET %s advertises XML-RPC: X-Pingback %q, body mentions xmlrpc.php: %v", p, resp.Header.Get("X-Pingback"), strings.Contains(resp.Body, "xmlrpc.php"))
		}
	}
	xmlrpcVar := contract.SiteEnv(hardenSite, contract.SiteXMLRPC)
	if out, err := h.pool.RewriteSettings(hardenSite, map[string]string{xmlrpcVar: "true"}); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	defer func() {
		if out, err := h.pool.RewriteSettings(hardenSite, map[string]string{xmlrpcVar: ""}); err != nil {
			t.Fatalf("%v %s", err, out)
		}
		if r := call("198.51.100.50", list); r.StatusCode != 403 {
			t.Errorf("XML-RPC off again: %d", r.StatusCode)
		}
	}()
	if r := call("198.51.100.50", list); r.StatusCode != 200 || !strings.Contains(r.Body, "wp.getUsersBlogs") || strings.Contains(r.Body, "pingback.") {
		t.Errorf("XML-RPC on: %d %.300q, want the API without pingbacks", r.StatusCode, r.Body)
	}
	if r := call("198.51.100.51", xmlrpcCall("wp.getUsersBlogs", "admin", h.adminPass)); !strings.Contains(r.Body, "isAdmin") {
		t.Errorf("wp.getUsersBlogs with the right password: %.300q", r.Body)
	}
	// One fault for a wrong user or password; each failure counts, and a
	// throttled client is refused with the right password too.
	c := "198.51.100.52"
	var faults []string
	for i := range 10 {
		u := []string{"admin", "nosuchuser"}[i%2]
		r := call(c, xmlrpcCall("wp.getUsersBlogs", u, "wrong"))
		m := faultRE.FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("wrong password over XML-RPC: %.300q", r.Body)
		}
		faults = append(faults, m[1])
	}
	if faults[0] != faults[1] {
		t.Errorf("XML-RPC faults for a wrong password and a wrong user differ: %q, %q", faults[0], faults[1])
	}
	if r := call(c, xmlrpcCall("wp.getUsersBlogs", "admin", h.adminPass)); strings.Contains(r.Body, "isAdmin") {
		t.Errorf("XML-RPC from %s after 10 failures answered the right password", c)
	}
	if r := h.login(t, h.pool2, c, "admin", h.adminPass); loggedIn(r) || !strings.Contains(r.Body, throttleMessage) {
		t.Errorf("wp-login.php from %s after 10 XML-RPC failures: %q, want refused", c, loginError(r))
	}
}
