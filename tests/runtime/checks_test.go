package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/contract"
	"github.com/wpfleet/wpfleet/internal/wpstack"
)

func checkSecrets(t *testing.T, tk *task) {
	p := tk.probe(t, "", nil)
	secretNames := []string{"DB_USER", "DB_PASSWORD", "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"}
	for _, k := range secretNames {
		if slices.Contains(p.ServerKeys, k) || slices.Contains(p.EnvKeys, k) {
			t.Errorf("%s is in $_SERVER/$_ENV", k)
		}
	}
	// No secret, by name or by value, in getenv(), $_SERVER or $_ENV of a
	// worker (clear_env = yes, the settings file instead).
	if len(p.Leaks) > 0 {
		t.Errorf("secrets reachable through the environment of a worker: %v", p.Leaks)
	}
	// Nor in those of a PHP file that never loads WordPress, which does not
	// see the origin secret CloudFront sends to the ALB either.
	origin := "origin-" + randomSecret(t)
	raw := probeRaw(t, tk.pool, tk.site, "127.0.0.1", map[string]string{originHeader(t): origin})
	if found := containsAny([]byte(raw.body), tk.secrets[tk.site]); len(found) > 0 || strings.Contains(raw.body, origin) || strings.Contains(raw.body, "_SECRET") {
		t.Errorf("a PHP file without WordPress sees secrets %v, the origin secret %v, or a *_SECRET name: %.400s", found, strings.Contains(raw.body, origin), raw.body)
	}
	if !p.DisableWPCron || !p.DisallowFileMods || !p.ForceSSLAdmin || p.EnvironmentType != "staging" {
		t.Errorf("constants from the settings file: %+v", p)
	}
	wantBucket := tk.pool.Env[contract.SiteEnv(tk.site, contract.SiteBucket)] + "/wp-content"
	if p.S3UploadsBucket == nil || *p.S3UploadsBucket != wantBucket {
		t.Errorf("S3_UPLOADS_BUCKET = %v, want %q (keys under wp-content/uploads/)", p.S3UploadsBucket, wantBucket)
	}
	// No secret value in the code, the images' files or any log.
	var places []string
	for _, root := range []string{tk.backing, filepath.Join(env.repo, "image"), tk.pool.LibDir, filepath.Join(tk.pool.Dir, "nginx-run"), filepath.Join(tk.pool.RunDir, "fpm")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || strings.HasSuffix(path, ".tar.zst") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if found := containsAny(b, tk.secrets[tk.site]); len(found) > 0 {
				places = append(places, path+" holds "+strings.Join(found, ","))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*wpstack.Proc{tk.pool.FPM, tk.pool.Nginx, tk.pool.Sync} {
		if p == nil {
			continue
		}
		b, _ := os.ReadFile(p.Log)
		if found := containsAny(b, tk.secrets[tk.site]); len(found) > 0 {
			places = append(places, p.Name+" log holds "+strings.Join(found, ","))
		}
	}
	// The secrets left the environment of php-fpm (and so of its workers).
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", fpmMasterPID(t, tk.pool))); err == nil {
		if found := containsAny(b, tk.secrets[tk.site]); len(found) > 0 || bytes.Contains(b, []byte("_SECRET=")) {
			places = append(places, "php-fpm master's environment holds "+strings.Join(found, ",")+" (or a *_SECRET variable)")
		}
	} else {
		t.Error(err)
	}
	_, body, _ := wpstack.Get(tk.home()+"/", nil)
	if found := containsAny([]byte(body), tk.secrets[tk.site]); len(found) > 0 {
		places = append(places, "front page holds "+strings.Join(found, ","))
	}
	if len(places) > 0 {
		t.Errorf("secret values found outside the site's settings file: %s", strings.Join(places, "; "))
	}
}

func checkRealIP(t *testing.T, tk *task) {
	// 127.0.0.1 (the "load balancer") is trusted; the address it appended is
	// the client's, anything to its left is the client's own claim.
	p := tk.probe(t, "", map[string]string{"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
	if p.RemoteAddr != "203.0.113.7" {
		t.Errorf("REMOTE_ADDR = %q, want 203.0.113.7 (rightmost untrusted X-Forwarded-For entry)", p.RemoteAddr)
	}
	if p := tk.probe(t, "", nil); p.RemoteAddr != "127.0.0.1" {
		t.Errorf("REMOTE_ADDR without X-Forwarded-For = %q", p.RemoteAddr)
	}
}

func checkCron(t *testing.T, tk *task) {
	tk.probe(t, "?schedule=1", nil) // an event due a minute ago
	for range 5 {
		if code, _, err := wpstack.Get(tk.home()+"/", nil); err != nil || code != 200 {
			t.Fatalf("front page: %d %v", code, err)
		}
	}
	time.Sleep(time.Second) // WordPress's cron spawn is a fire-and-forget request
	p := tk.probe(t, "", nil)
	if p.TestEventRan != "" || string(p.TestEventNext) == "false" {
		t.Fatalf("the due event ran during page views: ran=%q next=%s", p.TestEventRan, p.TestEventNext)
	}
	entries, err := tk.pool.AccessLog()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.URI, "/wp-cron.php") {
			t.Fatalf("a page view spawned wp-cron: %+v", e)
		}
	}
	// The image's wp wrapper, as root (the cron runner, ECS Exec): WP-CLI as
	// the site's user, with WPFLEET_SITE, on the site's live release.
	out, err := tk.pool.WP(tk.site, "cron", "event", "run", "--due-now")
	if err != nil {
		t.Fatalf("wp cron event run --due-now: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Executed the cron event 'wpfleet_test_event'") {
		t.Fatalf("cron run did not run the due event:\n%s", out)
	}
	if p := tk.probe(t, "", nil); p.TestEventRan == "" {
		t.Fatal("the cron run reported the event but its action did not run")
	}
	if out, err := tk.pool.WP(tk.site, "option", "get", "home"); err != nil || strings.TrimSpace(out) != tk.home() {
		t.Errorf("wp option get home: %v %q, want %q", err, out, tk.home())
	}
	// A batch job (jobs: of the site): the php entrypoint runs the command
	// as the site's user with WPFLEET_SITE, in the site's code root, with
	// no secret in its environment.
	out, err = tk.pool.Job(tk.site, "sh", "-c", `echo "uid=$(id -u) site=$WPFLEET_SITE pwd=$(pwd -P)"; env | grep -c _SECRET= || true; wp option get home`)
	want := fmt.Sprintf("uid=%d site=%s pwd=", contract.SiteUID(0), tk.site)
	if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "/"+tk.site+"/releases/") || !strings.Contains(out, "\n0\n") || !strings.HasSuffix(strings.TrimSpace(out), tk.home()) {
		t.Errorf("batch job: %v\n%s\nwant %q..., no *_SECRET variable, and the home", err, out, want)
	}
}

func checkNeverServed(t *testing.T, tk *task) {
	leaks := []string{"wpfleet-test-git-config", "refs/heads", "WPFLEET_TEST_DOTENV", "/etc/wpfleet", "\"sha256\""}
	for _, path := range []string{"/.git/config", "/.git/HEAD", "/.git/", "/.env", "/.wpfleet-release", "/wp-config.php",
		"/wp-content/../wp-config.php", "/wp-config.php?x=1", "/WP-CONFIG.PHP", "/wp-content/mu-plugins/../../.git/config"} {
		for _, hdr := range []map[string]string{nil, {"X-Forwarded-Proto": "https"}} {
			code, body, err := wpstack.Get(tk.home()+path, hdr)
			if err != nil {
				t.Fatal(err)
			}
			if code != 404 {
				t.Errorf("GET %s: %d, want 404", path, code)
			}
			for _, leak := range leaks {
				if strings.Contains(body, leak) {
					t.Errorf("GET %s leaked %q", path, leak)
				}
			}
		}
	}
}

func checkWarmPath(t *testing.T, tk *task) {
	_, body, err := wpstack.Get(tk.home()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, m := range assetRE.FindAllStringSubmatch(body, -1) {
		urls = append(urls, strings.ReplaceAll(m[1], "&#038;", "&"))
	}
	view := func() {
		for _, u := range append([]string{tk.home() + "/"}, urls...) {
			if code, _, err := wpstack.Get(u, nil); err != nil || code != 200 {
				t.Fatalf("GET %s: %d %v", u, code, err)
			}
		}
	}
	for range 10 {
		view()
	}
	if err := tk.efs.Reset(); err != nil {
		t.Fatal(err)
	}
	const views = 20
	for range views {
		view()
	}
	st, err := tk.efs.Stats()
	if err != nil {
		t.Fatal(err)
	}
	n := st.Except(tk.agentPID())
	t.Logf("%s mode: %d warm page views (page + %d assets): %d requests reached the EFS stand-in (%.1f per view); all requests incl. the agent's polling: %v",
		tk.mode, views, len(urls), n, float64(n)/views, st)
	if tk.mode == wpstack.ModeLocal && n != 0 {
		t.Errorf("local mode: warm page views made %d requests to the EFS stand-in, want 0", n)
	}
	if tk.mode == wpstack.ModeEFS && n == 0 {
		t.Errorf("efs mode: page views made no request to the EFS stand-in: the counter is not counting")
	}
}

type sample struct {
	start, at time.Time // request sent, answer read
	kind      string    // "php", "file" (location /) or "asset" (the static-file location)
	status    int
	release   string
	platform  string // X-Wpfleet-Release (php)
	abspath   string
	err       error
	clientID  int
}

// fetchSample requests one of the kinds of sample and names the release
// that answered.
func fetchSample(home, kind string, client int) sample {
	path := map[string]string{"php": "/", "file": "/wpfleet-release.txt", "asset": "/" + wpstack.ChangedCSS}[kind]
	s := sample{start: time.Now(), kind: kind, clientID: client}
	resp, err := wpstack.Do("GET", home+path, nil, nil)
	s.at, s.err = time.Now(), err
	if err != nil {
		return s
	}
	s.status = resp.StatusCode
	switch kind {
	case "php":
		s.release, s.abspath, s.platform = resp.Header.Get("X-Test-Release"), resp.Header.Get("X-Test-Abspath"), resp.Header.Get("X-Wpfleet-Release")
	case "file":
		s.release = strings.TrimSpace(resp.Body)
	default:
		if m := regexp.MustCompile(`--wpfleet-test-release: "([^"]+)"`).FindStringSubmatch(resp.Body); m != nil {
			s.release = m[1]
		}
	}
	return s
}

func checkNewRelease(t *testing.T, tk *task) {
	old := tk.releases[tk.site]
	siteDir := filepath.Join(tk.backing, tk.site)
	id := wpstack.NewReleaseID()
	if _, err := wpstack.BuildWordPressTree(env.bins, siteDir, id); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		samples []sample
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for c := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var got []sample
				for _, kind := range []string{"php", "file", "asset"} {
					got = append(got, fetchSample(tk.home(), kind, c))
				}
				mu.Lock()
				samples = append(samples, got...)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if err := wpstack.Publish(env.bins, siteDir, id); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	seen := map[string]time.Time{}
	deadline := published.Add(10 * time.Second)
	for time.Now().Before(deadline) && len(seen) < 3 {
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		for _, s := range samples {
			if s.release == id && s.at.After(published) && seen[s.kind].IsZero() {
				seen[s.kind] = s.at
			}
		}
		mu.Unlock()
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if len(seen) < 3 {
		t.Fatalf("new release %s not served within 10 s of publishing (seen from: %v)", id, seen)
	}
	t.Logf("%s mode: release live %.2f s (PHP), %.2f s (file), %.2f s (asset) after the pointer switch; %d requests during the switch",
		tk.mode, seen["php"].Sub(published).Seconds(), seen["file"].Sub(published).Seconds(), seen["asset"].Sub(published).Seconds(), len(samples))
	checkOneRelease(t, samples, id)
	seenNew := map[int]bool{}
	for _, s := range samples {
		if s.err != nil || s.status != 200 {
			t.Errorf("failed request during the switch: %s %d %v", s.kind, s.status, s.err)
			continue
		}
		if s.release != old && s.release != id {
			t.Errorf("%s response from unknown release %q", s.kind, s.release)
		}
		if s.kind != "php" {
			continue
		}
		if s.platform != s.release {
			t.Errorf("the platform's X-Wpfleet-Release %q, but release %q's code ran", s.platform, s.release)
		}
		// The code that ran must be the code of the release its path names:
		// a stale OPcache entry would answer with the old id from the new path.
		if filepath.Base(strings.TrimSuffix(s.abspath, "/")) != s.release {
			t.Errorf("stale or mixed code: release %q answered from %q", s.release, s.abspath)
		}
		if s.release == id {
			seenNew[s.clientID] = true
		} else if seenNew[s.clientID] {
			t.Errorf("client %d got the old release after the new one", s.clientID)
		}
	}
	if p := tk.probe(t, "", nil); p.Release != id {
		t.Errorf("after the switch the probe runs release %q", p.Release)
	}
	tk.releases[tk.site] = id

	if tk.mode == wpstack.ModeLocal {
		// The replaced local copy is removed once its grace period is over.
		oldDir := filepath.Join(tk.pool.Opts.Local, tk.site, "releases", old)
		if _, err := os.Stat(oldDir); err != nil {
			t.Errorf("old local release removed at once (requests in flight may still need it): %v", err)
		}
		err := wpstack.WaitFor(tk.pool.Sync, 60*time.Second, "removal of the old local release", func() error {
			if _, err := os.Stat(oldDir); err == nil {
				return os.ErrExist
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}

// checkOneRelease: once any answer (PHP, a file, an asset) came from the
// new release, every request sent after it is answered by the new release:
// static files never lag PHP (nor PHP static files), whatever the kind.
func checkOneRelease(t *testing.T, samples []sample, id string) {
	t.Helper()
	var first *sample
	for i := range samples {
		if samples[i].release == id && (first == nil || samples[i].at.Before(first.at)) {
			first = &samples[i]
		}
	}
	if first == nil {
		return
	}
	for _, s := range samples {
		if s.err == nil && s.start.After(first.at) && s.release != id {
			t.Errorf("%s request sent %s after a %s answer came from release %s was answered by release %q",
				s.kind, s.start.Sub(first.at).Round(time.Millisecond), first.kind, id, s.release)
		}
	}
}

// checkGracefulStop stops the task as ECS does while a request is in
// flight: containers in the reverse order of their dependencies (nginx
// depends on php, php on sync: nginx first, then php, then sync), each with
// its image's STOPSIGNAL (SIGQUIT), the next one once the previous has
// exited (ContainerDependency, ECS API reference: "When a dependency is
// defined for container startup, for container shutdown it is reversed";
// StopTask: the equivalent of docker stop, the image's stop signal, SIGKILL
// after the stop timeout). The request must run its full duration: its
// body ends with "done <ms>", <ms> at least what was asked, and the client
// waited that long.
func checkGracefulStop(t *testing.T, tk *task) {
	const ms = 4000
	// A request is in flight once its first line has arrived (streamed:
	// no output buffer in PHP, X-Accel-Buffering: no for nginx, no gzip).
	req, err := http.NewRequest("GET", fmt.Sprintf("%s%s?ms=%d", tk.home(), wpstack.SlowPath, ms), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	started := time.Now()
	resp, err := wpstack.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "start\n" {
		t.Fatalf("slow request: %q %v", line, err)
	}
	if time.Since(started) > ms*time.Millisecond/2 {
		t.Fatalf("the first line of a %d ms request took %s: the response was buffered, so the stop would not hit a request in flight", ms, time.Since(started))
	}
	body := make(chan string, 1)
	go func() {
		rest, err := io.ReadAll(br)
		if err != nil {
			rest = append(rest, []byte(" (read error: "+err.Error()+")")...)
		}
		body <- string(rest)
	}()
	containers := []*wpstack.Proc{tk.pool.Nginx, tk.pool.FPM}
	if tk.pool.Sync != nil {
		containers = append(containers, tk.pool.Sync)
	}
	for _, p := range containers {
		if err := p.Signal(syscall.SIGQUIT); err != nil {
			t.Fatal(err)
		}
		select {
		case <-p.Done():
			if err := p.Err(); err != nil {
				t.Errorf("%s exited with %v after a graceful stop; log:\n%s", p.Name, err, p.Tail(1500))
			}
		case <-time.After(45 * time.Second): // ECS's stopTimeout: request timeout (30 s) + 15 s
			t.Errorf("%s still running 45 s after its stop signal", p.Name)
		}
	}
	if err := slowResponseComplete(<-body, time.Since(started), ms); err != nil || resp.StatusCode != 200 {
		t.Errorf("request in flight during the stop (HTTP %d): %v", resp.StatusCode, err)
	}
}

// slowResponseComplete checks the rest of slow.php's answer (after
// "start"): "done <ms it ran>" with at least want ms, and a client that
// waited at least that long; anything else means the request was cut short.
func slowResponseComplete(rest string, waited time.Duration, want int) error {
	ranMs, ok := strings.CutPrefix(rest, "done ")
	n, err := strconv.Atoi(ranMs)
	if !ok || err != nil {
		return fmt.Errorf("the request was cut short: it answered %q after \"start\", want \"done <ms>\"", rest)
	}
	if n < want || waited < time.Duration(want)*time.Millisecond {
		return fmt.Errorf("the request ran %d ms (client waited %s), want %d ms: cut short", n, waited.Round(time.Millisecond), want)
	}
	return nil
}

// fpmMasterPID is the php-fpm master's pid: the child of the php
// entrypoint that runs php-fpm.
func fpmMasterPID(t *testing.T, pool *wpstack.Pool) int {
	t.Helper()
	out, err := exec.Command("pgrep", "-P", strconv.Itoa(pool.FPM.Cmd.Process.Pid), "-f", "php-fpm").Output()
	if err != nil {
		t.Fatalf("no php-fpm under the entrypoint (pid %d): %v", pool.FPM.Cmd.Process.Pid, err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(out))[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
