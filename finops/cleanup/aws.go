package cleanup

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The calls the job makes, as interfaces of the SDK clients, so that its
// least-privilege role (components/finops) can list exactly these actions.

// SageMakerAPI is the part of the SageMaker API the job calls.
type SageMakerAPI interface {
	ListApps(context.Context, *sagemaker.ListAppsInput, ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error)
	DescribeApp(context.Context, *sagemaker.DescribeAppInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error)
	DeleteApp(context.Context, *sagemaker.DeleteAppInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error)
	ListSpaces(context.Context, *sagemaker.ListSpacesInput, ...func(*sagemaker.Options)) (*sagemaker.ListSpacesOutput, error)
	DescribeSpace(context.Context, *sagemaker.DescribeSpaceInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error)
	DeleteSpace(context.Context, *sagemaker.DeleteSpaceInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteSpaceOutput, error)
	ListEndpoints(context.Context, *sagemaker.ListEndpointsInput, ...func(*sagemaker.Options)) (*sagemaker.ListEndpointsOutput, error)
	DescribeEndpoint(context.Context, *sagemaker.DescribeEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
	DescribeEndpointConfig(context.Context, *sagemaker.DescribeEndpointConfigInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointConfigOutput, error)
	DeleteEndpoint(context.Context, *sagemaker.DeleteEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteEndpointOutput, error)
	ListNotebookInstances(context.Context, *sagemaker.ListNotebookInstancesInput, ...func(*sagemaker.Options)) (*sagemaker.ListNotebookInstancesOutput, error)
	StopNotebookInstance(context.Context, *sagemaker.StopNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.StopNotebookInstanceOutput, error)
	DeleteNotebookInstance(context.Context, *sagemaker.DeleteNotebookInstanceInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteNotebookInstanceOutput, error)
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
}

// EMRAPI is the part of the EMR API the job calls.
type EMRAPI interface {
	ListClusters(context.Context, *emr.ListClustersInput, ...func(*emr.Options)) (*emr.ListClustersOutput, error)
	DescribeCluster(context.Context, *emr.DescribeClusterInput, ...func(*emr.Options)) (*emr.DescribeClusterOutput, error)
	ListInstances(context.Context, *emr.ListInstancesInput, ...func(*emr.Options)) (*emr.ListInstancesOutput, error)
	TerminateJobFlows(context.Context, *emr.TerminateJobFlowsInput, ...func(*emr.Options)) (*emr.TerminateJobFlowsOutput, error)
}

// EC2API is the part of the EC2 API the job calls.
type EC2API interface {
	DescribeVolumes(context.Context, *ec2.DescribeVolumesInput, ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
	DescribeSnapshots(context.Context, *ec2.DescribeSnapshotsInput, ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)
	CreateSnapshot(context.Context, *ec2.CreateSnapshotInput, ...func(*ec2.Options)) (*ec2.CreateSnapshotOutput, error)
	DeleteVolume(context.Context, *ec2.DeleteVolumeInput, ...func(*ec2.Options)) (*ec2.DeleteVolumeOutput, error)
}

// SNSAPI publishes the summary.
type SNSAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Clients are the AWS clients of one run.
type Clients struct {
	SageMaker SageMakerAPI
	EMR       EMRAPI
	EC2       EC2API
	SNS       SNSAPI
}

// NewClients builds the clients from an SDK config (region, credentials,
// retryer, and a base endpoint in tests).
func NewClients(cfg aws.Config) Clients {
	return Clients{
		SageMaker: sagemaker.NewFromConfig(cfg),
		EMR:       emr.NewFromConfig(cfg),
		EC2:       ec2.NewFromConfig(cfg),
		SNS:       sns.NewFromConfig(cfg),
	}
}

func (c Clients) validate() error {
	if c.SageMaker == nil || c.EMR == nil || c.EC2 == nil || c.SNS == nil {
		return errors.New("cleanup clients: SageMaker, EMR, EC2 and SNS are all required; build them with NewClients")
	}
	return nil
}

// Actions are the IAM actions the job's calls need, for its role.
func Actions() []string {
	return []string{
		"sagemaker:ListApps", "sagemaker:DescribeApp", "sagemaker:DeleteApp",
		"sagemaker:ListSpaces", "sagemaker:DescribeSpace", "sagemaker:DeleteSpace",
		"sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DeleteEndpoint",
		"sagemaker:ListNotebookInstances", "sagemaker:StopNotebookInstance", "sagemaker:DeleteNotebookInstance",
		"sagemaker:ListTags",
		"elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances", "elasticmapreduce:TerminateJobFlows",
		"ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateSnapshot", "ec2:CreateTags", "ec2:DeleteVolume",
		"sns:Publish",
	}
}

// listAll reads every page of an AWS SDK paginator (its HasMorePages and
// NextPage methods) and returns their items. The job lists a kind of
// resource completely before acting on any: deleting while paging would
// shift the pages.
func listAll[O, T, Opt any](ctx context.Context, more func() bool, next func(context.Context, ...func(*Opt)) (O, error), items func(O) []T) ([]T, error) {
	var all []T
	for more() {
		page, err := next(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, items(page)...)
	}
	return all, nil
}

// sweep is a rule's pass over one kind of resource: it lists them all
// (listAll; what names them in the rule's error), then decides each in
// turn, and stops when the run's context ends.
func sweep[O, T, Opt any](ctx context.Context, what string, more func() bool, next func(context.Context, ...func(*Opt)) (O, error), items func(O) []T, decide func(context.Context, T)) error {
	all, err := listAll(ctx, more, next, items)
	if err != nil {
		return fmt.Errorf("listing %s: %w", what, err)
	}
	for _, item := range all {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		decide(ctx, item)
	}
	return nil
}
