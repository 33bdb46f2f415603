package manifest

// StripComments blanks the // and /* */ comments of a JSON document with
// comments (what the container's CLI accepted in webapp.json and app.json)
// and returns plain JSON. Comments become spaces, newlines are kept, so a
// parse error still points at the right line and column. Text inside
// strings is never touched; an unterminated block comment is left in place
// for the JSON parser to refuse. Trailing commas are not accepted.
func StripComments(data []byte) []byte {
	var out []byte // allocated at the first comment; most documents have none
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		if c != '/' || i+1 >= len(data) || (data[i+1] != '/' && data[i+1] != '*') {
			continue
		}
		end := len(data)
		if data[i+1] == '/' {
			for j := i + 2; j < len(data); j++ {
				if data[j] == '\n' {
					end = j
					break
				}
			}
		} else {
			end = -1
			for j := i + 2; j+1 < len(data); j++ {
				if data[j] == '*' && data[j+1] == '/' {
					end = j + 2
					break
				}
			}
			if end < 0 {
				return data // unterminated: let the parser say so
			}
		}
		if out == nil {
			out = append([]byte(nil), data...)
		}
		for j := i; j < end; j++ {
			if out[j] != '\n' && out[j] != '\r' {
				out[j] = ' '
			}
		}
		i = end - 1
	}
	if out == nil {
		return data
	}
	return out
}
