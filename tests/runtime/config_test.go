package runtime

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wpfleet/wpfleet/internal/wpstack"
)

// TestMisconfiguredSite: a task whose secrets did not arrive serves no page
// (503 with a clear log line naming what is missing, never a value), while
// /healthz still answers without the database; the command line fails the
// same way; DB_TLS=false against a TLS-only database cannot connect.
func TestMisconfiguredSite(t *testing.T) {
	need(t)
	dir := filepath.Join(env.tmp, "misconfigured")
	backing := filepath.Join(dir, "efs-backing", "broken")
	if err := os.MkdirAll(backing, 0o755); err != nil {
		t.Fatal(err)
	}
	id := wpstack.NewReleaseID()
	if _, err := wpstack.BuildWordPressTree(env.bins, backing, id); err != nil {
		t.Fatal(err)
	}
	if err := wpstack.Publish(env.bins, backing, id); err != nil {
		t.Fatal(err)
	}
	closed, err := wpstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	siteEnv := wpstack.SiteEnv("broken", env.db, "wp_broken", "wpu_broken", "unused")
	delete(siteEnv, "DB_PASSWORD")
	siteEnv["DB_HOST"] = fmt.Sprintf("127.0.0.1:%d", closed) // nothing listens there
	siteEnv["DISABLE_WP_CRON"] = "yes"                       // not a boolean
	site, err := wpstack.StartSite(env.bins, env.repo, filepath.Join(dir, "task"), wpstack.SiteOptions{
		Name: "broken", Mode: wpstack.ModeEFS, EFS: backing, Env: siteEnv,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Stop)

	for _, path := range []string{"/", "/wp-login.php", "/wp-admin/", "/wpfleet-test-env.php"} {
		resp, err := wpstack.Do("GET", site.URL+path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 503 || !strings.Contains(resp.Body, "configuration is incomplete") || strings.Contains(resp.Body, "<html") {
			t.Errorf("GET %s with missing secrets: %d %.300s, want 503 and no page", path, resp.StatusCode, resp.Body)
		}
		for _, v := range []string{siteEnv["DB_USER"], siteEnv["AUTH_KEY"]} {
			if strings.Contains(resp.Body, v) {
				t.Errorf("GET %s shows a secret value", path)
			}
		}
	}
	log, _ := os.ReadFile(site.FPM.Log)
	for _, want := range []string{"DB_PASSWORD is not set", "DISABLE_WP_CRON must be true or false"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("php-fpm log does not say %q:\n%s", want, site.FPM.Tail(2000))
		}
	}
	if strings.Contains(string(log), siteEnv["AUTH_KEY"]) || strings.Contains(string(log), siteEnv["DB_USER"]) {
		t.Error("php-fpm log holds a secret value")
	}
	code, body, err := wpstack.Get(site.URL+"/healthz", nil)
	if err != nil || code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz without a database and with broken settings: %d %q %v", code, body, err)
	}

	out, err := site.RunCron(filepath.Join(backing, "current"), nil)
	if err == nil || !strings.Contains(out, "DB_PASSWORD is not set") {
		t.Errorf("cron run with a missing secret: err %v, output:\n%s", err, out)
	}

	// Right credentials, but DB_TLS=false against a server that requires TLS.
	n := dbCounter.Add(1)
	dbName, dbUser, dbPass := fmt.Sprintf("wp_tls_%d", n), fmt.Sprintf("wpu_tls_%d", n), randomSecret(t)
	if err := env.db.CreateSite(dbName, dbUser, dbPass); err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"DB_HOST": env.db.Addr(), "DB_NAME": dbName, "DB_USER": dbUser, "DB_PASSWORD": dbPass, "DISABLE_WP_CRON": "true"}
	good["DB_TLS"] = "false"
	out, _ = site.RunCron(filepath.Join(backing, "current"), good)
	if !strings.Contains(out, "Error establishing a database connection") {
		t.Errorf("DB_TLS=false against a TLS-only server connected anyway:\n%s", out)
	}
	good["DB_TLS"] = "true"
	out, _ = site.RunCron(filepath.Join(backing, "current"), good)
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
	// Pool sizes from the task size (documented in image/README.md).
	for _, c := range []struct {
		mem, cpu, mode string
		want           int
	}{{"512", "256", "local", 2}, {"1024", "512", "local", 4}, {"2048", "1024", "local", 8}, {"4096", "2048", "efs", 16}, {"8192", "4096", "local", 32}} {
		out, err := run("image/php/wpfleet-php-entrypoint", "WPFLEET_TASK_MEMORY_MIB="+c.mem, "WPFLEET_TASK_CPU="+c.cpu, "WPFLEET_CODE_DELIVERY="+c.mode, "--print-env")
		if err != nil || !strings.Contains(out, fmt.Sprintf("WPFLEET_FPM_MAX_CHILDREN=%d\n", c.want)) {
			t.Errorf("%s MiB / %s CPU / %s: %v %s, want %d workers", c.mem, c.cpu, c.mode, err, out, c.want)
		}
	}
	for _, c := range []struct{ script, bad, want string }{
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_TASK_MEMORY_MIB=lots", "WPFLEET_TASK_MEMORY_MIB=lots must be a whole number"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_CODE_DELIVERY=nfs", "WPFLEET_CODE_DELIVERY=nfs must be local or efs"},
		{"image/php/wpfleet-php-entrypoint", "WPFLEET_REQUEST_TIMEOUT_SECONDS=0", "must be between 1 and 3600"},
		{"image/nginx/wpfleet-nginx-entrypoint", "WPFLEET_WEB_ROOT=", "WPFLEET_WEB_ROOT is not set"},
		{"image/php/wp", "WPFLEET_WEB_ROOT=", "WPFLEET_WEB_ROOT is not set"},
	} {
		arg := "--print-env"
		if !strings.HasSuffix(c.script, "php-entrypoint") {
			arg = "--version"
		}
		out, err := run(c.script, c.bad, arg)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%s with %s: %v %q, want a failure saying %q", c.script, c.bad, err, out, c.want)
		}
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
		vars := []string{"WPFLEET_WEB_ROOT=/var/www/wpfleet/current", "WPFLEET_NGINX_RUN_DIR=" + runDir,
			"WPFLEET_NGINX_TEMPLATE=" + filepath.Join(repo, "image/nginx/nginx.conf.template"), "WPFLEET_NGINX_BIN=" + bins.Nginx,
			fmt.Sprintf("WPFLEET_REQUEST_TIMEOUT_SECONDS=%d", timeout), "WPFLEET_REAL_IP_FROM=10.0.0.0/16 2600:1f18:abcd::/56", "--render-only"}
		if out, err := run("image/nginx/wpfleet-nginx-entrypoint", vars...); err != nil {
			t.Fatalf("render (nginx -t) with timeout %d: %v\n%s", timeout, err, out)
		}
		conf, _ := os.ReadFile(filepath.Join(runDir, "nginx.conf"))
		for _, want := range []string{fmt.Sprintf("fastcgi_read_timeout %ds;", timeout+5), fmt.Sprintf("worker_shutdown_timeout %ds;", timeout+10), "root /var/www/wpfleet/current;", "listen 8080 default_server;", "fastcgi_pass 127.0.0.1:9000;"} {
			if !strings.Contains(string(conf), want) {
				t.Errorf("rendered nginx.conf (timeout %d) lacks %q", timeout, want)
			}
		}
		if strings.Contains(string(conf), "${WPFLEET_") {
			t.Errorf("rendered nginx.conf has unreplaced variables")
		}
		realip, _ := os.ReadFile(filepath.Join(runDir, "realip.conf"))
		if string(realip) != "set_real_ip_from 10.0.0.0/16;\nset_real_ip_from 2600:1f18:abcd::/56;\n" {
			t.Errorf("realip.conf = %q", realip)
		}
		out, err := run("image/php/wpfleet-php-entrypoint", fmt.Sprintf("WPFLEET_REQUEST_TIMEOUT_SECONDS=%d", timeout), "--print-env")
		if err != nil || !strings.Contains(out, fmt.Sprintf("WPFLEET_FPM_PROCESS_CONTROL_TIMEOUT=%d\n", timeout+5)) {
			t.Errorf("php-fpm process_control_timeout for %d: %v %s", timeout, err, out)
		}
	}
	out, err := run("image/nginx/wpfleet-nginx-entrypoint", "WPFLEET_WEB_ROOT=/x", "WPFLEET_NGINX_RUN_DIR="+t.TempDir(), "WPFLEET_REAL_IP_FROM=10.0.0.0/8 1.2.3.4;include", "--render-only")
	if err == nil || !strings.Contains(out, "is not an IP address or CIDR") {
		t.Errorf("WPFLEET_REAL_IP_FROM with a directive: %v %s", err, out)
	}
}
