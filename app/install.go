package app

import (
	"context"
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
	// msgNothingToConfirm answers a ConfirmInstall with no package waiting.
	msgNothingToConfirm = "There is no package waiting to be confirmed; choose the package again."
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
//
// folder asks for a folder instead of a .zip: a package's folder installs
// as its zip does (the system's dialogs pick one or the other, not both).
func (s *Shell) PickPackage(token string, folder bool) InstallResult {
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
	var path string
	var err error
	if folder {
		path, err = rt.OpenDirectoryDialog(runtime.OpenDialogOptions{Title: "Install a web app package folder"})
	} else {
		path, err = rt.OpenFileDialog(runtime.OpenDialogOptions{
			Title:   "Install a web app package",
			Filters: []runtime.FileFilter{packageFilter},
		})
	}
	if err != nil {
		s.sh.Log.Error("open the file dialog", "err", err)
		return install.Refused(msgNoDialog)
	}
	if path == "" {
		return install.Cancelled()
	}
	return s.installFile(path)
}

// installFile installs path, remembering it when the install needs the
// person's yes (PhaseConfirm), for ConfirmInstall.
func (s *Shell) installFile(path string) InstallResult {
	r, _ := s.sh.Installs.InstallFile(path, false) // the service logs; r says it for people
	s.mu.Lock()
	if r.Phase == install.PhaseConfirm {
		s.confirmable = path
	} else {
		s.confirmable = ""
	}
	s.mu.Unlock()
	return r
}

// ConfirmInstall installs, replacing what it replaces, the package the
// last install asked about (a confirm result of PickPackage or of a drop):
// the chrome calls it when the person says yes. The path never comes from
// JavaScript; without a package waiting for a yes it is refused.
func (s *Shell) ConfirmInstall(token string) InstallResult {
	if !s.from(token) {
		return install.Refused(errToken.Error())
	}
	s.mu.Lock()
	path := s.confirmable
	s.confirmable = ""
	s.mu.Unlock()
	if path == "" {
		return install.Refused(msgNothingToConfirm)
	}
	r, _ := s.sh.Installs.InstallFile(path, true)
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
		if r := s.installFile(files[0]); r.Phase == install.PhaseRefused {
			rt.EventsEmit(InstallEvent, r) // the service publishes only the installs it runs
		}
	}()
}
