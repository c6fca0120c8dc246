package pipeline

// The messages the workflow publishes, as Go types for subscribers that
// read them. The workflow writes them from the States Language; the tests
// decode every published message into these types with unknown fields
// refused, so the types and the messages cannot drift apart.

// Summary is the message on the results topic, published at the end of
// every run that got as far as its countries' outcomes. Its "status"
// message attribute repeats Status for subscription filters.
type Summary struct {
	// Run is the execution's name; Execution its ARN.
	Run       string `json:"run"`
	Execution string `json:"execution"`
	// StartedAt is the execution's start time (RFC 3339, UTC).
	StartedAt string `json:"startedAt"`
	// Models and Outputs are the run's S3 prefixes.
	Models  string `json:"models"`
	Outputs string `json:"outputs"`
	// Status is StatusFailed when any country's outcome is OutcomeFailed,
	// otherwise StatusSucceeded (infeasible countries and models below
	// their quality gate are reported, not failures).
	Status    string           `json:"status"`
	Countries []CountryOutcome `json:"countries"`
}

// CountryOutcome is what happened to one country.
type CountryOutcome struct {
	Country string `json:"country"`
	// Outcome is OutcomeSucceeded, OutcomeInfeasible, OutcomeQualityGate
	// or OutcomeFailed.
	Outcome string `json:"outcome"`
	// Step is the optimiser subcommand that decided the outcome.
	Step string `json:"step"`
	// Restarts counts the new starts after a task failed to start or lost
	// its capacity.
	Restarts int `json:"restarts"`
	// Model, Recommendation and Metadata are the S3 URIs written, when the
	// outcome is OutcomeSucceeded.
	Model          string `json:"model,omitempty"`
	Recommendation string `json:"recommendation,omitempty"`
	Metadata       string `json:"metadata,omitempty"`
	// Problem explains every other outcome.
	Problem *Problem `json:"problem,omitempty"`
}

// Problem is why a country did not succeed: the ECS task's exit code and
// stop details when a task ran, or the error's name and text otherwise.
type Problem struct {
	Error         string `json:"error"`
	ExitCode      *int   `json:"exitCode,omitempty"`
	StopCode      string `json:"stopCode,omitempty"`
	StoppedReason string `json:"stoppedReason,omitempty"`
	TaskArn       string `json:"taskArn,omitempty"`
	Cause         string `json:"cause,omitempty"`
}

// Alert is the message on the failure topic. Its "reason" message
// attribute repeats Reason.
type Alert struct {
	Status string `json:"status"`
	// Reason is ReasonCountriesFailed, ReasonResultsNotPublished or
	// ReasonRunAborted.
	Reason    string `json:"reason"`
	Run       string `json:"run"`
	Execution string `json:"execution"`
	StartedAt string `json:"startedAt"`
	// Error and Cause name what stopped the run (results not published,
	// run aborted).
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Countries are the outcomes, when the run got that far.
	Countries []CountryOutcome `json:"countries,omitempty"`
}
