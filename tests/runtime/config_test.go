package runtime

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// TestMisconfiguredSite: a pool of two sites where one site's secret did
// not arrive and its home is malformed. That site serves no page (503, a log
// line naming what is missing, never a value) while the other site of the
// same pool is served; /healthz answers; WP-CLI for the broken site fails
// with the same message; DB_TLS=false against a TLS-only database cannot
// connect, DB_TLS=true can.
func TestMisconfiguredSite(t *testing.T) {
	need(t)
	dir := filepath.Join(env.tmp, "misconfigured")
	backing := filepath.Join(dir, "efs-backing")
	for _, s := range []string{"good", "broken"} {
		id := wpstack.NewReleaseID()
		if _, err := wpstack.BuildWordPressTree(env.bins, filepath.Join(backing, s), id); err != nil {
			t.Fatal(err)
		}
		if err := wpstack.Publish(env.bins, filepath.Join(backing, s), id); err != nil {
			t.Fatal(err)
		}
	}
	good := newPoolSite(t, "good")
	broken := wpstack.PoolSite{Name: "broken", DBName: "wp_broken", DBUser: "wpu_broken_user", DBPass: "unused-password", Salts: wpstack.Salts(),
		Env: map[string]string{contract.SiteDBSecret: "", contract.SiteHome: "ftp://broken.test"}}
	pool, err := wpstack.StartPool(env.bins, env.repo, filepath.Join(dir, "task"), wpstack.PoolOptions{
		Mode: wpstack.ModeEFS, EFS: backing, DB: env.db, Sites: []wpstack.PoolSite{good, broken},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Stop)

	for _, path := range []string{"/", "/wp-login.php", "/wp-admin/", wpstack.EnvProbePath} {
		resp, err := wpstack.Do("GET", "http://broken.test:"+fmt.Sprint(pool.Port)+path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 503 || !strings.Contains(resp.Body, "configuration is incomplete") || strings.Contains(resp.Body, "<html") {
			t.Errorf("GET %s with a missing secret: %d %.300s, want 503 and no page", path, resp.StatusCode, resp.Body)
		}
		for _, v := range []string{broken.DBUser, broken.Salts["AUTH_KEY"]} {
			if strings.Contains(resp.Body, v) {
				t.Errorf("GET %s shows a secret value", path)
			}
		}
	}
	// The pool's other site is served: its database is empty, so WordPress
	// sends the visitor to its installer.
	if resp, err := wpstack.Do("GET", pool.Home("good")+"/", nil, nil); err != nil || resp.StatusCode != 302 || !strings.HasSuffix(resp.Header.Get("Location"), "/wp-admin/install.php") {
		t.Errorf("the pool's good site beside a broken one: %v %+v", err, resp)
	}
	log, _ := os.ReadFile(pool.FPM.Log)
	for _, want := range []string{"WPFLEET_SITE_BROKEN_DB_SECRET is not set (ECS secret)", "WPFLEET_SITE_BROKEN_HOME must be an http:// or https:// URL", "wpfleet: site broken configuration is incomplete"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("php log does not say %q:\n%s", want, pool.FPM.Tail(3000))
		}
	}
	if strings.Contains(string(log), "site good configuration is incomplete") {
		t.Error("the good site was reported incomplete")
	}
	if strings.Contains(string(log), broken.Salts["AUTH_KEY"]) || strings.Contains(string(log), broken.DBUser) {
		t.Error("php log holds a secret value")
	}
	code, body, err := wpstack.Get(pool.URL+"/healthz", nil)
	if err != nil || code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz beside a broken site: %d %q %v", code, body, err)
	}
	out, err := pool.WP("broken", "cron", "event", "run", "--due-now")
	if err == nil || !strings.Contains(out, "WPFLEET_SITE_BROKEN_DB_SECRET is not set") {
		t.Errorf("wp for the broken site: err %v, output:\n%s", err, out)
	}

	// Right credentials, but DB_TLS=false against a server that requires TLS.
	if out, err := pool.RewriteSettings("good", map[string]string{contract.EnvDBTLS: "false"}); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	out, _ = pool.WP("good", "cron", "event", "run", "--due-now")
	if !strings.Contains(out, "Error establishing a database connection") {
		t.Errorf("DB_TLS=false against a TLS-only server connected anyway:\n%s", out)
	}
	if out, err := pool.RewriteSettings("good", nil); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	out, _ = pool.WP("good", "cron", "event", "run", "--due-now")
	if strings.Contains(out, "Error establishing a database connection") {
		t.Errorf("DB_TLS=true could not connect:\n%s", out)
	}
}

// TestImageFiles checks the image definitions against the files the tests
// run: everything the Dockerfiles copy exists, the scripts are
// shellcheck-clean, the entrypoints refuse bad settings with clear messages,
// and the stop timeouts fit inside ECS's stopTimeout.
func TestImageFiles(t *testing.T) {
	repo, err := wpstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	copyRE := regexp.MustCompile(`^COPY\s+(?:--chmod=\S+\s+)?(.+)\s+\S+$`)
	for _, df := range []string{"image/nginx/Dockerfile", "image/php/Dockerfile"} {
		f, err := os.Open(filepath.Join(repo, df))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			m := copyRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
			if m == nil || strings.Contains(m[0], "--from=") {
				continue
			}
			for _, src := range strings.Fields(m[1]) {
				if _, err := os.Stat(filepath.Join(repo, src)); err != nil {
					t.Errorf("%s copies %s: %v", df, src, err)
				}
			}
		}
		f.Close()
	}

	scripts := []string{"image/nginx/wpfleet-nginx-entrypoint", "image/php/wpfleet-php-entrypoint", "image/php/php-fpm-healthcheck", "image/php/wp", "image/php/wpfleet-ca-bundle", "bench/run-runtime.sh"}
	if php, err := exec.LookPath("php"); err == nil {
		for _, f := range []string{"image/php/wp-config.php", "image/php/wpfleet-platform.php", "image/php/wpfleet-site-settings", "image/php/wpfleet-cron", "image/php/wpfleet-assets.php", "image/php/wpfleet-opcache", "image/php/wpfleet-opcache-api.php"} {
			if out, err := exec.Command(php, "-l", filepath.Join(repo, f)).CombinedOutput(); err != nil {
				t.Errorf("php -l %s: %v\n%s", f, err, out)
			}
		}
	}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		for _, s := range scripts {
			if out, err := exec.Command(sc, "-x", filepath.Join(repo, s)).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %v\n%s", s, err, out)
			}
		}
	} else if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
		t.Error("shellcheck (Debian package shellcheck) is missing")
	}

	bins, _ := wpstack.FindBinaries()
	sh := bins.Shell
	run := func(script string, vars ...string) (string, error) {
		cmd := exec.Command(sh[0], append(sh[1:], append([]string{filepath.Join(repo, script)}, vars[len(vars)-1:]...)...)...)
		cmd.Env = append(wpstack.BaseEnv(), vars[:len(vars)-1]...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// Pool sizes from the task size (documented in image/README.md): one
	// site gets every worker; several share them equally; a task too small
	// for one worker per site is refused.
	for _, c := range []struct {
		mem, cpu, mode, sites string
		want                  int
	}{{"512", "256", "local", "a", 2}, {"1024", "512", "local", "a", 4}, {"2048", "1024", "local", "a", 8}, {"4096", "2048", "efs", "a", 16},
		{"8192", "4096", "local", "a", 32}, {"2048", "1024", "local", "a b", 4}, {"4096", "2048", "local", "a b c", 5}, {"1024", "512", "efs", "a b c d e", 1}} {
		out, err := run("image/php/wpfleet-php-entrypoint", "WPFLEET_SITES="+c.sites, "WPFLEET_TASK_MEMORY_MIB="+c.mem, "WPFLEET_TASK_CPU="+c.cpu, "WPFLEET_CODE_DELIVERY="+c.mode, "--print-env")
		if err != nil || !strings.Contains(out, fmt.Sprintf("WPFLEET_FPM_MAX_CHILDREN=%d\n", c.want)) {
			t.Errorf("%s MiB / %s CPU / %s / sites %q: %v %s, want %d workers per site", c.mem, c.cpu, c.mode, c.sites, err, out, c.want)
		}
	}
	// The OPcache grows with the sites (32 MiB + 48 per site, interned
	// strings and the hash table inside it), and the memory left to the
	// workers leaves it out, with the sync container's reservation in local
	// mode (the task definition's memoryReservation, internal/contract).
	reserved := map[string]int{}
	for _, c := range []struct {
		mode, sites, extra string
		opcache, interned  int
	}{{"local", "a", "", 80, 12}, {"efs", "a", "", 80, 12}, {"local", "a b c", "", 176, 20}, {"local", "a b", contract.EnvOPcacheSiteMiB + "=100", 232, 16}} {
		vars := []string{"WPFLEET_SITES=" + c.sites, "WPFLEET_CODE_DELIVERY=" + c.mode, c.extra, "--print-env"}
		out, err := run("image/php/wpfleet-php-entrypoint", vars...)
		want := fmt.Sprintf("opcache.memory_consumption=%d\nopcache.interned_strings_buffer=%d\n", c.opcache, c.interned)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("OPcache for %s mode, sites %q %s: %v %s, want %q", c.mode, c.sites, c.extra, err, out, want)
		}
		if m := regexp.MustCompile(`reserved MiB=(\d+)`).FindStringSubmatch(out); m != nil && c.sites == "a" {
			reserved[c.mode], _ = strconv.Atoi(m[1])
		}
	}
	// The smallest task memory SitePool accepts for N sites
	// (contract.MinTaskMemoryMiB) is the smallest the entrypoint starts
	// with, and it reserves what contract.PHPReservedMiB says.
	for _, mode := range []string{"local", "efs"} {
		for _, n := range []int{2, 3, 11, 25} {
			var names []string
			for i := range n {
				names = append(names, fmt.Sprintf("s%d", i))
			}
			local := mode == "local"
			min := contract.MinTaskMemoryMiB(n, local)
			for _, mem := range []int{min, min - 1} {
				out, err := run("image/php/wpfleet-php-entrypoint", "WPFLEET_SITES="+strings.Join(names, " "), fmt.Sprintf("WPFLEET_TASK_MEMORY_MIB=%d", mem),
					"WPFLEET_TASK_CPU=4096", "WPFLEET_CODE_DELIVERY="+mode, "--print-env")
				if (err == nil) != (mem == min) {
					t.Errorf("%d sites, %s mode, %d MiB (contract.MinTaskMemoryMiB: %d): entrypoint %v\n%s", n, mode, mem, min, err, out)
				}
				m := regexp.MustCompile(`reserved MiB=(\d+)`).FindStringSubmatch(out)
				if err == nil && (m == nil || m[1] != strconv.Itoa(contract.PHPReservedMiB(n, local))) {
					t.Errorf("%d sites, %s mode: the entrypoint reserves %v MiB, contract.PHPReservedMiB %d", n, mode, m, contract.PHPReservedMiB(n, local))
				}
			}
		}
	}
	if got := reserved["local"] - reserved["efs"]; got != contract.SyncMemoryReservationMiB {
		t.Errorf("the php entrypoint reserves %d MiB for the sync agent in local mode, the task definition %d MiB (contract.SyncMemoryReservationMiB)", got, contract.SyncMemoryReservationMiB)
	}
	for _, c := range []struct{ script, bad, want string }{
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_TASK_MEMORY_MIB=lots", "WPFLEET_TASK_MEMORY_MIB=lots must be a whole number"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_CODE_DELIVERY=nfs", "WPFLEET_CODE_DELIVERY=nfs must be local or efs"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_REQUEST_TIMEOUT_SECONDS=0", "must be between 1 and 3600"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=", "WPFLEET_SITES is empty"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=a Bad", `site name "Bad"`},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=a a", `names site "a" twice`},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=a b c d e f g h i j", "10 sites need one each at least: give the task 1520 MiB or more"},
		{"image/nginx/wpfleet-nginx-entrypoint", "WPFLEET_CODE_ROOT=", "WPFLEET_CODE_ROOT is not set"},
		{"image/php/wp", "WPFLEET_SITES=", "WPFLEET_SITES is not set"},
		{"image/php/wp", "WPFLEET_SITES=a b", "WPFLEET_SITE is not set: which site? one of: a b"},
	} {
		arg := "--print-env"
		if !strings.HasSuffix(c.script, "php-entrypoint") {
			arg = "--version"
		}
		vars := []string{"WPFLEET_SITES=a", c.bad, arg}
		out, err := run(c.script, vars...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%s with %s: %v %q, want a failure saying %q", c.script, c.bad, err, out, c.want)
		}
	}
	// wpfleet-opcache names what it could not reach.
	if php, err := exec.LookPath("php"); err == nil {
		for args, want := range map[string]string{"status": "cannot connect to php-fpm's platform pool at /nonexistent/platform.sock", "frobnicate": `unknown command "frobnicate"`} {
			cmd := exec.Command(php, filepath.Join(repo, "image/php/wpfleet-opcache"), args)
			cmd.Env = append(wpstack.BaseEnv(), "WPFLEET_RUN_DIR=/nonexistent")
			if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), want) {
				t.Errorf("wpfleet-opcache %s: %v %s, want %q", args, err, out, want)
			}
		}
	}
	// A batch job runs for one site only.
	if out, err := run("image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=a b", "WPFLEET_CODE_ROOT=/nonexistent", "true"); err == nil || !strings.Contains(out, "a batch job runs for one site") {
		t.Errorf("a job with two sites: %v %q", err, out)
	}
	if bins.Nginx == "" || bins.Envsubst == "" {
		if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
			t.Fatal("nginx or envsubst missing")
		}
		t.Skip("nginx or envsubst missing: rendering checks skipped")
	}
	// The rendered configuration for several request timeouts: nginx waits
	// for PHP a little longer than PHP runs, and both stop within ECS's
	// stopTimeout (request timeout + 15 s).
	for _, timeout := range []int{10, 30, 120} {
		runDir := t.TempDir()
		vars := []string{"WPFLEET_SITES=news b-2", "WPFLEET_SITE_NEWS_HOSTNAMES=news.example.com  www.news.example.com", "WPFLEET_SITE_B_2_HOSTNAMES=*.b.example.org",
			"WPFLEET_CODE_ROOT=/var/www/wpfleet", "WPFLEET_NGINX_RUN_DIR=" + runDir, "WPFLEET_NGINX_TEMPLATE_DIR=" + filepath.Join(repo, "image/nginx"),
			"WPFLEET_NGINX_BIN=" + bins.Nginx, "WPFLEET_NGINX_USER=" + wpstack.NginxWorkerUser,
			fmt.Sprintf("WPFLEET_REQUEST_TIMEOUT_SECONDS=%d", timeout), "WPFLEET_REAL_IP_FROM=10.0.0.0/16 2600:1f18:abcd::/56", "--render-only"}
		if out, err := run("image/nginx/wpfleet-nginx-entrypoint", vars...); err != nil {
			t.Fatalf("render (nginx -t) with timeout %d: %v\n%s", timeout, err, out)
		}
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join(runDir, name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		for file, wants := range map[string][]string{
			"nginx.conf":      {fmt.Sprintf("worker_shutdown_timeout %ds;", timeout+10), "listen 8080 default_server;", "fastcgi_pass 127.0.0.1:9000;", "return 421;", `"site":"$wpfleet_site"`},
			"fastcgi.conf":    {fmt.Sprintf("fastcgi_read_timeout %ds;", timeout+5)},
			"sites/news.conf": {"server_name news.example.com www.news.example.com;", "root /var/www/wpfleet/news/current;", "fastcgi_pass unix:/run/wpfleet-fpm/news.sock;", "location = /wp-cron.php"},
			"sites/b-2.conf":  {"server_name *.b.example.org;", "root /var/www/wpfleet/b-2/current;", "fastcgi_pass unix:/run/wpfleet-fpm/b-2.sock;"},
			"sites.map.conf":  {`"news.example.com" "news";`, `"*.b.example.org" "b-2";`, `default "-";`},
		} {
			conf := read(file)
			for _, want := range wants {
				if !strings.Contains(conf, want) {
					t.Errorf("rendered %s (timeout %d) lacks %q", file, timeout, want)
				}
			}
			if strings.Contains(conf, "${WPFLEET_") {
				t.Errorf("rendered %s has unreplaced variables", file)
			}
		}
		if realip := read("realip.conf"); realip != "set_real_ip_from 10.0.0.0/16;\nset_real_ip_from 2600:1f18:abcd::/56;\n" {
			t.Errorf("realip.conf = %q", realip)
		}
		out, err := run("image/php/wpfleet-php-entrypoint", "WPFLEET_SITES=a", fmt.Sprintf("WPFLEET_REQUEST_TIMEOUT_SECONDS=%d", timeout), "--print-env")
		if err != nil || !strings.Contains(out, fmt.Sprintf("WPFLEET_FPM_PROCESS_CONTROL_TIMEOUT=%d\n", timeout+5)) {
			t.Errorf("php-fpm process_control_timeout for %d: %v %s", timeout, err, out)
		}
	}
	base := []string{"WPFLEET_CODE_ROOT=/x", "WPFLEET_SITES=a", "WPFLEET_SITE_A_HOSTNAMES=a.example.com", "WPFLEET_NGINX_TEMPLATE_DIR=" + filepath.Join(repo, "image/nginx"), "WPFLEET_NGINX_BIN=" + bins.Nginx}
	for bad, want := range map[string]string{
		"WPFLEET_REAL_IP_FROM=10.0.0.0/8 1.2.3.4;include": "is not an IP address or CIDR",
		"WPFLEET_SITE_A_HOSTNAMES=":                       "WPFLEET_SITE_A_HOSTNAMES is not set",
		"WPFLEET_SITE_A_HOSTNAMES=a.example.com;x":        `"a.example.com;x" is not a hostname`,
		"WPFLEET_SITE_A_HOSTNAMES=a..example.com":         "is not a hostname",
		"WPFLEET_SITES=a b":                               "WPFLEET_SITE_B_HOSTNAMES is not set",
		"WPFLEET_SITES=a A":                               `site name "A"`,
	} {
		vars := append(append([]string{}, base...), "WPFLEET_NGINX_RUN_DIR="+t.TempDir(), bad, "--render-only")
		if strings.HasPrefix(bad, "WPFLEET_SITES=a b") {
			vars = append(vars[:len(vars)-1], "WPFLEET_SITE_B_HOSTNAMES=", "--render-only")
		}
		out, err := run("image/nginx/wpfleet-nginx-entrypoint", vars...)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("nginx entrypoint with %s: %v %s, want %q", bad, err, out, want)
		}
	}
	dup := append(append([]string{}, base...), "WPFLEET_NGINX_RUN_DIR="+t.TempDir(), "WPFLEET_SITES=a b", "WPFLEET_SITE_B_HOSTNAMES=a.example.com", "--render-only")
	if out, err := run("image/nginx/wpfleet-nginx-entrypoint", dup...); err == nil || !strings.Contains(out, "hostname a.example.com belongs to two sites") {
		t.Errorf("a hostname of two sites: %v %s", err, out)
	}
}
