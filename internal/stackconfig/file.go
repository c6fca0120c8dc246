package stackconfig

import (
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// ReadStackFile returns the config of a Pulumi.<stack>.yaml file as the
// engine hands it to the program: fully qualified keys, structured values
// as JSON.
func ReadStackFile(b []byte) (map[string]string, error) {
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("reading the stack file: %w", err)
	}
	out := map[string]string{}
	for k, v := range file.Config {
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any, []any:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = string(j)
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// ParseFile reads and validates the config of stack from the content of
// its stack file, exactly as Load does for a running program.
func ParseFile(stack string, b []byte) (*Config, error) {
	values, err := ReadStackFile(b)
	if err != nil {
		return nil, &Error{File: "Pulumi." + stack + ".yaml", Problems: []string{err.Error()}}
	}
	return Parse(stack, func(k string) (string, bool) { v, ok := values[k]; return v, ok })
}
