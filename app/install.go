package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"loginshell/internal/install"
)

// InstallEvent is the Wails event that carries an install's progress
// ({phase: "installing", done, total}) and its result (install.Result),
// the same JSON as the serve mode's SSE event "install".
const InstallEvent = "install"

// InstallResult answers PickPackage: see install.Result.
type InstallResult = install.Result

// packageFilter is the open dialog's file type filter.
var packageFilter = runtime.FileFilter{DisplayName: "Web app packages (*.zip)", Pattern: "*.zip"}

// The window's own refusals; the install ones come from install.
const (
	msgNotReady   = "The window is not ready to install packages yet; try again in a moment."
	msgNoDialog   = "The file dialog could not be opened; drop the package on the window instead."
	msgDropOneFmt = "Drop one package at a time (%d files were dropped); nothing was installed."
)

// attachInstalls forwards install events to rt and installs dropped files.
func (s *Shell) attachInstalls(ctx context.Context, rt Runtime) {
	in := s.sh.Installs
	events, stop := in.Subscribe()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				rt.EventsEmit(InstallEvent, e)
			}
		}
	}()
	rt.OnFileDrop(func(_, _ int, paths []string) { s.dropped(ctx, rt, in, paths) })
}

// PickPackage asks for a package in the system's open dialog and installs
// it, blocking until the install ends; progress and the result also go out
// as InstallEvent. A closed dialog answers Cancelled; an install already
// running is refused before the dialog opens.
func (s *Shell) PickPackage(token string) InstallResult {
	if !s.from(token) {
		return install.Refused(errToken.Error())
	}
	rt, in := s.win.runtime(), s.sh.Installs
	if rt == nil {
		return install.Refused(msgNotReady)
	}
	if in.Running() {
		return install.Busy()
	}
	path, err := rt.OpenFileDialog(runtime.OpenDialogOptions{
		Title:   "Install a web app package",
		Filters: []runtime.FileFilter{packageFilter},
	})
	if err != nil {
		s.sh.Log.Error("open the file dialog", "err", err)
		return install.Refused(msgNoDialog)
	}
	if path == "" {
		return install.Cancelled()
	}
	r, _ := in.InstallFile(path) // the service logs; r says it for people
	return r
}

// dropped installs the one file dropped on the window, in the background
// (Wails delivers drops on its event loop). Its result reaches the chrome
// as InstallEvent like any install; a refusal (several files, another
// install running) is emitted here, since the service publishes only the
// installs it runs.
func (s *Shell) dropped(ctx context.Context, rt Runtime, in *install.Service, paths []string) {
	var files []string
	for _, p := range paths {
		if p != "" {
			files = append(files, p)
		}
	}
	switch {
	case len(files) == 0:
		return
	case len(files) > 1:
		rt.EventsEmit(InstallEvent, install.Refused(fmt.Sprintf(msgDropOneFmt, len(files))))
		return
	}
	if ctx.Err() != nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if r, err := in.InstallFile(files[0]); errors.Is(err, install.ErrBusy) {
			rt.EventsEmit(InstallEvent, r)
		}
	}()
}
