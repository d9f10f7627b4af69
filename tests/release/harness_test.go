// Package release runs the release job for real: the program CodeBuild builds, compiled here
// from exactly the source the ReleasePipeline ships (release.Files), run as uid 82 (the EFS
// access point's user, which has no root powers over the files), with real git remotes
// (file://, and git's http-backend on loopback), a MariaDB started by the tests, real zstd,
// bubblewrap, PHP and WordPress. The only stand-in is a fake `aws` command that serves Secrets
// Manager secrets from files and records CloudFront invalidations.
package release

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/codesync"
	"github.com/wpfleet/wpfleet/release"
)

const (
	masterSecretID = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-test-AbCdEf"
	secretPrefix   = "wpfleet/test/"
	// Passwords with every character that quoting could get wrong.
	masterPassword = `m4st'er"pw\ #$x;--`
	stub           = "<?php\n// Written by the wpfleet release job. Configuration comes from the platform, not the repository.\nrequire '/etc/wpfleet/wp-config.php';\nrequire_once ABSPATH . 'wp-settings.php';\n"
)

var idRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$`)

var repoRoot string

func init() {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))
}

// jobUID is the user the job runs as: the EFS access point's POSIX user. Root would ignore
// file permissions that stop the real job.
const jobUID = 82

var (
	sandboxOnce sync.Once
	sandboxErr  error
	toolOnce    sync.Once
	toolDir     string // holds wpfleet-release and wp-update-db.php, as CodeBuild installs them
	toolErr     error
)

// tool builds the job from the source the ReleasePipeline ships (with the Go version that
// source declares, offline, standard library only) the first time a test needs it.
// WPFLEET_RELEASE_JOB=path runs another program instead (an old release script: `bash path`).
func tool(t *testing.T) string {
	t.Helper()
	need(t, "go", "bwrap")
	if os.Geteuid() != 0 {
		unavailable(t, "the release tests run the job as uid 82 (the EFS access point's user) and need root to switch to it")
	}
	if p := os.Getenv("WPFLEET_RELEASE_JOB"); p != "" {
		return p
	}
	sandboxOnce.Do(func() {
		probe := exec.Command("bwrap", "--unshare-user", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "true")
		probe.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: jobUID, Gid: jobUID}}
		if out, err := probe.CombinedOutput(); err != nil {
			sandboxErr = fmt.Errorf("bubblewrap cannot create namespaces as uid %d on this machine: %v %s", jobUID, err, out)
		}
	})
	if sandboxErr != nil {
		unavailable(t, sandboxErr.Error())
	}
	toolOnce.Do(func() { toolDir, toolErr = buildTool() })
	if toolErr != nil {
		t.Fatal(toolErr)
	}
	return filepath.Join(toolDir, "wpfleet-release")
}

func buildTool() (string, error) {
	dir, err := os.MkdirTemp("", "wpfleet-release-tool-")
	if err != nil {
		return "", err
	}
	for name, body := range release.Files() {
		p := filepath.Join(dir, "src", filepath.FromSlash(strings.TrimPrefix(name, "src/")))
		if !strings.HasPrefix(name, "src/") {
			p = filepath.Join(dir, "bin", name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "bin", "wpfleet-release"), "./release/cmd/wpfleet-release")
	cmd.Dir = filepath.Join(dir, "src")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the job from release.Files(): %v\n%s", err, out)
	}
	for _, d := range []string{dir, filepath.Join(dir, "bin")} {
		if err := os.Chmod(d, 0o755); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "bin"), nil
}

// chownJob gives paths to the job's user.
func chownJob(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Lchown(p, jobUID, jobUID); err != nil {
			t.Fatal(err)
		}
	}
}

// need skips the test when a program is missing, or fails it when WPFLEET_REQUIRE_RUNTIME=1.
func need(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			unavailable(t, fmt.Sprintf("%s is not installed (see .ci/apt-packages)", p))
		}
	}
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("WPFLEET_REQUIRE_RUNTIME") == "1" {
		t.Fatalf("WPFLEET_REQUIRE_RUNTIME=1 but %s", why)
	}
	t.Skip(why)
}

// ------------------------------------------------------------------ MariaDB ------------

type mariaDB struct {
	dir     string
	sock    string
	port    int
	caFile  string // CA of the server's TLS certificate (for 127.0.0.1)
	otherCA string // an unrelated CA
	cmd     *exec.Cmd
	err     error
}

var (
	dbOnce sync.Once
	db     mariaDB
)

func TestMain(m *testing.M) {
	// The tests' own git (root) works in repositories the job's user owns.
	os.Setenv("GIT_CONFIG_COUNT", "1")
	os.Setenv("GIT_CONFIG_KEY_0", "safe.directory")
	os.Setenv("GIT_CONFIG_VALUE_0", "*")
	code := m.Run()
	db.stop()
	if wpRepo != "" {
		_ = os.RemoveAll(wpRepo)
	}
	if toolDir != "" {
		_ = os.RemoveAll(filepath.Dir(toolDir))
	}
	os.Exit(code)
}

// database starts the shared test MariaDB on first use.
func database(t *testing.T) *mariaDB {
	t.Helper()
	need(t, "mariadb-install-db", "mariadbd", "mariadb", "openssl")
	dbOnce.Do(func() { db.err = db.start() })
	if db.err != nil {
		t.Fatalf("start MariaDB: %v", db.err)
	}
	return &db
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (d *mariaDB) start() error {
	var err error
	if d.dir, err = os.MkdirTemp("", "wpfleet-release-db-"); err != nil {
		return err
	}
	d.sock = filepath.Join(d.dir, "mysqld.sock")
	if d.port, err = freePort(); err != nil {
		return err
	}
	if err := d.makeCerts(); err != nil {
		return err
	}
	// The job (uid 82) reads the CA files.
	for _, p := range []string{d.dir, d.caFile, d.otherCA} {
		if err := os.Chmod(p, 0o755); err != nil {
			return err
		}
	}
	data := filepath.Join(d.dir, "data")
	out, err := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+data, "--user=root",
		"--auth-root-authentication-method=socket", "--skip-test-db").CombinedOutput()
	if err != nil {
		return fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	d.cmd = exec.Command("mariadbd", "--no-defaults", "--datadir="+data, "--socket="+d.sock,
		"--port="+strconv.Itoa(d.port), "--bind-address=127.0.0.1", "--user=root",
		"--pid-file="+filepath.Join(d.dir, "mysqld.pid"), "--log-error="+filepath.Join(d.dir, "error.log"),
		"--innodb-buffer-pool-size=64M", "--skip-name-resolve", "--skip-log-bin",
		"--ssl-ca="+d.caFile, "--ssl-cert="+filepath.Join(d.dir, "server.pem"), "--ssl-key="+filepath.Join(d.dir, "server.key"))
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := d.rootSQL("SELECT 1"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(d.dir, "error.log"))
			return fmt.Errorf("mariadbd did not answer within 60s:\n%s", log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	q := "CREATE USER 'master'@'%' IDENTIFIED BY " + sqlQuote(masterPassword) + ";" +
		"GRANT ALL PRIVILEGES ON *.* TO 'master'@'%' WITH GRANT OPTION;"
	_, err = d.rootSQL(q)
	return err
}

// makeCerts creates a CA, a server certificate for 127.0.0.1 signed by it, and another CA.
func (d *mariaDB) makeCerts() error {
	d.caFile = filepath.Join(d.dir, "ca.pem")
	d.otherCA = filepath.Join(d.dir, "other-ca.pem")
	script := `set -e
cd "$1"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=wpfleet test CA"
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\n' >ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=other CA"
`
	if out, err := exec.Command("bash", "-c", script, "-", d.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("make TLS certificates: %v\n%s", err, out)
	}
	return nil
}

func (d *mariaDB) stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	if d.dir != "" {
		_ = os.RemoveAll(d.dir)
	}
}

func sqlQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, `'`, `\'`) + "'"
}

// rootSQL runs SQL as the server's root user over the socket; output is tab-separated.
func (d *mariaDB) rootSQL(q string) (string, error) {
	cmd := exec.Command("mariadb", "--no-defaults", "--socket="+d.sock, "-uroot", "--batch", "--skip-column-names")
	cmd.Stdin = strings.NewReader(q)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mariadb: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// userSQL runs SQL over TCP as the given user, with the password in a 0600 option file.
func (d *mariaDB) userSQL(t *testing.T, user, password, q string) (string, error) {
	t.Helper()
	cnf := filepath.Join(t.TempDir(), "my.cnf")
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace
	body := fmt.Sprintf("[client]\nuser=\"%s\"\npassword=\"%s\"\nhost=127.0.0.1\nport=%d\n", esc(user), esc(password), d.port)
	if err := os.WriteFile(cnf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("mariadb", "--defaults-file="+cnf, "--batch", "--skip-column-names")
	cmd.Stdin = strings.NewReader(q)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mariadb as %s: %v: %s", user, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// ------------------------------------------------------------------ fixture -------------

// fixture is one sites root with its remotes, secrets and fake aws command.
type fixture struct {
	t       *testing.T
	db      *mariaDB
	root    string // WPFLEET_SITES_ROOT
	remotes string // origin repositories, one per site
	secrets string // secret files served by the fake aws
	bin     string // fake aws, first on PATH
	home    string
	sites   []string
	env     map[string]string
	tool    string   // the job's program
	args    []string // its arguments (--settings FILE)
}

func newFixture(t *testing.T, sites ...string) *fixture {
	t.Helper()
	need(t, "bash", "git", "tar", "zstd", "flock", "sha256sum")
	job := tool(t) // first: without root the tests skip before starting anything
	f := &fixture{t: t, db: database(t), env: map[string]string{}, tool: job}
	base := t.TempDir()
	for _, d := range []string{base, filepath.Dir(base)} { // the job's user must get through
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*string{&f.root, &f.remotes, &f.secrets, &f.bin, &f.home} {
		p, err := os.MkdirTemp(base, "d")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		*d = p
	}
	// The job's own directories belong to its user, as /sites does on EFS.
	chownJob(t, f.root, f.home, f.secrets)
	writeFile(t, filepath.Join(f.bin, "aws"), fakeAWS, 0o755)
	f.putSecret(masterSecretID, map[string]string{"username": "master", "password": masterPassword})
	for _, s := range sites {
		f.addSite(s)
	}
	return f
}

// fakeAWS answers exactly the calls the job makes: secrets from files (logging the ids read),
// and CloudFront invalidations (logged to cloudfront.log; refused for the distribution named in
// the file cloudfront-fail).
const fakeAWS = `#!/bin/sh
if [ "$#" -eq 10 ] && [ "$1 $2 $3" = "cloudfront create-invalidation --distribution-id" ] &&
	[ "$5 $6 $7 $8 $9 ${10}" = "--paths /* --query Invalidation.Id --output text" ]; then
	if [ "$(cat "$FAKE_AWS_SECRETS/cloudfront-fail" 2>/dev/null)" = "$4" ]; then
		echo "An error occurred (AccessDenied) when calling the CreateInvalidation operation: not allowed on $4" >&2
		exit 254
	fi
	printf '%s /*\n' "$4" >>"$FAKE_AWS_SECRETS/cloudfront.log"
	echo "I2J3K4L5M6N7O8"
	exit 0
fi
if [ "$#" -ne 8 ] || [ "$1 $2 $3" != "secretsmanager get-secret-value --secret-id" ] ||
	[ "$5 $6 $7 $8" != "--query SecretString --output text" ]; then
	echo "fake aws: unexpected arguments: $*" >&2
	exit 252
fi
printf '%s\n' "$4" >>"$FAKE_AWS_SECRETS/calls.log"
f="$FAKE_AWS_SECRETS/$(printf '%s' "$4" | tr -c 'A-Za-z0-9._-' '_')"
if [ ! -f "$f" ]; then
	echo "An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret." >&2
	exit 254
fi
cat "$f"
echo
`

func (f *fixture) putSecret(id string, v map[string]string) {
	f.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		f.t.Fatal(err)
	}
	name := regexp.MustCompile(`[^A-Za-z0-9._-]`).ReplaceAllString(id, "_")
	writeFile(f.t, filepath.Join(f.secrets, name), string(b), 0o600)
	chownJob(f.t, filepath.Join(f.secrets, name))
}

func dbName(site string) string { return "wp_" + strings.ReplaceAll(site, "-", "_") }

func sitePassword(site string) string { return `s'i"te\pw #` + site }

// addSite creates the site's origin repository (one commit) and its database secret.
func (f *fixture) addSite(site string) {
	f.t.Helper()
	f.sites = append(f.sites, site)
	f.putSecret(secretPrefix+site+"/db", map[string]string{
		"username": dbName(site), "password": sitePassword(site), "dbname": dbName(site),
		"host": "127.0.0.1", "port": strconv.Itoa(f.db.port),
	})
	dir := f.origin(site)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Fatal(err)
	}
	f.git(dir, "init", "-q", "-b", "main")
	// The job's git (uid 82) reads it: git refuses repositories of other users.
	chownJob(f.t, dir, filepath.Join(dir, ".git"))
	f.commit(site, "initial", map[string]string{
		"index.php":                       "<?php\n// site " + site + "\n",
		"wp-content/themes/t/style.css":   "/* Theme Name: t */\n",
		"wp-content/plugins/p/plugin.php": "<?php\n// plugin\n",
	})
}

func (f *fixture) origin(site string) string { return filepath.Join(f.remotes, site) }

func (f *fixture) git(dir string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Test", "-c", "user.email=test@example.com",
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "safe.directory=*"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+f.home, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %v in %s: %v\n%s", args, dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Deleted marks a file to remove in commit; a value starting with Link is a symlink target.
const (
	Deleted = "\x00deleted"
	Link    = "\x00link:"
)

// commit writes files into the site's origin, commits them and returns the commit id.
func (f *fixture) commit(site, msg string, files map[string]string) string {
	f.t.Helper()
	dir := f.origin(site)
	for name, body := range files {
		p := filepath.Join(dir, name)
		switch {
		case body == Deleted:
			f.git(dir, "rm", "-q", "-r", "--", name)
			continue
		case strings.HasPrefix(body, Link):
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				f.t.Fatal(err)
			}
			_ = os.Remove(p)
			if err := os.Symlink(strings.TrimPrefix(body, Link), p); err != nil {
				f.t.Fatal(err)
			}
		default:
			mode := os.FileMode(0o644)
			if strings.HasPrefix(body, "#!") {
				mode = 0o755
			}
			writeFile(f.t, p, body, mode)
		}
	}
	f.git(dir, "add", "-A")
	f.git(dir, "commit", "-q", "--allow-empty", "-m", msg)
	return f.git(dir, "rev-parse", "HEAD")
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// lastLine is the job's one-line reason on failure.
func (r result) lastLine() string {
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	return lines[len(lines)-1]
}

// jobEnv is the environment the CodeBuild project gives the job, for this fixture.
func (f *fixture) jobEnv(site, action, ref string, extra ...string) []string {
	env := []string{
		"PATH=" + f.bin + ":" + os.Getenv("PATH"),
		"HOME=" + f.home,
		"TMPDIR=" + f.home,
		"FAKE_AWS_SECRETS=" + f.secrets,
		"GIT_CONFIG_NOSYSTEM=1",
		"RELEASE_PATH=" + site,
		"BRANCH=" + ref,
		"ACTION=" + action,
		"WPFLEET_ENV=test",
		"WPFLEET_SITES=" + strings.Join(f.sites, " "),
		"WPFLEET_SITES_ROOT=" + f.root,
		"EFS_FILE_SYSTEM_ID=fs-0123456789abcdef0",
		"EFS_ACCESS_POINT_ID=fsap-0123456789abcdef0",
		"KEEP_RELEASES=5",
		"DB_HOST=127.0.0.1",
		"DB_PORT=" + strconv.Itoa(f.db.port),
		"DB_TLS=off",
		"DB_MASTER_SECRET_ARN=" + masterSecretID,
		"SITE_SECRET_PREFIX=" + secretPrefix,
		"REPO_URL_TEMPLATE=file://" + f.remotes + "/{site}",
		"WPFLEET_SKIP_UPDATE_DB=1",
	}
	for k, v := range f.env {
		env = setEnv(env, k+"="+v)
	}
	for _, kv := range extra {
		env = setEnv(env, kv)
	}
	return env
}

func setEnv(env []string, kv string) []string {
	k := kv[:strings.IndexByte(kv, '=')+1]
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, k) {
			out = append(out, e)
		}
	}
	return append(out, kv)
}

func (f *fixture) command(site, action, ref string, extra ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(f.tool, f.args...)
	if strings.HasSuffix(f.tool, ".sh") {
		cmd = exec.Command("bash", append([]string{f.tool}, f.args...)...)
	}
	cmd.Env = f.jobEnv(site, action, ref, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Own session: a kill drill kills every process of the job, as a stopped build would. As
	// uid 82, like the real job's file operations through the access point.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: &syscall.Credential{Uid: jobUID, Gid: jobUID}}
	return cmd, &stdout, &stderr
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func (f *fixture) run(site, action, ref string, extra ...string) result {
	f.t.Helper()
	cmd, stdout, stderr := f.command(site, action, ref, extra...)
	if err := cmd.Start(); err != nil {
		f.t.Fatalf("start job: %v", err)
	}
	// A hung job fails the test instead of hanging it.
	timer := time.AfterFunc(5*time.Minute, func() { killSession(f.t, cmd.Process.Pid) })
	start := time.Now()
	err := cmd.Wait()
	f.t.Logf("job %s %s %s: %v in %.2fs", action, site, ref, exitCode(err), time.Since(start).Seconds())
	if !timer.Stop() {
		f.t.Fatalf("job did not finish within 5 minutes:\n%s\n%s", stdout, stderr)
	}
	r := result{code: exitCode(err), stdout: stdout.String(), stderr: stderr.String()}
	if r.code == -1 {
		f.t.Fatalf("run job: %v", err)
	}
	f.assertNoSecretsLeaked(r)
	return r
}

var releaseLineRE = regexp.MustCompile(`^release site=([a-z0-9-]+) ref=(\S+) commit=([0-9a-f]{40}) id=(\S+) seconds=[0-9]+\.[0-9]{2}( wp_config=replaced)?$`)

// release runs a release that must succeed and returns the new release id.
func (f *fixture) release(site, ref string, extra ...string) string {
	f.t.Helper()
	r := f.run(site, "release", ref, extra...)
	if r.code != 0 {
		f.t.Fatalf("release %s %s failed: %s", site, ref, r)
	}
	m := releaseLineRE.FindStringSubmatch(strings.TrimSpace(r.stdout))
	if m == nil {
		f.t.Fatalf("summary line does not match %s: %q", releaseLineRE, r.stdout)
	}
	if m[1] != site || m[2] != ref {
		f.t.Fatalf("summary names site %s ref %s, want %s %s", m[1], m[2], site, ref)
	}
	if !strings.HasPrefix(m[4], "") || !idRE.MatchString(m[4]) || m[4][17:] != m[3][:12] {
		f.t.Fatalf("release id %q does not follow <UTC time>-<12 hex of %s>", m[4], m[3])
	}
	if got := f.currentID(site); got != m[4] {
		f.t.Fatalf("summary says id %s but current is %s", m[4], got)
	}
	return m[4]
}

// assertNoSecretsLeaked: no password of the fixture appears in the job's output.
func (f *fixture) assertNoSecretsLeaked(r result) {
	f.t.Helper()
	secrets := []string{masterPassword, "ghp_test_token_value"}
	for _, s := range f.sites {
		secrets = append(secrets, sitePassword(s))
	}
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			f.t.Fatalf("a secret value appears in the job's output:\n%s", r)
		}
	}
}

func writeFile(t *testing.T, p, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// ------------------------------------------------------------------ site checks ---------

func (f *fixture) siteDir(site string) string { return filepath.Join(f.root, site) }

func (f *fixture) currentID(site string) string {
	f.t.Helper()
	t, err := os.Readlink(filepath.Join(f.siteDir(site), "current"))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		f.t.Fatal(err)
	}
	if !strings.HasPrefix(t, "releases/") || !idRE.MatchString(strings.TrimPrefix(t, "releases/")) {
		f.t.Fatalf("current -> %q, want releases/<id>", t)
	}
	return strings.TrimPrefix(t, "releases/")
}

type manifest struct {
	ID       string   `json:"id"`
	Site     string   `json:"site"`
	Ref      string   `json:"ref"`
	Commit   string   `json:"commit"`
	Created  string   `json:"created"`
	Artifact string   `json:"artifact"`
	SHA256   string   `json:"sha256"`
	Files    int      `json:"files"`
	Bytes    int64    `json:"bytes"`
	Hooks    []string `json:"hooks"`
	WPConfig string   `json:"wp_config"`
}

func readManifest(t *testing.T, p string) manifest {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest %s: %v\n%s", p, err, b)
	}
	return m
}

func fileSHA(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkRelease verifies one release against the contract: manifest, artifact, checksum file,
// the artifact's entries and content equal to the directory, the wp-config.php stub.
func (f *fixture) checkRelease(site, id string) manifest {
	f.t.Helper()
	t := f.t
	sd := f.siteDir(site)
	dir := filepath.Join(sd, "releases", id)
	m := readManifest(t, filepath.Join(dir, ".wpfleet-release"))
	if m.ID != id || m.Site != site || m.Artifact != "artifacts/"+id+".tar.zst" || len(m.Commit) != 40 {
		t.Fatalf("manifest of %s: %+v", id, m)
	}
	if _, err := time.Parse(time.RFC3339, m.Created); err != nil || !strings.HasSuffix(m.Created, "Z") {
		t.Fatalf("manifest created %q is not RFC 3339 UTC", m.Created)
	}
	art := filepath.Join(sd, m.Artifact)
	sum := fileSHA(t, art)
	if m.SHA256 != sum {
		t.Fatalf("manifest sha256 %s, artifact has %s", m.SHA256, sum)
	}
	side, err := os.ReadFile(art + ".sha256")
	if err != nil {
		t.Fatal(err)
	}
	if want := sum + "  " + id + ".tar.zst\n"; string(side) != want {
		t.Fatalf("%s.sha256 = %q, want %q", id, side, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "wp-config.php")); err != nil || string(b) != stub {
		t.Fatalf("wp-config.php is not the stub: %q %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".wpfleet")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("release %s contains .wpfleet/ (hooks must not be published): %v", id, err)
	}
	// Entries: relative, ./-prefixed, no "..".
	list, err := exec.Command("bash", "-c", `zstd -dc -- "$1" | tar -tf -`, "-", art).Output()
	if err != nil {
		t.Fatalf("list artifact: %v", err)
	}
	for _, e := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if !strings.HasPrefix(e, "./") && e != "." || strings.Contains("/"+e+"/", "/../") {
			t.Fatalf("artifact entry %q is not relative to ./", e)
		}
	}
	// Only files, directories and symlinks (no hard links, devices, FIFOs).
	verbose, err := exec.Command("bash", "-c", `zstd -dc -- "$1" | tar -tvf -`, "-", art).Output()
	if err != nil {
		t.Fatalf("list artifact: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(verbose)), "\n") {
		if !strings.ContainsAny(l[:1], "-dl") || strings.Contains(l, " link to ") {
			t.Fatalf("artifact entry is not a file, directory or symlink: %q", l)
		}
	}
	// The sync agent's own fetch (checksum, release/tree's checks, unpack) accepts it, and
	// what it unpacks is the published tree (modes aside: the agent writes 0644/0755).
	unpacked := t.TempDir()
	if _, err := codesync.Fetch(context.Background(), sd, id, unpacked, codesync.UnpackLimits{}); err != nil {
		t.Fatalf("the sync agent refuses release %s: %v", id, err)
	}
	want, files, bytes := treeDigest(t, dir)
	got, _, _ := treeDigest(t, unpacked)
	// The copy of the manifest inside the artifact cannot hold the artifact's own checksum.
	inner := readManifest(t, filepath.Join(unpacked, ".wpfleet-release"))
	inner.SHA256 = m.SHA256
	if fmt.Sprint(inner) != fmt.Sprint(m) {
		t.Fatalf("manifest in artifact %+v differs from %+v beyond sha256", inner, m)
	}
	delete(want, ".wpfleet-release")
	delete(got, ".wpfleet-release")
	if d := diffDigest(want, got); d != "" {
		t.Fatalf("artifact of %s differs from its directory: %s", id, d)
	}
	mf, err := os.Stat(filepath.Join(dir, ".wpfleet-release"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Files != files-1 || m.Bytes != bytes-mf.Size() {
		t.Fatalf("manifest counts %d files %d bytes; tree without manifest has %d, %d", m.Files, m.Bytes, files-1, bytes-mf.Size())
	}
	return m
}

// checkSite checks the invariant: current names a complete release, and so does every
// release directory; it returns the current id.
func (f *fixture) checkSite(site string) string {
	f.t.Helper()
	cur := f.currentID(site)
	if cur == "" {
		f.t.Fatalf("site %s has no current release", site)
	}
	for _, id := range f.releaseIDs(site) {
		f.checkRelease(site, id)
	}
	return cur
}

func (f *fixture) releaseIDs(site string) []string {
	f.t.Helper()
	ents, err := os.ReadDir(filepath.Join(f.siteDir(site), "releases"))
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, e := range ents {
		ids = append(ids, e.Name())
	}
	sort.Strings(ids)
	return ids
}

// checkMatchesCommit: the release tree is the commit's tree, except the stub, the manifest,
// the removed .wpfleet/ and the paths listed in extra (hook output).
func (f *fixture) checkMatchesCommit(site, id, commit string, extra ...string) {
	f.t.Helper()
	t := f.t
	want := t.TempDir()
	cmd := exec.Command("bash", "-c", `git -C "$1" archive "$2" | tar -xf - -C "$3"`, "-", f.origin(site), commit, want)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v\n%s", err, out)
	}
	w, _, _ := treeDigest(t, want)
	g, _, _ := treeDigest(t, filepath.Join(f.siteDir(site), "releases", id))
	for p := range w {
		if p == ".wpfleet" || strings.HasPrefix(p, ".wpfleet/") {
			delete(w, p)
		}
	}
	for _, p := range []string{"wp-config.php", ".wpfleet-release"} {
		delete(w, p)
		delete(g, p)
	}
	for p := range g {
		for _, x := range extra {
			if p == x || strings.HasPrefix(p, x+"/") {
				delete(g, p)
			}
		}
	}
	if d := diffDigest(w, g); d != "" {
		t.Fatalf("release %s differs from commit %s: %s", id, commit[:12], d)
	}
}

// treeDigest maps each path under dir to its type and content (file hash + executable bit,
// or link target), and counts regular files and their bytes.
func treeDigest(t *testing.T, dir string) (map[string]string, int, int64) {
	t.Helper()
	out := map[string]string{}
	var files int
	var size int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link:" + target
		case d.IsDir():
			out[rel] = "dir"
		case info.Mode().IsRegular():
			files++
			size += info.Size()
			out[rel] = fmt.Sprintf("file:%s:x=%v", fileSHA(t, p), info.Mode()&0o100 != 0)
		default:
			out[rel] = "other:" + info.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, files, size
}

func diffDigest(want, got map[string]string) string {
	var d []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			d = append(d, "missing "+p)
		} else if g != w {
			d = append(d, fmt.Sprintf("%s: %s != %s", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			d = append(d, "extra "+p)
		}
	}
	sort.Strings(d)
	if len(d) > 10 {
		d = append(d[:10], fmt.Sprintf("... %d more", len(d)-10))
	}
	return strings.Join(d, "; ")
}

// snapshot records every release of the site (tree, artifact, checksum) and the pointer, so
// that a fault test can prove nothing was lost or changed.
func (f *fixture) snapshot(site string) map[string]string {
	f.t.Helper()
	snap := map[string]string{"current": f.currentID(site)}
	for _, id := range f.releaseIDs(site) {
		d, _, _ := treeDigest(f.t, filepath.Join(f.siteDir(site), "releases", id))
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k+"="+d[k])
		}
		sort.Strings(keys)
		h := sha256.Sum256([]byte(strings.Join(keys, "\n")))
		art := filepath.Join(f.siteDir(site), "artifacts", id+".tar.zst")
		side, _ := os.ReadFile(art + ".sha256")
		snap[id] = hex.EncodeToString(h[:]) + " " + fileSHA(f.t, art) + " " + string(side)
	}
	return snap
}

func (f *fixture) assertUnchanged(site string, before map[string]string) {
	f.t.Helper()
	after := f.snapshot(site)
	if d := diffDigest(before, after); d != "" {
		f.t.Fatalf("site %s changed after a failed release: %s", site, d)
	}
	f.checkSite(site)
}

// assertUnlocked: the site's lock can be taken at once.
func (f *fixture) assertUnlocked(site string) {
	f.t.Helper()
	lock := filepath.Join(f.siteDir(site), ".wpfleet", "lock")
	if out, err := exec.Command("flock", "-n", lock, "true").CombinedOutput(); err != nil {
		f.t.Fatalf("lock of %s is still held: %v %s", site, err, out)
	}
}

// assertNoWork: a job that failed on its own removed its work files.
func (f *fixture) assertNoWork(site string) {
	f.t.Helper()
	ents, err := os.ReadDir(filepath.Join(f.siteDir(site), ".wpfleet", "tmp"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		f.t.Fatal(err)
	}
	if len(ents) > 0 {
		f.t.Fatalf("failed job left %d entries in .wpfleet/tmp (first %s)", len(ents), ents[0].Name())
	}
	if m, _ := filepath.Glob(filepath.Join(f.siteDir(site), "current.tmp-*")); len(m) > 0 {
		f.t.Fatalf("failed job left %v", m)
	}
}

func (f *fixture) history(site string) [][]string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.siteDir(site), ".wpfleet", "history"))
	if err != nil {
		f.t.Fatal(err)
	}
	var h [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			f.t.Fatalf("history line %q is not '<unix time> <id> <action>'", sc.Text())
		}
		h = append(h, fs)
	}
	return h
}

func (f *fixture) secretCalls() []string {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.secrets, "calls.log"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		f.t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// ------------------------------------------------------------------ process control ----

// waitStopped waits until the job stopped itself at its checkpoint (state T).
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, ok := procStat(pid); ok && st.state == "T" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %d did not reach its checkpoint", pid)
}

type stat struct {
	state   string
	session int
}

func procStat(pid int) (stat, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, false
	}
	fs := strings.Fields(s[i+1:])
	if len(fs) < 4 {
		return stat{}, false
	}
	sid, _ := strconv.Atoi(fs[3])
	return stat{state: fs[0], session: sid}, true
}

// killSession SIGKILLs every process in the job's session (the job and all it started, even
// those that made their own process group, like timeout) and waits until none is left.
func killSession(t *testing.T, sid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ents, _ := os.ReadDir("/proc")
		alive := 0
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if st, ok := procStat(pid); ok && st.session == sid && st.state != "Z" {
				alive++
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if alive == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of session %d survive SIGKILL", sid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gitHTTP serves the fixture's remotes over HTTP with git's own http-backend. Requests that
// auth refuses get 401 (asking for Basic credentials); cut > 0 cuts each response after that
// many bytes, as a server dying mid-transfer does.
func (f *fixture) gitHTTP(t *testing.T, cut int64, auth func(*http.Request) bool) *httptest.Server {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + f.remotes, "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth != nil && !auth(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if cut > 0 {
			w = &cutWriter{ResponseWriter: w, left: cut}
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		p = p[:c.left]
		_, _ = c.ResponseWriter.Write(p)
		c.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops here
	}
	c.left -= int64(len(p))
	return c.ResponseWriter.Write(p)
}
