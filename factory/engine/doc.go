// Package engine runs one Pulumi operation (preview, up, destroy, refresh)
// on an Automation API stack and turns the engine's event stream into one
// Result: summary, resource changes, policy findings with resource, policy
// and level, outputs and duration. The platform tool (package factory), the
// offline preview and the engine-level tests all read this one type.
//
// It also builds the platform's policy pack into a plugin binary and gives
// the options that attach it to an operation with an environment's config.
package engine
