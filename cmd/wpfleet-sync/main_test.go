package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfigDefaultsAndEnv(t *testing.T) {
	cfg, err := parseConfig("run", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.source != "/mnt/efs" || cfg.dest != "/var/www/wpfleet" || cfg.interval != 2*time.Second ||
		cfg.grace != 60*time.Second || cfg.minFreeMiB != 1024 || cfg.retry != 30*time.Second {
		t.Fatalf("defaults: %+v", cfg)
	}
	t.Setenv("WPFLEET_REQUEST_TIMEOUT_SECONDS", "120")
	t.Setenv("WPFLEET_SYNC_INTERVAL", "5s")
	cfg, err = parseConfig("run", []string{"-dest", "/tmp/x"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.grace != 150*time.Second || cfg.interval != 5*time.Second || cfg.dest != "/tmp/x" {
		t.Fatalf("grace follows the request timeout, flags override env: %+v", cfg)
	}
	if got := healthMaxAge(5 * time.Second); got != 50*time.Second {
		t.Fatalf("healthMaxAge(5s) = %s", got)
	}
}

func TestParseConfigRejects(t *testing.T) {
	for env, want := range map[string]string{
		"WPFLEET_SYNC_INTERVAL=2":                "want a Go duration",
		"WPFLEET_SYNC_MIN_FREE_MIB=-1":           "want a whole number",
		"WPFLEET_REQUEST_TIMEOUT_SECONDS=thirty": "want a whole number",
		"WPFLEET_SYNC_INTERVAL=10ms":             "too short",
	} {
		k, v, _ := strings.Cut(env, "=")
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, err := parseConfig("run", nil); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: %v, want %q", env, err, want)
			}
		})
	}
	if err := run([]string{"frobnicate"}); err == nil || !strings.Contains(err.Error(), "want run, once or health") {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run([]string{"health", "-dest", t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no live release") {
		t.Fatalf("health of an empty directory: %v", err)
	}
}
