package job

import (
	"context"
	"strings"
	"time"
)

// invalidateCDN asks CloudFront to drop everything it cached for the site (/*) once a
// release or rollback is live, when WPFLEET_CDN_DISTRIBUTIONS names the site's distribution.
// A failed invalidation is reported as a warning naming the distribution, never fatal: the
// release is live either way, and cached pages expire on their own.
func (j *job) invalidateCDN(ctx context.Context) {
	id, ok := j.cfg.CDN[j.cfg.Site]
	if !ok {
		return
	}
	out, err := run(ctx, command{argv: []string{"aws", "cloudfront", "create-invalidation", "--distribution-id", id,
		"--paths", "/*", "--query", "Invalidation.Id", "--output", "text"}, timeout: 90 * time.Second})
	if err != nil {
		j.logf("warning: CloudFront invalidation of /* on distribution %s failed: %s", id, lastLine(err))
		return
	}
	j.logf("CloudFront invalidation %s of /* on distribution %s", strings.TrimSpace(string(out)), id)
}
