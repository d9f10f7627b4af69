package codesync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Agent keeps Dest/current pointing at a local, verified copy of the release
// that Source/current names.
//
// Local layout (same shape as the shared one):
//
//	Dest/current -> releases/<id>      switched with rename(2)
//	Dest/releases/<id>/                complete, verified trees only
//	Dest/.wpfleet-sync/tmp/            staging; cleared at start
//	Dest/.wpfleet-sync/heartbeat       touched every Interval while alive
//	Dest/.wpfleet-sync/status.json     last check, live release, last error
type Agent struct {
	Source   string        // the site's directory on the shared file system (read only)
	Dest     string        // task-local directory nginx and php-fpm read
	Interval time.Duration // how often the pointer is read
	// Grace is how long a replaced release stays on disk after the switch,
	// so requests that started on it finish (PHP includes files lazily).
	Grace time.Duration
	// MinFree is the free space (bytes) that must remain on Dest after an
	// unpack; a release that would go below it is refused and the old one kept.
	MinFree int64
	// RetryAfter is how long a release that failed to sync is left alone
	// before the next attempt.
	RetryAfter time.Duration
	Log        *slog.Logger
	// Disk, when set, is shared by the agents of the sites of one task:
	// it limits how many fetch at once and keeps their space budgets from
	// overlapping (Dest of every agent is on the same task disk).
	Disk *Disk

	mu      sync.Mutex
	retired map[string]time.Time // release id -> when it stopped being live
	failed  map[string]failure
	status  Status
}

type failure struct {
	at  time.Time
	err error
}

// Status is written to Dest/.wpfleet-sync/status.json after every check.
type Status struct {
	PID        int       `json:"pid"`
	Started    time.Time `json:"started"`
	LastCheck  time.Time `json:"last_check"`
	Live       string    `json:"live"`      // local live release id
	Published  string    `json:"published"` // what the shared pointer said at the last check
	LastSwitch time.Time `json:"last_switch,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	// AwaitingFirstRelease: the site's directory on EFS has no pointer yet
	// (nothing was ever released) and there is no local release either.
	AwaitingFirstRelease bool `json:"awaiting_first_release,omitempty"`
}

// SyncResult says what one check did.
type SyncResult struct {
	Published string // id the shared pointer names
	Live      string // id the local pointer names afterwards
	Switched  bool
	Fetched   *FetchStats // nil if nothing was fetched
	Duration  time.Duration
}

func (a *Agent) init() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.retired == nil {
		a.retired = map[string]time.Time{}
		a.failed = map[string]failure{}
		a.status = Status{PID: os.Getpid(), Started: time.Now().UTC()}
	}
	if a.Log == nil {
		a.Log = slog.New(slog.DiscardHandler)
	}
	if a.RetryAfter == 0 {
		a.RetryAfter = 30 * time.Second
	}
}

func (a *Agent) stateDir() string { return filepath.Join(a.Dest, localStateDir) }
func (a *Agent) tmpDir() string   { return filepath.Join(a.stateDir(), "tmp") }

// Prepare creates the local layout and removes staging leftovers of an
// earlier run (a sync cut short never became a release).
func (a *Agent) Prepare() error {
	a.init()
	for _, d := range []string{a.Dest, filepath.Join(a.Dest, ReleasesDir), a.stateDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		// The volume may arrive with another mode; nginx and php-fpm
		// workers must be able to read it.
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(a.tmpDir()); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	if err := os.Mkdir(a.tmpDir(), 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(a.Dest)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), CurrentName+".tmp-") {
			_ = os.Remove(filepath.Join(a.Dest, e.Name()))
		}
	}
	return nil
}

// Live returns the id the local pointer names, or "" if there is none.
func (a *Agent) Live() string {
	id, err := ReadPointer(a.Dest)
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(filepath.Join(a.Dest, ReleasesDir, id)); err != nil || !fi.IsDir() {
		return ""
	}
	return id
}

// readPublished reads the shared pointer. Opening the directory first makes
// an NFS client revalidate it (close-to-open), so a renamed-over "current" is
// seen without waiting for the lookup cache to expire.
func (a *Agent) readPublished() (string, error) {
	if d, err := os.Open(a.Source); err == nil {
		d.Close()
	}
	return ReadPointer(a.Source)
}

// Sync performs one check: read the shared pointer and, if it names another
// release than the local one, fetch, verify and unpack it beside the old one
// and switch the local pointer. On any failure the local pointer is left as it
// was. It also removes replaced releases whose grace period is over.
func (a *Agent) Sync(ctx context.Context) (res SyncResult, err error) {
	a.init()
	start := time.Now()
	res.Live = a.Live()
	defer func() { res.Duration = time.Since(start) }()

	published, err := a.readPublished()
	a.gc()
	if err != nil {
		a.setStatus(res, err)
		return res, err
	}
	res.Published = published
	if published == res.Live {
		a.setStatus(res, nil)
		return res, nil
	}
	a.mu.Lock()
	f, failedBefore := a.failed[published]
	a.mu.Unlock()
	if failedBefore && time.Since(f.at) < a.RetryAfter {
		err := fmt.Errorf("release %s failed %s ago, retrying after %s: %w", published, time.Since(f.at).Round(time.Second), a.RetryAfter, f.err)
		a.setStatus(res, err)
		return res, err
	}

	target := filepath.Join(a.Dest, ReleasesDir, published)
	if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
		// Still on disk from before (a rollback within the grace period):
		// it was complete and verified when it was moved into releases/.
		a.Log.Info("release already on local disk", "release", published)
	} else {
		st, err := a.fetch(ctx, published, target)
		if err != nil {
			if ctx.Err() == nil {
				a.mu.Lock()
				a.failed[published] = failure{at: time.Now(), err: err}
				a.mu.Unlock()
			}
			a.setStatus(res, err)
			return res, err
		}
		res.Fetched = &st
	}
	if err := a.switchTo(published); err != nil {
		a.setStatus(res, err)
		return res, err
	}
	a.mu.Lock()
	delete(a.failed, published)
	delete(a.retired, published)
	if res.Live != "" {
		a.retired[res.Live] = time.Now()
	}
	a.status.LastSwitch = time.Now().UTC()
	a.mu.Unlock()
	a.Log.Info("switched live release", "from", res.Live, "to", published, "seconds", time.Since(start).Seconds())
	res.Live = published
	res.Switched = true
	a.setStatus(res, nil)
	return res, nil
}

// fetch unpacks the release into a staging directory and moves it to target.
func (a *Agent) fetch(ctx context.Context, id, target string) (FetchStats, error) {
	var st FetchStats
	artifact, err := os.Stat(ArtifactPath(a.Source, id))
	if err != nil {
		return st, fmt.Errorf("release %s: %w", id, err)
	}
	// The manifest tells the unpacked size up front; without it the budget
	// is still enforced while unpacking.
	need := int64(0)
	if m, err := ReadManifest(a.Source, id); err == nil && m.Bytes > 0 {
		need = m.Bytes + m.Files*blockSize/2
	}
	release, err := a.Disk.acquire(ctx)
	if err != nil {
		return st, err
	}
	defer release()
	avail, err := freeBytes(a.Dest)
	if err != nil {
		return st, err
	}
	budget, unreserve := a.Disk.reserve(avail-a.MinFree, need)
	defer unreserve()
	if budget <= 0 || need > budget {
		return st, fmt.Errorf("release %s needs about %d MiB, %d MiB free on %s (%d MiB of it taken by other sites' fetches in progress) and %d MiB must stay free: %w",
			id, need>>20, avail>>20, a.Dest, a.Disk.reserved()>>20, a.MinFree>>20, ErrNoSpace)
	}
	staging, err := os.MkdirTemp(a.tmpDir(), id+".")
	if err != nil {
		return st, err
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		return st, err
	}
	a.Log.Info("fetching release", "release", id, "artifact_bytes", artifact.Size())
	st, err = Fetch(ctx, a.Source, id, staging, UnpackLimits{MaxBytes: budget})
	if err != nil {
		_ = os.RemoveAll(staging)
		return st, err
	}
	if err := os.Rename(staging, target); err != nil {
		_ = os.RemoveAll(staging)
		return st, fmt.Errorf("move release %s into place: %w", id, err)
	}
	return st, nil
}

// switchTo points Dest/current at releases/<id> with one rename(2): readers
// see either the old or the new release, never a missing pointer.
func (a *Agent) switchTo(id string) error {
	tmp := filepath.Join(a.Dest, CurrentName+".tmp-"+id)
	_ = os.Remove(tmp)
	if err := os.Symlink(ReleasesDir+"/"+id, tmp); err != nil {
		return fmt.Errorf("switch to %s: %w", id, err)
	}
	if err := os.Rename(tmp, filepath.Join(a.Dest, CurrentName)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("switch to %s: %w", id, err)
	}
	return nil
}

// gc removes local releases that are not live and were replaced more than
// Grace ago. A release found on disk without a known replacement time (left
// by an earlier run of the agent) is timed from now.
func (a *Agent) gc() {
	live := a.Live()
	entries, err := os.ReadDir(filepath.Join(a.Dest, ReleasesDir))
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		id := e.Name()
		if id == live {
			continue
		}
		a.mu.Lock()
		since, ok := a.retired[id]
		if !ok {
			a.retired[id] = now
			since = now
		}
		a.mu.Unlock()
		if now.Sub(since) < a.Grace {
			continue
		}
		if err := os.RemoveAll(filepath.Join(a.Dest, ReleasesDir, id)); err != nil {
			a.Log.Warn("remove old release", "release", id, "error", err)
			continue
		}
		a.mu.Lock()
		delete(a.retired, id)
		a.mu.Unlock()
		a.Log.Info("removed old release", "release", id)
	}
}

func (a *Agent) setStatus(res SyncResult, err error) {
	a.mu.Lock()
	a.status.LastCheck = time.Now().UTC()
	a.status.Live = a.Live()
	if res.Published != "" {
		a.status.Published = res.Published
	}
	a.status.LastError = ""
	if err != nil {
		a.status.LastError = err.Error()
	}
	a.status.AwaitingFirstRelease = a.status.Live == "" && res.Published == "" && errors.Is(err, fs.ErrNotExist)
	b, _ := json.MarshalIndent(a.status, "", "  ")
	a.mu.Unlock()
	_ = writeFileAtomic(filepath.Join(a.stateDir(), "status.json"), append(b, '\n'))
}

// Run prepares the local layout and checks every Interval until ctx ends.
// It touches the heartbeat file every Interval from its own goroutine, so a
// long unpack does not make the agent look dead.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.Prepare(); err != nil {
		return err
	}
	beat := filepath.Join(a.stateDir(), "heartbeat")
	go func() {
		t := time.NewTicker(a.Interval)
		defer t.Stop()
		for {
			_ = writeFileAtomic(beat, []byte(time.Now().UTC().Format(time.RFC3339Nano)+"\n"))
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	lastErr := ""
	for {
		res, err := a.Sync(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil && err.Error() != lastErr:
			// Log each distinct error once, not every few seconds.
			a.Log.Error("sync failed; keeping the live release", "live", res.Live, "published", res.Published, "error", err)
			lastErr = err.Error()
		case err == nil:
			lastErr = ""
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(a.Interval):
		}
	}
}

// Health returns nil when dest/current names a local release directory and
// the agent's heartbeat is younger than maxAge.
//
// Before a site's first release there is nothing to copy: the agent is then
// healthy as long as it runs and its last check found the shared pointer
// absent (not unreadable), so a new site's tasks start and pass the load
// balancer's health check, and the first release is copied when it appears.
func Health(dest string, maxAge time.Duration) error {
	id, err := ReadPointer(dest)
	if err != nil {
		if awaiting, aerr := awaitingFirstRelease(dest, maxAge); awaiting {
			return nil
		} else if aerr != nil {
			return fmt.Errorf("no live release on local disk yet: %w (%v)", err, aerr)
		}
		return fmt.Errorf("no live release on local disk yet: %w", err)
	}
	if fi, err := os.Stat(filepath.Join(dest, ReleasesDir, id)); err != nil || !fi.IsDir() {
		return fmt.Errorf("live release %s is missing from %s", id, filepath.Join(dest, ReleasesDir))
	}
	fi, err := os.Stat(filepath.Join(dest, localStateDir, "heartbeat"))
	if err != nil {
		return fmt.Errorf("agent heartbeat: %w", err)
	}
	if age := time.Since(fi.ModTime()); age > maxAge {
		return fmt.Errorf("agent heartbeat is %s old, allowed %s", age.Round(time.Second), maxAge)
	}
	return nil
}

// awaitingFirstRelease reports whether a live agent found no release
// published at all on its last check, no older than maxAge.
func awaitingFirstRelease(dest string, maxAge time.Duration) (bool, error) {
	beat, err := os.Stat(filepath.Join(dest, localStateDir, "heartbeat"))
	if err != nil {
		return false, fmt.Errorf("agent heartbeat: %w", err)
	}
	if age := time.Since(beat.ModTime()); age > maxAge {
		return false, fmt.Errorf("agent heartbeat is %s old, allowed %s", age.Round(time.Second), maxAge)
	}
	b, err := os.ReadFile(filepath.Join(dest, localStateDir, "status.json"))
	if err != nil {
		return false, fmt.Errorf("agent status: %w", err)
	}
	var st Status
	if err := json.Unmarshal(b, &st); err != nil {
		return false, fmt.Errorf("agent status: %w", err)
	}
	if time.Since(st.LastCheck) > maxAge {
		return false, fmt.Errorf("agent's last check is %s old", time.Since(st.LastCheck).Round(time.Second))
	}
	return st.AwaitingFirstRelease, nil
}

func freeBytes(dir string) (int64, error) {
	var s unix.Statfs_t
	if err := unix.Statfs(dir, &s); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return int64(s.Bavail) * int64(s.Bsize), nil
}

func writeFileAtomic(name string, data []byte) error {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := name + ".tmp-" + hex.EncodeToString(rnd[:])
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
