package codesync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// Pool keeps the live release of every site of a task local (code delivery
// "local" with several sites, docs/runtime.md): site s is copied from
// SourceRoot/s (its EFS access point) to DestRoot/s, each by its own Agent,
// so that one site that fails to sync never holds back another.
type Pool struct {
	Sites      []string
	SourceRoot string // WPFLEET_SYNC_SOURCE: site s at SourceRoot/s, read only
	DestRoot   string // WPFLEET_SYNC_DEST: site s at DestRoot/s
	Interval   time.Duration
	Grace      time.Duration
	MinFree    int64
	RetryAfter time.Duration
	// Parallel is how many sites may fetch a release at once (default 2).
	Parallel int
	Log      *slog.Logger
}

// Agents returns one Agent per site, sharing the task disk.
func (p *Pool) Agents() []*Agent {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	parallel := p.Parallel
	if parallel <= 0 {
		parallel = 2
	}
	disk := NewDisk(parallel)
	agents := make([]*Agent, len(p.Sites))
	for i, s := range p.Sites {
		agents[i] = &Agent{
			Source: filepath.Join(p.SourceRoot, s), Dest: filepath.Join(p.DestRoot, s),
			Interval: p.Interval, Grace: p.Grace, MinFree: p.MinFree, RetryAfter: p.RetryAfter,
			Log: log.With("site", s), Disk: disk,
		}
	}
	return agents
}

// Run runs every site's agent until ctx ends. A site whose local layout
// cannot be prepared is an error for the whole task (the disk is shared).
func (p *Pool) Run(ctx context.Context) error {
	if len(p.Sites) == 0 {
		return errors.New("no sites to sync")
	}
	agents := p.Agents()
	for _, a := range agents {
		if err := a.Prepare(); err != nil {
			return fmt.Errorf("prepare %s: %w", a.Dest, err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(agents))
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = a.Run(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Once runs one check of every site at the same time and reports each
// site's result; the error names every site that failed.
func (p *Pool) Once(ctx context.Context) ([]SyncResult, error) {
	agents := p.Agents()
	results := make([]SyncResult, len(agents))
	errs := make([]error, len(agents))
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Prepare(); err != nil {
				errs[i] = fmt.Errorf("site %s: %w", p.Sites[i], err)
				return
			}
			res, err := a.Sync(ctx)
			results[i] = res
			if err != nil {
				errs[i] = fmt.Errorf("site %s: %w", p.Sites[i], err)
			}
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// PoolHealth is Health for every site under destRoot: nil only when each
// site's live release is in place (or the site awaits its first release)
// and its agent is alive. The error names every site that is not.
func PoolHealth(destRoot string, sites []string, maxAge time.Duration) error {
	if len(sites) == 0 {
		return errors.New("no sites to check")
	}
	var errs []error
	for _, s := range sites {
		if err := Health(filepath.Join(destRoot, s), maxAge); err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", s, err))
		}
	}
	return errors.Join(errs...)
}
