package gateway

import (
	"strings"
	"testing"

	"loginshell/internal/screen"
)

func TestWithFirstView(t *testing.T) {
	t.Parallel()
	const pages = "http://p0123.localhost:8080"
	const index = `<body><iframe id="content" title="Content" hidden></iframe></body>`
	page := func(u string) screen.View {
		return screen.View{Kind: screen.Page, URL: u, Pages: pages, Reload: 2}
	}
	tests := []struct {
		name string
		view screen.View
		want string // "" : index unchanged
	}{
		{"a package's page loads in the frame at once", page("http://a6c69.p0123.localhost:8080/webapps/lineapp/index.html?t=1&u=op"),
			`<iframe id="content" src="http://a6c69.p0123.localhost:8080/webapps/lineapp/index.html?t=1&amp;u=op" data-url="http://a6c69.p0123.localhost:8080/webapps/lineapp/index.html?t=1&amp;u=op" data-reload="2" title="Content" hidden>`},
		{"the pages' host itself is no package", page("http://p0123.localhost:8080/x.html"), ""},
		{"another port", page("http://a6c69.p0123.localhost:9090/x.html"), ""},
		{"another host ending alike", page("http://evil.a6c69.p0123.localhost:8080/x.html"), ""},
		{"https is not the pages' scheme", page("https://a6c69.p0123.localhost:8080/x.html"), ""},
		{"a user in the URL", page("http://u@a6c69.p0123.localhost:8080/x.html"), ""},
		{"a quote cannot leave the attribute", page(`http://a6c69.p0123.localhost:8080/x.html?q="><script>`), `src="http://a6c69.p0123.localhost:8080/x.html?q=&#34;&gt;&lt;script&gt;"`},
		{"no page shown: loading", screen.View{Kind: screen.Loading, Pages: pages}, ""},
		{"the provider's page (navigate)", screen.View{Kind: screen.Navigate, URL: "http://127.0.0.1:5556/auth", Pages: pages}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(withFirstView([]byte(index), tt.view))
			if tt.want == "" {
				if got != index {
					t.Errorf("index changed to %s", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %s\nwant it to hold %s", got, tt.want)
			}
		})
	}
}
