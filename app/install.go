package app

import (
	"context"
	"fmt"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"
	"loginshell/internal/fault"
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
	// msgNoDrop answers an InstallDrop with no file from the drop: not a
	// local file (a link), or no drop within dropTTL.
	msgNoDrop = "The dropped item could not be read as a file on this computer; drop the package again, or choose it with Install package…"
	// msgNothingToConfirm answers a ConfirmInstall with no package waiting.
	msgNothingToConfirm = "There is no package waiting to be confirmed; choose the package again."
)

// attachInstalls forwards install events to rt: those of the installs
// started here (PickPackage, InstallDrop, ConfirmInstall) and of the
// packages the chrome uploads (POST /shell/install: a dropped file, where
// the engine gives the chrome its bytes; WebKitGTK does not).
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
	// Asked again by the install itself; asked here so that a person who
	// may not install is told before choosing a file, not after.
	if err := in.Permitted(); err != nil {
		return install.Refused(fault.Text(err))
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

// drop is what a person last dropped on the window: the paths GTK gave
// the web view's drop handler (webviewGuard), and when.
type drop struct {
	paths []string
	at    time.Time
}

// dropTTL is how long a drop waits for the chrome's InstallDrop: the
// chrome asks at once, as its document hears the same drop.
const dropTTL = 10 * time.Second

// dropped keeps the files of a drop on the window for InstallDrop. It
// installs nothing itself: the drop may have landed on a hosted page's
// frame, and only a drop the chrome's own document took counts.
func (s *Shell) dropped(paths []string) {
	s.mu.Lock()
	s.drop = drop{paths: paths, at: s.now()}
	s.mu.Unlock()
}

// InstallDrop installs the one file a person just dropped on the chrome
// (its document heard the drop and asks, with its token), blocking until
// the install ends, like PickPackage. The path never comes from
// JavaScript: it is the one GTK gave the web view for that drop, taken
// once and only within dropTTL. WebKitGTK gives no page a dropped file's
// bytes, so the chrome cannot upload it as the browser mode does.
func (s *Shell) InstallDrop(token string) InstallResult {
	if !s.from(token) {
		return install.Refused(errToken.Error())
	}
	s.mu.Lock()
	d := s.drop
	s.drop = drop{}
	s.mu.Unlock()
	var files []string
	for _, p := range d.paths {
		if p != "" {
			files = append(files, p)
		}
	}
	switch {
	case len(files) == 0 || s.now().Sub(d.at) > dropTTL:
		s.sh.Log.Info("a drop on the chrome brought no file from outside the window: nothing installed")
		return install.Refused(msgNoDrop)
	case len(d.paths) > 1:
		return install.Refused(fmt.Sprintf(msgDropOneFmt, len(d.paths)))
	case s.win.runtime() == nil:
		return install.Refused(msgNotReady)
	case s.sh.Installs.Running():
		return install.Busy()
	}
	return s.installFile(files[0])
}
