package job

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func settings(t *testing.T, extra map[string]string) Settings {
	t.Helper()
	v := map[string]string{"WPFLEET_SITES": "blog news", "WPFLEET_SITES_ROOT": t.TempDir(),
		"REPO_URL_TEMPLATE": "https://github.com/acme/wp-{site}.git", "DB_HOST": "db.example.com",
		"DB_MASTER_SECRET_ARN": "arn:master", "SITE_SECRET_PREFIX": "wpfleet/test/", "DB_TLS": "off"}
	for k, x := range extra {
		v[k] = x
	}
	return Settings{vals: v}
}

func TestLoadConfig(t *testing.T) {
	base := map[string]string{"RELEASE_PATH": "blog", "BRANCH": "main"}
	c, err := LoadConfig(settings(t, map[string]string{"WPFLEET_CDN_DISTRIBUTIONS": "blog=E1ABC news=E2DEF"}), env(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Action != "release" || c.Keep != 5 || c.RepoURL != "https://github.com/acme/wp-blog.git" || c.CDN["blog"] != "E1ABC" ||
		c.HookTimeout != 900*time.Second || c.DB.Port != 3306 || c.DB.Timeout != 600*time.Second {
		t.Fatalf("config %+v", c)
	}
	for _, tc := range []struct {
		env      map[string]string
		settings map[string]string
		want     string
	}{
		{map[string]string{"RELEASE_PATH": "Blog", "BRANCH": "main"}, nil, "RELEASE_PATH (4 characters) is not a site name"},
		{map[string]string{"RELEASE_PATH": "other", "BRANCH": "main"}, nil, "not one of WPFLEET_SITES"},
		{map[string]string{"RELEASE_PATH": "blog", "BRANCH": `{"password":"s3cret"}`}, nil, "BRANCH (21 characters) is not a branch"},
		{map[string]string{"RELEASE_PATH": "blog", "BRANCH": "main", "ACTION": "s3cret"}, nil, "ACTION (6 characters)"},
		{base, map[string]string{"KEEP_RELEASES": "0"}, "KEEP_RELEASES"},
		{base, map[string]string{"DB_HOST": "localhost"}, "DB_HOST"},
		{base, map[string]string{"DB_HOST": "10.0.0.5"}, "must be a host name"},
		{base, map[string]string{"WPFLEET_CDN_DISTRIBUTIONS": "blog"}, "WPFLEET_CDN_DISTRIBUTIONS"},
		{base, map[string]string{"REPO_URL_TEMPLATE": "http://evil.example/{site}"}, "not allowed"},
		{base, map[string]string{"REPO_URL_BLOG": "https://user:tok@github.com/x.git"}, "https://***@github.com/x.git"},
		{base, map[string]string{"DB_TLS": "on", "DB_TLS_CA": "/nonexistent"}, "DB_TLS_CA"},
	} {
		_, err := LoadConfig(settings(t, tc.settings), env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("LoadConfig(%v, %v) = %v, want an error with %q and no value of BRANCH/ACTION", tc.env, tc.settings, err, tc.want)
		}
	}
}

// With a settings file, the environment's settings are ignored (a build started with other
// values changes nothing but RELEASE_PATH, BRANCH and ACTION), drills included.
func TestSettingsFileWins(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "settings.json")
	body := fmt.Sprintf(`{"WPFLEET_SITES":"blog","WPFLEET_SITES_ROOT":%q,"REPO_URL_TEMPLATE":"https://github.com/acme/wp-{site}.git",
		"DB_HOST":"db.example.com","DB_MASTER_SECRET_ARN":"arn:master","SITE_SECRET_PREFIX":"p/","DB_TLS":"off"}`, dir)
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DB_HOST", "attacker.example")
	t.Setenv("REPO_URL_BLOG", "https://attacker.example/x.git")
	t.Setenv("WPFLEET_FAULT_STOP_AT", "locked")
	s, err := LoadSettings(f)
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(s, env(map[string]string{"RELEASE_PATH": "blog", "BRANCH": "main"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.Host != "db.example.com" || c.RepoURL != "https://github.com/acme/wp-blog.git" || c.FaultStop != "" {
		t.Fatalf("environment overrode the settings file: %+v", c)
	}
}

func TestPruneList(t *testing.T) {
	// Ids whose text order is not their order in time (one second; a clock set back).
	a, b, c, d := "20260101T000000Z-ffffffffffff", "20260101T000000Z-000000000000", "20250101T000000Z-aaaaaaaaaaaa", "20260101T000001Z-bbbbbbbbbbbb"
	history := []string{a, b, c, d}
	got := pruneList([]string{a, b, c, d}, history, d, c, 2)
	if strings.Join(got, " ") != strings.Join([]string{b, a}, " ") {
		t.Fatalf("pruneList = %v, want %v (keep the last two switched to: %s, %s)", got, []string{b, a}, d, c)
	}
	// After a rollback to a the live one is a; the one before it (d) stays too.
	history = append(history, a)
	got = pruneList([]string{a, b, c, d}, history, a, d, 1)
	if strings.Join(got, " ") != c+" "+b {
		t.Fatalf("after rollback: %v", got)
	}
	// Never switched to (killed after publishing): older than everything switched to.
	e := "20990101T000000Z-eeeeeeeeeeee"
	got = pruneList([]string{a, b, e}, []string{a, b}, b, a, 2)
	if strings.Join(got, " ") != e {
		t.Fatalf("unswitched release: %v", got)
	}
}

func TestPreviousID(t *testing.T) {
	h := []string{"x1", "x2", "x3", "x2"}
	exists := func(id string) bool { return id != "x3" }
	if got := previousID(h, "x2", exists); got != "x1" {
		t.Fatalf("previousID = %q, want x1 (x3 is gone)", got)
	}
	if got := previousID([]string{"x1"}, "x1", exists); got != "" {
		t.Fatalf("previousID with nothing earlier = %q", got)
	}
}

func TestPublicAddr(t *testing.T) {
	for _, s := range []string{"169.254.170.2", "169.254.169.254", "127.0.0.1", "10.0.1.5", "172.31.0.2", "192.168.1.1",
		"100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "224.0.0.1"} {
		if publicAddr(netip.MustParseAddr(s).Unmap()) {
			t.Errorf("publicAddr(%s) = true", s)
		}
	}
	for _, s := range []string{"140.82.112.3", "151.101.1.69", "2606:4700::6810:84e5"} {
		if !publicAddr(netip.MustParseAddr(s)) {
			t.Errorf("publicAddr(%s) = false", s)
		}
	}
}

// The proxy forwards CONNECT to allowed addresses and refuses the rest (other methods, other
// ports, names resolving to a special address even once).
func TestProxy(t *testing.T) {
	upstream, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	go func() {
		for {
			c, err := upstream.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	port := upstream.Addr().(*net.TCPAddr).Port
	var mu sync.Mutex
	var logs []string
	p := &proxy{
		allow: func(a netip.Addr) bool { return a.String() == "192.0.2.10" },
		logf: func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			logs = append(logs, fmt.Sprintf(f, a...))
		},
		resolve: func(_ context.Context, h string) ([]netip.Addr, error) {
			switch h {
			case "public.example":
				return []netip.Addr{netip.MustParseAddr("192.0.2.10")}, nil
			case "rebind.example":
				return []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("169.254.169.254")}, nil
			}
			return nil, fmt.Errorf("no such host")
		},
		dial: func(ctx context.Context, addr string) (net.Conn, error) {
			if addr != "192.0.2.10:443" {
				return nil, fmt.Errorf("dialed %s", addr)
			}
			return net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		},
	}
	ask := func(req string) string {
		c1, c2 := net.Pipe()
		go p.handle(c2)
		defer c1.Close()
		_ = c1.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprint(c1, req)
		r := bufio.NewReader(c1)
		status, _ := r.ReadString('\n')
		if strings.Contains(status, " 200 ") {
			_, _ = r.ReadString('\n') // blank line
			fmt.Fprint(c1, "ping\n")
			echo, _ := r.ReadString('\n')
			return strings.TrimSpace(status) + " / " + strings.TrimSpace(echo)
		}
		return strings.TrimSpace(status)
	}
	if got := ask("CONNECT public.example:443 HTTP/1.1\r\nHost: public.example:443\r\n\r\n"); got != "HTTP/1.1 200 Connection established / ping" {
		t.Fatalf("allowed CONNECT: %q", got)
	}
	for req, want := range map[string]string{
		"CONNECT rebind.example:443 HTTP/1.1\r\nHost: rebind.example:443\r\n\r\n":   "403",
		"CONNECT 169.254.170.2:80 HTTP/1.1\r\nHost: 169.254.170.2:80\r\n\r\n":       "403",
		"CONNECT public.example:3306 HTTP/1.1\r\nHost: public.example:3306\r\n\r\n": "403",
		"GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n":  "405",
	} {
		if got := ask(req); !strings.Contains(got, want) {
			t.Errorf("%q: %q, want %s", strings.SplitN(req, "\r", 2)[0], got, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) < 4 {
		t.Fatalf("refusals not logged: %v", logs)
	}
}

func TestCredentialAllowed(t *testing.T) {
	const remote = "https://github.com/acme/wp-blog.git"
	ok := map[string]string{"protocol": "https", "host": "github.com", "path": "acme/wp-blog.git"}
	if err := credentialAllowed(remote, ok); err != nil {
		t.Fatal(err)
	}
	for _, req := range []map[string]string{
		{"protocol": "https", "host": "attacker.example", "path": "acme/wp-blog.git"},
		{"protocol": "https", "host": "github.com", "path": "acme/wp-other.git"},
		{"protocol": "https", "host": "github.com"}, // no path: useHttpPath not in effect
		{"protocol": "http", "host": "github.com", "path": "acme/wp-blog.git"},
		{"protocol": "https", "host": "github.com:8443", "path": "acme/wp-blog.git"},
	} {
		if err := credentialAllowed(remote, req); err == nil {
			t.Errorf("credentialAllowed(%v) = nil", req)
		}
	}
}

func TestBwrapArgs(t *testing.T) {
	a := strings.Join(bwrapArgs(sandboxRun{dir: "/efs/site/.wpfleet/tmp/x", writable: true}, "/opt/w/wpfleet-release", "/tmp/net", nil, true), " ")
	for _, want := range []string{"--unshare-user", "--unshare-pid", "--unshare-net", "--uid 82", "--die-with-parent",
		"--new-session", "--cap-drop ALL", "--disable-userns", "--ro-bind /usr /usr", "--tmpfs /tmp",
		"--bind /efs/site/.wpfleet/tmp/x /build", "--chdir /build", "--ro-bind /opt/w/wpfleet-release /run/wpfleet/init"} {
		if !strings.Contains(a, want) {
			t.Errorf("bwrap args lack %q:\n%s", want, a)
		}
	}
	for _, never := range []string{"--share-net", "/efs/site --", "/mnt", "--bind / "} {
		if strings.Contains(a, never) {
			t.Errorf("bwrap args have %q:\n%s", never, a)
		}
	}
	r := strings.Join(bwrapArgs(sandboxRun{dir: "/efs/site/releases/x"}, "/w", "/n", nil, false), " ")
	if !strings.Contains(r, "--ro-bind /efs/site/releases/x /release") || strings.Contains(r, "--bind /efs") {
		t.Fatalf("upgrade sandbox must see the release read-only:\n%s", r)
	}
}

// A base release whose file was edited in place (it is newer than the manifest, or writable)
// is not linked from: the edit would spread into the new release.
func TestLinkTreeRefusesEditedBase(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "index.php"), []byte("a"), 0o444); err != nil {
		t.Fatal(err)
	}
	sealed := time.Now().Add(time.Minute)
	if err := linkTree(src, filepath.Join(t.TempDir(), "ok"), sealed); err != nil {
		t.Fatalf("untouched base: %v", err)
	}
	if err := linkTree(src, filepath.Join(t.TempDir(), "edited"), time.Now().Add(-time.Hour)); err == nil || !strings.Contains(err.Error(), "changed after it was published") {
		t.Fatalf("edited base: %v", err)
	}
	if err := os.Chmod(filepath.Join(src, "index.php"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := linkTree(src, filepath.Join(t.TempDir(), "writable"), sealed); err == nil {
		t.Fatal("writable file in the base was linked")
	}
}

func TestAttributesChanged(t *testing.T) {
	if p := attributesChanged([]change{{"M", "a.php"}, {"A", "sub/.gitattributes"}}); p != "sub/.gitattributes" {
		t.Fatalf("%q", p)
	}
	if p := attributesChanged([]change{{"M", "gitattributes.txt"}}); p != "" {
		t.Fatalf("%q", p)
	}
}
