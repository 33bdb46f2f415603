package signature_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"loginshell/internal/fault"
	"loginshell/internal/signature"
)

// tmplValid is a template that breaks no rule; each case changes one field.
func tmplValid() signature.Template {
	return signature.Template{
		Name:       "Line Release Approval",
		Expression: "{role:Operator} AND ({role:Supervisor} OR {userName:bob})",
		Meaning:    "Approval",
	}
}

// tmplText is the text a refusal of ErrBadTemplate shows for detail.
func tmplText(detail string) string { return fault.Text(signature.ErrBadTemplate) + ": " + detail }

func TestValidateTemplate(t *testing.T) {
	t.Parallel()
	const where = `template "Line Release Approval": `
	tests := []struct {
		name   string
		change func(*signature.Template)
		want   string // the detail; empty when the template is valid
	}{
		{"the base template is valid", func(*signature.Template) {}, ""},
		{"every field set is valid", func(t *signature.Template) {
			t.Description, t.IDP, t.Framing, t.Timeout = "Two lines\n\tand a tab", "corporate", "new", 5
			t.Force, t.ForceUniqueUser, t.RequireComment, t.Ordered = true, true, true, true
			t.RejectMeaning = "Rejection: the line stays stopped"
		}, ""},
		{"a name is required", func(t *signature.Template) { t.Name = "" }, `"name" is required`},
		{"a name of spaces is no name", func(t *signature.Template) { t.Name = "  " }, `"name" is required`},
		{"a name must not begin with space", func(t *signature.Template) { t.Name = " Release" }, `"name" must not begin or end with space`},
		{"a name must not end with space", func(t *signature.Template) { t.Name = "Release " }, `"name" must not begin or end with space`},
		{"a name must not hold a line break", func(t *signature.Template) { t.Name = "Line\nRelease" }, `"name" must not contain control characters (line breaks, tabs)`},
		// Issue 20: what a signer reads must show what it holds.
		{"a name of zero-width spaces is refused", func(t *signature.Template) { t.Name = "\u200b\u200b" }, `"name" must hold visible text (letters, digits or signs), not only spaces or invisible characters`},
		{"a meaning of zero-width spaces is refused", func(t *signature.Template) { t.Meaning = "\u200b\u200c\u2060" }, where + `"meaning" must hold visible text (letters, digits or signs), not only spaces or invisible characters`},
		{"a meaning of no-break spaces is refused", func(t *signature.Template) { t.Meaning = "\u00a0\u3000" }, where + `"meaning" is required: it states what the signature means, e.g. "Approval" (21 CFR 11.50)`},
		{"a meaning with a direction override is refused", func(t *signature.Template) { t.Meaning = "I \u202eevorppa" }, where + `"meaning" must not contain text-direction overrides (U+202A–U+202E, U+2066–U+2069), which make text read otherwise than it is stored`},
		{"a description of invisible characters is refused", func(t *signature.Template) { t.Description = "\u200b \u200b" }, where + `"description" must hold visible text (letters, digits or signs), not only spaces or invisible characters; leave it empty or describe the request`},
		{"a description with an isolate is refused", func(t *signature.Template) { t.Description = "Batch \u2067x\u2069" }, where + `"description" must not contain text-direction overrides (U+202A–U+202E, U+2066–U+2069), which make text read otherwise than it is stored`},
		{"a meaning in another script is visible", func(t *signature.Template) { t.Meaning = "承認" }, ""},
		{"a name may be 200 characters", func(t *signature.Template) { t.Name = strings.Repeat("ä", 200) }, ""},
		{"a name may not be 201 characters", func(t *signature.Template) { t.Name = strings.Repeat("ä", 201) }, `"name" must be at most 200 characters`},
		{"an expression is required", func(t *signature.Template) { t.Expression = " " }, where + `"expression" is required, e.g. {role:Supervisor}`},
		{"an expression must parse", func(t *signature.Template) { t.Expression = "{role:Operator} AND ({role:Supervisor} OR {userName:bob}" },
			where + `"expression" is not valid: expected ")" at position 57, found the end of the expression`},
		{"an empty idp means local", func(t *signature.Template) { t.IDP = "" }, ""},
		{"an idp of spaces is refused", func(t *signature.Template) { t.IDP = " " }, where + `"idp" must not be only space; leave it empty or name something`},
		{"an idp must not end with space", func(t *signature.Template) { t.IDP = "corporate " }, where + `"idp" must not begin or end with space`},
		{"an idp must not hold a tab", func(t *signature.Template) { t.IDP = "corp\torate" }, where + `"idp" must not contain control characters (line breaks, tabs)`},
		{"an idp may not be 201 characters", func(t *signature.Template) { t.IDP = strings.Repeat("i", 201) }, where + `"idp" must be at most 200 characters`},
		{"empty framing means embedded", func(t *signature.Template) { t.Framing = "" }, ""},
		{"framing may be embedded", func(t *signature.Template) { t.Framing = signature.FramingEmbedded }, ""},
		{"framing may be self", func(t *signature.Template) { t.Framing = signature.FramingSelf }, ""},
		{"framing may be new", func(t *signature.Template) { t.Framing = signature.FramingNew }, ""},
		{"framing is matched exactly", func(t *signature.Template) { t.Framing = "Embedded" },
			where + `"framing" must be "embedded", "self" or "new" (or empty for "embedded")`},
		{"a zero timeout means the default", func(t *signature.Template) { t.Timeout = 0 }, ""},
		{"a timeout of one minute is valid", func(t *signature.Template) { t.Timeout = 1 }, ""},
		{"a timeout of a day is valid", func(t *signature.Template) { t.Timeout = 1440 }, ""},
		{"a negative timeout is refused", func(t *signature.Template) { t.Timeout = -1 },
			where + `"timeout" must be a whole number of minutes greater than 0`},
		{"a timeout over a day is refused", func(t *signature.Template) { t.Timeout = 1441 },
			where + `"timeout" must be at most 1440 minutes (one day)`},
		{"a meaning is required", func(t *signature.Template) { t.Meaning = "" },
			where + `"meaning" is required: it states what the signature means, e.g. "Approval" (21 CFR 11.50)`},
		{"a meaning of spaces is no meaning", func(t *signature.Template) { t.Meaning = "\u00a0" },
			where + `"meaning" is required: it states what the signature means, e.g. "Approval" (21 CFR 11.50)`},
		{"a meaning must not end with space", func(t *signature.Template) { t.Meaning = "Approval " }, where + `"meaning" must not begin or end with space`},
		{"no reject meaning is valid (it is the default's)", func(t *signature.Template) { t.RejectMeaning = "" }, ""},
		{"a reject meaning of spaces is refused", func(t *signature.Template) { t.RejectMeaning = "  " },
			where + `"rejectMeaning" must not be only space; leave it empty or name something`},
		{"a reject meaning of zero-width spaces is refused", func(t *signature.Template) { t.RejectMeaning = "\u200b" },
			where + `"rejectMeaning" must hold visible text (letters, digits or signs), not only spaces or invisible characters`},
		{"a reject meaning with a direction override is refused", func(t *signature.Template) { t.RejectMeaning = "I \u202etcejer" },
			where + `"rejectMeaning" must not contain text-direction overrides (U+202A–U+202E, U+2066–U+2069), which make text read otherwise than it is stored`},
		{"a reject meaning may not be 201 characters", func(t *signature.Template) { t.RejectMeaning = strings.Repeat("r", 201) },
			where + `"rejectMeaning" must be at most 200 characters`},
		{"a description may be 4096 characters", func(t *signature.Template) { t.Description = strings.Repeat("d", 4096) }, ""},
		{"a description may not be 4097 characters", func(t *signature.Template) { t.Description = strings.Repeat("d", 4097) },
			where + `"description" must be at most 4096 characters`},
		{"a description must not hold other control characters", func(t *signature.Template) { t.Description = "bell\a" },
			where + `"description" must not contain control characters other than line breaks and tabs`},
		{"the first broken rule in field order is named", func(t *signature.Template) { t.Meaning, t.Framing, t.Timeout = "", "x", -1 },
			where + `"framing" must be "embedded", "self" or "new" (or empty for "embedded")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := tmplValid()
			tt.change(&tmpl)
			err := signature.ValidateTemplate(tmpl)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, signature.ErrBadTemplate) || fault.KindOf(err) != fault.BadRequest {
				t.Fatalf("error %v is not a bad template", err)
			}
			if got := fault.Text(err); got != tmplText(tt.want) {
				t.Errorf("text\n got %q\nwant %q", got, tmplText(tt.want))
			}
		})
	}

	t.Run("a bad expression matches ErrBadExpression too", func(t *testing.T) {
		t.Parallel()
		tmpl := tmplValid()
		tmpl.Expression = "{role:"
		if err := signature.ValidateTemplate(tmpl); !errors.Is(err, signature.ErrBadExpression) || !errors.Is(err, signature.ErrBadTemplate) {
			t.Errorf("error %v does not match both sentinels", err)
		}
	})
}

func TestTemplateDefaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		timeout int
		want    time.Duration
	}{
		{"no timeout is the default of two minutes", 0, 2 * time.Minute},
		{"a negative timeout is the default too", -5, signature.DefaultTimeout},
		{"a timeout is in minutes", 5, 5 * time.Minute},
		{"a timeout of a day is a day", 1440, 24 * time.Hour},
		{"a timeout beyond a day is a day", 1 << 62, signature.MaxTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (signature.Template{Timeout: tt.timeout}).TimeoutDuration(); got != tt.want {
				t.Errorf("TimeoutDuration = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("an empty idp is the local one and empty framing embedded", func(t *testing.T) {
		t.Parallel()
		var tmpl signature.Template
		if tmpl.Provider() != signature.IDPLocal || tmpl.FramingMode() != signature.FramingEmbedded {
			t.Errorf("Provider %q, FramingMode %q", tmpl.Provider(), tmpl.FramingMode())
		}
	})
	for _, tt := range []struct {
		name          string
		rejectMeaning string
		approve       bool
		want          string
	}{
		{"an approval means the meaning", "Rejection", true, "Approval"},
		{"a rejection means the reject meaning", "Rejection: the line stays stopped", false, "Rejection: the line stays stopped"},
		{"a rejection without a reject meaning means Rejected", "", false, "Rejected"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl := signature.Template{Meaning: "Approval", RejectMeaning: tt.rejectMeaning}
			if got := tmpl.MeaningOf(tt.approve); got != tt.want {
				t.Errorf("MeaningOf(%v) = %q, want %q", tt.approve, got, tt.want)
			}
		})
	}
	t.Run("a named idp and framing are kept", func(t *testing.T) {
		t.Parallel()
		tmpl := signature.Template{IDP: "corporate", Framing: signature.FramingNew}
		if tmpl.Provider() != "corporate" || tmpl.FramingMode() != signature.FramingNew {
			t.Errorf("Provider %q, FramingMode %q", tmpl.Provider(), tmpl.FramingMode())
		}
	})
}

// tmplFixture is testdata/templates.json as ParseTemplates must read it.
var tmplFixture = []signature.Template{
	{
		Name:            "Line Release Approval",
		Description:     "Release the line after a changeover.\nBoth signers must be present.",
		Expression:      "{role:Operator} AND ({role:Supervisor} OR {userName:bob})",
		IDP:             "corporate",
		Framing:         "new",
		Timeout:         5,
		Force:           true,
		ForceUniqueUser: true,
		Ordered:         true,
		Meaning:         "Approval",
		RejectMeaning:   "Rejection: the line stays stopped",
		RequireComment:  true,
	},
	{Name: "batch review", Expression: "({role:QA} AND {group:Line 1}) OR {role:QA Lead}", Meaning: "Review"},
	{Name: "Deviation <critical> & urgent", Expression: "{group:Quality Assurance}", Framing: "self", Meaning: "Responsibility"},
}

func TestParseTemplates(t *testing.T) {
	t.Parallel()
	t.Run("a valid file is read entry by entry in its order", func(t *testing.T) {
		t.Parallel()
		data, err := os.ReadFile(filepath.Join("testdata", "templates.json"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := signature.ParseTemplates(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tmplFixture) {
			t.Errorf("got  %+v\nwant %+v", got, tmplFixture)
		}
	})
	t.Run("an empty array is no templates", func(t *testing.T) {
		t.Parallel()
		got, err := signature.ParseTemplates([]byte(" [ ] \n"))
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("got %#v, %v; want an empty slice", got, err)
		}
	})
}

func TestParseTemplatesErrors(t *testing.T) {
	t.Parallel()
	// entry builds one object from a valid template's fields and extra ones.
	entry := func(extra string) string {
		return `{"name": "Line Release Approval", "expression": "{role:Operator}", "meaning": "Approval"` + extra + `}`
	}
	const e1 = `templates.json: entry 1 ("Line Release Approval"): `
	tests := []struct {
		name string
		data string
		want string
	}{
		{"an empty file is refused", ``, `templates.json: expected a JSON array of templates, [ {"name": ...}, ... ]`},
		{"an object instead of an array is refused", `{"name": "x"}`, `templates.json: expected a JSON array of templates, [ {"name": ...}, ... ]`},
		{"text that is not UTF-8 is refused with its place", "[\n {\"name\": \"Ä\xff\"}]", `templates.json: expected UTF-8 text at line 2, column 13, found a byte that is not`},
		{"JSON that does not parse is named by line and column", "[\n" + entry("") + ",\n" + `{"name": "b",, }]`,
			`templates.json: entry 2: not valid JSON at line 3, column 14`},
		{"a truncated file is refused", "[" + entry(""), `templates.json: not valid JSON: the file ends before the array is closed`},
		{"text after the array is refused", "[]\n []", `templates.json: expected the end of the file after the array at line 2, column 2`},
		{"an entry that is not an object is refused", "[" + entry("") + ",\n  5]", `templates.json: entry 2: expected an object {"name": ...} at line 2, column 3`},
		{"an unknown field is refused", "[" + entry(`, "timout": 5`) + "]",
			e1 + `"timout" is not a template field; the fields are name, description, expression, idp, framing, timeout, force, forceUniqueUser, ordered, meaning, rejectMeaning, requireComment`},
		{"a field name is matched exactly", "[" + entry(`, "Timeout": 5`) + "]",
			e1 + `"Timeout" is not a template field; the fields are name, description, expression, idp, framing, timeout, force, forceUniqueUser, ordered, meaning, rejectMeaning, requireComment`},
		{"a field given twice is refused", "[" + entry(`, "expression": "{role:Anyone}"`) + "]", e1 + `"expression" is given twice`},
		{"a name that is not a string is refused without a name", `[{"name": 5}]`, `templates.json: entry 1: "name" must be a string`},
		{"ordered must be true or false", "[" + entry(`, "ordered": 1`) + "]", e1 + `"ordered" must be true or false`},
		{"a reject meaning must be a string", "[" + entry(`, "rejectMeaning": false`) + "]", e1 + `"rejectMeaning" must be a string`},
		{"a reject meaning is checked as a meaning", "[" + entry(`, "rejectMeaning": " Rejected"`) + "]", e1 + `"rejectMeaning" must not begin or end with space`},
		{"a null is refused", "[" + entry(`, "idp": null`) + "]", e1 + `"idp" must be a string`},
		{"a boolean must be true or false", "[" + entry(`, "forceUniqueUser": "yes"`) + "]", e1 + `"forceUniqueUser" must be true or false`},
		{"the issue's timeout example", "[" + entry("") + ",\n" + `{"name": "Line Release Approval 2", "expression": "{role:A}", "meaning": "Approval", "timeout": -2}` + "]",
			`templates.json: entry 2 ("Line Release Approval 2"): "timeout" must be a whole number of minutes greater than 0`},
		{"a timeout in a string is refused", "[" + entry(`, "timeout": "2"`) + "]", e1 + `"timeout" must be a whole number of minutes greater than 0`},
		{"a fractional timeout is refused", "[" + entry(`, "timeout": 1.5`) + "]", e1 + `"timeout" must be a whole number of minutes greater than 0`},
		{"a timeout in exponent form is refused", "[" + entry(`, "timeout": 1e1`) + "]", e1 + `"timeout" must be a whole number of minutes greater than 0`},
		{"a timeout over a day is refused", "[" + entry(`, "timeout": 1441`) + "]", e1 + `"timeout" must be at most 1440 minutes (one day)`},
		{"a timeout beyond any integer is refused", "[" + entry(`, "timeout": 99999999999999999999999`) + "]", e1 + `"timeout" must be at most 1440 minutes (one day)`},
		{"an entry without a name names no name", `[{"expression": "{role:A}"}]`, `templates.json: entry 1: "name" is required`},
		{"a rule is reported with entry and field", "[" + entry(`, "framing": "modal"`) + "]",
			e1 + `"framing" must be "embedded", "self" or "new" (or empty for "embedded")`},
		{"a bad expression is reported with its position", `[{"name": "x", "expression": "{role:A} OR", "meaning": "m"}]`,
			`templates.json: entry 1 ("x"): "expression" is not valid: expected a term like {role:X} or "(" at position 12, found the end of the expression`},
		{"a missing meaning is refused", `[{"name": "x", "expression": "{role:A}"}]`,
			`templates.json: entry 1 ("x"): "meaning" is required: it states what the signature means, e.g. "Approval" (21 CFR 11.50)`},
		{"names equal but for case are refused", "[" + entry("") + ",\n" + `{"name": "LINE release approval", "expression": "{role:A}", "meaning": "m"}]`,
			`templates.json: entry 2 ("LINE release approval"): "name" is already the name of entry 1 (names are compared without regard to case)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := signature.ParseTemplates([]byte(tt.data))
			if err == nil {
				t.Fatalf("accepted %+v", got)
			}
			if !errors.Is(err, signature.ErrBadTemplate) || fault.KindOf(err) != fault.BadRequest {
				t.Fatalf("error %v is not a bad template", err)
			}
			if fault.Text(err) != tmplText(tt.want) {
				t.Errorf("text\n got %q\nwant %q", fault.Text(err), tmplText(tt.want))
			}
		})
	}
}

func TestEncodeTemplates(t *testing.T) {
	t.Parallel()
	t.Run("the file is pretty, every field written, sorted by name without regard to case", func(t *testing.T) {
		t.Parallel()
		want, err := os.ReadFile(filepath.Join("testdata", "templates.golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := signature.EncodeTemplates(tmplFixture)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("got\n%s\nwant (testdata/templates.golden.json)\n%s", got, want)
		}
	})
	t.Run("what it writes reads back the same", func(t *testing.T) {
		t.Parallel()
		data, err := signature.EncodeTemplates(tmplFixture)
		if err != nil {
			t.Fatal(err)
		}
		back, err := signature.ParseTemplates(data)
		if err != nil {
			t.Fatal(err)
		}
		want := []signature.Template{tmplFixture[1], tmplFixture[2], tmplFixture[0]}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("got  %+v\nwant %+v", back, want)
		}
	})
	t.Run("the caller's slice keeps its order", func(t *testing.T) {
		t.Parallel()
		in := []signature.Template{tmplFixture[0], tmplFixture[1]}
		if _, err := signature.EncodeTemplates(in); err != nil {
			t.Fatal(err)
		}
		if in[0].Name != tmplFixture[0].Name {
			t.Error("EncodeTemplates sorted the caller's slice")
		}
	})
	t.Run("no templates are an empty array", func(t *testing.T) {
		t.Parallel()
		got, err := signature.EncodeTemplates(nil)
		if err != nil || string(got) != "[]\n" {
			t.Errorf("got %q, %v", got, err)
		}
	})
	t.Run("a template that breaks a rule is not written", func(t *testing.T) {
		t.Parallel()
		bad := tmplValid()
		bad.Timeout = -1
		_, err := signature.EncodeTemplates([]signature.Template{tmplFixture[1], bad})
		want := tmplText(`template "Line Release Approval": "timeout" must be a whole number of minutes greater than 0`)
		if !errors.Is(err, signature.ErrBadTemplate) || fault.Text(err) != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
	t.Run("names equal but for case are not written", func(t *testing.T) {
		t.Parallel()
		other := tmplValid()
		other.Name = "line release approval"
		_, err := signature.EncodeTemplates([]signature.Template{tmplValid(), other})
		want := tmplText(`template "line release approval": "name" is already the name of template "Line Release Approval" (names are compared without regard to case)`)
		if !errors.Is(err, signature.ErrBadTemplate) || fault.Text(err) != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
}
