package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wpfleet/wpfleet/internal/contract"
)

func TestParseConfigDefaultsAndEnv(t *testing.T) {
	t.Setenv(contract.EnvSites, "news blog")
	cfg, err := parseConfig("run", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.source != "/mnt/efs" || cfg.dest != "/var/www/wpfleet" || cfg.interval != 2*time.Second ||
		cfg.grace != 60*time.Second || cfg.minFreeMiB != 1024 || cfg.retry != 30*time.Second || cfg.parallel != 2 ||
		strings.Join(cfg.sites, ",") != "news,blog" {
		t.Fatalf("defaults: %+v", cfg)
	}
	t.Setenv("WPFLEET_REQUEST_TIMEOUT_SECONDS", "120")
	t.Setenv("WPFLEET_SYNC_INTERVAL", "5s")
	cfg, err = parseConfig("run", []string{"-dest", "/tmp/x", "-sites", "one"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.grace != 150*time.Second || cfg.interval != 5*time.Second || cfg.dest != "/tmp/x" || strings.Join(cfg.sites, ",") != "one" {
		t.Fatalf("grace follows the request timeout, flags override env: %+v", cfg)
	}
	if got := healthMaxAge(5 * time.Second); got != 50*time.Second {
		t.Fatalf("healthMaxAge(5s) = %s", got)
	}
}

// The task definition sets exactly the contract's names (issue 11: it set
// WPFLEET_EFS_ROOT/WPFLEET_LOCAL_ROOT, which the agent never read): the
// agent takes its sites, source and destination from those names, ignores
// the old ones, and its source names no other WPFLEET_ variable than the
// contract's and its own documented tuning knobs.
func TestReadsTheContractsNames(t *testing.T) {
	t.Setenv(contract.EnvSites, "a b-c")
	t.Setenv(contract.EnvSyncSource, "/srv/efs-mounts")
	t.Setenv(contract.EnvSyncDest, "/srv/local")
	t.Setenv("WPFLEET_EFS_ROOT", "/wrong/efs")
	t.Setenv("WPFLEET_LOCAL_ROOT", "/wrong/local")
	cfg, err := parseConfig("run", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.source != "/srv/efs-mounts" || cfg.dest != "/srv/local" || strings.Join(cfg.sites, " ") != "a b-c" {
		t.Fatalf("config from the contract's names: %+v", cfg)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		contract.EnvSites: true, contract.EnvSyncSource: true, contract.EnvSyncDest: true, contract.EnvRequestTimeout: true,
		envInterval: true, envGrace: true, envRetry: true, envMinFree: true, envParallel: true,
	}
	for _, name := range regexp.MustCompile(`WPFLEET_[A-Z_]+`).FindAllString(string(src), -1) {
		if !allowed[name] {
			t.Errorf("main.go names %s, which is neither in the contract nor a documented tuning variable", name)
		}
	}
}

func TestParseConfigRejects(t *testing.T) {
	t.Setenv(contract.EnvSites, "a")
	for env, want := range map[string]string{
		"WPFLEET_SYNC_INTERVAL=2":                "want a Go duration",
		"WPFLEET_SYNC_MIN_FREE_MIB=-1":           "want a whole number",
		"WPFLEET_REQUEST_TIMEOUT_SECONDS=thirty": "want a whole number",
		"WPFLEET_SYNC_INTERVAL=10ms":             "too short",
		"WPFLEET_SYNC_PARALLEL=0":                "want 1-64",
		"WPFLEET_SITES=":                         "WPFLEET_SITES is empty",
		"WPFLEET_SITES=a A":                      `site name "A"`,
		"WPFLEET_SITES=a a":                      "twice",
	} {
		k, v, _ := strings.Cut(env, "=")
		t.Run(env, func(t *testing.T) {
			t.Setenv(k, v)
			if _, err := parseConfig("run", nil); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: %v, want %q", env, err, want)
			}
		})
	}
	if err := run([]string{"frobnicate"}); err == nil || !strings.Contains(err.Error(), "want run, once or health") {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run([]string{"health", "-dest", t.TempDir()}); err == nil || !strings.Contains(err.Error(), "site a: no live release") {
		t.Fatalf("health of an empty directory: %v", err)
	}
}

// The health check's output names the release each site serves.
func TestHealthPrintsReleases(t *testing.T) {
	dest := t.TempDir()
	if err := os.MkdirAll(dest+"/news/releases/20261126T000000Z-aaaaaaaaaaaa", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("releases/20261126T000000Z-aaaaaaaaaaaa", dest+"/news/current"); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printLive(&b, dest, []string{"news", "blog"})
	if want := "site news: release 20261126T000000Z-aaaaaaaaaaaa\nsite blog: awaiting its first release\n"; b.String() != want {
		t.Errorf("printLive = %q, want %q", b.String(), want)
	}
}
