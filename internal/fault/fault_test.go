package fault

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

var (
	errBusy   = New(BadRequest, "busy; try again")
	errFailed = New(Forbidden, "sign-in failed")
	errDown   = New(Unavailable, "the login server cannot be reached")
)

func TestKindAndText(t *testing.T) {
	t.Parallel()
	ioErr := &os.PathError{Op: "open", Path: "/secret/settings.json", Err: os.ErrPermission}
	tests := []struct {
		name     string
		err      error
		wantKind Kind
		wantText string
		wantIs   []error
	}{
		{"a sentinel is its own kind and text", errBusy, BadRequest, "busy; try again", []error{errBusy}},
		{"a plain error is internal and hidden", errors.New("boom at /tmp/x"), Internal, InternalText, nil},
		{"an I/O error is internal and hidden", ioErr, Internal, InternalText, []error{os.ErrPermission}},
		{"fmt wrapping keeps the sentinel's kind and text", fmt.Errorf("open vault: %w", errBusy), BadRequest, "busy; try again", []error{errBusy}},
		{"Explain refines the text and keeps the kind", Explain(errBusy, "busy with %s; try again", "setup"), BadRequest, "busy with setup; try again", []error{errBusy}},
		{"the outermost kind wins", Explain(errFailed, "sign-in failed: %w", errDown), Forbidden, "sign-in failed: the login server cannot be reached", []error{errFailed, errDown}},
		{"a wrapped cause shows only its safe text", Explain(errFailed, "sign-in failed: %w", ioErr), Forbidden, "sign-in failed: " + InternalText, []error{errFailed, os.ErrPermission}},
		{"%v of a cause shows only its safe text too", Explain(errFailed, "sign-in failed: %v", ioErr), Forbidden, "sign-in failed: " + InternalText, []error{errFailed}},
		{"an internal sentinel stays hidden", New(Internal, "profile is for another user"), Internal, InternalText, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := KindOf(tt.err); got != tt.wantKind {
				t.Errorf("KindOf = %v, want %v", got, tt.wantKind)
			}
			if got := Text(tt.err); got != tt.wantText {
				t.Errorf("Text = %q, want %q", got, tt.wantText)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(tt.err, target) {
					t.Errorf("errors.Is(err, %v) = false", target)
				}
			}
		})
	}
}

func TestKindNames(t *testing.T) {
	t.Parallel()
	for k := Internal; k <= Unsupported; k++ {
		if k.String() == "" || k.String()[0] == 'K' {
			t.Errorf("Kind %d has no name", k)
		}
	}
	if got := Kind(200).String(); got != "Kind(200)" {
		t.Errorf("unknown kind prints %q", got)
	}
}
