package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseBoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		doc     string
		want    Boot
		wantErr error
		wantMsg string // substring of the error text
	}{
		{
			name: "a full document parses",
			doc:  `{"name":"plant","version":"1.0.0","starter":"lineapp","offlineName":"offline-login","dependencies":{"lineapp":"1.0.0","offline-login":"1.0.0"}}`,
			want: Boot{Name: "plant", Version: "1.0.0", Starter: "lineapp", OfflineName: "offline-login",
				Dependencies: map[string]string{"lineapp": "1.0.0", "offline-login": "1.0.0"}},
		},
		{
			name: "offline is accepted as an alias of offlineName",
			doc:  `{"name":"plant","version":"1","starter":"lineapp","offline":"offline-login"}`,
			want: Boot{Name: "plant", Version: "1", Starter: "lineapp", OfflineName: "offline-login", Dependencies: map[string]string{}},
		},
		{
			name: "offline and offlineName may both appear when they agree",
			doc:  `{"name":"plant","version":"1","starter":"lineapp","offline":"ol","offlineName":"ol"}`,
			want: Boot{Name: "plant", Version: "1", Starter: "lineapp", OfflineName: "ol", Dependencies: map[string]string{}},
		},
		{
			name: "no offline package and null dependencies are fine",
			doc:  "\ufeff" + `{"name":"plant","version":"1","starter":"lineapp","dependencies":null,"extra":true}`,
			want: Boot{Name: "plant", Version: "1", Starter: "lineapp", Dependencies: map[string]string{}},
		},
		{
			name: "the container's name@version for the starter and offline app",
			doc:  `{"name":"plant","version":"1","starter":"lineapp@2.0","offline":"offline-login@0.0.1","dependencies":{"lineapp":"2.0","offline-login":"0.0.1"}}`,
			want: Boot{Name: "plant", Version: "1", Starter: "lineapp", OfflineName: "offline-login",
				Dependencies: map[string]string{"lineapp": "2.0", "offline-login": "0.0.1"}},
		},
		{
			name:    "a name@version the dependencies disagree with",
			doc:     `{"name":"plant","version":"1","starter":"lineapp@2.1","dependencies":{"lineapp":"2.0"}}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"starter" names lineapp at version 2.1, but the dependencies give "lineapp" version "2.0"`,
		},
		{
			name:    "a name@version whose version breaks the container's rule",
			doc:     `{"name":"plant","version":"1","starter":"lineapp","offline":"ol@v1","dependencies":{"lineapp":"2.0","ol":"v1"}}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"offlineName" "ol@v1" is not name@version with a version of whole numbers joined by dots`,
		},
		{
			name:    "a missing starter is named with a hint",
			doc:     `{"name":"plant","version":"1"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `boot document: "starter" is missing; name the web app shown after login`,
		},
		{
			name:    "a missing name is named",
			doc:     `{"version":"1","starter":"x"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"name" is missing`,
		},
		{
			name:    "a blank version counts as missing",
			doc:     `{"name":"p","version":"  ","starter":"x"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"version" is missing`,
		},
		{
			name:    "a starter of the wrong type is named",
			doc:     `{"name":"p","version":"1","starter":3}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"starter" must be a string`,
		},
		{
			name:    "a starter that is a path is refused",
			doc:     `{"name":"p","version":"1","starter":"../etc"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"starter" must be a plain name`,
		},
		{
			name:    "disagreeing offline and offlineName are refused",
			doc:     `{"name":"p","version":"1","starter":"x","offline":"a","offlineName":"b"}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"offline" is an alias of "offlineName"`,
		},
		{
			name:    "dependencies that are not an object are refused",
			doc:     `{"name":"p","version":"1","starter":"x","dependencies":["x"]}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `"dependencies" must be an object`,
		},
		{
			name:    "a dependency without a version is refused",
			doc:     `{"name":"p","version":"1","starter":"x","dependencies":{"x":""}}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `entry "x" has no version`,
		},
		{
			name:    "a dependency version that is a path is refused",
			doc:     `{"name":"p","version":"1","starter":"x","dependencies":{"x":"../1"}}`,
			wantErr: ErrInvalidDocument,
			wantMsg: `entry "x" has version "../1"`,
		},
		{
			name:    "bad JSON is reported as such",
			doc:     `{"name":`,
			wantErr: ErrInvalidDocument,
			wantMsg: "boot document: is not valid JSON at line 1",
		},
		{
			name:    "a JSON array is not a boot document",
			doc:     `[]`,
			wantErr: ErrInvalidDocument,
			wantMsg: "is not a JSON object",
		},
		{
			name:    "the JSON null is not a boot document",
			doc:     `null`,
			wantErr: ErrInvalidDocument,
			wantMsg: "is not a JSON object",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseBoot([]byte(tt.doc))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseBoot() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not contain %q", err, tt.wantMsg)
				}
				var de *DocumentError
				if !errors.As(err, &de) {
					t.Errorf("error %T is not a *DocumentError", err)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseBoot() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
