package runtime

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// poolChecks: two sites served from one task, each with its own code,
// settings, secrets, Unix user and release; neither site's PHP can read the
// other's settings file, talk FastCGI to the other's pool, or see its own
// secrets in its environment; nginx picks the site by Host, refuses
// unknown hosts and /wp-cron.php from outside the task, and logs the site.
func poolChecks(t *testing.T, tk *task, a, b string) {
	t.Run("each site its own code, settings and user", func(t *testing.T) {
		for i, s := range []string{a, b} {
			resp, err := wpstack.Do("GET", tk.pool.Home(s)+"/", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || !strings.Contains(resp.Body, "wpfleet "+tk.mode+" "+s) || resp.Header.Get("X-Test-Release") != tk.releases[s] {
				t.Errorf("site %s: %d release %q, want its title and release %s", s, resp.StatusCode, resp.Header.Get("X-Test-Release"), tk.releases[s])
			}
			p := probeSite(t, tk.pool, s, "", nil)
			if p.Site != s || p.UID != contract.SiteUID(i) || p.Home != tk.pool.Home(s) || !strings.Contains(p.Abspath, "/"+s+"/releases/") {
				t.Errorf("site %s's PHP: site %q uid %d home %q abspath %q, want uid %d", s, p.Site, p.UID, p.Home, p.Abspath, contract.SiteUID(i))
			}
			if len(p.Leaks) > 0 {
				t.Errorf("site %s: secrets in the environment: %v", s, p.Leaks)
			}
		}
	})
	t.Run("a site's PHP cannot reach the other site's secrets", func(t *testing.T) {
		sock := filepath.Join(tk.pool.SocketDir, b+".sock")
		p := probeSite(t, tk.pool, a, "?other="+b+"&socket="+sock+"&reset=1", nil)
		if p.Other.SettingsRead || !p.Other.OwnSettingsRead {
			t.Errorf("site %s read %s's settings: %v (own: %v)", a, b, p.Other.SettingsRead, p.Other.OwnSettingsRead)
		}
		if p.Other.SocketConnected {
			t.Errorf("site %s's PHP connected to %s's php-fpm socket", a, b)
		}
		if p.Other.OPcacheReset {
			t.Errorf("site %s's PHP reset the OPcache every site shares", a)
		}
		// Nor reach php-fpm's platform pool, which wpfleet-opcache (root) asks.
		if p := probeSite(t, tk.pool, a, "?socket="+filepath.Join(tk.pool.RunDir, "platform.sock"), nil); p.Other.SocketConnected {
			t.Errorf("site %s's PHP connected to the platform pool's socket", a)
		}
		// Whatever runs as site a's user (its PHP without open_basedir, a
		// cron event, a shell it spawns): no read of b's file, no
		// connection to b's pool (which would run any PHP as b), and the
		// health pool runs no PHP even when asked with PHP_ADMIN_VALUE.
		uid := strconv.Itoa(contract.SiteUID(0))
		code := `$f = @file_get_contents($argv[1]); echo $f === false ? "read:denied\n" : "read:OK\n";
$c = @stream_socket_client("unix://" . $argv[2], $no, $err, 2); echo $c === false ? "socket:denied $err\n" : "socket:OK\n";`
		out, err := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", env.bins.PHP, "-n", "-r", code,
			filepath.Join(tk.pool.RunDir, "sites", b, "settings.json"), sock).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "read:denied") || !strings.Contains(string(out), "socket:denied") {
			t.Errorf("as site %s's user (uid %s): %v\n%s", a, uid, err, out)
		}
		health := fcgiAsUser(t, uid, tk.pool.FPMHealth, "SCRIPT_FILENAME="+filepath.Join(tk.pool.Opts.CodeRoot(), b, "current/index.php"),
			"PHP_ADMIN_VALUE=open_basedir=/")
		if !strings.Contains(health, "Access to the script") || strings.Contains(health, "<html") {
			t.Errorf("the health pool ran a PHP file for site %s's user: %.400s", a, health)
		}
	})
	t.Run("each site its own release", func(t *testing.T) {
		before := tk.releases[a]
		id := tk.publishSite(t, b)
		err := wpstack.WaitFor(tk.pool.Sync, 20*time.Second, "site "+b+"'s new release", func() error {
			resp, err := wpstack.Do("GET", tk.pool.Home(b)+"/", nil, nil)
			if err != nil || resp.Header.Get("X-Test-Release") != id {
				return fmt.Errorf("not yet: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tk.releases[b] = id
		if resp, err := wpstack.Do("GET", tk.pool.Home(a)+"/", nil, nil); err != nil || resp.Header.Get("X-Test-Release") != before {
			t.Errorf("site %s changed release with %s's: %v %q", a, b, err, resp.Header.Get("X-Test-Release"))
		}
	})
	t.Run("uploads: the platform's S3-Uploads, once, without ACL", func(t *testing.T) { checkUploadsPlugin(t, tk, a, b) })
	t.Run("hosts, health, wp-cron.php and the access log", func(t *testing.T) {
		resp, err := wpstack.Do("GET", tk.pool.URL+"/", map[string]string{"Host": "unknown.example.com"}, nil)
		if err != nil || resp.StatusCode != 421 {
			t.Errorf("unknown host: %v %+v, want 421", err, resp)
		}
		for _, host := range []string{"unknown.example.com", "10.0.1.23:8080"} {
			if resp, err := wpstack.Do("GET", tk.pool.URL+"/healthz", map[string]string{"Host": host}, nil); err != nil || resp.StatusCode != 200 {
				t.Errorf("/healthz with Host %s: %v %+v", host, err, resp)
			}
		}
		// From outside the task (any peer but the loopback address itself,
		// whatever X-Forwarded-For claims): refused. From inside: served.
		outside := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
			return d.DialContext(ctx, network, "127.0.0.1:"+strconv.Itoa(tk.pool.Port))
		}}}
		req, _ := http.NewRequest("GET", tk.pool.Home(a)+"/wp-cron.php", nil)
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		if r, err := outside.Do(req); err != nil || r.StatusCode != 403 {
			t.Errorf("/wp-cron.php from outside the task: %v %v, want 403", err, r)
		} else {
			r.Body.Close()
		}
		if resp, err := wpstack.Do("GET", tk.pool.Home(a)+"/wp-cron.php", nil, nil); err != nil || resp.StatusCode != 200 {
			t.Errorf("/wp-cron.php from inside the task: %v %+v, want 200", err, resp)
		}
		// XML-RPC is off unless the site enables it (WPFLEET_SITE_<S>_XMLRPC).
		if resp, err := wpstack.Do("POST", tk.pool.Home(a)+"/xmlrpc.php", map[string]string{"Content-Type": "text/xml"},
			strings.NewReader(`<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName></methodCall>`)); err != nil || resp.StatusCode != 403 || strings.Contains(resp.Body, "pingback") {
			t.Errorf("xmlrpc.php with XML-RPC off: %v %+v, want 403", err, resp)
		}
		entries, err := tk.pool.AccessLog()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Site] = true
			if e.Site == "-" && e.Status != 421 && e.URI != "/healthz" {
				t.Errorf("a request of no site answered %d: %+v", e.Status, e)
			}
		}
		if !seen[a] || !seen[b] || !seen["-"] {
			t.Errorf("access log sites seen: %v, want %s, %s and -", seen, a, b)
		}
	})
}

// fcgiAsUser sends one FastCGI request to addr as uid (cgi-fcgi under
// setpriv) with only the given parameters, and returns the answer.
func fcgiAsUser(t *testing.T, uid, addr string, params ...string) string {
	t.Helper()
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + uid, "--regid=" + uid, "--clear-groups", "env", "-i", "REQUEST_METHOD=GET"},
		append(params, env.bins.CgiFcgi, "-bind", "-connect", addr)...)...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// checkUploadsPlugin: the platform loads the image's S3-Uploads (here its
// stand-in, wpstack.S3UploadsStandIn) for every site with a bucket, with
// keys under wp-content/uploads/, URLs on the site's hostname, the region
// and the task role's credentials, and no ACL on PutObject; a copy the
// repository activates as a regular plugin is left out (one copy runs, no
// fatal), and a copy a repository must-use plugin loads first is kept and
// the image's is not loaded.
func checkUploadsPlugin(t *testing.T, tk *task, a, b string) {
	p := probeSite(t, tk.pool, a, "", nil)
	bucket := tk.pool.Env[contract.SiteEnv(a, contract.SiteBucket)]
	if p.S3 == nil || p.S3.Copy != "platform" || p.S3.Inits != 1 || p.S3.Autoloads != 1 {
		t.Fatalf("site %s: S3-Uploads %+v (WPFLEET_S3_UPLOADS %v), want the platform's copy, loaded once", a, p.S3, p.WPFleetS3Uploads)
	}
	if p.S3.Bucket != bucket+"/wp-content" || p.S3.BucketURL != tk.pool.Home(a)+"/wp-content" || p.S3.Region != "ap-northeast-1" || !p.S3.InstanceProfile || p.S3.ObjectACL != nil {
		t.Errorf("S3-Uploads settings: %+v", p.S3)
	}
	if slices.Contains(p.S3.PutParams, "ACL") || !slices.Contains(p.S3.PutParams, "Key") {
		t.Errorf("PutObject parameters after the platform's filter: %v, want no ACL", p.S3.PutParams)
	}
	plugin := wpstack.S3UploadsStandIn("repository-plugin")["plugin/s3-uploads.php"]
	mu := wpstack.S3UploadsStandIn("repository-mu")["plugin/s3-uploads.php"]
	for _, c := range []struct {
		name     string
		files    map[string]string
		activate string
		copy     string
		loadedBy string
	}{
		{"repository activates its own copy as a plugin", map[string]string{"wp-content/plugins/s3-uploads/s3-uploads.php": plugin}, "s3-uploads/s3-uploads.php", "platform", "platform"},
		{"repository loads its own copy as a must-use plugin", map[string]string{
			"wp-content/mu-plugins/s3-uploads/s3-uploads.php": mu,
			"wp-content/mu-plugins/load-s3-uploads.php":       "<?php\nrequire __DIR__ . '/s3-uploads/s3-uploads.php';\n",
		}, "", "repository-mu", "repository"},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := wpstack.NewReleaseID()
			dir := filepath.Join(tk.backing, b)
			if _, err := wpstack.BuildWordPressTreeWith(env.bins, dir, id, c.files); err != nil {
				t.Fatal(err)
			}
			if err := wpstack.Publish(env.bins, dir, id); err != nil {
				t.Fatal(err)
			}
			tk.releases[b] = id
			err := wpstack.WaitFor(tk.pool.Sync, 20*time.Second, "site "+b+"'s release "+id, func() error {
				if resp, err := wpstack.Do("GET", tk.pool.Home(b)+"/", nil, nil); err != nil || resp.Header.Get("X-Test-Release") != id {
					return os.ErrNotExist
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			q := ""
			if c.activate != "" {
				q = "?activate=" + c.activate
			}
			probeSite(t, tk.pool, b, q, nil)
			p := probeSite(t, tk.pool, b, "", nil)
			if p.S3 == nil || p.S3.Copy != c.copy || p.S3.Inits != 1 || p.WPFleetS3Uploads == nil || *p.WPFleetS3Uploads != c.loadedBy {
				t.Errorf("S3-Uploads %+v, WPFLEET_S3_UPLOADS %v; want copy %q loaded once (%s)", p.S3, p.WPFleetS3Uploads, c.copy, c.loadedBy)
			}
			if c.copy != "platform" && p.S3 != nil && p.S3.Autoloads != 0 {
				t.Errorf("the image's copy was loaded beside the repository's: %+v", p.S3)
			}
			if p.S3 != nil && slices.Contains(p.S3.PutParams, "ACL") {
				t.Errorf("PutObject keeps its ACL with the repository's copy: %v", p.S3.PutParams)
			}
			probeSite(t, tk.pool, b, "?activate=", nil)
		})
	}
}
