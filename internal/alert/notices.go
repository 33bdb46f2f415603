package alert

import (
	"sync"
	"time"

	"loginshell/internal/audit"
)

// NoticeFor is how long an alert's notice stays in the chrome after the
// last alert: long enough for a person at the station to see it, short
// enough that an old one does not stand for a new one.
const NoticeFor = 15 * time.Minute

// Notices shows each alert it is given in a station's chrome (Show, the
// screen's notice) and takes the notice down NoticeFor after the last
// one. Safe for concurrent use; the zero value is not usable: use
// NewNotices.
type Notices struct {
	show      func(text string)
	afterFunc func(d time.Duration, f func()) (stop func() bool)

	mu   sync.Mutex
	seq  uint64      // alerts shown so far: a timer clears only the notice it was set for
	stop func() bool // the pending clear
}

// NewNotices returns Notices that show the text of each alert with show
// ("" takes it down). afterFunc runs f once d has passed, as
// time.AfterFunc (nil: time.AfterFunc), so a test clears without waiting.
func NewNotices(show func(text string), afterFunc func(d time.Duration, f func()) (stop func() bool)) *Notices {
	if afterFunc == nil {
		afterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	return &Notices{show: show, afterFunc: afterFunc}
}

// Alert shows e's notice (Notice) and puts off taking it down.
func (n *Notices) Alert(e audit.Entry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	seq := n.seq
	if n.stop != nil {
		n.stop()
	}
	n.show(Notice(e))
	n.stop = n.afterFunc(NoticeFor, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.seq == seq {
			n.show("")
		}
	})
}
