package runtime

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

type cronLine struct {
	Wpfleet, Site, Status, Error string
	Seconds                      float64
}

// cronLines parses the cron runner's JSON lines from a php container's log.
func cronLines(t *testing.T, pool *wpstack.Pool) []cronLine {
	t.Helper()
	f, err := os.Open(pool.FPM.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []cronLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), `{"wpfleet":"cron"`) {
			continue
		}
		var l cronLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("cron line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// TestCronAcrossTasks: two tasks of one pool (two php containers with their
// cron runners, every second) against the same database: a due event of
// each site runs exactly once although both tasks try (the one that finds
// the site's lock held logs "locked"); a run that never ends is stopped at
// the timeout and logged "failed", and the site's next run goes ahead; a
// failing event is logged "failed".
func TestCronAcrossTasks(t *testing.T) {
	need(t)
	dir := filepath.Join(env.tmp, "cron")
	sites := []string{"cron-a", "cron-b"}
	tk := &task{mode: wpstack.ModeEFS, dir: dir, backing: filepath.Join(dir, "efs-backing"), site: sites[0], releases: map[string]string{}}
	var poolSites []wpstack.PoolSite
	for _, s := range sites {
		if err := os.MkdirAll(filepath.Join(tk.backing, s), 0o755); err != nil {
			t.Fatal(err)
		}
		tk.releases[s] = tk.publishSite(t, s)
		poolSites = append(poolSites, newPoolSite(t, s))
	}
	cronEnv := map[string]string{contract.EnvCronInterval: "1", "WPFLEET_CRON_TIMEOUT_SECONDS": "4"}
	start := func(name string, noNginx bool) *wpstack.Pool {
		t.Helper()
		p, err := wpstack.StartPool(env.bins, env.repo, filepath.Join(dir, name), wpstack.PoolOptions{
			Mode: wpstack.ModeEFS, EFS: tk.backing, DB: env.db, Sites: poolSites, Env: cronEnv, NoNginx: noNginx,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Stop)
		return p
	}
	one := start("task-1", false)
	for _, s := range sites {
		if err := one.InstallWordPress(s, "cron "+s, randomSecret(t)); err != nil {
			t.Fatal(err)
		}
	}
	two := start("task-2", true)

	// A due event that takes 2 s and counts its runs, in each site. The
	// cron option is one serialized array: a cron run that rewrites it
	// (rescheduling WordPress's own due events) can drop an event added at
	// the same moment (WordPress's own race), so it is added again until it
	// has run; an event dropped that way never ran, so the count holds.
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range sites {
		probeSite(t, one, s, "?schedule=counted", nil)
		gone := 0 // probes in a row that saw the event neither scheduled nor run
		for {
			p := probeSite(t, one, s, "", nil)
			if p.TestRuns > 0 || time.Now().After(deadline) {
				break
			}
			// A run unschedules the event a moment before its action counts:
			// only an event missing for 3 probes (600 ms) was dropped.
			if gone++; string(p.CountedNext) != "false" {
				gone = 0
			}
			if gone == 3 {
				probeSite(t, one, s, "?schedule=counted", nil)
				gone = 0
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	time.Sleep(3 * time.Second) // both tasks try again a few times
	for _, s := range sites {
		if n := probeSite(t, one, s, "", nil).TestRuns; n != 1 {
			t.Errorf("site %s: the due event ran %d times across two tasks, want exactly 1", s, n)
		}
	}
	count := map[string]int{}
	for i, p := range []*wpstack.Pool{one, two} {
		for _, l := range cronLines(t, p) {
			count[l.Site+" "+l.Status]++
			if l.Status == contract.CronStatusFailed {
				t.Errorf("task %d: %+v", i+1, l)
			}
		}
	}
	t.Logf("cron lines of both tasks: %v", count)
	for _, s := range sites {
		if count[s+" ok"] == 0 || count[s+" locked"] == 0 {
			t.Errorf("site %s: want ok lines and locked lines (the other task skipping while the 2 s run held the lock), got %v", s, count)
		}
	}

	// A stuck run (timeout 4 s) and a failing one.
	probeSite(t, one, sites[0], "?schedule=stuck", nil)
	probeSite(t, one, sites[1], "?schedule=fatal", nil)
	var timedOut, fatal bool
	deadline = time.Now().Add(20 * time.Second)
	for (!timedOut || !fatal) && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		for _, p := range []*wpstack.Pool{one, two} {
			for _, l := range cronLines(t, p) {
				timedOut = timedOut || (l.Site == sites[0] && l.Status == "failed" && strings.Contains(l.Error, "timed out after 4 s") && l.Seconds >= 4)
				fatal = fatal || (l.Site == sites[1] && l.Status == "failed" && strings.Contains(l.Error, "exited with status"))
			}
		}
	}
	if !timedOut || !fatal {
		t.Fatalf("want a timed-out run of %s and a failed run of %s; lines:\n%+v\n%+v", sites[0], sites[1], cronLines(t, one), cronLines(t, two))
	}
	// The stuck run's lock was released with it: the site runs again.
	okBefore := 0
	for _, l := range append(cronLines(t, one), cronLines(t, two)...) {
		if l.Site == sites[0] && l.Status == "ok" {
			okBefore++
		}
	}
	err := wpstack.WaitFor(nil, 10*time.Second, "an ok run of "+sites[0]+" after the timeout", func() error {
		n := 0
		for _, l := range append(cronLines(t, one), cronLines(t, two)...) {
			if l.Site == sites[0] && l.Status == "ok" {
				n++
			}
		}
		if n > okBefore {
			return nil
		}
		return os.ErrNotExist
	})
	if err != nil {
		t.Error(err)
	}
}
