package screen

import (
	"slices"

	"loginshell/internal/check"
	"loginshell/internal/webapps"
)

// Live is a --package folder as the window shows it (run from source).
type Live struct {
	// Folder is the folder as given on the command line.
	Folder string `json:"folder"`
	// Name is the package it provides, "" when not even that can be read.
	Name string `json:"name,omitempty"`
	// Problems are what `loginshell check` says of the folder when it does
	// not load (errors, warnings and notes, as check lists them); none
	// when it loads.
	Problems []check.Problem `json:"problems,omitempty"`
}

// SetLive tells the window how the --package folders loaded, as the
// package library found them at start and after each change of their
// files: pages of a folder that loads are marked live from it, and a
// folder that does not load takes the page area (View.Broken) until it
// does. Like SetOnline it is pushed, never asked for; a change shows at
// once. The texts must be fit for a person (check's are).
func (s *Screen) SetLive(live []Live) {
	live = slices.Clone(live)
	s.mu.Lock()
	changed := !slices.EqualFunc(s.live, live, sameLive)
	s.live = live
	s.mu.Unlock()
	if changed {
		s.Refresh()
	}
}

func sameLive(a, b Live) bool {
	return a.Folder == b.Folder && a.Name == b.Name && slices.Equal(a.Problems, b.Problems)
}

// liveOf returns the folder v's page is served from as it is ("" for a
// page of no --package folder, or another view), and the folders that do
// not load. Called with s.mu held.
func (s *Screen) liveOf(v View) (string, []Live) {
	folder := ""
	var broken []Live
	for _, l := range s.live {
		switch {
		case len(l.Problems) > 0:
			broken = append(broken, l)
		case v.Kind == Page && folder == "" && l.Name != "" && packageOf(s.pages, v.URL) == asOrigin(l.Name):
			folder = l.Folder
		}
	}
	return folder, broken
}

// asOrigin is a package's name as packageOf reads it back from a page's
// origin (a long name by its label).
func asOrigin(name string) string {
	n, _ := webapps.LabelPackage(webapps.PackageLabel(name))
	return n
}
