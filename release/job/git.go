package job

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// git runs git on the site's mirror with the job's settings: no prompts, no hooks, no user or
// system configuration or attributes, no ext:: transport, no automatic gc (gc runs on its own
// step), fetched packs kept as packs; and no GIT_* variable of the job's environment (they
// could change what git runs).
func (j *job) git(ctx context.Context, c command, args ...string) ([]byte, error) {
	argv := []string{"git", "-c", "core.hooksPath=/dev/null", "-c", "core.attributesFile=/dev/null",
		"-c", "protocol.ext.allow=never", "-c", "gc.auto=0", "-c", "maintenance.auto=false",
		"-c", "fetch.unpackLimit=1", "-c", "transfer.unpackLimit=1", "-c", "core.fsmonitor=false",
		"-c", "http.lowSpeedLimit=1000", "-c", fmt.Sprintf("http.lowSpeedTime=%d", int(j.fetchStall().Seconds())),
		"-c", "credential.helper=", "-c", "core.askPass="}
	if j.cfg.GitSecret != "" {
		self, err := os.Executable()
		if err != nil {
			return nil, failf("find the job's own program for git's credential helper: %v", err)
		}
		argv = append(argv, "-c", "credential.useHttpPath=true", "-c", "credential.helper=!'"+self+"' git-credential")
	}
	argv = append(argv, "--git-dir="+j.mirror())
	c.argv = append(argv, args...)
	c.env = j.gitEnv(c.env)
	return run(ctx, c)
}

func (j *job) fetchStall() time.Duration {
	if j.cfg.FetchStall > 0 {
		return j.cfg.FetchStall
	}
	return 120 * time.Second
}

// gitEnv is the job's environment without GIT_* variables, plus extra and git's fixed ones.
func (j *job) gitEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+j.priv, "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ATTR_NOSYSTEM=1", "GIT_SSH_COMMAND=ssh -o BatchMode=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=4")
	if j.cfg.GitSecret != "" {
		env = append(env, "WPFLEET_GIT_CREDENTIAL_URL="+j.cfg.RepoURL, "WPFLEET_GIT_CREDENTIAL_SECRET="+j.cfg.GitSecret)
	}
	return append(env, extra...)
}

// prepareMirror makes sure the mirror is a bare repository and clears what a killed git left
// in it: lock files (a killed git leaves refs/heads/x.lock, config.lock, packed-refs.lock,
// and every later git fails), temporary packs and objects of cut fetches, and .keep files
// that would stop gc from ever repacking. Under the site's lock no other git runs there.
func (j *job) prepareMirror(ctx context.Context) error {
	m := j.mirror()
	if !isBareRepo(m) {
		if _, err := os.Lstat(m); err == nil {
			j.logf("the mirror %s is not a usable repository; starting a new one", m)
			aside := filepath.Join(j.tmpDir(), "broken-mirror")
			j.work = append(j.work, aside)
			if err := os.Rename(m, aside); err != nil {
				return failf("move the broken mirror aside: %v", err)
			}
		}
		if _, err := j.git(ctx, command{timeout: time.Minute}, "init", "-q", "--bare"); err != nil {
			return failf("create the mirror: %v", err)
		}
	}
	n, err := clearStaleGitFiles(m)
	if err != nil {
		return failf("clear stale files in the mirror: %v", err)
	}
	if n > 0 {
		j.logf("cleared %d stale lock or temporary file(s) a killed git left in the mirror", n)
	}
	return nil
}

func isBareRepo(m string) bool {
	for _, p := range []string{"HEAD", "objects", "refs", "config"} {
		if _, err := os.Lstat(filepath.Join(m, p)); err != nil {
			return false
		}
	}
	b, err := os.ReadFile(filepath.Join(m, "config"))
	return err == nil && bytes.Contains(b, []byte("bare = true"))
}

var staleObjectRE = regexp.MustCompile(`^(tmp_pack_|tmp_idx_|tmp_rev_|tmp_obj_|tmp_mtimes_|incoming-|\.tmp-).*|.*\.keep$|.*\.lock$`)

// clearStaleGitFiles removes lock files anywhere in the mirror except the loose-object
// directories, and temporary files in objects/, objects/pack/ and objects/info/.
func clearStaleGitFiles(m string) (int, error) {
	n := 0
	err := filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(m, p)
		if d.IsDir() && filepath.Dir(rel) == "objects" && len(d.Name()) == 2 {
			return filepath.SkipDir // loose objects: 256 directories, nothing of ours
		}
		name := d.Name()
		inObjects := strings.HasPrefix(rel, "objects"+string(filepath.Separator))
		stale := strings.HasSuffix(name, ".lock") || inObjects && staleObjectRE.MatchString(name)
		if !stale || rel == "." {
			return nil
		}
		n++
		if !d.IsDir() {
			return os.Remove(p)
		}
		if err := removeAll(p); err != nil {
			return err
		}
		return filepath.SkipDir
	})
	return n, err
}

// fetch brings the mirror up to date with every branch and tag of the remote. Refs the remote
// no longer has are pruned before the others move, so a renamed branch (release ->
// release/1.0, or back) cannot wedge the mirror. A remote that sends nothing for
// WPFLEET_FETCH_STALL_SECONDS, or a fetch longer than WPFLEET_FETCH_TIMEOUT, fails.
func (j *job) fetch(ctx context.Context) error {
	if _, err := j.git(ctx, command{timeout: time.Minute}, "config", "remote.origin.url", j.cfg.RepoURL); err != nil {
		return failf("configure the mirror: %v", err)
	}
	_, err := j.git(ctx, command{timeout: j.cfg.FetchTimeout, stall: j.fetchStall()}, "fetch", "--progress", "--prune",
		"--no-tags", "--no-write-fetch-head", "origin", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
	if err != nil {
		return failf("cannot fetch %s: %s", redact(j.cfg.RepoURL), fetchReason(err))
	}
	return nil
}

// fetchReason keeps git's last lines, without its progress output.
func fetchReason(err error) string {
	var pe *procError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	var lines []string
	for _, l := range strings.FieldsFunc(string(pe.stderr), func(r rune) bool { return r == '\n' || r == '\r' }) {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(l, "objects:") || strings.Contains(l, "Receiving") || strings.Contains(l, "Resolving") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) > 4 {
		lines = lines[len(lines)-4:]
	}
	pe.stderr = []byte(strings.Join(lines, "; "))
	return pe.Error()
}

// resolve turns the ref into a commit: a branch, then a tag, then a commit id (7-40 hex).
func (j *job) resolve(ctx context.Context) (string, error) {
	try := []string{"refs/heads/" + j.cfg.Ref + "^{commit}", "refs/tags/" + j.cfg.Ref + "^{commit}"}
	if regexp.MustCompile(`^[0-9a-f]{7,40}$`).MatchString(j.cfg.Ref) {
		try = append(try, j.cfg.Ref+"^{commit}")
	}
	for _, t := range try {
		out, err := j.git(ctx, command{timeout: time.Minute}, "rev-parse", "--verify", "--quiet", t)
		if err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	if err := j.interrupted(); err != nil {
		return "", err
	}
	return "", failf("'%s' is not a branch, tag or commit of %s", j.cfg.Ref, redact(j.cfg.RepoURL))
}

// gc lets git pack and prune the mirror when it has collected enough (git's gc.auto
// thresholds), in the foreground: a detached gc would outlive the lock.
func (j *job) gc(ctx context.Context) {
	_, err := j.git(ctx, command{timeout: 10 * time.Minute}, "-c", "gc.auto=6700", "-c", "gc.autoPackLimit=50",
		"-c", "gc.autoDetach=false", "gc", "--auto", "--quiet")
	if err != nil {
		j.logf("warning: git gc --auto failed (ignored): %v", err)
	}
}
