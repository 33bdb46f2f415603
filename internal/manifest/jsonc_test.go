package manifest

import "testing"

// containerManifest is a webapp.json as the container's developers write
// it: comments, the CLI's folder keys, "update" for the manage page.
const containerManifest = `// published with: pm publish webapp.json
{
  "name": "offline-login",
  "version": "0.0.1",
  "main": "authenticate.html", // the offline sign-in
  "setup": "setup.html",
  /* the container's name of the manage page */
  "update": "update.html",
  "src-folder": "./dist/",
  "output-folder": "./dist-zip/",
  "nativeScroll": true
}
`

func TestStripComments(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"no comment is the same bytes", `{"a": "b"}`, `{"a": "b"}`},
		{"a line comment", "{\"a\": 1 // one\n}", "{\"a\": 1       \n}"},
		{"a block comment keeps its newlines", "{/* x\ny */\"a\": 1}", "{    \n    \"a\": 1}"},
		{"slashes inside strings are text", `{"u": "http://x/*y*/", "e": "a\"//b"}`, `{"u": "http://x/*y*/", "e": "a\"//b"}`},
		{"an unterminated block comment is left for the parser", `{"a": 1 /* open`, `{"a": 1 /* open`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(StripComments([]byte(tt.in))); got != tt.want {
				t.Errorf("manifest.StripComments(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	m, err := ParseWebApp([]byte(containerManifest))
	if err != nil || m.Manage != "update.html" {
		t.Errorf("manifest.ParseWebApp of a manifest with comments = %+v, %v", m, err)
	}
}
