package release

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// faultFixture: a site with a good release live and a new commit waiting to be released.
func faultFixture(t *testing.T) (*fixture, string, map[string]string) {
	t.Helper()
	f := newFixture(t, "site")
	f.commit("site", "good", map[string]string{"good.txt": "good\n"})
	good := f.release("site", "main")
	f.commit("site", "next", map[string]string{"next.txt": "next\n"})
	return f, good, f.snapshot("site")
}

// expectFailure: the job failed with the given code and reason, the site is exactly as it
// was, the job cleaned up after itself and released the lock, and the next release works.
func expectFailure(t *testing.T, f *fixture, r result, code int, reason string, before map[string]string, fix func()) {
	t.Helper()
	if r.code != code || !strings.Contains(r.lastLine(), reason) {
		t.Fatalf("want exit %d with %q in the last line: %s", code, reason, r)
	}
	if before["current"] != "" && !strings.Contains(r.lastLine(), "current still "+before["current"]) {
		t.Fatalf("reason does not say which release is still live: %q", r.lastLine())
	}
	f.assertUnchanged("site", before)
	f.assertNoWork("site")
	f.assertUnlocked("site")
	if fix != nil {
		fix()
	}
	id := f.release("site", "main")
	f.checkMatchesCommit("site", id, f.git(f.origin("site"), "rev-parse", "HEAD"))
	f.checkSite("site")
}

func TestFaultRemoteUnreachable(t *testing.T) {
	f, _, before := faultFixture(t)
	moved := f.origin("site") + ".away"
	if err := os.Rename(f.origin("site"), moved); err != nil {
		t.Fatal(err)
	}
	r := f.run("site", "release", "main")
	expectFailure(t, f, r, 1, "cannot fetch", before, func() {
		if err := os.Rename(moved, f.origin("site")); err != nil {
			t.Fatal(err)
		}
	})
}

// The remote dies mid-fetch: the HTTP server (git's own http-backend) cuts the connection
// after 2 MiB of an 8 MiB pack.
func TestFaultRemoteDiesMidFetch(t *testing.T) {
	f, _, before := faultFixture(t)
	f.commit("site", "big", map[string]string{"big.bin": randomString(t, 8<<20)})
	srv := f.gitHTTP(t, 2<<20, nil)
	mirror := filepath.Join(f.siteDir("site"), ".wpfleet", "repo.git")
	refsBefore := gitOut(t, mirror, "for-each-ref")
	r := f.run("site", "release", "main", "REPO_URL_SITE="+srv.URL+"/site/.git")
	if refs := gitOut(t, mirror, "for-each-ref"); refs != refsBefore {
		t.Fatalf("a failed fetch moved the mirror's refs:\n%s\nwas:\n%s", refs, refsBefore)
	}
	if out, err := exec.Command("git", "--git-dir", mirror, "fsck", "--connectivity-only").CombinedOutput(); err != nil {
		t.Fatalf("mirror broken after a cut fetch: %v\n%s", err, out)
	}
	expectFailure(t, f, r, 1, "cannot fetch", before, nil)
}

func gitOut(t *testing.T, gitDir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestFaultUnknownRef(t *testing.T) {
	for _, ref := range []string{"no-such-branch", "v9.9.9", "deadbeef1234"} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			f, _, before := faultFixture(t)
			r := f.run("site", "release", ref)
			expectFailure(t, f, r, 1, "'"+ref+"' is not a branch, tag or commit", before, nil)
		})
	}
}

func TestFaultHooks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		env    []string
		reason string
	}{
		{"hook fails", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\necho building\nexit 3\n"}, nil,
			"hook .wpfleet/hooks/build failed (exit 3"},
		{"hook too slow", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nsleep 30\n"}, []string{"HOOK_TIMEOUT=1"},
			"(exit 124"},
		{"hook not executable", map[string]string{".wpfleet/hooks/build": "echo hi\n"}, nil,
			"must be an executable file"},
		{"hook links outside", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nln -s ../../../../etc/passwd wp-content/pw\n"}, nil,
			"releases hold only links that stay inside the release"},
		{"absolute symlink in repo", map[string]string{"wp-content/abs": Link + "/etc/passwd"}, nil,
			"releases hold only links that stay inside the release"},
		{"fifo from hook", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nmkfifo wp-content/fifo\n"}, nil,
			"not a file, directory or symlink"},
		{"composer fails", map[string]string{"composer.json": "{ not json"}, nil,
			"hook 'composer install --no-dev' failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(tc.name, "composer") {
				need(t, "composer")
			}
			f, _, before := faultFixture(t)
			f.commit("site", tc.name, tc.files)
			r := f.run("site", "release", "main", tc.env...)
			expectFailure(t, f, r, 1, tc.reason, before, func() {
				fix := map[string]string{}
				for p := range tc.files {
					fix[p] = Deleted
				}
				f.commit("site", "fix", fix)
			})
		})
	}
}

func randomString(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mountTmpfs mounts a small tmpfs over dir for the test (root only).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	opts := fmt.Sprintf("size=%s,mode=0755,uid=%d,gid=%d", size, jobUID, jobUID)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		unavailable(t, "cannot mount a tmpfs for the disk-full test (needs root): "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			_ = exec.Command("umount", "-l", dir).Run()
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
}

// The site's file system fills up while the new tree is written, or while its artifact is.
func TestFaultDiskFull(t *testing.T) {
	for _, tc := range []struct {
		name string
		mib  int
		step string
	}{
		// 40 MiB file system: the mirror and the tree of a 24 MiB file do not fit together;
		// those of a 14 MiB file do, but not its artifact on top.
		{"during checkout", 24, "step checkout failed"},
		{"during artifact", 14, "step artifact failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "site")
			mountTmpfs(t, f.root, "40m")
			f.commit("site", "good", map[string]string{"good.txt": "good\n"})
			f.release("site", "main")
			f.commit("site", "big", map[string]string{"big.bin": randomString(t, tc.mib<<20)})
			before := f.snapshot("site")
			r := f.run("site", "release", "main")
			expectFailure(t, f, r, 1, tc.step, before, func() {
				f.commit("site", "smaller", map[string]string{"big.bin": Deleted})
			})
		})
	}
}

// The job is killed (SIGKILL to all its processes) at each point of a release.
func TestFaultKilled(t *testing.T) {
	for _, point := range []string{"locked", "fetched", "in-hook", "checked-out", "hooks-done",
		"artifact-written", "published", "switched"} {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			f, good, before := faultFixture(t)
			// The hook runs in the sandbox: it tells the test it is running through a file in
			// its tree, the only place it can write.
			files := map[string]string{
				".wpfleet/hooks/build": "#!/bin/sh\necho hooked > hooked.txt\n[ -f .wpfleet/slow ] || exit 0\ntouch hook-running\nsleep 300\n",
			}
			var env []string
			if point == "in-hook" {
				files[".wpfleet/slow"] = "1\n"
			} else {
				env = []string{"WPFLEET_FAULT_STOP_AT=" + point}
			}
			next := f.commit("site", "with hook", files)
			cmd, _, _ := f.command("site", "release", "main", env...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pid := cmd.Process.Pid
			if point == "in-hook" {
				waitGlob(t, filepath.Join(f.siteDir("site"), ".wpfleet", "tmp", "*", "hook-running"))
			} else {
				waitStopped(t, pid)
			}
			killSession(t, pid)
			_ = cmd.Wait()

			cur := f.currentID("site")
			switch point {
			case "switched":
				if cur == good {
					t.Fatal("killed after the switch, but current is the old release")
				}
				f.checkMatchesCommit("site", cur, next, "hooked.txt")
			default:
				if cur != good {
					t.Fatalf("killed at %s: current %s, want the previous release %s", point, cur, good)
				}
			}
			// Every release that existed is intact; a release published before the kill is
			// complete too (checkSite checks them all).
			after := f.snapshot("site")
			for k, v := range before {
				if k != "current" && after[k] != v {
					t.Fatalf("release %s changed or vanished after the kill", k)
				}
			}
			f.checkSite("site")
			f.assertUnlocked("site")

			// The next release works and clears the leftovers.
			if point == "in-hook" {
				next = f.commit("site", "hook no longer slow", map[string]string{".wpfleet/slow": Deleted})
			}
			id := f.release("site", "main")
			f.checkMatchesCommit("site", id, next, "hooked.txt")
			f.checkSite("site")
			f.assertNoWork("site")
		})
	}
}

func waitGlob(t *testing.T, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return m[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", pattern)
	return ""
}

func waitFile(t *testing.T, p string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(p); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", p)
}
