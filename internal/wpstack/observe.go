package wpstack

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wpfleet/wpfleet/bench/slowfs"
)

// Stats returns the slow file system's request counters.
func (f *SlowFS) Stats() (slowfs.Snapshot, error) {
	var snap slowfs.Snapshot
	resp, err := http.Get(f.StatsURL + "/stats")
	if err != nil {
		return snap, err
	}
	defer resp.Body.Close()
	return snap, json.NewDecoder(resp.Body).Decode(&snap)
}

// Reset zeroes the counters.
func (f *SlowFS) Reset() error {
	resp, err := http.Post(f.StatsURL+"/reset", "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// AccessEntry is one line of nginx's JSON access log.
type AccessEntry struct {
	Site      string  `json:"site"`
	Host      string  `json:"host"`
	Time      float64 `json:"request_time"`
	Method    string  `json:"method"`
	URI       string  `json:"uri"`
	Status    int     `json:"status"`
	UserAgent string  `json:"user_agent"`
	Remote    string  `json:"remote_addr"`
}

// AccessLog parses the nginx access log lines written so far.
func (p *Pool) AccessLog() ([]AccessEntry, error) {
	f, err := os.Open(p.Nginx.Log)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []AccessEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, `{"time"`) {
			continue
		}
		var e AccessEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("access log line %q: %w", line, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Screenshot loads url in headless Chromium and writes a PNG; it returns
// Chromium's output.
func Screenshot(chromium, url, png string, width, height int) (string, error) {
	profile, err := os.MkdirTemp(filepath.Dir(png), "chromium-profile-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(profile)
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--host-resolver-rules=MAP *.test 127.0.0.1",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir="+profile,
		fmt.Sprintf("--window-size=%d,%d", width, height), "--virtual-time-budget=5000",
		"--screenshot="+png, url)
	cmd.Env = append(BaseEnv(), "HOME="+profile)
	done := make(chan struct{})
	var out []byte
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(120 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return string(out), fmt.Errorf("chromium did not finish within 120 s")
	}
	if err != nil {
		return string(out), fmt.Errorf("chromium: %w", err)
	}
	return string(out), nil
}
