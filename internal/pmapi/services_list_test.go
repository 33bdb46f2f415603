package pmapi_test

import (
	"slices"
	"strings"
	"testing"

	"loginshell/internal/check"
	"loginshell/internal/pmapi"
	"loginshell/internal/signature"
)

// `loginshell check` warns of a page calling a service the shell does not
// serve; its list must be this package's route table, or a package calling
// a real service (http://pmapi/signature/requests) is told it is unknown.
func TestCheckKnowsEveryService(t *testing.T) {
	var routed []string
	// A shell with signatures serves the most; routes are only listed, no
	// engine is called.
	for _, r := range pmapi.RouteList(pmapi.Options{Signatures: &signature.Engine{}}) {
		_, path, _ := strings.Cut(r, " "+pmapi.Prefix+"/")
		svc, _, _ := strings.Cut(path, "/")
		if !slices.Contains(routed, svc) {
			routed = append(routed, svc)
		}
	}
	slices.Sort(routed)
	if got := check.Services(); !slices.Equal(got, routed) {
		t.Errorf("check accepts calls to %v; the shell serves %v", got, routed)
	}
}
