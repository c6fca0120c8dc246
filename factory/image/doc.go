// Package image builds the container images of the platform's commands
// without a Docker daemon, the way ko does: the weekly optimiser
// (./optimiser/cmd/optimiser, the default) and the lifecycle cleanup job
// (./finops/cmd/cleanup). It cross-compiles the command into a static Linux
// binary, lays it on a minimal base assembled in code (a pinned CA bundle,
// /etc/passwd and /etc/group with the distroless "nonroot" user, and the
// command's volume directories), and writes the image to a registry, an OCI
// layout directory or a tarball. Each command has its entrypoint (/<name>),
// its default arguments and the buildinfo package its version and commit are
// stamped into (Commands).
//
// The same command, source, version, commit, source date and Go toolchain
// give the same image digest on any machine and any day: file times, the
// config's creation time and the tar headers are fixed, the Go build runs
// with -trimpath and an empty build id in a sanitised environment, and the
// built binary's recorded build settings are checked before it is packed.
// That is what lets a stack reference an image only as
// repository@sha256:… and lets staging and prod run the digest promoted
// from the previous environment instead of rebuilding it.
//
// Pushing to an ECR host (<account>.dkr.ecr.<region>.amazonaws.com)
// authenticates with an ECR authorization token; any other registry uses the
// Docker keychain (~/.docker/config.json and its credential helpers) or
// anonymous access.
package image
