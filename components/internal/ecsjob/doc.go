// Package ecsjob holds what the platform's container jobs on ECS Fargate
// share, so that the weekly optimiser (components/pipeline) and the
// lifecycle cleanup job (components/finops) are hardened by one piece of
// code: the image repository (KMS, scan on push, immutable tags, a
// lifecycle that keeps the promoted digests, an account-only policy), the
// container definition (image by digest, non-root, read-only root file
// system with a scratch volume, awslogs), the Fargate task definition, the
// task and execution roles' trust and the execution role's policy, the
// tasks' security group (HTTPS to the VPC endpoints only) and the trust of
// the EventBridge Scheduler roles that start them.
package ecsjob
