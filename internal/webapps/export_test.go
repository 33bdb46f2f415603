package webapps

import (
	"context"
	"time"
)

// WatchFrom is Watch, calling watching once Watch has taken the folders'
// first fingerprint, so a test edits a file only when the edit is seen.
func (l *Library) WatchFrom(ctx context.Context, interval time.Duration, changed, watching func()) {
	l.watch(ctx, interval, changed, watching)
}
