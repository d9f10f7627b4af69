package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFirstRelease(t *testing.T) {
	f := newFixture(t, "blog", "news")
	c := f.commit("blog", "content", map[string]string{
		"wp-config.php":             "<?php define('DB_PASSWORD', 'committed by mistake');\n",
		"wp-content/uploads-link":   Link + "themes/t",
		"bin/tool.sh":               "#!/bin/sh\necho tool\n",
		".wpfleet/hooks/.gitkeep":   "",
		"wp-content/themes/t/a.css": "a{}\n",
	})
	r := f.run("blog", "release", "main")
	if r.code != 0 {
		t.Fatalf("first release failed: %s", r)
	}
	if !strings.HasSuffix(strings.TrimSpace(r.stdout), " wp_config=replaced") {
		t.Fatalf("summary does not say wp-config.php was replaced: %q", r.stdout)
	}
	id := f.currentID("blog")
	m := f.checkRelease("blog", id)
	if m.Commit != c || m.Ref != "main" || m.WPConfig != "replaced" {
		t.Fatalf("manifest %+v, want commit %s ref main wp_config replaced", m, c)
	}
	f.checkMatchesCommit("blog", id, c)
	if h := f.history("blog"); len(h) != 1 || h[0][1] != id || h[0][2] != "release" {
		t.Fatalf("history %v, want one release line for %s", h, id)
	}
	if out, err := exec.Command("git", "--git-dir", filepath.Join(f.siteDir("blog"), ".wpfleet", "repo.git"),
		"rev-parse", "--is-bare-repository", "refs/heads/main").Output(); err != nil ||
		strings.Fields(string(out))[0] != "true" || strings.Fields(string(out))[1] != c {
		t.Fatalf("mirror is not a bare repository at %s: %q %v", c, out, err)
	}
	// Database and user exist; the user can work in its own database only.
	db := dbName("blog")
	if out, err := f.db.rootSQL("SHOW DATABASES LIKE '" + db + "'"); err != nil || out != db {
		t.Fatalf("database %s not created: %q %v", db, out, err)
	}
	if _, err := f.db.userSQL(t, db, sitePassword("blog"), "CREATE TABLE "+db+".t (i int); DROP TABLE "+db+".t;"); err != nil {
		t.Fatalf("site user cannot use its database: %v", err)
	}
	if _, err := f.db.userSQL(t, db, sitePassword("blog"), "CREATE DATABASE wp_other"); err == nil {
		t.Fatalf("site user could create another database")
	}
	// Only the master secret and this site's secret were read.
	calls := f.secretCalls()
	if strings.Join(calls, " ") != secretPrefix+"blog/db "+masterSecretID {
		t.Fatalf("secrets read: %v", calls)
	}
	// Nothing secret stays on disk: private temp files are gone.
	if ents, _ := os.ReadDir(f.home); len(ents) > 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("job left files in TMPDIR: %v", names)
	}
	f.assertUnlocked("blog")

	// Idempotent: a second release keeps the database and follows a changed password.
	f.putSecret(secretPrefix+"blog/db", map[string]string{"username": db, "password": "new'pw\\2", "dbname": db})
	id2 := f.release("blog", "main")
	if id2 == id {
		t.Fatalf("same id %s reused", id)
	}
	if _, err := f.db.userSQL(t, db, "new'pw\\2", "SELECT 1"); err != nil {
		t.Fatalf("password not updated from the secret: %v", err)
	}
	// The other site was not touched.
	if _, err := os.Stat(f.siteDir("news")); !os.IsNotExist(err) {
		t.Fatalf("site news exists after releasing blog: %v", err)
	}
}

func TestIncrementalReleaseFetchesOnlyNewObjects(t *testing.T) {
	f := newFixture(t, "shop")
	files := map[string]string{}
	for i := 0; i < 300; i++ {
		files["wp-content/plugins/p/f"+strconv.Itoa(i)+".php"] = "<?php // " + strings.Repeat(strconv.Itoa(i), 50) + "\n"
	}
	c1 := f.commit("shop", "many files", files)
	id1 := f.release("shop", "main")
	f.checkMatchesCommit("shop", id1, c1)

	c2 := f.commit("shop", "small change", map[string]string{
		"wp-content/plugins/p/f1.php":   "<?php // changed\n",
		"wp-content/plugins/p/new.php":  "<?php // new\n",
		"wp-content/plugins/p/f2.php":   Deleted,
		"wp-content/themes/t/style.css": "/* Theme Name: t2 */\n",
	})
	mirror := filepath.Join(f.siteDir("shop"), ".wpfleet", "repo.git")
	before := objectCount(t, mirror)
	id2 := f.release("shop", "main")
	newObjects := len(strings.Split(f.git(f.origin("shop"), "rev-list", "--objects", c1+".."+c2), "\n"))
	if got := objectCount(t, mirror) - before; got != newObjects {
		t.Fatalf("mirror gained %d objects, the new commit has %d new ones", got, newObjects)
	}
	f.checkMatchesCommit("shop", id2, c2)
	f.checkMatchesCommit("shop", id1, c1) // the previous release is untouched
	if cur := f.checkSite("shop"); cur != id2 {
		t.Fatalf("current %s, want %s", cur, id2)
	}
	if h := f.history("shop"); len(h) != 2 || h[1][1] != id2 {
		t.Fatalf("history %v", h)
	}
}

// objectCount is the number of distinct objects in a repository (a fetched pack made
// self-contained may repeat a few it was thin against).
func objectCount(t *testing.T, gitDir string) int {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", gitDir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").Output()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		seen[l] = true
	}
	return len(seen)
}

func TestTagAndCommitRefs(t *testing.T) {
	f := newFixture(t, "corp")
	a := f.commit("corp", "A", map[string]string{"a.txt": "A\n"})
	f.git(f.origin("corp"), "tag", "-a", "-m", "release 1", "v1.0")
	f.git(f.origin("corp"), "tag", "light")
	b := f.commit("corp", "B", map[string]string{"b.txt": "B\n"})
	f.git(f.origin("corp"), "checkout", "-q", "-b", "feature/x")
	feat := f.commit("corp", "F", map[string]string{"f.txt": "F\n"})
	f.git(f.origin("corp"), "checkout", "-q", "main")

	for _, tc := range []struct{ ref, want string }{
		{"v1.0", a}, {"light", a}, {b[:8], b}, {a, a}, {"feature/x", feat}, {"main", b},
	} {
		id := f.release("corp", tc.ref)
		m := f.checkRelease("corp", id)
		if m.Commit != tc.want || m.Ref != tc.ref {
			t.Fatalf("ref %s released commit %s (manifest ref %s), want %s", tc.ref, m.Commit, m.Ref, tc.want)
		}
		f.checkMatchesCommit("corp", id, tc.want)
	}
}

func TestRollbackAndPrune(t *testing.T) {
	f := newFixture(t, "eng")
	f.env["KEEP_RELEASES"] = "3"
	var ids []string
	for i := 0; i < 5; i++ {
		f.commit("eng", "r"+strconv.Itoa(i), map[string]string{"v.txt": strconv.Itoa(i) + "\n"})
		ids = append(ids, f.release("eng", "main"))
	}
	if got, want := f.releaseIDs("eng"), sorted(ids[2:]); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after 5 releases with KEEP_RELEASES=3: %v, want %v", got, want)
	}
	for _, id := range ids[:2] {
		if _, err := os.Stat(filepath.Join(f.siteDir("eng"), "artifacts", id+".tar.zst")); !os.IsNotExist(err) {
			t.Fatalf("artifact of pruned release %s still there: %v", id, err)
		}
	}

	r := f.run("eng", "rollback", "")
	want := "rollback site=eng from=" + ids[4] + " to=" + ids[3] + " seconds="
	if r.code != 0 || !strings.HasPrefix(strings.TrimSpace(r.stdout), want) {
		t.Fatalf("rollback: want %q...: %s", want, r)
	}
	if cur := f.checkSite("eng"); cur != ids[3] {
		t.Fatalf("current %s after rollback, want %s", cur, ids[3])
	}
	// A second rollback returns to the release live before this one (per the history).
	r = f.run("eng", "rollback", "")
	if r.code != 0 || f.currentID("eng") != ids[4] {
		t.Fatalf("second rollback: current %s, want %s: %s", f.currentID("eng"), ids[4], r)
	}
	h := f.history("eng")
	if last := h[len(h)-1]; last[1] != ids[4] || last[2] != "rollback" {
		t.Fatalf("history ends with %v", last)
	}

	// Prune keeps the live release and the one before it even when they are the oldest.
	f.run("eng", "rollback", "") // live: ids[3], previous: ids[4]
	f.env["KEEP_RELEASES"] = "1"
	f.commit("eng", "r5", map[string]string{"v.txt": "5\n"})
	id5 := f.release("eng", "main")
	if got, want := f.releaseIDs("eng"), sorted([]string{ids[3], id5}); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("KEEP_RELEASES=1 kept %v, want the live %s and the previous %s", got, id5, ids[3])
	}
	f.checkSite("eng")
}

func TestRollbackWithoutEarlierReleaseFails(t *testing.T) {
	f := newFixture(t, "solo")
	r := f.run("solo", "rollback", "")
	if r.code != 1 || !strings.Contains(r.lastLine(), "no current release") {
		t.Fatalf("rollback of a site never released: %s", r)
	}
	id := f.release("solo", "main")
	before := f.snapshot("solo")
	r = f.run("solo", "rollback", "")
	if r.code != 1 || !strings.Contains(r.lastLine(), "no earlier release") {
		t.Fatalf("rollback with one release: %s", r)
	}
	f.assertUnchanged("solo", before)
	if f.currentID("solo") != id {
		t.Fatal("current moved")
	}
	// A previous release that lost its artifact is not a rollback target.
	f.commit("solo", "2", map[string]string{"x": "2\n"})
	f.release("solo", "main")
	if err := os.Remove(filepath.Join(f.siteDir("solo"), "artifacts", id+".tar.zst")); err != nil {
		t.Fatal(err)
	}
	cur := f.currentID("solo")
	r = f.run("solo", "rollback", "")
	if r.code != 1 || !strings.Contains(r.lastLine(), "incomplete") || f.currentID("solo") != cur {
		t.Fatalf("rollback to a release without artifact: %s", r)
	}
}

func TestConcurrentReleaseRefused(t *testing.T) {
	f := newFixture(t, "alpha", "beta")
	f.release("alpha", "main")
	f.commit("alpha", "2", map[string]string{"two.txt": "2\n"})

	// The first job stops while holding the lock.
	cmd, stdout, stderr := f.command("alpha", "release", "main", "WPFLEET_FAULT_STOP_AT=fetched")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	reaped := false
	t.Cleanup(func() {
		if !reaped {
			killSession(t, pid)
			_ = cmd.Wait()
		}
	})
	waitStopped(t, cmd.Process.Pid)

	for _, action := range []string{"release", "rollback"} {
		r := f.run("alpha", action, "main")
		if r.code != 3 || !strings.Contains(r.lastLine(), "pid="+strconv.Itoa(cmd.Process.Pid)) {
			t.Fatalf("%s while locked: want exit 3 naming pid %d: %s", action, cmd.Process.Pid, r)
		}
	}
	// Another site releases meanwhile.
	f.release("beta", "main")
	f.checkSite("beta")

	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("resumed job failed: %v\n%s\n%s", err, stdout, stderr)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("resumed job did not finish")
	}
	reaped = true
	if !releaseLineRE.MatchString(strings.TrimSpace(stdout.String())) {
		t.Fatalf("resumed job summary: %q", stdout)
	}
	f.checkSite("alpha")
	f.assertUnlocked("alpha")
}

func TestBadInputIsRefusedBeforeAnyWrite(t *testing.T) {
	f := newFixture(t, "blog")
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"site not allowed", []string{"RELEASE_PATH=Blog"}, "not a site name"},
		{"site too long", []string{"RELEASE_PATH=abcdefghijklmno"}, "not a site name"},
		{"site not configured", []string{"RELEASE_PATH=other"}, "not one of WPFLEET_SITES"},
		{"action", []string{"ACTION=deploy"}, "ACTION (6 characters) is not allowed"},
		{"option as ref", []string{"BRANCH=--upload-pack=touch /tmp/x"}, "not a branch, tag or commit name"},
		{"dots in ref", []string{"BRANCH=a..b"}, "not a branch, tag or commit name"},
		{"empty ref", []string{"BRANCH="}, "not a branch, tag or commit name"},
		{"keep", []string{"KEEP_RELEASES=0"}, "KEEP_RELEASES"},
		{"keep octal", []string{"KEEP_RELEASES=08"}, "KEEP_RELEASES"},
		{"hook timeout", []string{"HOOK_TIMEOUT=0"}, "HOOK_TIMEOUT"},
		{"url scheme", []string{"REPO_URL_TEMPLATE=ext::sh -c touch% /tmp/pwned"}, "not allowed"},
		{"no tls ca", []string{"DB_TLS=on", "DB_TLS_CA="}, "DB_TLS_CA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.run("blog", "release", "main", tc.env...)
			if r.code != 2 || !strings.Contains(r.lastLine(), tc.want) {
				t.Fatalf("want exit 2 with %q: %s", tc.want, r)
			}
			if f.currentID("blog") != "" {
				t.Fatal("a release happened")
			}
		})
	}
}

// TestShellcheck: the release benchmark's script passes shellcheck (the buildspec's commands
// and the CI examples are checked by their own tests).
func TestShellcheck(t *testing.T) {
	need(t, "shellcheck")
	out, err := exec.Command("shellcheck", "-x", "--severity=style", filepath.Join(repoRoot, "bench", "release", "run.sh")).CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}

// TestIncrementalTreeChanges: the hard-linked incremental tree equals a full checkout for
// every kind of change, and never alters the release it was linked from.
func TestIncrementalTreeChanges(t *testing.T) {
	f := newFixture(t, "inc")
	c1 := f.commit("inc", "base", map[string]string{
		"a/file-becomes-dir":   "x\n",
		"b/dir-becomes-file/x": "x\n",
		"c/file-becomes-link":  "x\n",
		"d/link-becomes-file":  Link + "../a",
		"e/only/child.txt":     "gone soon\n",
		"f/exec.sh":            "echo not executable yet\n",
		"g/same.txt":           "unchanged\n",
		"wp-config.php":        "<?php // committed\n",
	})
	id1 := f.release("inc", "main")
	r1 := f.snapshot("inc")[id1]
	c2 := f.commit("inc", "every kind of change", map[string]string{
		"a/file-becomes-dir":   Deleted,
		"b/dir-becomes-file/x": Deleted,
		"c/file-becomes-link":  Deleted,
		"d/link-becomes-file":  Deleted,
		"e/only/child.txt":     Deleted,
		"g/new.txt":            "new\n",
	})
	c2 = f.commit("inc", "every kind of change, part 2", map[string]string{
		"a/file-becomes-dir/inside": "now a dir\n",
		"b/dir-becomes-file":        "now a file\n",
		"c/file-becomes-link":       Link + "../g/same.txt",
		"d/link-becomes-file":       "now a file\n",
		"f/exec.sh":                 "#!/bin/sh\necho executable\n",
		"wp-config.php":             "<?php // changed\n",
	})
	r := f.run("inc", "release", "main")
	if r.code != 0 || !strings.Contains(r.stderr, "checkout: hard links to "+id1) {
		t.Fatalf("incremental release did not take the hard-link path: %s", r)
	}
	id2 := f.currentID("inc")
	if m := f.checkRelease("inc", id2); m.WPConfig != "replaced" {
		t.Fatalf("committed wp-config.php not reported as replaced: %+v", m)
	}
	f.checkMatchesCommit("inc", id2, c2)
	f.checkMatchesCommit("inc", id1, c1)
	if f.snapshot("inc")[id1] != r1 {
		t.Fatal("the release linked from changed")
	}
	if _, err := os.Stat(filepath.Join(f.siteDir("inc"), "releases", id2, "e")); !os.IsNotExist(err) {
		t.Fatalf("emptied directory e/ left in the new release: %v", err)
	}
	// A release after one with hooks takes the full path.
	need(t, "composer")
	f.commit("inc", "composer", map[string]string{"composer.json": `{"repositories": [{"packagist.org": false}]}`})
	if r := f.run("inc", "release", "main"); r.code != 0 || strings.Contains(r.stderr, "hard links") {
		t.Fatalf("release with hooks must check out in full: %s", r)
	}
	c4 := f.commit("inc", "no more composer", map[string]string{"composer.json": Deleted})
	if r := f.run("inc", "release", "main"); r.code != 0 || strings.Contains(r.stderr, "hard links") {
		t.Fatalf("release after one with hooks must check out in full: %s", r)
	}
	f.checkMatchesCommit("inc", f.currentID("inc"), c4)
	// WPFLEET_FULL_CHECKOUT=1 writes the whole tree even when hard links would do.
	c5 := f.commit("inc", "5", map[string]string{"g/five.txt": "5\n"})
	if r := f.run("inc", "release", "main", "WPFLEET_FULL_CHECKOUT=1"); r.code != 0 || strings.Contains(r.stderr, "hard links") {
		t.Fatalf("WPFLEET_FULL_CHECKOUT=1: %s", r)
	}
	f.checkMatchesCommit("inc", f.currentID("inc"), c5)
	f.checkSite("inc")
}

func TestBadSecretsAreNamed(t *testing.T) {
	f := newFixture(t, "sec")
	f.putSecret(secretPrefix+"sec/db", map[string]string{"username": "wp_sec", "dbname": "wp_sec"})
	r := f.run("sec", "release", "main")
	if r.code != 1 || !strings.Contains(r.lastLine(), "secret wpfleet/test/sec/db: no string field password") {
		t.Fatalf("secret without password: %s", r)
	}
	f.putSecret(secretPrefix+"sec/db", map[string]string{"username": "wp-sec", "dbname": "wp_sec", "password": "x"})
	r = f.run("sec", "release", "main")
	if r.code != 1 || !strings.Contains(r.lastLine(), "database user 'wp-sec' is not allowed: [A-Za-z0-9_]") {
		t.Fatalf("user name with a dash: %s", r)
	}
	f.putSecret(masterSecretID, map[string]string{"user": "master"})
	f.putSecret(secretPrefix+"sec/db", map[string]string{"username": "wp_sec", "dbname": "wp_sec", "password": "x"})
	r = f.run("sec", "release", "main")
	if r.code != 1 || !strings.Contains(r.lastLine(), "no string field username") {
		t.Fatalf("master secret without username: %s", r)
	}
	if f.currentID("sec") != "" {
		t.Fatal("released with bad secrets")
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
