package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

var (
	configType   = reflect.TypeFor[Config]()
	durationType = reflect.TypeFor[Duration]()
)

// checkTypes records in ps each value in tbl whose TOML type does not suit
// the field of t it decodes into, and deletes it from tbl. It descends into
// tables and returns whether it deleted anything. Unknown keys are left for
// the decoder's MetaData.Undecoded to find, except keys that differ from a
// field's only in case, which the decoder would silently accept. The rules
// are the decoder's, made stricter where the decoder would guess (an
// integer duration).
func checkTypes(tbl map[string]any, t reflect.Type, table toml.Key, ps *problems) bool {
	deleted := false
	for name, v := range tbl {
		key := join(table, toml.Key{name})
		f, ok := fieldFor(t, name)
		if !ok {
			if near, folded := fieldFolded(t, name); folded {
				// The decoder would take it; TOML keys are case-sensitive.
				ps.add(key, "unknown key; keys are case-sensitive: write %s", tomlName(near))
				delete(tbl, name)
				deleted = true
			}
			continue
		}
		if msg := typeMismatch(v, f.Type); msg != "" {
			ps.add(key, "%s", msg)
			delete(tbl, name)
			deleted = true
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			deleted = checkTypes(sub, f.Type, key, ps) || deleted
		}
	}
	return deleted
}

// typeMismatch says why v, a decoded TOML value, cannot go into a field of
// type t, or returns "" if it can.
func typeMismatch(v any, t reflect.Type) string {
	switch {
	case t == durationType:
		return durationMismatch(v)
	case t.Kind() == reflect.Struct:
		if _, ok := v.(map[string]any); !ok {
			return "must be a table, not " + tomlType(v)
		}
	case t.Kind() == reflect.String:
		if _, ok := v.(string); !ok {
			return "must be a string in quotes, not " + tomlType(v)
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		if _, ok := v.(int64); !ok {
			return "must be a whole number, not " + tomlType(v)
		}
	case t.Kind() == reflect.Bool:
		if _, ok := v.(bool); !ok {
			return "must be true or false, not " + tomlType(v)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return stringsMismatch(v)
	}
	return ""
}

// stringsMismatch says why v is not an array of strings, or returns "".
func stringsMismatch(v any) string {
	const like = `like ["https://example.com/hub"]`
	list, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("must be an array of strings in quotes, %s, not %s", like, tomlType(v))
	}
	for i, e := range list {
		if _, ok := e.(string); !ok {
			return fmt.Sprintf("must be an array of strings in quotes, %s; item %d is %s", like, i+1, tomlType(e))
		}
	}
	return ""
}

// durationMismatch says why v is not a duration string, or returns "".
func durationMismatch(v any) string {
	const like = `like "100ms", "2s" or "5m"`
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("must be a duration in quotes, %s, not %s", like, tomlType(v))
	}
	if _, err := time.ParseDuration(s); err != nil {
		return fmt.Sprintf("must be a duration %s, not %q (units: ns, us, ms, s, m, h)", like, s)
	}
	return ""
}

// tomlType names the TOML type of a decoded value, with its article.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	default:
		return "a date or time"
	}
}

// fieldFor returns the field of struct type t that the TOML key name
// decodes into.
func fieldFor(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if tomlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// fieldFolded returns the field of struct type t whose TOML key differs
// from name only in case.
func fieldFolded(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if tag := tomlName(f); tag != "" && strings.EqualFold(tag, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// tomlName returns the TOML key of a struct field, or "" if the field is
// not read from TOML.
func tomlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// keyList lists the TOML keys of struct type t, each formatted with format,
// for messages: "a, b and c".
func keyList(t reflect.Type, format string) string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if name := tomlName(f); name != "" {
			names = append(names, fmt.Sprintf(format, name))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
