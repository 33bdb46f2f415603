package webapps

import (
	"net/url"
	"testing"
)

func TestPageURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pkg, page string
		query           url.Values
		want            string
	}{
		{name: "token and user go in the query", pkg: "offline-login", page: "login.html",
			query: url.Values{"u": {"jane"}, "t": {"0b6c"}}, want: "/webapps/offline-login/login.html?t=0b6c&u=jane"},
		{name: "awkward usernames are escaped", pkg: "ol", page: "login.html",
			query: url.Values{"t": {"x"}, "u": {`DOMAIN\j doe&a=b#c+d`}}, want: "/webapps/ol/login.html?t=x&u=DOMAIN%5Cj+doe%26a%3Db%23c%2Bd"},
		{name: "page paths keep their slashes and escape the rest", pkg: "a b", page: "www/x y.html",
			want: "/webapps/a%20b/www/x%20y.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PageURL(tt.pkg, tt.page, tt.query)
			if got != tt.want {
				t.Errorf("PageURL = %q, want %q", got, tt.want)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			for k := range tt.query {
				if u.Query().Get(k) != tt.query.Get(k) {
					t.Errorf("query %s round-trips as %q, want %q", k, u.Query().Get(k), tt.query.Get(k))
				}
			}
		})
	}
}
