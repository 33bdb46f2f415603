package pagefiles

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestShimRewrites runs the embedded shim under Node against a fake window
// (testdata/shim_harness.js). It is skipped where Node is not installed; a
// real browser test of the pages covers the same ground end to end.
func TestShimRewrites(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	shim := filepath.Join(t.TempDir(), "shim.js")
	if err := os.WriteFile(shim, []byte(shimJS), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), node, filepath.Join("testdata", "shim_harness.js"), shim).Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Marker map[string]any    `json:"marker"`
		Seen   []json.RawMessage `json:"seen"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("harness output %q: %v", out, err)
	}
	if !reflect.DeepEqual(got.Marker, map[string]any{"version": float64(1)}) {
		t.Errorf("window.loginshell = %v, want {version: 1}", got.Marker)
	}
	want := []string{
		`{"via":"xhr","args":["GET","/pmapi/user"]}`,
		`{"via":"xhr","args":["GET","/pmapi/auth/abc/authenticate?p=s%20cret"]}`,
		`{"via":"xhr","args":["GET","/pmapi/"]}`,
		`{"via":"xhr","args":["GET","/pmapi/?x=1"]}`,
		`{"via":"xhr","args":["GET","/pmapi/#frag"]}`,
		`{"via":"xhr","args":["GET","http://pmapi.example.com/user"]}`,
		`{"via":"xhr","args":["GET","http://pmapi:8080/user"]}`,
		`{"via":"xhr","args":["GET","http://pmapiX/user"]}`,
		`{"via":"xhr","args":["GET","https://example.com/http://pmapi/"]}`,
		`{"via":"xhr","args":["GET","/pmapi/already"]}`,
		`{"via":"xhr","args":["GET","relative/page.html"]}`,
		`{"via":"xhr","args":["PUT","/pmapi/auth/t/setup",false]}`,
		`{"via":"xhr","args":["GET","/pmapi/user",true,"user","pw"]}`,
		`{"via":"fetch","input":"/pmapi/connectivity","argc":1,"init":null}`,
		`{"via":"fetch","input":"/pmapi/auth/t/update?o=a&p=b","argc":2,"init":{"method":"PUT"}}`,
		`{"via":"fetch","input":"/pmapi/user","argc":1,"init":null}`,
		`{"via":"fetch","input":{"urlObject":"https://example.com/x"},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"/pmapi/auth","method":"POST","headers":{"a":"b"},"body":"payload"},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"/pmapi/user","method":"GET","headers":{},"body":null},"argc":1,"init":null}`,
		`{"via":"fetch","input":{"request":"https://example.com/y","method":"GET","headers":{},"body":null},"argc":1,"init":null}`,
	}
	if len(got.Seen) != len(want) {
		t.Fatalf("harness saw %d calls, want %d:\n%s", len(got.Seen), len(want), out)
	}
	for i, w := range want {
		var g, wv any
		if err := json.Unmarshal(got.Seen[i], &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(w), &wv); err != nil {
			t.Fatalf("want[%d]: %v", i, err)
		}
		if !reflect.DeepEqual(g, wv) {
			t.Errorf("call %d = %s, want %s", i, got.Seen[i], w)
		}
	}
}
