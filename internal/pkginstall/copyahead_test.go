package pkginstall

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// chunky reads data a few bytes at a time, now and then nothing at all,
// and fails with err (if set) after failAt bytes.
type chunky struct {
	data   []byte
	step   int
	calls  int
	failAt int
	err    error
}

func (c *chunky) Read(p []byte) (int, error) {
	c.calls++
	if c.calls%3 == 0 {
		return 0, nil // allowed, and must not lose the buffer
	}
	if c.err != nil && len(c.data) <= c.failAt {
		return 0, c.err
	}
	n := copy(p[:min(len(p), c.step)], c.data)
	c.data = c.data[n:]
	if len(c.data) == 0 && c.err == nil {
		return n, io.EOF
	}
	return n, nil
}

// failWriter keeps what it is given and fails once it holds limit bytes.
type failWriter struct {
	bytes.Buffer
	limit int
}

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.limit >= 0 && w.Len()+len(p) > w.limit {
		n := w.limit - w.Len()
		w.Buffer.Write(p[:n])
		return n, errDiskFull
	}
	return w.Buffer.Write(p)
}

func TestCopyAheadCopiesInOrderAndStopsAtAnError(t *testing.T) {
	t.Parallel()
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	errBomb := errors.New("the entry expands too much")
	tests := []struct {
		name      string
		r         *chunky
		limit     int // the writer's, -1 for none
		buf       int
		want      []byte
		wantErr   error
		readsLeft bool // the reader stopped before the end of its data
	}{
		{name: "whole, in large reads", r: &chunky{data: data, step: 1 << 20}, limit: -1, buf: 64 << 10, want: data},
		{name: "whole, in small reads", r: &chunky{data: data, step: 777}, limit: -1, buf: 4 << 10, want: data},
		{name: "an empty entry", r: &chunky{data: nil, step: 10, err: io.EOF}, limit: -1, buf: 16, want: nil},
		{name: "the reader's error, as it gave it", r: &chunky{data: data, step: 1000, failAt: 200_000, err: errBomb}, limit: -1, buf: 8 << 10,
			want: data[:100_000], wantErr: errBomb, readsLeft: true},
		{name: "the writer's error; the reader stops", r: &chunky{data: data, step: 1000}, limit: 50_000, buf: 8 << 10,
			want: data[:50_000], wantErr: errDiskFull, readsLeft: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &failWriter{limit: tt.limit}
			n, err := copyAhead(w, tt.r, make([]byte, tt.buf))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if n != int64(len(tt.want)) || !bytes.Equal(w.Bytes(), tt.want) {
				t.Fatalf("wrote %d bytes (%d returned), want the first %d of the data in order", w.Len(), n, len(tt.want))
			}
			// copyAhead has returned: the reader must be done with r, so
			// this read races with nothing (go test -race).
			if left := len(tt.r.data) > 0; left != tt.readsLeft {
				t.Errorf("%d bytes left unread; want data left %v", len(tt.r.data), tt.readsLeft)
			}
		})
	}
}
