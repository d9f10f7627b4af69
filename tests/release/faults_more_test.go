package release

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The faults of issue 9 that wedged a site, misreported it or ran unbounded, each against
// the real job (docs/release.md, "Faults").

func (f *fixture) mirror(site string) string {
	return filepath.Join(f.siteDir(site), ".wpfleet", "repo.git")
}

// plant writes files into the site's directory as the job's user (what a killed job leaves).
func (f *fixture) plant(site string, files map[string]string) {
	f.t.Helper()
	for rel, body := range files {
		p := filepath.Join(f.siteDir(site), rel)
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				f.t.Fatal(err)
			}
			chownJob(f.t, p)
			continue
		}
		writeFile(f.t, p, body, 0o644)
		for q := p; q != f.siteDir(site); q = filepath.Dir(q) {
			chownJob(f.t, q)
		}
	}
}

// A job killed while git held a lock left refs/heads/main.lock, config.lock, packed-refs.lock,
// HEAD.lock behind; every later release failed. They are cleared under the site's lock.
func TestFaultStaleGitLocks(t *testing.T) {
	f, _, before := faultFixture(t)
	f.plant("site", map[string]string{".wpfleet/repo.git/refs/heads/main.lock": "", ".wpfleet/repo.git/config.lock": "",
		".wpfleet/repo.git/packed-refs.lock": "", ".wpfleet/repo.git/HEAD.lock": ""})
	id := f.release("site", "main")
	f.checkMatchesCommit("site", id, f.git(f.origin("site"), "rev-parse", "HEAD"))
	if m, _ := filepath.Glob(filepath.Join(f.mirror("site"), "*.lock")); len(m) > 0 {
		t.Fatalf("stale locks left: %v", m)
	}
	_ = before
}

// Partial objects of failed fetches (temporary packs, indexes, a quarantine directory, .keep
// files that stop gc) are cleared too.
func TestFaultFetchLeftoversCleared(t *testing.T) {
	f, _, _ := faultFixture(t)
	f.plant("site", map[string]string{".wpfleet/repo.git/objects/pack/tmp_pack_a1b2c3": strings.Repeat("x", 1000),
		".wpfleet/repo.git/objects/pack/tmp_idx_a1b2c3": "x", ".wpfleet/repo.git/objects/incoming-Qx7/": "",
		".wpfleet/repo.git/objects/incoming-Qx7/pack/tmp_pack_zz": "x", ".wpfleet/repo.git/objects/pack/pack-0123.keep": "",
		".wpfleet/repo.git/objects/tmp_obj_9": "x"})
	f.release("site", "main")
	left, _ := filepath.Glob(filepath.Join(f.mirror("site"), "objects", "pack", "tmp_*"))
	more, _ := filepath.Glob(filepath.Join(f.mirror("site"), "objects", "incoming-*"))
	keep, _ := filepath.Glob(filepath.Join(f.mirror("site"), "objects", "pack", "*.keep"))
	obj, _ := filepath.Glob(filepath.Join(f.mirror("site"), "objects", "tmp_obj_*"))
	if all := append(append(append(left, more...), keep...), obj...); len(all) > 0 {
		t.Fatalf("leftovers of failed fetches remain: %v", all)
	}
}

// Upstream renames a branch into a directory of another (release -> release/1.0) and back: the
// mirror follows, and every ref still releases.
func TestFaultBranchRenamedIntoDirectory(t *testing.T) {
	f, _, _ := faultFixture(t)
	o := f.origin("site")
	f.git(o, "branch", "release")
	f.release("site", "release")
	f.git(o, "branch", "-D", "release")
	f.git(o, "branch", "release/1.0")
	f.release("site", "main")
	id := f.release("site", "release/1.0")
	f.checkMatchesCommit("site", id, f.git(o, "rev-parse", "release/1.0"))
	f.git(o, "branch", "-D", "release/1.0")
	f.git(o, "branch", "release")
	f.release("site", "release")
	r := f.run("site", "release", "release/1.0")
	if r.code != 1 || !strings.Contains(r.lastLine(), "is not a branch, tag or commit") {
		t.Fatalf("a deleted branch must be gone from the mirror: %s", r)
	}
}

// A hook leaves directories read-only (and one unreadable); the job runs as uid 82, which
// has no root powers, like the real job through the access point. Releases, rollbacks and
// pruning go on; the unreadable one fails its own release only.
func TestFaultReadOnlyDirectoriesFromHook(t *testing.T) {
	f, _, _ := faultFixture(t)
	f.env["KEEP_RELEASES"] = "1"
	f.commit("site", "ro", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nmkdir -p ro/sub && echo x > ro/sub/f && chmod 0444 ro/sub/f && chmod 0555 ro/sub ro\n"})
	ro := f.release("site", "main")
	if fi, err := os.Stat(filepath.Join(f.siteDir("site"), "releases", ro, "ro", "sub", "f")); err != nil || fi.Mode().Perm() != 0o444 {
		t.Fatalf("hook output: %v %v", fi, err)
	}
	f.commit("site", "plain", map[string]string{".wpfleet/hooks/build": Deleted})
	f.release("site", "main")
	if r := f.run("site", "rollback", ""); r.code != 0 || f.currentID("site") != ro {
		t.Fatalf("rollback to the read-only release: %s", r)
	}
	f.run("site", "rollback", "")
	f.commit("site", "two", map[string]string{"two.txt": "2\n"})
	f.release("site", "main") // prunes the read-only release
	if _, err := os.Lstat(filepath.Join(f.siteDir("site"), "releases", ro)); !os.IsNotExist(err) {
		t.Fatalf("the release with read-only directories was not pruned: %v", err)
	}
	// A hook that leaves a directory without read permission cannot be archived: its release
	// fails, and the next one clears its work area.
	f.commit("site", "unreadable", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nmkdir -p no/sub && echo x > no/sub/f && chmod 0 no/sub no\n"})
	r := f.run("site", "release", "main")
	if r.code != 1 || !strings.Contains(r.lastLine(), "step artifact failed") {
		t.Fatalf("unreadable directory: %s", r)
	}
	f.commit("site", "readable", map[string]string{".wpfleet/hooks/build": Deleted})
	f.release("site", "main")
	f.checkSite("site")
	f.assertNoWork("site")
}

// A name with a backslash (or a control character): the sync agent refuses it, so the job
// must not publish it (both use release/tree).
func TestFaultNameReadersRefuse(t *testing.T) {
	for name, path := range map[string]string{"backslash": `wp-content/a\b.php`, "newline": "wp-content/a\nb.php"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, _, before := faultFixture(t)
			f.commit("site", name, map[string]string{path: "<?php\n"})
			r := f.run("site", "release", "main")
			expectFailure(t, f, r, 1, "not allowed in names", before, func() {
				f.commit("site", "fix", map[string]string{path: Deleted})
			})
		})
	}
}

// The disk fills up after the switch, while the history is appended: the new release is live,
// and the job says so (exit 4), not "current still OLD".
func TestFaultDiskFullAfterSwitch(t *testing.T) {
	f := newFixture(t, "site")
	mountTmpfs(t, f.root, "20m")
	f.release("site", "main")
	next := f.commit("site", "next", map[string]string{"next.txt": "next\n"})
	// The history ends exactly on a page: one more line needs a new page.
	hist := filepath.Join(f.siteDir("site"), ".wpfleet", "history")
	b, _ := os.ReadFile(hist)
	pad := 4096 - len(b)%4096
	b = append(b, bytes.Repeat([]byte("\n"), pad)...)
	if err := os.WriteFile(hist, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, stdout, stderr := f.command("site", "release", "main", "WPFLEET_FAULT_STOP_AT=switched")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, cmd.Process.Pid)
	fill := filepath.Join(f.root, "fill")
	fillDisk(t, fill)
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	code := exitCode(cmd.Wait())
	last := lastLineOf(stderr.String())
	cur := f.currentID("site")
	if code != 4 || !strings.Contains(last, "release "+cur+" is live") || !strings.Contains(last, "history could not record it") {
		t.Fatalf("want exit 4 saying the new release is live: exit %d\n%s\n%s", code, stdout, stderr)
	}
	f.checkMatchesCommit("site", cur, next)
	f.assertUnlocked("site")
	if err := os.RemoveAll(fill); err != nil {
		t.Fatal(err)
	}
	f.commit("site", "after", map[string]string{"after.txt": "a\n"})
	f.release("site", "main")
	f.checkSite("site")
}

// fillDisk fills the file system of dir's parent to the last page: one large file, then small
// ones until even a page is refused.
func fillDisk(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(dir, "big"), "bs=1M", "count=1024").Run()
	page := bytes.Repeat([]byte{1}, 4096)
	for i := 0; ; i++ {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), page, 0o644); err != nil {
			return
		}
	}
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// SIGTERM (CodeBuild stopping the build) after the switch: exit 4, the new release is live.
func TestFaultSignalAfterSwitch(t *testing.T) {
	f, good, _ := faultFixture(t)
	cmd, stdout, stderr := f.command("site", "release", "main", "WPFLEET_FAULT_STOP_AT=switched")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, cmd.Process.Pid)
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGCONT)
	code := exitCode(cmd.Wait())
	cur := f.currentID("site")
	if cur == good || code != 4 || !strings.Contains(lastLineOf(stderr.String()), "release "+cur+" is live") {
		t.Fatalf("want exit 4 naming the live release %s: exit %d\n%s\n%s", cur, code, stdout, stderr)
	}
	f.checkSite("site")
	f.assertUnlocked("site")
}

// SIGTERM while a hook runs: the job stops the hook and every process it started, cleans up,
// frees the lock and exits 1 at once (it used to hold the lock until the hook ended).
func TestFaultSignalDuringHook(t *testing.T) {
	f, good, before := faultFixture(t)
	f.commit("site", "slow", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\n(sleep 30101; echo late > late.txt) &\ntouch hook-running\nsleep 30102\n"})
	cmd, _, stderr := f.command("site", "release", "main")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitGlob(t, filepath.Join(f.siteDir("site"), ".wpfleet", "tmp", "*", "hook-running"))
	start := time.Now()
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
	code := exitCode(cmd.Wait())
	if code != 1 || time.Since(start) > 15*time.Second || !strings.Contains(lastLineOf(stderr.String()), "current still "+good) {
		t.Fatalf("want exit 1 soon after SIGTERM: exit %d after %s\n%s", code, time.Since(start), stderr)
	}
	if p := append(processesMatching(t, "sleep 30101"), processesMatching(t, "sleep 30102")...); len(p) > 0 {
		t.Fatalf("processes of the hook outlived the job: %v", p)
	}
	f.assertUnchanged("site", before)
	f.assertUnlocked("site")
	f.assertNoWork("site")
}

// The job dies (SIGKILL to the job alone) while its hook runs with a process in a session of
// its own: the lock is free at once, and the hook's processes die with the job.
func TestFaultJobKilledDuringHook(t *testing.T) {
	f, good, _ := faultFixture(t)
	f.commit("site", "orphan", map[string]string{".wpfleet/hooks/build": "#!/bin/sh\nsetsid sleep 30201 &\ntouch hook-running\nsleep 30202\n"})
	cmd, _, _ := f.command("site", "release", "main")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitGlob(t, filepath.Join(f.siteDir("site"), ".wpfleet", "tmp", "*", "hook-running"))
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	f.assertUnlocked("site")
	deadline := time.Now().Add(10 * time.Second)
	for len(processesMatching(t, "sleep 3020")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes of the hook outlived the killed job: %v", processesMatching(t, "sleep 3020"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if f.currentID("site") != good {
		t.Fatal("current moved")
	}
}

// A remote that accepts the connection and then sends nothing, over ssh://: the fetch fails
// after WPFLEET_FETCH_STALL_SECONDS and the lock is free (it used to be held until CodeBuild's
// timeout). ssh runs as root here: it needs its user in the password database, which uid 82
// is not on this machine; the real job runs as root in its container.
func TestFaultStalledSSHRemote(t *testing.T) {
	need(t, "ssh")
	f, _, before := faultFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	url := fmt.Sprintf("REPO_URL_SITE=ssh://git@127.0.0.1:%d/site.git", l.Addr().(*net.TCPAddr).Port)
	cmd, stdout, stderr := f.command("site", "release", "main", url, "WPFLEET_FETCH_STALL_SECONDS=3")
	cmd.SysProcAttr.Credential = nil
	start := time.Now()
	code := exitCode(cmd.Run())
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if code != 1 || time.Since(start) > 30*time.Second || !strings.Contains(r.lastLine(), "stalled: no progress for 3s") {
		t.Fatalf("stalled ssh remote: after %s: %s", time.Since(start), r)
	}
	f.assertUnchanged("site", before)
	f.assertUnlocked("site")
}

// A file:// remote whose repository blocks on read (here: its alternates file is a FIFO
// nobody writes, as a hung network file system blocks): the fetch fails after
// WPFLEET_FETCH_STALL_SECONDS.
func TestFaultStalledFileRemote(t *testing.T) {
	f, _, before := faultFixture(t)
	f.commit("site", "more", map[string]string{"more.txt": "more\n"})
	fifo := filepath.Join(f.origin("site"), ".git", "objects", "info", "alternates")
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := f.run("site", "release", "main", "WPFLEET_FETCH_STALL_SECONDS=3")
	if r.code != 1 || time.Since(start) > 30*time.Second || !strings.Contains(r.lastLine(), "stalled: no progress for 3s") {
		t.Fatalf("stalled file remote after %s: %s", time.Since(start), r)
	}
	f.assertUnchanged("site", before)
	f.assertUnlocked("site")
	f.assertNoWork("site")
	if err := os.Remove(fifo); err != nil {
		t.Fatal(err)
	}
}

// A database that accepts connections and answers nothing: the database step gives up after
// WPFLEET_DB_TIMEOUT, before anything is written (exit 1, lock free).
func TestFaultDatabaseHangsBeforeSwitch(t *testing.T) {
	f, _, before := faultFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	r := f.run("site", "release", "main", "DB_PORT="+strconv.Itoa(l.Addr().(*net.TCPAddr).Port), "WPFLEET_DB_TIMEOUT=3")
	if r.code != 1 || time.Since(start) > 30*time.Second || !strings.Contains(r.lastLine(), "no answer within WPFLEET_DB_TIMEOUT=3s") {
		t.Fatalf("hung database after %s: %s", time.Since(start), r)
	}
	f.assertUnchanged("site", before)
	f.assertUnlocked("site")
}

// A corrupt artifact (bytes changed after it was published): rollback refuses it, as the
// sync agent of every local-mode task would (it used to switch and exit 0).
func TestFaultRollbackToCorruptArtifact(t *testing.T) {
	f, good, _ := faultFixture(t)
	f.release("site", "main")
	art := filepath.Join(f.siteDir("site"), "artifacts", good+".tar.zst")
	b, err := os.ReadFile(art)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(art, b, 0o444); err != nil {
		t.Fatal(err)
	}
	cur := f.currentID("site")
	r := f.run("site", "rollback", "")
	if r.code != 1 || !strings.Contains(r.lastLine(), "artifact cannot be used") || f.currentID("site") != cur {
		t.Fatalf("rollback to a corrupt artifact: %s", r)
	}
	f.assertUnlocked("site")
}

// A .gitattributes change (eol, ident) changes how unchanged files are checked out: the release
// equals a full checkout byte for byte (the hard-linked tree used to keep the old bytes).
func TestFaultAttributesChange(t *testing.T) {
	f, _, _ := faultFixture(t)
	f.commit("site", "files", map[string]string{"a.txt": "x\ny\n", "b.php": "<?php // $Id$\n"})
	f.release("site", "main")
	c := f.commit("site", "attributes", map[string]string{".gitattributes": "*.txt eol=crlf\n*.php ident\n"})
	r := f.run("site", "release", "main")
	if r.code != 0 || !strings.Contains(r.stderr, ".gitattributes changed") {
		t.Fatalf("release after an attributes change: %s", r)
	}
	id := f.currentID("site")
	f.checkMatchesCommit("site", id, c)
	b, _ := os.ReadFile(filepath.Join(f.siteDir("site"), "releases", id, "a.txt"))
	if string(b) != "x\r\ny\r\n" {
		t.Fatalf("a.txt = %q, want CRLF line ends", b)
	}
}

// A live file edited in place: as the job's user the edit fails (published files are
// read-only); made anyway (root), it does not spread into the next release, which is checked
// out in full instead of linked from the edited one.
func TestFaultLiveFileEditedInPlace(t *testing.T) {
	f, good, _ := faultFixture(t)
	live := filepath.Join(f.siteDir("site"), "releases", good, "good.txt")
	edit := exec.Command("sh", "-c", `echo edited >> "$0"`, live)
	edit.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: jobUID, Gid: jobUID}}
	if out, err := edit.CombinedOutput(); err == nil {
		t.Fatalf("uid 82 could edit a published file in place: %s", out)
	}
	time.Sleep(10 * time.Millisecond) // a later modification time than the manifest's
	fh, err := os.OpenFile(live, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(fh, "edited")
	fh.Close()
	r := f.run("site", "release", "main")
	if r.code != 0 || !strings.Contains(r.stderr, "changed after it was published") {
		t.Fatalf("release after an in-place edit: %s", r)
	}
	f.checkMatchesCommit("site", f.currentID("site"), f.git(f.origin("site"), "rev-parse", "HEAD"))
}

// The mirror is garbage-collected: 9,000 old unreachable loose objects (a killed fetch, pruned
// refs) are gone after a release (gc.auto=0 used to disable gc --auto as well).
func TestFaultMirrorGarbageCollected(t *testing.T) {
	f, _, _ := faultFixture(t)
	var in bytes.Buffer
	for i := 0; i < 9000; i++ {
		fmt.Fprintf(&in, "garbage %d\n", i)
	}
	dir := t.TempDir()
	var paths bytes.Buffer
	for i, line := range strings.Split(strings.TrimSpace(in.String()), "\n") {
		p := filepath.Join(dir, strconv.Itoa(i))
		writeFile(t, p, line, 0o644)
		paths.WriteString(p + "\n")
	}
	cmd := exec.Command("git", "--git-dir", f.mirror("site"), "hash-object", "-w", "--stdin-paths")
	cmd.Stdin = &paths
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hash-object: %v %s", err, out)
	}
	old := time.Now().Add(-30 * 24 * time.Hour)
	_ = filepath.Walk(filepath.Join(f.mirror("site"), "objects"), func(p string, _ os.FileInfo, _ error) error {
		_ = os.Lchown(p, jobUID, jobUID)
		_ = os.Chtimes(p, old, old)
		return nil
	})
	if n := looseObjects(t, f.mirror("site")); n < 9000 {
		t.Fatalf("planted %d loose objects", n)
	}
	f.commit("site", "gc", map[string]string{"gc.txt": "gc\n"})
	f.release("site", "main")
	if n := looseObjects(t, f.mirror("site")); n > 100 {
		t.Fatalf("%d loose objects left after a release: the mirror was not garbage-collected", n)
	}
}

func looseObjects(t *testing.T, gitDir string) int {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", gitDir, "count-objects", "-v").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "count: "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

// Releases are pruned by the history, not by their ids' text: with a clock that was set back
// (the second release's id sorts before the first's) the oldest switched-to release goes.
func TestFaultPruneOrderWithClockSetBack(t *testing.T) {
	f := newFixture(t, "site")
	f.env["KEEP_RELEASES"] = "2"
	r1 := f.release("site", "main", "WPFLEET_ID_TIME=20300101T000000Z")
	f.commit("site", "2", map[string]string{"two.txt": "2\n"})
	r2 := f.release("site", "main", "WPFLEET_ID_TIME=20200101T000000Z")
	f.commit("site", "3", map[string]string{"three.txt": "3\n"})
	r3 := f.release("site", "main", "WPFLEET_ID_TIME=20200101T000001Z")
	if got, want := f.releaseIDs("site"), sorted([]string{r2, r3}); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("kept %v, want %v (the first release %s is the oldest)", got, want, r1)
	}
}

// git LFS pointer files are refused, not released in place of the files they stand for.
func TestFaultLFSPointer(t *testing.T) {
	f, _, before := faultFixture(t)
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
	f.commit("site", "lfs", map[string]string{".gitattributes": "*.png filter=lfs diff=lfs merge=lfs -text\n", "wp-content/logo.png": pointer})
	r := f.run("site", "release", "main")
	expectFailure(t, f, r, 1, "wp-content/logo.png is a git LFS pointer file", before, func() {
		f.commit("site", "no lfs", map[string]string{"wp-content/logo.png": Deleted, ".gitattributes": Deleted})
	})
}
