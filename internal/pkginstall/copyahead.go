package pkginstall

import "io"

// copyAhead copies r to w as io.CopyBuffer does, through the two halves
// of buf: one goroutine reads (for an entry: decompresses) the next half
// while this one writes the last, so decompressing and writing overlap on
// a second core, or while a write waits for the page cache to drain. A
// read error is returned as r gave it (the package's limits are errors of
// the reader); after a write error the reader stops at its next chunk.
// The reader has ended when copyAhead returns, so r is the caller's again.
func copyAhead(w io.Writer, r io.Reader, buf []byte) (written int64, err error) {
	half := len(buf) / 2
	free := make(chan []byte, 2) // halves to read into
	free <- buf[:half:half]
	free <- buf[half:]
	full := make(chan []byte, 1) // halves read, in order
	var rerr error               // the reader's, read once full is closed
	go func() {
		defer close(full)
		for b := range free {
			n, err := r.Read(b)
			for n == 0 && err == nil { // a reader may return nothing; the half is kept
				n, err = r.Read(b)
			}
			if n > 0 {
				full <- b[:n]
			}
			if err != nil {
				if err != io.EOF {
					rerr = err
				}
				return
			}
		}
	}()
	stopped := false
	for b := range full {
		if err == nil {
			var n int
			n, err = w.Write(b)
			written += int64(n)
			if err == nil && n < len(b) {
				err = io.ErrShortWrite
			}
		}
		switch {
		case err != nil && !stopped:
			close(free) // the reader ends; what it still sends is drained
			stopped = true
		case err == nil:
			free <- b[:cap(b)]
		}
	}
	if !stopped {
		close(free)
	}
	if err == nil {
		err = rerr
	}
	return written, err
}
