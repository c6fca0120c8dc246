package report

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// CheckFinite walks an output and returns an error naming the first number
// that is NaN or infinite by its JSON path, e.g. "expected_tickets.p90":
// such a number can only come from a model used far outside its data, and
// must stop the run rather than be written (JSON cannot even hold it).
func CheckFinite(v any) error {
	if path, x, bad := firstNonFinite(reflect.ValueOf(v), ""); bad {
		return fmt.Errorf("%s is %v, not a finite number; the sales model is extrapolating beyond the jackpots of the history — lower model.extrapolation_factor or check the history; nothing was written", path, x)
	}
	return nil
}

func firstNonFinite(v reflect.Value, path string) (string, float64, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			return path, x, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return firstNonFinite(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, x, bad := firstNonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); bad {
				return p, x, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p, x, bad := firstNonFinite(iter.Value(), fmt.Sprintf("%s.%v", path, iter.Key())); bad {
				return p, x, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			if f.Anonymous {
				p = path
			}
			if q, x, bad := firstNonFinite(v.Field(i), p); bad {
				return q, x, true
			}
		}
	}
	return "", 0, false
}
