// Command wpfleet-sync keeps a task-local copy of a site's live release (code
// delivery mode "local", docs/runtime.md).
//
//	wpfleet-sync run      copy the live release, then follow the pointer (the sync container's command)
//	wpfleet-sync once     one check; exit 0 once the live release is in place locally
//	wpfleet-sync health   exit 0 if a release is in place and the agent is alive (container health check)
//
// Settings come from the environment, flags override them:
//
//	WPFLEET_SYNC_SOURCE            -source        /mnt/efs          site directory on EFS (read only)
//	WPFLEET_SYNC_DEST              -dest          /var/www/wpfleet  task-local directory
//	WPFLEET_SYNC_INTERVAL          -interval      2s                how often the pointer is read
//	WPFLEET_SYNC_GRACE             -grace         request timeout + 30s
//	WPFLEET_REQUEST_TIMEOUT_SECONDS               30                used for the default grace
//	WPFLEET_SYNC_MIN_FREE_MIB      -min-free-mib  1024              free space kept on the task disk
//	WPFLEET_SYNC_RETRY             -retry         30s               wait before retrying a failed release
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/internal/codesync"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wpfleet-sync:", err)
		os.Exit(1)
	}
}

type config struct {
	source, dest           string
	interval, grace, retry time.Duration
	minFreeMiB             int64
}

func run(args []string) error {
	cmd := "run"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	cfg, err := parseConfig(cmd, args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	agent := &codesync.Agent{
		Source: cfg.source, Dest: cfg.dest, Interval: cfg.interval, Grace: cfg.grace,
		MinFree: cfg.minFreeMiB << 20, RetryAfter: cfg.retry, Log: log,
	}
	switch cmd {
	case "run":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
		defer stop()
		log.Info("starting", "source", cfg.source, "dest", cfg.dest, "interval", cfg.interval, "grace", cfg.grace, "min_free_mib", cfg.minFreeMiB)
		return agent.Run(ctx)
	case "once":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		if err := agent.Prepare(); err != nil {
			return err
		}
		res, err := agent.Sync(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("live=%s switched=%t seconds=%.3f\n", res.Live, res.Switched, res.Duration.Seconds())
		return nil
	case "health":
		return codesync.Health(cfg.dest, healthMaxAge(cfg.interval))
	default:
		return fmt.Errorf("unknown command %q: want run, once or health", cmd)
	}
}

// healthMaxAge is how old the heartbeat may be: ten intervals, at least 30 s.
func healthMaxAge(interval time.Duration) time.Duration {
	return max(30*time.Second, 10*interval)
}

func parseConfig(cmd string, args []string) (config, error) {
	var cfg config
	timeout, err := envInt("WPFLEET_REQUEST_TIMEOUT_SECONDS", 30)
	if err != nil {
		return cfg, err
	}
	interval, err := envDuration("WPFLEET_SYNC_INTERVAL", 2*time.Second)
	if err != nil {
		return cfg, err
	}
	grace, err := envDuration("WPFLEET_SYNC_GRACE", time.Duration(timeout)*time.Second+30*time.Second)
	if err != nil {
		return cfg, err
	}
	retry, err := envDuration("WPFLEET_SYNC_RETRY", 30*time.Second)
	if err != nil {
		return cfg, err
	}
	minFree, err := envInt("WPFLEET_SYNC_MIN_FREE_MIB", 1024)
	if err != nil {
		return cfg, err
	}
	fl := flag.NewFlagSet("wpfleet-sync "+cmd, flag.ContinueOnError)
	fl.StringVar(&cfg.source, "source", envString("WPFLEET_SYNC_SOURCE", "/mnt/efs"), "site directory on the shared file system (read only)")
	fl.StringVar(&cfg.dest, "dest", envString("WPFLEET_SYNC_DEST", "/var/www/wpfleet"), "task-local directory nginx and php-fpm serve from")
	fl.DurationVar(&cfg.interval, "interval", interval, "how often the shared pointer is read")
	fl.DurationVar(&cfg.grace, "grace", grace, "how long a replaced release stays on disk")
	fl.DurationVar(&cfg.retry, "retry", retry, "wait before retrying a release that failed")
	fl.Int64Var(&cfg.minFreeMiB, "min-free-mib", minFree, "MiB that must stay free on the task disk after an unpack")
	if err := fl.Parse(args); err != nil {
		return cfg, err
	}
	if fl.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if cfg.interval < 100*time.Millisecond {
		return cfg, fmt.Errorf("interval %s is too short: at least 100ms", cfg.interval)
	}
	if cfg.grace < 0 || cfg.retry < 0 || cfg.minFreeMiB < 0 {
		return cfg, errors.New("grace, retry and min-free-mib must not be negative")
	}
	return cfg, nil
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int64) (int64, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a whole number >= 0", name, v)
	}
	return n, nil
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a Go duration such as 2s or 1m30s", name, v)
	}
	return d, nil
}
