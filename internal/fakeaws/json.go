package fakeaws

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// jsonOp answers one JSON 1.1 operation: it reads the request, returns the
// target the call acts on (for faults and the call log), and then performs
// it and returns the response document.
type jsonOp struct {
	target  func(in map[string]any) string
	perform func(in map[string]any) (any, *Fault)
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	prefix, op, _ := strings.Cut(target, ".")
	var (
		ops      map[string]jsonOp
		svc      string
		throttle = "ThrottlingException"
	)
	switch prefix {
	case "SageMaker":
		ops, svc = s.sageMakerOps(), "sagemaker"
	case "ElasticMapReduce":
		ops, svc = s.emrOps(), "elasticmapreduce"
	case "Logs_20140328":
		ops, svc = s.logsOps(), "logs"
	case "AWSInsightsIndexService":
		ops, svc = s.costExplorerOps(), "ce"
		throttle = "LimitExceededException"
	default:
		writeJSONError(w, &Fault{Code: "UnknownOperationException", Message: "unknown target " + target})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeJSONError(w, &Fault{Code: "SerializationException", Message: "content type " + ct})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSONError(w, &Fault{Code: "SerializationException", Message: err.Error()})
		return
	}
	in := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSONError(w, &Fault{Code: "SerializationException", Message: err.Error()})
			return
		}
	}
	o, ok := ops[op]
	if !ok {
		writeJSONError(w, &Fault{Code: "UnknownOperationException", Message: "fakeaws does not implement " + target})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := ""
	if o.target != nil {
		t = o.target(in)
	}
	if prefix == "AWSInsightsIndexService" {
		s.CostRequests = append(s.CostRequests, string(body))
	}
	if f := s.before(svc, op, t, throttle); f != nil {
		writeJSONError(w, f)
		return
	}
	out, f := o.perform(in)
	if f != nil {
		s.calls[len(s.calls)-1].Error = f.Code
		writeJSONError(w, f)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if raw, ok := out.(json.RawMessage); ok {
		_, _ = w.Write(raw)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

func writeJSONError(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", f.Code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": f.Message})
}

func str(in map[string]any, key string) string {
	s, _ := in[key].(string)
	return s
}

func strs(in map[string]any, key string) []string {
	var out []string
	list, _ := in[key].([]any)
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// epoch is a timestamp as AWS JSON protocols send it: seconds since the epoch.
func epoch(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return float64(t.UnixMilli()) / 1000
}

func notFound(what, id string) *Fault {
	return &Fault{Code: "ResourceNotFound", Message: what + " " + id + " does not exist"}
}

// jsonFieldEquals reports whether a message is a JSON object whose
// top-level field is the string value.
func jsonFieldEquals(message, field, value string) bool {
	var m map[string]any
	if err := json.Unmarshal([]byte(message), &m); err != nil {
		return false
	}
	v, ok := m[field].(string)
	return ok && v == value
}
