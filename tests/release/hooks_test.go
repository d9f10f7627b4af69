package release

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHooks: composer install --no-dev and .wpfleet/hooks/build run in the new tree, their
// output is released, .wpfleet/ is not, and the hooks get no AWS credentials.
func TestHooks(t *testing.T) {
	need(t, "composer", "php")
	f := newFixture(t, "hooks")
	c := f.commit("hooks", "hooks", map[string]string{
		"composer.json": `{"name": "acme/site", "require": {}, "autoload": {"psr-4": {"Acme\\": "src/"}},
 "repositories": [{"packagist.org": false}]}` + "\n",
		"src/Hello.php":        "<?php\nnamespace Acme;\nclass Hello {}\n",
		".wpfleet/hooks/build": "#!/bin/sh\nset -e\ntest -f vendor/autoload.php\necho \"$WPFLEET_SITE $WPFLEET_ENV $WPFLEET_REF $WPFLEET_COMMIT $WPFLEET_RELEASE_ID\" > build-info.txt\nenv > hook-env.txt\nln build-info.txt build-info-link.txt\n",
	})
	id := f.release("hooks", "main", "AWS_ACCESS_KEY_ID=AKIATESTKEY", "AWS_SECRET_ACCESS_KEY=test-secret-key",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/test")
	m := f.checkRelease("hooks", id)
	if strings.Join(m.Hooks, ",") != "composer,build" {
		t.Fatalf("manifest hooks %v, want composer,build", m.Hooks)
	}
	rel := filepath.Join(f.siteDir("hooks"), "releases", id)
	f.checkMatchesCommit("hooks", id, c, "vendor", "composer.lock", "build-info.txt", "build-info-link.txt", "hook-env.txt")
	info, err := os.ReadFile(filepath.Join(rel, "build-info.txt"))
	if want := fmt.Sprintf("hooks test main %s %s\n", c, id); err != nil || string(info) != want {
		t.Fatalf("build-info.txt = %q, want %q (%v)", info, want, err)
	}
	cmd := exec.Command("php", "-r", `require "vendor/autoload.php"; echo class_exists("Acme\\Hello") ? "ok" : "missing";`)
	cmd.Dir = rel
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "ok" {
		t.Fatalf("composer autoloader in the release: %q %v", out, err)
	}
	env, err := os.ReadFile(filepath.Join(rel, "hook-env.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "DB_MASTER_SECRET_ARN"} {
		if strings.Contains(string(env), k+"=") {
			t.Fatalf("hook environment contains %s", k)
		}
	}
}

// TestGitCredentialsFromSecret: an https-style remote that demands a token gets it from the
// secret through the credential helper; the token is never printed or written to disk.
func TestGitCredentialsFromSecret(t *testing.T) {
	f := newFixture(t, "private")
	const token = "ghp_test_token_value"
	var denied atomic.Int32
	srv := f.gitHTTP(t, 0, func(r *http.Request) bool {
		if u, p, ok := r.BasicAuth(); ok && u == "x-access-token" && p == token {
			return true
		}
		denied.Add(1)
		return false
	})
	const secretID = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:wpfleet/test/git-AbCdEf"
	f.putSecret(secretID, map[string]string{"username": "x-access-token", "token": token})
	url := "REPO_URL_PRIVATE=" + srv.URL + "/private/.git"

	// Without credentials the remote refuses.
	r := f.run("private", "release", "main", url)
	if r.code != 1 || !strings.Contains(r.lastLine(), "cannot fetch") || denied.Load() == 0 {
		t.Fatalf("fetch without credentials: %s", r)
	}
	id := f.release("private", "main", url, "GIT_CREDENTIALS_SECRET_ARN="+secretID)
	f.checkSite("private")
	if calls := strings.Join(f.secretCalls(), " "); !strings.Contains(calls, secretID) {
		t.Fatalf("git secret not read: %s", calls)
	}
	// The token is nowhere on the site's file system (mirror config, tmp, release).
	out, _ := exec.Command("grep", "-rl", "--", token, f.root, f.home).CombinedOutput()
	if len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("token written to disk: %s", out)
	}
	// A wrong token fails the fetch and leaves the site as it was.
	f.putSecret(secretID, map[string]string{"username": "x-access-token", "token": "wrong"})
	f.commit("private", "2", map[string]string{"two": "2\n"})
	before := f.snapshot("private")
	r = f.run("private", "release", "main", url, "GIT_CREDENTIALS_SECRET_ARN="+secretID)
	if r.code != 1 || !strings.Contains(r.lastLine(), "cannot fetch") || f.currentID("private") != id {
		t.Fatalf("fetch with a wrong token: %s", r)
	}
	f.assertUnchanged("private", before)
}
