package factory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/aifactory/platform/internal/stackconfig"
)

// ApprovedStatus is the only approval status a served model version may
// have.
const ApprovedStatus = "Approved"

// ModelRegistry tells a model package version's approval status.
//
// A stack names the exact version each endpoint serves, but neither IAM
// nor the SageMaker API lets a policy require its approval status when
// the model is created (`sagemaker:ModelApprovalStatus` is a condition of
// the calls that set the status, not of CreateModel). So the tool asks the
// registry before every update and every promotion, and refuses a version
// that is not Approved.
type ModelRegistry interface {
	ApprovalStatus(ctx context.Context, modelPackageArn string) (string, error)
}

// SageMakerRegistry asks SageMaker (DescribeModelPackage).
type SageMakerRegistry struct {
	Client *sagemaker.Client
}

// ApprovalStatus returns the version's ModelApprovalStatus.
func (r SageMakerRegistry) ApprovalStatus(ctx context.Context, modelPackageArn string) (string, error) {
	out, err := r.Client.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(modelPackageArn)})
	if err != nil {
		return "", err
	}
	return string(out.ModelApprovalStatus), nil
}

// ServedVersion is a model package version an endpoint of a stack serves.
type ServedVersion struct {
	// Key is its place in the stack file: teams[<i>].serving.endpoints[<j>].
	Key             string
	Team, Endpoint  string
	ModelPackageArn string
}

// ServedVersions lists the model versions cfg serves, in stack-file order.
func ServedVersions(cfg *stackconfig.Config) []ServedVersion {
	var out []ServedVersion
	for i, t := range cfg.Teams {
		if t.Serving == nil {
			continue
		}
		for j, e := range t.Serving.Endpoints {
			out = append(out, ServedVersion{
				Key:  fmt.Sprintf("teams[%d].serving.endpoints[%d]", i, j),
				Team: t.Name, Endpoint: e.Name, ModelPackageArn: e.ModelPackageArn,
			})
		}
	}
	return out
}

// CheckApprovals asks reg for every version and returns nil when all are
// Approved; otherwise one error naming every other version, its status
// (or why it could not be read) and the fix.
func CheckApprovals(ctx context.Context, reg ModelRegistry, versions []ServedVersion) error {
	var problems []string
	for _, v := range versions {
		status, err := reg.ApprovalStatus(ctx, v.ModelPackageArn)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s (team %s, endpoint %s): reading %s: %v",
				v.Key, v.Team, v.Endpoint, v.ModelPackageArn, err))
		case status != ApprovedStatus:
			problems = append(problems, fmt.Sprintf("%s (team %s, endpoint %s): %s is %s, not %s; one of the team's approver roles approves it, or the stack names an approved version",
				v.Key, v.Team, v.Endpoint, v.ModelPackageArn, orNone(status), ApprovedStatus))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New("model versions that may not be served:\n  " + strings.Join(problems, "\n  "))
}

// modelRegistry is the registry the tool asks: Options.ModelRegistry, or
// SageMaker in the stack's region with the default AWS credentials; none
// offline, where the stand-in provider has no registry to ask.
func (f *Factory) modelRegistry(ctx context.Context, cfg *stackconfig.Config) (ModelRegistry, error) {
	if f.opts.ModelRegistry != nil {
		return f.opts.ModelRegistry, nil
	}
	if f.offline != nil {
		return nil, nil
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
	if err != nil {
		return nil, fmt.Errorf("AWS credentials to read the model registry: %w", err)
	}
	return SageMakerRegistry{Client: sagemaker.NewFromConfig(awsCfg)}, nil
}

// checkModelApprovals refuses an update of a stack that would serve a
// model version that is not Approved.
func (f *Factory) checkModelApprovals(ctx context.Context, stack string, cfg *stackconfig.Config) error {
	versions := ServedVersions(cfg)
	if len(versions) == 0 {
		return nil
	}
	reg, err := f.modelRegistry(ctx, cfg)
	if err != nil || reg == nil {
		return err
	}
	if err := CheckApprovals(ctx, reg, versions); err != nil {
		return Refused(fmt.Errorf("stack %s: %w", stack, err))
	}
	return nil
}
