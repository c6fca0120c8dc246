package ecsjob

import (
	"github.com/aifactory/platform/components/pipeline/spec"
)

// ImageUser is the images' non-root user (factory/image.User, distroless's
// "nonroot"); a task runs as it even if an image said otherwise.
const ImageUser = "65532:65532"

// ScratchPath is a task's only writable path: a volume on the task's
// encrypted ephemeral storage. The root file system is read-only.
const ScratchPath = "/tmp"

// ScratchVolume names the scratch volume in the task definition.
const ScratchVolume = "scratch"

// StopTimeoutSeconds is how long a container has between SIGTERM and
// SIGKILL; Fargate allows at most 120 s, which also covers the two minutes
// of warning before Fargate Spot takes a task back.
const StopTimeoutSeconds = 120

// ContainerDefinition is the part of an ECS container definition the
// platform sets, as Go values; its JSON is what ECS receives.
type ContainerDefinition struct {
	Name                   string           `json:"name"`
	Image                  string           `json:"image"`
	Essential              bool             `json:"essential"`
	User                   string           `json:"user"`
	ReadonlyRootFilesystem bool             `json:"readonlyRootFilesystem"`
	Privileged             bool             `json:"privileged"`
	Command                []string         `json:"command"`
	Environment            []KeyValue       `json:"environment"`
	MountPoints            []MountPoint     `json:"mountPoints"`
	LogConfiguration       LogConfiguration `json:"logConfiguration"`
	StopTimeout            int              `json:"stopTimeout"`
}

// KeyValue is an environment variable.
type KeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MountPoint mounts a task volume into the container.
type MountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

// LogConfiguration sends the container's output to CloudWatch Logs.
type LogConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"`
}

// Container is what differs between the jobs' containers.
type Container struct {
	// Name names the container and prefixes its log streams.
	Name string
	// Image is the job's image by digest.
	Image spec.Image
	// Command is the entrypoint's arguments.
	Command []string
	// Environment comes after AWS_REGION, which every job gets.
	Environment []KeyValue
	// LogGroup receives the container's output, in Region.
	LogGroup string
	Region   string
}

// Definition is the job's only container: the image by digest, as the
// non-root user, not privileged, on a read-only root file system with the
// scratch volume at ScratchPath, logging to its log group.
func (c Container) Definition() ContainerDefinition {
	env := append([]KeyValue{{Name: "AWS_REGION", Value: c.Region}}, c.Environment...)
	return ContainerDefinition{
		Name:                   c.Name,
		Image:                  c.Image.String(),
		Essential:              true,
		User:                   ImageUser,
		ReadonlyRootFilesystem: true,
		Command:                append([]string{}, c.Command...),
		Environment:            env,
		MountPoints:            []MountPoint{{SourceVolume: ScratchVolume, ContainerPath: ScratchPath}},
		LogConfiguration: LogConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group":         c.LogGroup,
			"awslogs-region":        c.Region,
			"awslogs-stream-prefix": c.Name,
		}},
		StopTimeout: StopTimeoutSeconds,
	}
}
