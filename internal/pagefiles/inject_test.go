package pagefiles

import (
	"strings"
	"testing"
)

func TestInjectShim(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		page   string
		before string // what must precede the shim exactly
		after  string // what must follow the shim exactly
	}{
		{
			name:   "the shim goes right after the head tag",
			page:   `<!DOCTYPE html><html><head><title>x</title><script src="app.js"></script></head></html>`,
			before: `<!DOCTYPE html><html><head>`,
			after:  `<title>x</title><script src="app.js"></script></head></html>`,
		},
		{
			name:   "the head tag is matched case-insensitively and with attributes",
			page:   "<HTML><HEAD lang=\"en\">\n<script src=a.js></script>",
			before: "<HTML><HEAD lang=\"en\">",
			after:  "\n<script src=a.js></script>",
		},
		{
			name:   "a header element is not mistaken for the head",
			page:   `<header>h</header><head></head>`,
			before: `<header>h</header><head>`,
			after:  `</head>`,
		},
		{
			name:   "without a head the shim follows the doctype and html tag",
			page:   "\ufeff  <!doctype html>\n<html lang=en><body>hi",
			before: "\ufeff  <!doctype html>\n<html lang=en>",
			after:  "<body>hi",
		},
		{
			name:   "without a head or html tag the shim follows the doctype",
			page:   "<!DOCTYPE html><p>hi",
			before: "<!DOCTYPE html>",
			after:  "<p>hi",
		},
		{
			name:   "a bare fragment gets the shim at the start",
			page:   "<p>hi</p>",
			before: "",
			after:  "<p>hi</p>",
		},
		{
			name:   "an empty page becomes just the shim",
			page:   "",
			before: "",
			after:  "",
		},
		{
			name:   "non-ASCII text before the head does not shift the insertion point",
			page:   "<!-- İİİ --><head>x",
			before: "<!-- İİİ --><head>",
			after:  "x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(InjectShim([]byte(tt.page)))
			want := tt.before + "<script>" + shimJS + "</script>" + tt.after
			if got != want {
				t.Errorf("InjectShim(%q) =\n%.200q\nwant\n%.200q", tt.page, got, want)
			}
		})
	}
}

func TestInjectShimWithBase(t *testing.T) {
	t.Parallel()
	got := string(injectShim([]byte("<head></head>"), `/webapps/a"b/`))
	want := `<head><base href="/webapps/a&#34;b/"><script>`
	if !strings.HasPrefix(got, want) {
		t.Errorf("injectShim with base = %.80q, want prefix %q", got, want)
	}
}

func TestShimIsSafeInline(t *testing.T) {
	t.Parallel()
	lower := strings.ToLower(shimJS)
	for _, bad := range []string{"</script", "<!--", "<script"} {
		if strings.Contains(lower, bad) {
			t.Errorf("shim.js contains %q, which would break out of an inline script", bad)
		}
	}
	for _, must := range []string{"XMLHttpRequest", "window.fetch", "loginshell = { version: 1 }", "/pmapi/"} {
		if !strings.Contains(shimJS, must) {
			t.Errorf("shim.js lacks %q", must)
		}
	}
}
