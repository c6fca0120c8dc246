package pipeline

import (
	"encoding/json"
	"fmt"
)

// Amazon States Language as Go values. Only the state kinds and fields the
// weekly workflow uses are modelled; every JSON name is the one the
// language specification (https://states-language.net/spec.html) and the
// Step Functions developer guide use, so the marshalled value is the
// definition AWS receives.

// StateMachine is a state machine definition.
type StateMachine struct {
	Comment        string           `json:"Comment,omitempty"`
	StartAt        string           `json:"StartAt"`
	States         map[string]State `json:"States"`
	TimeoutSeconds int              `json:"TimeoutSeconds,omitempty"`
}

// JSON marshals the definition. Definitions are built from Go values only,
// so a failure is a programming error and is returned rather than hidden.
func (m StateMachine) JSON() (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("marshalling state machine definition: %w", err)
	}
	return string(b), nil
}

// State is one state of a state machine or of a Map state's item processor.
type State interface {
	// Kind is the state's "Type".
	Kind() string
	// transitions lists every state this state can hand over to: Next,
	// Default, each choice's Next and each catcher's Next.
	transitions() []string
	// terminal reports whether the state can end its state machine.
	terminal() bool
}

// Payload is a payload template (Parameters, ItemSelector, ResultSelector):
// a key ending in ".$" takes its value from a path or an intrinsic
// function, every other key is copied as is.
type Payload map[string]any

// Path is an optional reference path that can also be JSON null, which for
// ResultPath means "discard the result and keep the input".
type Path struct {
	path    string
	discard bool
}

// At is the path p.
func At(p string) Path { return Path{path: p} }

// Discard is the null ResultPath: the state's output is its input.
var Discard = Path{discard: true}

// IsZero reports an unset path, which is left out of the definition.
func (p Path) IsZero() bool { return !p.discard && p.path == "" }

// String is the path, or "null" for Discard.
func (p Path) String() string {
	if p.discard {
		return "null"
	}
	return p.path
}

// MarshalJSON writes the path, or null for Discard.
func (p Path) MarshalJSON() ([]byte, error) {
	if p.discard {
		return []byte("null"), nil
	}
	return json.Marshal(p.path)
}

// Retrier is one element of a state's "Retry" field.
type Retrier struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds,omitempty"`
	MaxAttempts     int      `json:"MaxAttempts,omitempty"`
	BackoffRate     float64  `json:"BackoffRate,omitempty"`
	MaxDelaySeconds int      `json:"MaxDelaySeconds,omitempty"`
	// JitterStrategy is "FULL" or "NONE".
	JitterStrategy string `json:"JitterStrategy,omitempty"`
}

// Catcher is one element of a state's "Catch" field.
type Catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	Next        string   `json:"Next"`
	ResultPath  Path     `json:"ResultPath,omitzero"`
}

// Jitter strategies of a retrier.
const (
	JitterFull = "FULL"
	JitterNone = "NONE"
)

// Predefined error names of the States Language.
const (
	ErrorAll        = "States.ALL"
	ErrorTaskFailed = "States.TaskFailed"
	ErrorTimeout    = "States.Timeout"
)

// TaskState calls a service integration.
type TaskState struct {
	Comment        string    `json:"Comment,omitempty"`
	Resource       string    `json:"Resource"`
	InputPath      Path      `json:"InputPath,omitzero"`
	Parameters     Payload   `json:"Parameters,omitempty"`
	ResultSelector Payload   `json:"ResultSelector,omitempty"`
	ResultPath     Path      `json:"ResultPath,omitzero"`
	OutputPath     Path      `json:"OutputPath,omitzero"`
	TimeoutSeconds int       `json:"TimeoutSeconds,omitempty"`
	Retry          []Retrier `json:"Retry,omitempty"`
	Catch          []Catcher `json:"Catch,omitempty"`
	Next           string    `json:"Next,omitempty"`
	End            bool      `json:"End,omitempty"`
}

// PassState passes its input, a fixed Result or a Parameters template on.
type PassState struct {
	Comment    string  `json:"Comment,omitempty"`
	InputPath  Path    `json:"InputPath,omitzero"`
	Parameters Payload `json:"Parameters,omitempty"`
	Result     any     `json:"Result,omitempty"`
	ResultPath Path    `json:"ResultPath,omitzero"`
	OutputPath Path    `json:"OutputPath,omitzero"`
	Next       string  `json:"Next,omitempty"`
	End        bool    `json:"End,omitempty"`
}

// WaitState pauses for a fixed or a computed number of seconds.
type WaitState struct {
	Comment     string `json:"Comment,omitempty"`
	Seconds     int    `json:"Seconds,omitempty"`
	SecondsPath string `json:"SecondsPath,omitempty"`
	Next        string `json:"Next,omitempty"`
	End         bool   `json:"End,omitempty"`
}

// ChoiceState branches on its input. It never ends a state machine.
type ChoiceState struct {
	Comment    string       `json:"Comment,omitempty"`
	InputPath  Path         `json:"InputPath,omitzero"`
	OutputPath Path         `json:"OutputPath,omitzero"`
	Choices    []ChoiceRule `json:"Choices"`
	Default    string       `json:"Default,omitempty"`
}

// ChoiceRule is a comparison of Variable with one operator, or a boolean
// combination of rules. Only top-level rules carry Next. Operators are
// pointers because their zero values (false, 0, "") are meaningful.
type ChoiceRule struct {
	Variable        string       `json:"Variable,omitempty"`
	StringEquals    *string      `json:"StringEquals,omitempty"`
	StringMatches   *string      `json:"StringMatches,omitempty"`
	NumericEquals   *int         `json:"NumericEquals,omitempty"`
	NumericLessThan *int         `json:"NumericLessThan,omitempty"`
	IsPresent       *bool        `json:"IsPresent,omitempty"`
	And             []ChoiceRule `json:"And,omitempty"`
	Or              []ChoiceRule `json:"Or,omitempty"`
	Not             *ChoiceRule  `json:"Not,omitempty"`
	Next            string       `json:"Next,omitempty"`
}

// MapState runs an item processor for every element of an array.
type MapState struct {
	Comment        string     `json:"Comment,omitempty"`
	InputPath      Path       `json:"InputPath,omitzero"`
	ItemsPath      string     `json:"ItemsPath,omitempty"`
	ItemSelector   Payload    `json:"ItemSelector,omitempty"`
	ItemProcessor  *Processor `json:"ItemProcessor"`
	MaxConcurrency int        `json:"MaxConcurrency,omitempty"`
	ResultPath     Path       `json:"ResultPath,omitzero"`
	OutputPath     Path       `json:"OutputPath,omitzero"`
	Retry          []Retrier  `json:"Retry,omitempty"`
	Catch          []Catcher  `json:"Catch,omitempty"`
	Next           string     `json:"Next,omitempty"`
	End            bool       `json:"End,omitempty"`
}

// Processor is the state machine a Map state runs for each item.
type Processor struct {
	ProcessorConfig ProcessorConfig  `json:"ProcessorConfig"`
	StartAt         string           `json:"StartAt"`
	States          map[string]State `json:"States"`
}

// ProcessorConfig selects how a Map state runs its items.
type ProcessorConfig struct {
	// Mode is "INLINE": items run inside the parent execution.
	Mode string `json:"Mode"`
}

// InlineMode runs a Map state's items inside the parent execution.
const InlineMode = "INLINE"

// FailState ends the execution as failed.
type FailState struct {
	Comment string `json:"Comment,omitempty"`
	Error   string `json:"Error,omitempty"`
	Cause   string `json:"Cause,omitempty"`
}

// SucceedState ends the execution (or a Map item) successfully.
type SucceedState struct {
	Comment string `json:"Comment,omitempty"`
}

// Kinds of state.
const (
	kindTask    = "Task"
	kindPass    = "Pass"
	kindWait    = "Wait"
	kindChoice  = "Choice"
	kindMap     = "Map"
	kindFail    = "Fail"
	kindSucceed = "Succeed"
)

func (TaskState) Kind() string    { return kindTask }
func (PassState) Kind() string    { return kindPass }
func (WaitState) Kind() string    { return kindWait }
func (ChoiceState) Kind() string  { return kindChoice }
func (MapState) Kind() string     { return kindMap }
func (FailState) Kind() string    { return kindFail }
func (SucceedState) Kind() string { return kindSucceed }

// Each state marshals with its "Type" first-class, so a definition is
// never written without it.

func (s TaskState) MarshalJSON() ([]byte, error) {
	type plain TaskState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindTask, plain(s)})
}

func (s PassState) MarshalJSON() ([]byte, error) {
	type plain PassState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindPass, plain(s)})
}

func (s WaitState) MarshalJSON() ([]byte, error) {
	type plain WaitState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindWait, plain(s)})
}

func (s ChoiceState) MarshalJSON() ([]byte, error) {
	type plain ChoiceState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindChoice, plain(s)})
}

func (s MapState) MarshalJSON() ([]byte, error) {
	type plain MapState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindMap, plain(s)})
}

func (s FailState) MarshalJSON() ([]byte, error) {
	type plain FailState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindFail, plain(s)})
}

func (s SucceedState) MarshalJSON() ([]byte, error) {
	type plain SucceedState
	return json.Marshal(struct {
		Type string `json:"Type"`
		plain
	}{kindSucceed, plain(s)})
}

func catchTargets(cs []Catcher) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Next)
	}
	return out
}

func withNext(next string, more []string) []string {
	if next == "" {
		return more
	}
	return append([]string{next}, more...)
}

func (s TaskState) transitions() []string { return withNext(s.Next, catchTargets(s.Catch)) }
func (s PassState) transitions() []string { return withNext(s.Next, nil) }
func (s WaitState) transitions() []string { return withNext(s.Next, nil) }
func (s MapState) transitions() []string  { return withNext(s.Next, catchTargets(s.Catch)) }
func (FailState) transitions() []string   { return nil }
func (SucceedState) transitions() []string {
	return nil
}

func (s ChoiceState) transitions() []string {
	out := make([]string, 0, len(s.Choices)+1)
	for _, c := range s.Choices {
		out = append(out, c.Next)
	}
	if s.Default != "" {
		out = append(out, s.Default)
	}
	return out
}

func (s TaskState) terminal() bool  { return s.End }
func (s PassState) terminal() bool  { return s.End }
func (s WaitState) terminal() bool  { return s.End }
func (s MapState) terminal() bool   { return s.End }
func (ChoiceState) terminal() bool  { return false }
func (FailState) terminal() bool    { return true }
func (SucceedState) terminal() bool { return true }

// Helpers for the pointer-valued choice operators.

func str(s string) *string { return &s }
func num(n int) *int       { return &n }
func flag(b bool) *bool    { return &b }
