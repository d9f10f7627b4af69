package release

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The attacks of issue 9, each made by a site's repository (or whoever starts a build)
// against the real job. A hostile repository may break its own release, never the job's
// secrets, another site, or the release it is not part of.

// hostile is a site "evil" releasing a repository made by an attacker, beside a site "victim".
func hostile(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, "evil", "victim")
	f.release("victim", "main")
	f.release("evil", "main")
	return f
}

// TestAttackHookReadsJobSecrets: the build hook looks for the job's credentials everywhere it
// used to find them: its own environment, every process's environment in /proc (the job's
// parent chain held AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and the secret ARNs), the secret
// files the aws command reads, the aws command itself. It finds none of them.
func TestAttackHookReadsJobSecrets(t *testing.T) {
	f := hostile(t)
	victimSecret := filepath.Join(f.secrets, "wpfleet_test_victim_db")
	hook := fmt.Sprintf(`#!/bin/sh
{
  echo "== env"; env
  echo "== proc"; for e in /proc/[0-9]*/environ; do tr '\0' '\n' < "$e"; done
  echo "== parent"; tr '\0' '\n' < /proc/$PPID/environ
  echo "== files"; cat %q %q/* 2>&1
  echo "== aws"; PATH=%q:$PATH aws secretsmanager get-secret-value --secret-id %q --query SecretString --output text 2>&1
  echo "== mysql"; ls -la /tmp /home /run 2>&1
} > loot.txt 2>&1
exit 0
`, victimSecret, f.secrets, f.bin, masterSecretID)
	f.commit("evil", "loot", map[string]string{".wpfleet/hooks/build": hook})
	id := f.release("evil", "main", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/3f9a-secret-path",
		"AWS_ACCESS_KEY_ID=AKIATESTKEY0000000", "AWS_SECRET_ACCESS_KEY=test-secret-access-key", "AWS_SESSION_TOKEN=test-session-token",
		"GIT_CREDENTIALS_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:git-token-Xy")
	loot, err := os.ReadFile(filepath.Join(f.siteDir("evil"), "releases", id, "loot.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"3f9a-secret-path", "AKIATESTKEY", "test-secret-access-key", "test-session-token", "git-token-Xy",
		masterSecretID, secretPrefix, masterPassword, sitePassword("victim"), sitePassword("evil"), "FAKE_AWS_SECRETS"} {
		if strings.Contains(string(loot), s) {
			t.Errorf("the hook found %q:\n%s", s, loot)
		}
	}
	if !strings.Contains(string(loot), "== aws") {
		t.Fatalf("the hook did not run to the end:\n%s", loot)
	}
}

// TestAttackHookNetwork: the hook tries the container credentials endpoint, instance metadata,
// the database and another service of the build's machine (a loopback listener stands in for
// the ones tests cannot bind), directly and through the proxy it is given. Nothing connects.
func TestAttackHookNetwork(t *testing.T) {
	f := hostile(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var hits atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	hook := fmt.Sprintf(`#!/bin/bash
try() { if "$@" >/dev/null 2>&1; then echo "REACHED $*"; else echo "refused $*"; fi; }
{
  try bash -c 'echo > /dev/tcp/127.0.0.1/%[1]d'
  try bash -c 'echo > /dev/tcp/127.0.0.1/%[2]d'
  try bash -c 'echo > /dev/tcp/169.254.170.2/80'
  try bash -c 'echo > /dev/tcp/169.254.169.254/80'
  try curl -fsS -m 5 http://169.254.170.2/v2/credentials/x
  try curl -fsS -m 5 --proxy "$https_proxy" http://169.254.169.254/latest/meta-data/
  try curl -fsS -m 5 --proxytunnel --proxy "$https_proxy" http://169.254.170.2:80/v2/credentials/x
  try curl -fsS -m 5 --proxytunnel --proxy "$https_proxy" http://127.0.0.1:%[1]d/
  try curl -fsS -m 5 --proxytunnel --proxy "$https_proxy" https://localhost:443/
} > net.txt
exit 0
`, port, f.db.port)
	f.commit("evil", "net", map[string]string{".wpfleet/hooks/build": hook})
	r := f.run("evil", "release", "main")
	if r.code != 0 {
		t.Fatalf("release: %s", r)
	}
	out, err := os.ReadFile(filepath.Join(f.siteDir("evil"), "current", "net.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "REACHED") || hits.Load() != 0 || strings.Count(string(out), "refused") != 9 {
		t.Fatalf("the hook reached something (%d connections to the loopback listener):\n%s", hits.Load(), out)
	}
	if !strings.Contains(r.stderr, "sandbox proxy: refused CONNECT 169.254.170.2:80") {
		t.Fatalf("the proxy did not report the refusal:\n%s", r.stderr)
	}
}

// TestAttackHookWritesOtherSite: the hook writes where the job used to let it: another site's
// live tree (through the sites root, relative and absolute), another site's mirror and its
// own (a git hook that would run in the next release), the job's own files. All of it stays
// as it was; the attacker's release is only what its repository builds.
func TestAttackHookWritesOtherSite(t *testing.T) {
	f := hostile(t)
	victim := f.snapshot("victim")
	hook := fmt.Sprintf(`#!/bin/sh
for d in ../../../../victim %[1]q/victim /mnt/sites/victim; do
  echo pwned > "$d/current/index.php" 2>/dev/null
  mkdir -p "$d/.wpfleet/repo.git/hooks" 2>/dev/null && printf '#!/bin/sh\necho pwned > /tmp/pwned\n' > "$d/.wpfleet/repo.git/hooks/post-checkout" 2>/dev/null
done
for m in ../../repo.git %[1]q/evil/.wpfleet/repo.git; do
  printf '#!/bin/sh\necho pwned\n' > "$m/hooks/reference-transaction" 2>/dev/null
  git --git-dir="$m" config core.hooksPath /tmp 2>/dev/null
done
echo pwned > %[2]q 2>/dev/null
ls -la / > root.txt
exit 0
`, f.root, filepath.Join(f.siteDir("evil"), ".wpfleet", "history"))
	f.commit("evil", "write", map[string]string{".wpfleet/hooks/build": hook})
	f.release("evil", "main")
	f.assertUnchanged("victim", victim)
	for _, site := range []string{"victim", "evil"} {
		hooks, _ := filepath.Glob(filepath.Join(f.siteDir(site), ".wpfleet", "repo.git", "hooks", "*"))
		for _, h := range hooks {
			if !strings.HasSuffix(h, ".sample") {
				t.Errorf("a hook was planted: %s", h)
			}
		}
		cfg, _ := os.ReadFile(filepath.Join(f.siteDir(site), ".wpfleet", "repo.git", "config"))
		if strings.Contains(string(cfg), "hooksPath") {
			t.Errorf("%s's mirror config was changed:\n%s", site, cfg)
		}
	}
	if h := f.history("evil"); len(h) != 2 {
		t.Fatalf("history of evil: %v", h)
	}
	// The victim's next release is clean.
	f.commit("victim", "next", map[string]string{"n.txt": "n\n"})
	id := f.release("victim", "main")
	f.checkMatchesCommit("victim", id, f.git(f.origin("victim"), "rev-parse", "HEAD"))
}

// TestAttackManifestThroughLink: the repository commits the names the job writes its manifest
// under, as a symlink into another site's live tree, or as a directory. The job used to write
// its manifest through the link (into the other site's index.php) or into the directory.
func TestAttackManifestThroughLink(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"link .wpfleet-release.new": {".wpfleet-release.new": Link + "../../../../victim/current/index.php"},
		"link .wpfleet-release":     {".wpfleet-release": Link + "../../../../victim/current/index.php"},
		"directory":                 {".wpfleet-release/x": "x\n"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := hostile(t)
			victim, evil := f.snapshot("victim"), f.snapshot("evil")
			f.commit("evil", "manifest", files)
			r := f.run("evil", "release", "main")
			if r.code != 1 || !strings.Contains(r.lastLine(), "reserved for the release's manifest") {
				t.Fatalf("want exit 1, reserved name: %s", r)
			}
			f.assertUnchanged("victim", victim)
			if d := diffDigest(evil, f.snapshot("evil")); d != "" {
				t.Fatalf("evil changed: %s", d)
			}
		})
	}
}

// TestAttackSymlinkEscapesPhysically: d -> . makes d/d/d/../.. the root's parent while the text
// stays inside; the old lexical check published it and the sync agent unpacked a link that
// served /etc/passwd. Refused, before anything is published.
func TestAttackSymlinkEscapesPhysically(t *testing.T) {
	f := hostile(t)
	before := f.snapshot("evil")
	deep := strings.Repeat("d/", 12) + strings.Repeat("../", 12)
	f.commit("evil", "escape", map[string]string{"d": Link + ".", "passwd.txt": Link + deep + "etc/passwd",
		"wp-content/uploads": Link + "../d/d/../../victim/current"})
	r := f.run("evil", "release", "main")
	if r.code != 1 || !strings.Contains(r.lastLine(), "leaves the release tree") {
		t.Fatalf("want exit 1, link leaves the tree: %s", r)
	}
	f.assertUnchanged("evil", before)
	f.assertNoWork("evil")
}

// TestAttackHookBackgroundProcess (issue 9, "not byte-exact"): the hook leaves processes that
// write into the tree after it returns, one in a new session. The sandbox ends with the hook:
// they are killed with it, and the published release is what was checked and archived.
func TestAttackHookBackgroundProcess(t *testing.T) {
	f := hostile(t)
	hook := "#!/bin/sh\n(sleep 2; echo late > late.txt; echo late >> index.php) &\nsetsid sh -c 'sleep 3; echo later > later.txt; sleep 30301' &\necho built > built.txt\nexit 0\n"
	f.commit("evil", "background", map[string]string{".wpfleet/hooks/build": hook})
	id := f.release("evil", "main")
	time.Sleep(4 * time.Second)
	rel := filepath.Join(f.siteDir("evil"), "releases", id)
	for _, p := range []string{"late.txt", "later.txt"} {
		if _, err := os.Lstat(filepath.Join(rel, p)); err == nil {
			t.Errorf("a process of the hook wrote %s into the published release", p)
		}
	}
	f.checkRelease("evil", id) // the tree still equals its artifact
	if leftovers := processesMatching(t, "sleep 30301"); len(leftovers) > 0 {
		t.Fatalf("processes of the hook outlived it: %v", leftovers)
	}
}

// processesMatching lists pids whose command line contains s.
func processesMatching(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(strings.ReplaceAll(string(b), "\x00", " "), s) {
			out = append(out, pid)
		}
	}
	return out
}

// TestAttackSettingsOverride: a build started with other values for the job's settings (the
// database host, the repository URL) changes nothing: the job reads them from its settings
// file. (The CI roles may not override them either; tests/release_pipeline_test.go.) A
// database listener the attacker controls receives nothing, not even a connection.
func TestAttackSettingsOverride(t *testing.T) {
	f := newFixture(t, "blog")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var hits atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	evilRepo := t.TempDir()
	settings := map[string]string{}
	for _, kv := range f.jobEnv("blog", "release", "main") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "HOME", "TMPDIR", "FAKE_AWS_SECRETS", "RELEASE_PATH", "BRANCH", "ACTION":
		default:
			settings[k] = v
		}
	}
	b, _ := json.Marshal(settings)
	file := filepath.Join(f.home, "settings.json")
	writeFile(t, file, string(b), 0o644)
	chownJob(t, file)
	f.args = []string{"--settings", file}
	f.release("blog", "main", "DB_PORT="+strconv.Itoa(l.Addr().(*net.TCPAddr).Port),
		"REPO_URL_BLOG=file://"+evilRepo, "DB_MASTER_SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:other",
		"WPFLEET_FAULT_STOP_AT=locked")
	if hits.Load() != 0 {
		t.Fatalf("the job connected to the overridden database port")
	}
	f.checkMatchesCommit("blog", f.checkSite("blog"), f.git(f.origin("blog"), "rev-parse", "HEAD"))
	if calls := strings.Join(f.secretCalls(), " "); strings.Contains(calls, ":other") {
		t.Fatalf("the overridden secret was read: %s", calls)
	}
}

// TestAttackCredentialsForAnotherHost: the site's remote redirects git to another host, which
// asks for credentials. The job's credential helper answers only its remote's host and path:
// the other host never sees the token (the old helper gave the org-wide token to every host).
func TestAttackCredentialsForAnotherHost(t *testing.T) {
	f := newFixture(t, "private")
	const token = "ghp_test_token_value"
	var leaked atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, p, ok := r.BasicAuth(); ok && p == token {
			leaked.Add(1)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
	}))
	defer attacker.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(attacker.URL, "http://"))
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+port+r.URL.RequestURI(), http.StatusFound)
	}))
	defer redirect.Close()
	const secretID = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wpfleet/test/git-AbCdEf"
	f.putSecret(secretID, map[string]string{"username": "x-access-token", "token": token})
	r := f.run("private", "release", "main", "REPO_URL_PRIVATE="+redirect.URL+"/private/.git", "GIT_CREDENTIALS_SECRET_ARN="+secretID)
	if r.code != 1 || !strings.Contains(r.lastLine(), "cannot fetch") {
		t.Fatalf("fetch through the redirect: %s", r)
	}
	if leaked.Load() != 0 {
		t.Fatalf("the token was sent to another host %d time(s)", leaked.Load())
	}
	if !strings.Contains(r.stderr, "git-credential: request for host") {
		t.Fatalf("the helper did not say why it refused:\n%s", r.stderr)
	}
}
