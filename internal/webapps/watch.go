package webapps

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"loginshell/internal/manifest"
	"loginshell/internal/pkginstall"
)

// maxWatched caps the files a watch looks at per poll, so a folder that
// holds far more than a package (a node_modules by mistake) costs a
// bounded walk.
const maxWatched = pkginstall.DefaultMaxEntries

// Watch serves the --package folders anew whenever one of their files
// changes, then calls changed (the window reloads the page it shows). It
// polls every interval (about 200 ms keeps the edit-to-screen loop under a
// second) by walking each folder and comparing names, sizes and
// modification times: no new dependency, the same on every OS. Folders
// whose name starts with "." and node_modules are not looked at. Watch
// returns at once when the library has no --package folder, else when ctx
// ends.
func (l *Library) Watch(ctx context.Context, interval time.Duration, changed func()) {
	l.watch(ctx, interval, changed, nil)
}

// watch is Watch; watching, when not nil (the tests), is called once the
// first fingerprint is taken: a change from then on is seen.
func (l *Library) watch(ctx context.Context, interval time.Duration, changed, watching func()) {
	if len(l.packages) == 0 {
		return
	}
	last := l.fingerprint()
	if watching != nil {
		watching()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := l.fingerprint()
		if now == last {
			continue
		}
		last = now
		l.reload()
		l.log.Info("a --package folder changed; pages reloaded")
		if changed != nil {
			changed()
		}
	}
}

// fingerprint sums what the served files look like on disk.
func (l *Library) fingerprint() uint64 {
	h := fnv.New64a()
	seen := 0
	for _, p := range l.packages {
		dir := folderOf(p)
		root := dir
		man := filepath.Join(dir, manifest.WebAppFile)
		if dir != p {
			man = p // the webapp.json given
		}
		stamp(h, man)
		if data, err := readSmallFile(man, manifest.MaxFileBytes); err == nil {
			if src, problem := manifest.SrcFolder(data); problem == "" && src != "" {
				root = filepath.Join(dir, filepath.FromSlash(src))
			}
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				h.Write([]byte("!" + p))
				return nil
			}
			if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if seen++; seen > maxWatched {
				return filepath.SkipAll
			}
			info, err := d.Info()
			if err == nil {
				h.Write([]byte(p + "\x00" + strconv.FormatInt(info.Size(), 10) + "\x00" +
					strconv.FormatInt(info.ModTime().UnixNano(), 10) + "\x00" + info.Mode().String() + "\n"))
			}
			return nil
		})
	}
	return h.Sum64()
}

func stamp(h interface{ Write([]byte) (int, error) }, p string) {
	if info, err := os.Stat(p); err == nil {
		h.Write([]byte(p + "\x00" + strconv.FormatInt(info.Size(), 10) + "\x00" + strconv.FormatInt(info.ModTime().UnixNano(), 10) + "\n"))
	}
}

// readSmallFile reads the file at p, refusing one larger than limit: a
// webapp.json is read whole, and a --package folder is not trusted to keep
// it small.
func readSmallFile(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("%s is larger than %d bytes", p, limit)
	}
	return data, err
}
