package job

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// release runs a release (docs/release.md, "What a release does").
func (j *job) release() error {
	b, why := j.baseRelease()
	if b != nil {
		j.prelink(b)
	}
	db, err := j.databaseAndFetch()
	if err != nil {
		return err
	}
	j.checkpoint("fetched")
	j.stepf("resolve")
	commit, err := j.resolve(j.ctx)
	if err != nil {
		return err
	}
	r := &newRelease{commit: commit, created: time.Now().UTC()}
	if r.id, err = j.newID(commit); err != nil {
		return err
	}
	r.tree = filepath.Join(j.tmpDir(), r.id)
	j.work = append(j.work, r.tree)
	j.logf("releasing %s ref %s commit %s as %s (current: %s)", j.cfg.Site, j.cfg.Ref, commit, r.id, orNone(j.oldID))
	j.stepf("checkout")
	if err := j.checkout(r, b, why); err != nil {
		return err
	}
	j.checkpoint("checked-out")
	if err := j.runHooks(r); err != nil {
		return err
	}
	j.checkpoint("hooks-done")
	if err := j.finishTree(r); err != nil {
		return err
	}
	if err := j.wordpressReady(j.ctx, r.tree); err != nil {
		return err
	}
	if err := j.buildArtifact(r); err != nil {
		return err
	}
	j.checkpoint("artifact-written")
	if err := j.publish(r); err != nil {
		return err
	}
	j.checkpoint("published")
	if err := j.switchLive(r.id, "release"); err != nil {
		return err
	}
	if err := j.afterSwitch(r.id, db); err != nil {
		return err
	}
	note := ""
	if r.wpConfigReplaced {
		note = " wp_config=replaced"
	}
	fmt.Fprintf(j.out, "release site=%s ref=%s commit=%s id=%s seconds=%s%s\n", j.cfg.Site, j.cfg.Ref, commit, r.id, j.seconds(), note)
	return nil
}

type newRelease struct {
	id, commit, tree string
	created          time.Time
	info             *commitInfo
	hooks            []string
	wpConfigReplaced bool
	stats            treeStats
	sha              string
}

// databaseAndFetch creates the site's database and user while the mirror fetches.
func (j *job) databaseAndFetch() (*siteDB, error) {
	j.stepf("database")
	var db *siteDB
	var dbErr error
	done := make(chan struct{})
	go func() { db, dbErr = j.ensureDatabase(j.ctx); close(done) }()
	j.stepf("fetch")
	fetchErr := j.prepareMirror(j.ctx)
	if fetchErr == nil {
		fetchErr = j.fetch(j.ctx)
	}
	<-done
	if dbErr != nil {
		j.step = "database"
		return nil, dbErr
	}
	return db, fetchErr
}

// newID names the release after the time and the commit; never an id used before.
func (j *job) newID(commit string) (string, error) {
	t, fixed := time.Now().UTC(), !j.cfg.IDTime.IsZero()
	if fixed {
		t = j.cfg.IDTime
	}
	history := historyIDs(j.metaDir())
	for i := 0; i < 120; i++ {
		id := t.Format(idTimeLayout) + "-" + commit[:12]
		_, e1 := os.Lstat(filepath.Join(j.siteDir(), "releases", id))
		_, e2 := os.Lstat(filepath.Join(j.siteDir(), "artifacts", id+".tar.zst"))
		if os.IsNotExist(e1) && os.IsNotExist(e2) && !contains(history, id) {
			return id, nil
		}
		if fixed {
			t = t.Add(time.Second)
			continue
		}
		time.Sleep(time.Until(t.Truncate(time.Second).Add(time.Second)))
		t = time.Now().UTC()
	}
	return "", failf("no free release id for commit %s", commit[:12])
}

// checkout writes the new tree: hard links to the live release plus the changed paths when
// that is exact, else the whole commit.
func (j *job) checkout(r *newRelease, b *base, why string) error {
	info, err := j.lsTree(j.ctx, r.commit)
	if err != nil {
		return err
	}
	r.info = info
	if b != nil && info.hooks {
		why = "the new commit has hooks"
	}
	if b != nil && why == "" {
		if err := b.wait(); err != nil {
			why = fmt.Sprintf("the live release %s cannot be linked from: %v", b.id, err)
		}
	}
	var cs []change
	if b != nil && why == "" {
		if _, err := j.git(j.ctx, command{timeout: time.Minute}, "cat-file", "-e", b.commit+"^{commit}"); err != nil {
			why = "the live release's commit is not in the mirror"
		} else if cs, err = j.diff(j.ctx, b.commit, r.commit); err != nil {
			return err
		} else if p := attributesChanged(cs); p != "" {
			why = p + " changed (it can change how every file is checked out)"
		}
	}
	if b != nil && why == "" {
		return j.checkoutIncremental(r, b, cs)
	}
	if b != nil {
		_ = b.wait() // the background copy ends before its directory is removed
	}
	j.logf("checkout: the whole commit (%s)", why)
	if err := j.checkLFS(j.ctx, info.entries); err != nil {
		return err
	}
	return j.checkoutFull(j.ctx, r.commit, r.tree, info, !info.hooks)
}

func (j *job) checkoutIncremental(r *newRelease, b *base, cs []change) error {
	j.logf("checkout: hard links to %s, then the %d change(s) since %s", b.id, len(cs), b.commit[:12])
	var changed []gitEntry
	byPath := map[string]bool{}
	for _, c := range cs {
		byPath[c.path] = c.status != "D"
	}
	for _, e := range r.info.entries {
		if byPath[e.path] {
			changed = append(changed, e)
		}
	}
	if err := j.checkLFS(j.ctx, changed); err != nil {
		return err
	}
	if err := os.Rename(b.tree, r.tree); err != nil {
		return failf("take the linked tree: %v", err)
	}
	if err := j.readTree(j.ctx, r.commit); err != nil {
		return err
	}
	return j.applyChanges(j.ctx, r.tree, cs)
}

// finishTree removes the build inputs (.wpfleet/) and writes the wp-config.php stub, never
// through whatever the repository or a hook put there.
func (j *job) finishTree(r *newRelease) error {
	if err := removeInTree(r.tree, ".wpfleet"); err != nil {
		if err = removeAll(filepath.Join(r.tree, ".wpfleet")); err != nil {
			return failf("remove .wpfleet/ from the tree: %v", err)
		}
	}
	wp := filepath.Join(r.tree, "wp-config.php")
	if _, err := os.Lstat(wp); err == nil || r.info.wpConfig {
		r.wpConfigReplaced = true
		j.logf("warning: the repository's wp-config.php is replaced by the platform stub")
		if err := removeAll(wp); err != nil {
			return failf("remove the committed wp-config.php: %v", err)
		}
	}
	return writeNew(wp, []byte(stub), 0o444)
}

// stub is the wp-config.php of docs/release-layout.md plus the wp-settings.php line WP-CLI
// needs (the platform file loads wp-settings.php itself except under WP-CLI, so on the web
// the line is a no-op).
const stub = `<?php
// Written by the wpfleet release job. Configuration comes from the platform, not the repository.
require '/etc/wpfleet/wp-config.php';
require_once ABSPATH . 'wp-settings.php';
`

// writeNew creates a file that must not exist, never through a link.
func writeNew(p string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return failf("write %s: %v", filepath.Base(p), err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return failf("write %s: %v", filepath.Base(p), err)
	}
	return nil
}

// buildArtifact checks the tree and writes the artifact, seals the tree and writes the
// manifest with the artifact's sha256.
func (j *job) buildArtifact(r *newRelease) error {
	j.stepf("artifact")
	art := filepath.Join(j.tmpDir(), r.id+".tar.zst")
	j.work = append(j.work, art, art+".sha256")
	var err error
	r.stats, r.sha, err = j.writeArtifact(j.ctx, r.tree, art, func(st treeStats) ([]byte, error) { return j.manifest(r, st, "") })
	if err != nil {
		return err
	}
	if err := writeNew(art+".sha256", []byte(r.sha+"  "+r.id+".tar.zst\n"), 0o444); err != nil {
		return err
	}
	if err := syncFile(art + ".sha256"); err != nil {
		return failf("write the checksum: %v", err)
	}
	m, err := j.manifest(r, r.stats, r.sha)
	if err != nil {
		return err
	}
	if err := writeNew(filepath.Join(r.tree, manifestName), m, 0o444); err != nil {
		return err
	}
	return seal(r.stats)
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// manifest renders docs/release-layout.md's manifest; sha256 "" leaves the key out (the copy
// inside the artifact).
func (j *job) manifest(r *newRelease, st treeStats, sha string) ([]byte, error) {
	hooks := r.hooks
	if hooks == nil {
		hooks = []string{}
	}
	wp := "written"
	if r.wpConfigReplaced {
		wp = "replaced"
	}
	m := map[string]any{"id": r.id, "site": j.cfg.Site, "ref": j.cfg.Ref, "commit": r.commit,
		"created": r.created.Format(time.RFC3339), "artifact": "artifacts/" + r.id + ".tar.zst",
		"files": st.files, "bytes": st.bytes, "previous": nilIfEmpty(j.oldID), "hooks": hooks, "wp_config": wp}
	if sha != "" {
		m["sha256"] = sha
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, failf("manifest: %v", err)
	}
	return append(b, '\n'), nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// publish moves the artifact, its checksum and the tree into place, makes sure they are on
// disk, and seals the tree's root.
func (j *job) publish(r *newRelease) error {
	j.stepf("publish")
	art := filepath.Join(j.tmpDir(), r.id+".tar.zst")
	dst := filepath.Join(j.siteDir(), "releases", r.id)
	for _, mv := range [][2]string{{art, filepath.Join(j.siteDir(), "artifacts", r.id+".tar.zst")},
		{art + ".sha256", filepath.Join(j.siteDir(), "artifacts", r.id+".tar.zst.sha256")}, {r.tree, dst}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			return failf("publish %s: %v", filepath.Base(mv[1]), err)
		}
	}
	if err := syncfs(j.siteDir()); err != nil {
		return failf("flush the site's file system: %v", err)
	}
	if err := os.Chmod(dst, 0o555); err != nil {
		return failf("make %s read-only: %v", r.id, err)
	}
	return nil
}

func syncfs(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, _, e := syscall.Syscall(sysSyncfs, f.Fd(), 0, 0); e != 0 {
		return e
	}
	return nil
}

// switchLive points current at id and records it. From the switch on, any failure says the
// release is live (exit 4).
func (j *job) switchLive(id, action string) error {
	j.stepf("switch")
	if err := j.interrupted(); err != nil {
		return err
	}
	if err := switchTo(j.siteDir(), id); err != nil {
		return failf("switch current to %s: %v", id, err)
	}
	j.newLive = id
	j.checkpoint("switched")
	if err := appendHistory(j.metaDir(), id, action); err != nil {
		return failf("%s is live, but the history could not record it: %v", id, err)
	}
	return nil
}

// afterSwitch invalidates the CDN, prunes and upgrades the database, side by side.
func (j *job) afterSwitch(id string, db *siteDB) error {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); j.invalidateCDN(j.ctx) }()
	go func() { defer wg.Done(); j.prune(); j.gc(j.ctx) }()
	j.stepf("update-db")
	err := j.updateDB(j.ctx, id, db)
	wg.Wait()
	if err != nil {
		return err
	}
	return j.interrupted()
}

// prune removes releases beyond KEEP_RELEASES (pruneList), each directory first (one rename
// out of releases/), then its artifact; and artifacts whose directory is gone. Failures are
// warnings: the release itself is done.
func (j *job) prune() {
	cur, _ := currentID(j.siteDir())
	rel := filepath.Join(j.siteDir(), "releases")
	exists := func(id string) bool { _, err := os.Lstat(filepath.Join(rel, id)); return err == nil }
	hist := historyIDs(j.metaDir())
	ents, _ := os.ReadDir(rel)
	var ids []string
	for _, e := range ents {
		if idRE.MatchString(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	for _, id := range pruneList(ids, hist, cur, previousID(hist, cur, exists), j.cfg.Keep) {
		aside := filepath.Join(j.tmpDir(), "prune-"+id)
		_ = os.Chmod(filepath.Join(rel, id), 0o755) // a directory moves to another parent only when writable
		if err := os.Rename(filepath.Join(rel, id), aside); err != nil {
			j.logf("warning: prune %s: %v", id, err)
			continue
		}
		if err := removeAll(aside); err != nil {
			j.logf("warning: prune %s: %v", id, err)
		}
		j.removeArtifact(id)
		j.logf("pruned release %s", id)
	}
	arts, _ := filepath.Glob(filepath.Join(j.siteDir(), "artifacts", "*.tar.zst*"))
	for _, a := range arts {
		id := filepath.Base(a)
		id = id[:len(id)-len(filepath.Ext(id))]
		for filepath.Ext(id) != "" {
			id = id[:len(id)-len(filepath.Ext(id))]
		}
		if !exists(id) {
			j.removeArtifact(id)
		}
	}
}

func (j *job) removeArtifact(id string) {
	for _, p := range []string{id + ".tar.zst", id + ".tar.zst.sha256"} {
		if err := os.Remove(filepath.Join(j.siteDir(), "artifacts", p)); err != nil && !os.IsNotExist(err) {
			j.logf("warning: remove artifact %s: %v", p, err)
		}
	}
}

// rollback switches current to the release live before it, after checking that release
// whole: directory, manifest, checksum file and the artifact itself, read through and
// checked the way the sync agent will unpack it.
func (j *job) rollback() error {
	j.stepf("rollback")
	if j.oldID == "" {
		return failf("site %s has no current release to roll back from", j.cfg.Site)
	}
	rel := filepath.Join(j.siteDir(), "releases")
	to := previousID(historyIDs(j.metaDir()), j.oldID, func(id string) bool { _, err := os.Lstat(filepath.Join(rel, id)); return err == nil })
	if to == "" {
		return failf("site %s has no earlier release left to roll back to", j.cfg.Site)
	}
	if err := j.checkComplete(to); err != nil {
		return err
	}
	if err := j.switchLive(to, "rollback"); err != nil {
		return err
	}
	j.invalidateCDN(j.ctx)
	if err := j.interrupted(); err != nil {
		return err
	}
	fmt.Fprintf(j.out, "rollback site=%s from=%s to=%s seconds=%s\n", j.cfg.Site, j.oldID, to, j.seconds())
	return nil
}

func (j *job) checkComplete(id string) error {
	incomplete := failf("release %s is incomplete (directory, manifest, artifact or checksum); not switching to it", id)
	b, err := os.ReadFile(filepath.Join(j.siteDir(), "releases", id, manifestName))
	var m struct {
		SHA256 string `json:"sha256"`
	}
	if err != nil || json.Unmarshal(b, &m) != nil || !regexpSHA.MatchString(m.SHA256) {
		return incomplete
	}
	art := filepath.Join(j.siteDir(), "artifacts", id+".tar.zst")
	side, err := os.ReadFile(art + ".sha256")
	if err != nil || string(side) != m.SHA256+"  "+id+".tar.zst\n" {
		return incomplete
	}
	if fi, err := os.Lstat(art); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return incomplete
	}
	if err := verifyArtifact(j.ctx, art, m.SHA256); err != nil {
		if ierr := j.interrupted(); ierr != nil {
			return ierr
		}
		return failf("release %s's artifact cannot be used (%v); not switching to it", id, err)
	}
	return nil
}
