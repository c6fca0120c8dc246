// Package versions gives Go code the versions the project pins. Their home
// is the module files: the pulumi-aws SDK in go.mod, the Pulumi CLI in
// tools/pulumi/go.mod (the Makefile reads it from there too). The constants
// are generated from those files (go generate ./facts/versions) and a test
// fails when they drift apart, so a version is changed in one place.
//
// It is a leaf package: it imports nothing of the module.
package versions

//go:generate go run ./internal/genversions -root ../.. -o zz_generated.go
