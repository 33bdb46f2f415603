// Package frontend embeds the shell chrome's production build (dist/,
// made by `npm run build`) so one binary carries its UI.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built chrome, rooted at its index.html.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("frontend: embedded dist: " + err.Error()) // a constant valid path; unreachable
	}
	return sub
}
