// Command wpfleet-sync keeps a task-local copy of the live release of every
// site of a pool (code delivery mode "local", docs/runtime.md).
//
//	wpfleet-sync run      copy every site's live release, then follow the pointers (the sync container's command)
//	wpfleet-sync once     one check of every site; exit 0 once each live release is in place locally (batch jobs)
//	wpfleet-sync health   exit 0 if every site's release is in place (or none is published yet) and the agent is alive; prints each site's release
//
// Site s is read from SOURCE/s (its EFS access point) and kept in DEST/s
// (DEST/s/current -> releases/<id>). Settings come from the environment,
// flags override them:
//
//	WPFLEET_SITES                  -sites         (required)        site names, space-separated
//	WPFLEET_SYNC_SOURCE            -source        /mnt/efs          where the sites' EFS access points are mounted (read only)
//	WPFLEET_SYNC_DEST              -dest          /var/www/wpfleet  task-local directory
//	WPFLEET_SYNC_INTERVAL          -interval      2s                how often each pointer is read
//	WPFLEET_SYNC_GRACE             -grace         request timeout + 30s
//	WPFLEET_REQUEST_TIMEOUT_SECONDS               30                used for the default grace
//	WPFLEET_SYNC_MIN_FREE_MIB      -min-free-mib  1024              free space kept on the task disk
//	WPFLEET_SYNC_RETRY             -retry         30s               wait before retrying a failed release
//	WPFLEET_SYNC_PARALLEL          -parallel      2                 sites fetching a release at once
//	GOMEMLIMIT                                    32 MiB + 24 MiB × parallel   the Go runtime's soft memory limit
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/wpfleet/wpfleet/internal/codesync"
	"github.com/wpfleet/wpfleet/internal/contract"
)

// Environment variables the agent reads. The first three are set by the
// task definition (internal/contract); the rest are tuning with defaults.
const (
	envSites    = contract.EnvSites
	envSource   = contract.EnvSyncSource
	envDest     = contract.EnvSyncDest
	envTimeout  = contract.EnvRequestTimeout
	envInterval = "WPFLEET_SYNC_INTERVAL"
	envGrace    = "WPFLEET_SYNC_GRACE"
	envRetry    = "WPFLEET_SYNC_RETRY"
	envMinFree  = "WPFLEET_SYNC_MIN_FREE_MIB"
	envParallel = "WPFLEET_SYNC_PARALLEL"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wpfleet-sync:", err)
		os.Exit(1)
	}
}

type config struct {
	sites                  []string
	source, dest           string
	interval, grace, retry time.Duration
	minFreeMiB             int64
	parallel               int64
}

func run(args []string) error {
	cmd := "run"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd != "run" && cmd != "once" && cmd != "health" {
		return fmt.Errorf("unknown command %q: want run, once or health", cmd)
	}
	cfg, err := parseConfig(cmd, args)
	if err != nil {
		return err
	}
	if cmd != "health" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(cfg.parallel))
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	pool := &codesync.Pool{
		Sites: cfg.sites, SourceRoot: cfg.source, DestRoot: cfg.dest, Interval: cfg.interval, Grace: cfg.grace,
		MinFree: cfg.minFreeMiB << 20, RetryAfter: cfg.retry, Parallel: int(cfg.parallel), Log: log,
	}
	switch cmd {
	case "run":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
		defer stop()
		log.Info("starting", "sites", cfg.sites, "source", cfg.source, "dest", cfg.dest, "interval", cfg.interval,
			"grace", cfg.grace, "min_free_mib", cfg.minFreeMiB, "parallel", cfg.parallel)
		return pool.Run(ctx)
	case "once":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		results, err := pool.Once(ctx)
		for i, res := range results {
			fmt.Printf("site=%s live=%s switched=%t seconds=%.3f\n", cfg.sites[i], res.Live, res.Switched, res.Duration.Seconds())
		}
		return err
	default:
		if err := codesync.PoolHealth(cfg.dest, cfg.sites, healthMaxAge(cfg.interval)); err != nil {
			return err
		}
		printLive(os.Stdout, cfg.dest, cfg.sites)
		return nil
	}
}

// printLive prints the release each site serves ("site news: release
// <id>", or "awaiting its first release"), the health check's output.
func printLive(w io.Writer, dest string, sites []string) {
	for _, s := range sites {
		if id, err := codesync.ReadPointer(filepath.Join(dest, s)); err == nil {
			fmt.Fprintf(w, "site %s: release %s\n", s, id)
		} else {
			fmt.Fprintf(w, "site %s: awaiting its first release\n", s)
		}
	}
}

// memoryLimit is the Go runtime's soft memory limit for parallel fetches
// at once: 32 MiB + 24 MiB per fetch. Most of what a fetch allocates is
// garbage soon (decompressed blocks, copy buffers; ~25 MiB is live per
// fetch), and without a limit Go lets the heap grow to twice the live heap
// between collections: 137 MiB measured for two fetches of 313 MiB
// releases at once, over the sync container's 128 MiB reservation; with
// the limit 83 MiB, no slower (docs/runtime.md, "Sync agent memory").
// GOMEMLIMIT, when set, wins.
func memoryLimit(parallel int64) int64 {
	return (32 + 24*parallel) << 20
}

// healthMaxAge is how old the heartbeat may be: ten intervals, at least 30 s.
func healthMaxAge(interval time.Duration) time.Duration {
	return max(30*time.Second, 10*interval)
}

func parseConfig(cmd string, args []string) (config, error) {
	var cfg config
	timeout, err := envInt(envTimeout, 30)
	if err != nil {
		return cfg, err
	}
	interval, err := envDuration(envInterval, 2*time.Second)
	if err != nil {
		return cfg, err
	}
	grace, err := envDuration(envGrace, time.Duration(timeout)*time.Second+30*time.Second)
	if err != nil {
		return cfg, err
	}
	retry, err := envDuration(envRetry, 30*time.Second)
	if err != nil {
		return cfg, err
	}
	minFree, err := envInt(envMinFree, 1024)
	if err != nil {
		return cfg, err
	}
	parallel, err := envInt(envParallel, 2)
	if err != nil {
		return cfg, err
	}
	var sites string
	fl := flag.NewFlagSet("wpfleet-sync "+cmd, flag.ContinueOnError)
	fl.StringVar(&sites, "sites", os.Getenv(envSites), "site names, space-separated")
	fl.StringVar(&cfg.source, "source", envString(envSource, contract.SyncSource), "where the sites' directories on the shared file system are mounted (read only)")
	fl.StringVar(&cfg.dest, "dest", envString(envDest, contract.SyncDest), "task-local directory nginx and php-fpm serve from")
	fl.DurationVar(&cfg.interval, "interval", interval, "how often each shared pointer is read")
	fl.DurationVar(&cfg.grace, "grace", grace, "how long a replaced release stays on disk")
	fl.DurationVar(&cfg.retry, "retry", retry, "wait before retrying a release that failed")
	fl.Int64Var(&cfg.minFreeMiB, "min-free-mib", minFree, "MiB that must stay free on the task disk after an unpack")
	fl.Int64Var(&cfg.parallel, "parallel", parallel, "sites fetching a release at once")
	if err := fl.Parse(args); err != nil {
		return cfg, err
	}
	if fl.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	if cfg.sites, err = contract.ParseSites(sites); err != nil {
		return cfg, fmt.Errorf("%w (or -sites)", err)
	}
	if cfg.interval < 100*time.Millisecond {
		return cfg, fmt.Errorf("interval %s is too short: at least 100ms", cfg.interval)
	}
	if cfg.grace < 0 || cfg.retry < 0 || cfg.minFreeMiB < 0 {
		return cfg, errors.New("grace, retry and min-free-mib must not be negative")
	}
	if cfg.parallel < 1 || cfg.parallel > 64 {
		return cfg, fmt.Errorf("parallel %d: want 1-64", cfg.parallel)
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
