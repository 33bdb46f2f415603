// Package arch holds no code: its tests check the shape of the whole
// module, the rules a reader of any package can rely on (see README,
// "Layout"):
//
//   - only app/ imports Wails; the engines import no transport (app,
//     internal/serve) and no HTTP surface (internal/pmapi,
//     internal/gateway), and use no net/http server code;
//   - the two transports do not import each other, and the HTTP surfaces
//     import neither;
//   - every exported error of every package has a deliberate kind
//     (internal/fault), so pmapi.Status and fault.Text never guess;
//     pmapi.Status holds the only map keyed by a kind, and app/, which
//     shows errors in fault.Text's words, does not import pmapi;
//   - every Go file imports in at most two groups: the standard library,
//     then everything else.
package arch
