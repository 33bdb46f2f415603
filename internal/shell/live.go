package shell

import (
	"loginshell/internal/check"
	"loginshell/internal/screen"
	"loginshell/internal/webapps"
)

// liveFolders is how lib's --package folders loaded, as the window shows
// them: a folder that does not load carries what `loginshell check` says
// of it, so the page area and the command line say the same.
func liveFolders(lib *webapps.Library) []screen.Live {
	var out []screen.Live
	for _, st := range lib.Live() {
		l := screen.Live{Folder: st.Folder, Name: st.Name}
		if len(st.Problems) > 0 {
			r := check.Check(st.Path, check.Options{OfflineName: lib.Boot().OfflineName})
			if r.OK() { // fixed since the library read it: its next reload follows
				for _, p := range st.Problems {
					r.Problems = append(r.Problems, check.Problem{File: p.Entry, Rule: p.Rule, Message: p.Detail, Severity: check.SeverityError})
				}
			}
			l.Problems = r.Problems
		}
		out = append(out, l)
	}
	return out
}
