package codesync

import (
	"context"
	"sync"
)

// Disk is the task disk shared by the agents of several sites: at most
// Parallel fetches run at once, and each fetch's space budget leaves out
// what the fetches in progress have reserved. A nil *Disk means one agent
// alone: no limit, nothing reserved.
type Disk struct {
	slots chan struct{}
	mu    sync.Mutex
	held  int64
}

// NewDisk returns a Disk that lets parallel fetches run at once (at least 1).
func NewDisk(parallel int) *Disk {
	return &Disk{slots: make(chan struct{}, max(1, parallel))}
}

// acquire waits for a fetch slot; the returned func gives it back.
func (d *Disk) acquire(ctx context.Context) (func(), error) {
	if d == nil {
		return func() {}, nil
	}
	select {
	case d.slots <- struct{}{}:
		return func() { <-d.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// reserve takes need bytes out of budget (what the disk has free beyond
// the minimum) for one fetch and returns the budget that fetch may use: the
// free space less what other fetches in progress hold. The returned func
// gives the reservation back.
func (d *Disk) reserve(budget, need int64) (int64, func()) {
	if d == nil {
		return budget, func() {}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	budget -= d.held
	if budget <= 0 || need > budget {
		return budget, func() {}
	}
	// Without a manifest the size is unknown: hold half of what is left, so
	// that another site's fetch is not refused outright.
	hold := need
	if hold <= 0 {
		hold = budget / 2
	}
	d.held += hold
	return budget, func() {
		d.mu.Lock()
		d.held -= hold
		d.mu.Unlock()
	}
}

func (d *Disk) reserved() int64 {
	if d == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.held
}
