package fakeaws

import (
	"strconv"
	"strings"
)

// ModelPackage is a version in a SageMaker model registry (a model
// package of a model package group).
type ModelPackage struct {
	// ARN is the version's ARN:
	// arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>.
	ARN string
	// Status is its approval status: Approved, Rejected or
	// PendingManualApproval.
	Status string
}

// describeModelPackage answers DescribeModelPackage by the version's ARN
// (the name form, group/version, is not used by the platform).
func (s *Server) describeModelPackage(in map[string]any) (any, *Fault) {
	name := str(in, "ModelPackageName")
	for _, p := range s.ModelPackages {
		if p.ARN != name {
			continue
		}
		resource := p.ARN[strings.Index(p.ARN, ":model-package/")+len(":model-package/"):]
		group, v, _ := strings.Cut(resource, "/")
		version, err := strconv.Atoi(v)
		if err != nil {
			return nil, &Fault{Code: "ValidationException", Message: "ModelPackage " + name + " has no version number"}
		}
		return map[string]any{
			"ModelPackageArn": p.ARN, "ModelPackageName": group, "ModelPackageGroupName": group,
			"ModelPackageVersion": version, "ModelApprovalStatus": p.Status, "ModelPackageStatus": "Completed",
			"CreationTime": 1.7e9,
		}, nil
	}
	return nil, &Fault{Code: "ValidationException", Message: "ModelPackage " + name + " does not exist."}
}
