package release

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	wpOnce sync.Once
	wpRepo string // Debian's WordPress committed once and packed, shared by the tests
	wpErr  error
)

// wordpressSite makes the site's repository a clone of Debian's WordPress (symlinks resolved,
// translations left out), committed and packed once per test run, shared through git
// alternates.
func wordpressSite(t *testing.T, f *fixture, site string) string {
	t.Helper()
	need(t, "php", "cp")
	const src = "/usr/share/wordpress"
	if _, err := os.Stat(filepath.Join(src, "wp-includes", "version.php")); err != nil {
		unavailable(t, "Debian's wordpress package is not installed (see .ci/apt-packages)")
	}
	if out, err := exec.Command("php", "-r", `exit(extension_loaded("mysqli") ? 0 : 1);`).CombinedOutput(); err != nil {
		unavailable(t, "php has no mysqli extension (php-mysql package): "+string(out))
	}
	wpOnce.Do(func() {
		defer func(start time.Time) { t.Logf("WordPress repository built in %.2fs", time.Since(start).Seconds()) }(time.Now())
		if wpRepo, wpErr = os.MkdirTemp("", "wpfleet-release-wp-"); wpErr != nil {
			return
		}
		if wpErr = os.Chmod(wpRepo, 0o755); wpErr != nil { // the job's git reads it (alternates)
			return
		}
		script := `set -e
cp -rL "$1"/. "$2"/
rm -rf "$2/wp-content/languages" "$2/.htaccess"
cd "$2"
git init -q -b main
git add -A
git -c user.name=Test -c user.email=test@example.com commit -q -m WordPress
git -c pack.window=0 repack -adq`
		if out, err := exec.Command("bash", "-c", script, "-", src, wpRepo).CombinedOutput(); err != nil {
			wpErr = fmt.Errorf("commit WordPress: %v\n%s", err, out)
		}
	})
	if wpErr != nil {
		t.Fatal(wpErr)
	}
	dir := f.origin(site)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "clone", "-q", "--shared", wpRepo, dir).CombinedOutput(); err != nil {
		t.Fatalf("clone WordPress: %v\n%s", err, out)
	}
	chownJob(t, dir, filepath.Join(dir, ".git"))
	// The remote sends its packed objects as they are instead of searching deltas each time.
	f.git(dir, "config", "pack.window", "0")
	return f.git(dir, "rev-parse", "HEAD")
}

func wpDBVersion(t *testing.T, releaseDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(releaseDir, "wp-includes", "version.php"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\$wp_db_version = (\d+);`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no $wp_db_version in version.php")
	}
	v, _ := strconv.Atoi(string(m[1]))
	return v
}

// TestUpdateDB runs WordPress's real database upgrade after the switch.
func TestUpdateDB(t *testing.T) {
	f := newFixture(t, "wp")
	wordpressSite(t, f, "wp")
	withUpgrade := "WPFLEET_SKIP_UPDATE_DB="

	// First release: the database is new and WordPress is not installed yet.
	r := f.run("wp", "release", "main", withUpgrade)
	if r.code != 0 || !strings.Contains(r.stderr, "WordPress is not installed in wp_wp yet") {
		t.Fatalf("first release: %s", r)
	}
	id := f.currentID("wp")
	f.checkRelease("wp", id)
	rel := filepath.Join(f.siteDir("wp"), "releases", id)
	want := wpDBVersion(t, rel)

	// Install it as the web installer would, then pretend it ran an older WordPress.
	secret, _ := json.Marshal(map[string]string{"username": dbName("wp"), "password": sitePassword("wp"), "dbname": dbName("wp")})
	cmd := exec.Command("php", "testdata/wp-install.php", rel, fmt.Sprintf("127.0.0.1:%d", f.db.port))
	cmd.Stdin = strings.NewReader(string(secret))
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "installed") {
		t.Fatalf("wp_install: %v\n%s", err, out)
	}
	const old = 51917 // WordPress 6.0
	if _, err := f.db.rootSQL(fmt.Sprintf("UPDATE wp_wp.wp_options SET option_value='%d' WHERE option_name='db_version'", old)); err != nil {
		t.Fatal(err)
	}

	f.commit("wp", "theme change", map[string]string{"wp-content/themes/readme.txt": "x\n"})
	r = f.run("wp", "release", "main", withUpgrade)
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf("update-db: upgraded wp_wp from db_version %d to %d", old, want)) {
		t.Fatalf("release with an old database: %s", r)
	}
	got, err := f.db.rootSQL("SELECT option_value FROM wp_wp.wp_options WHERE option_name='db_version'")
	if err != nil || got != strconv.Itoa(want) {
		t.Fatalf("db_version after release: %q %v, want %d", got, err, want)
	}

	r = f.run("wp", "release", "main", withUpgrade)
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf("is already at db_version %d", want)) {
		t.Fatalf("release with a current database: %s", r)
	}

	// WordPress stopping early (here a must-use plugin that exits with status 0, as wp_die
	// does) is a failure after the switch: exit 4, the new release is live.
	f.commit("wp", "bad mu-plugin", map[string]string{"wp-content/mu-plugins/stop.php": "<?php echo 'Error establishing a database connection'; exit(0);\n"})
	r = f.run("wp", "release", "main", withUpgrade)
	if r.code != 4 || !strings.Contains(r.stderr, "WordPress stopped before the upgrade finished: Error establishing") ||
		!strings.Contains(r.lastLine(), "is live but the database upgrade failed") {
		t.Fatalf("release whose upgrade fails: want exit 4: %s", r)
	}
	cur := f.currentID("wp")
	if m := f.checkRelease("wp", cur); m.Commit != f.git(f.origin("wp"), "rev-parse", "HEAD") {
		t.Fatalf("current %s is not the new release", cur)
	}
	f.assertUnlocked("wp")
}

// Without WordPress in the tree, a release that is to upgrade the database stops before the
// switch.
func TestUpdateDBNeedsWordPress(t *testing.T) {
	need(t, "php")
	f, _, before := faultFixture(t)
	r := f.run("site", "release", "main", "WPFLEET_SKIP_UPDATE_DB=")
	expectFailure(t, f, r, 1, "the tree has no WordPress", before, nil)
}

// TestDatabaseTLS: the job reaches a TLS-only database with the server's certificate verified,
// both from the mysql client (database and user creation) and from PHP (the upgrade); a wrong
// CA fails the release before the switch.
func TestDatabaseTLS(t *testing.T) {
	f := newFixture(t, "tls")
	wordpressSite(t, f, "tls")
	if _, err := f.db.rootSQL("SET GLOBAL require_secure_transport = ON"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := f.db.rootSQL("SET GLOBAL require_secure_transport = OFF"); err != nil {
			t.Error(err)
		}
	})
	r := f.run("tls", "release", "main", "DB_TLS=on", "DB_TLS_CA="+f.db.otherCA)
	if r.code != 1 || !strings.Contains(r.lastLine(), "cannot create database") || f.currentID("tls") != "" {
		t.Fatalf("TLS with the wrong CA: %s", r)
	}
	r = f.run("tls", "release", "main", "DB_TLS=on", "DB_TLS_CA="+f.db.caFile, "WPFLEET_SKIP_UPDATE_DB=")
	if r.code != 0 || !strings.Contains(r.stderr, "WordPress is not installed in wp_tls yet") {
		t.Fatalf("release over TLS: %s", r)
	}
	rel := filepath.Join(f.siteDir("tls"), "releases", f.checkSite("tls"))

	// PHP checks the certificate too.
	secret, _ := json.Marshal(map[string]string{"username": dbName("tls"), "password": sitePassword("tls"), "dbname": dbName("tls")})
	for _, tc := range []struct{ ca, want string }{{f.db.caFile, "not installed"}, {f.db.otherCA, "cannot connect"}} {
		cmd := exec.Command("php", "-d", "openssl.cafile="+tc.ca, filepath.Join(repoRoot, "release", "wp-update-db.php"),
			rel, fmt.Sprintf("127.0.0.1:%d", f.db.port))
		cmd.Env = append(os.Environ(), "DB_TLS=on")
		cmd.Stdin = strings.NewReader(string(secret))
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), tc.want) {
			t.Fatalf("wp-update-db.php with CA %s: want %q:\n%s", filepath.Base(tc.ca), tc.want, out)
		}
	}
}

// The database hangs during the upgrade after the switch (here a table the upgrade reads is
// locked by another session): the job gives up after WPFLEET_DB_TIMEOUT instead of holding the
// site's lock until CodeBuild's timeout, says the new release is live (exit 4), and leaves no
// process of the sandbox behind.
func TestFaultDatabaseHangsDuringUpgrade(t *testing.T) {
	f := newFixture(t, "hang")
	wordpressSite(t, f, "hang")
	withUpgrade := "WPFLEET_SKIP_UPDATE_DB="
	if r := f.run("hang", "release", "main", withUpgrade); r.code != 0 {
		t.Fatalf("first release: %s", r)
	}
	rel := filepath.Join(f.siteDir("hang"), "releases", f.currentID("hang"))
	secret, _ := json.Marshal(map[string]string{"username": dbName("hang"), "password": sitePassword("hang"), "dbname": dbName("hang")})
	install := exec.Command("php", "testdata/wp-install.php", rel, fmt.Sprintf("127.0.0.1:%d", f.db.port))
	install.Stdin = strings.NewReader(string(secret))
	if out, err := install.CombinedOutput(); err != nil || !strings.Contains(string(out), "installed") {
		t.Fatalf("wp_install: %v\n%s", err, out)
	}
	f.commit("hang", "next", map[string]string{"wp-content/next.txt": "n\n"})
	cmd, stdout, stderr := f.command("hang", "release", "main", withUpgrade, "WPFLEET_DB_TIMEOUT=5", "WPFLEET_FAULT_STOP_AT=switched")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, cmd.Process.Pid)
	// Now that the new release is live, another session takes a write lock on wp_options (which
	// the upgrade reads first) and keeps it until the test ends.
	lock := exec.Command("mariadb", "--no-defaults", "--socket="+f.db.sock, "-uroot", "--batch", "--unbuffered", "--skip-column-names", "wp_hang")
	in, err := lock.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := lock.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(in, "LOCK TABLES wp_options WRITE; SELECT CONNECTION_ID(); SELECT SLEEP(600);")
	id, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = f.db.rootSQL("KILL " + strings.TrimSpace(id))
		_ = lock.Process.Kill()
		_ = lock.Wait()
	}()
	start := time.Now()
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	r := result{code: exitCode(cmd.Wait()), stdout: stdout.String(), stderr: stderr.String()}
	cur := f.currentID("hang")
	if r.code != 4 || time.Since(start) > 60*time.Second || !strings.Contains(r.lastLine(), "did not finish within WPFLEET_DB_TIMEOUT=5s") ||
		!strings.Contains(r.lastLine(), "release "+cur+" is live") {
		t.Fatalf("hung upgrade after %s: %s", time.Since(start), r)
	}
	f.assertUnlocked("hang")
	if p := processesMatching(t, "/run/wpfleet/wp-update-db.php"); len(p) > 0 {
		t.Fatalf("the upgrade's PHP outlived the job: %v", p)
	}
}
