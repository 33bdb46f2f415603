package pmapi

import (
	"log/slog"
	"slices"
)

// RouteList is every route New serves for o, as "METHOD /pmapi/path" with
// the path's {wildcards}, so a test can reach each one, new ones included.
func RouteList(o Options) []string {
	a := &api{Options: o, log: slog.New(slog.DiscardHandler)}
	var out []string
	for _, rt := range slices.Concat(a.authRoutes(), a.serviceRoutes(), a.signatureRoutes()) {
		out = append(out, rt.method+" "+Prefix+rt.path)
	}
	return out
}
