package cleanup

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func smTag(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }

// tagsOf reads a SageMaker resource's tags.
func (j *Job) tagsOf(ctx context.Context, arn string) (map[string]string, error) {
	tags := map[string]string{}
	p := sagemaker.NewListTagsPaginator(j.clients.SageMaker, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for k, v := range tagMap(page.Tags, smTag) {
			tags[k] = v
		}
	}
	return tags, nil
}

// ownedSageMaker reads a SageMaker resource's tags and checks them as
// owned does; tags that cannot be read fail the decision, recorded.
func (j *Job) ownedSageMaker(ctx context.Context, d *Decision) (map[string]string, bool) {
	tags, err := j.tagsOf(ctx, d.Resource)
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, "reading tags: "+err.Error()
		j.record(*d)
		return nil, false
	}
	return tags, j.owned(d, tags)
}

// endpoints deletes real-time endpoints past expires-at. An endpoint bills
// every hour it exists, used or not.
func (j *Job) endpoints(ctx context.Context) error {
	p := sagemaker.NewListEndpointsPaginator(j.clients.SageMaker, &sagemaker.ListEndpointsInput{})
	// Listed first: a deleted endpoint leaves the list.
	return sweep(ctx, "SageMaker endpoints", p.HasMorePages, p.NextPage,
		func(o *sagemaker.ListEndpointsOutput) []smtypes.EndpointSummary { return o.Endpoints }, j.endpoint)
}

func (j *Job) endpoint(ctx context.Context, e smtypes.EndpointSummary) {
	if e.EndpointStatus == smtypes.EndpointStatusDeleting {
		return // already on its way out
	}
	d := Decision{Rule: RuleEndpointExpired, Kind: "sagemaker-endpoint", Action: ActionDelete, Resource: aws.ToString(e.EndpointArn)}
	tags, ok := j.ownedSageMaker(ctx, &d)
	if !ok || !j.pastExpiry(&d, tags) {
		return
	}
	instances, err := j.endpointInstances(ctx, e.EndpointName)
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, d.Reason+"; describing it: "+err.Error()
		j.record(d)
		return
	}
	d.Instances = instances
	j.act(ctx, d, func(ctx context.Context) error {
		_, err := j.clients.SageMaker.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: e.EndpointName})
		return err
	})
}

// endpointInstances reads the instances behind an endpoint's variants.
func (j *Job) endpointInstances(ctx context.Context, name *string) ([]Instance, error) {
	desc, err := j.clients.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: name})
	if err != nil {
		return nil, err
	}
	cfg, err := j.clients.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: desc.EndpointConfigName})
	if err != nil {
		return nil, err
	}
	current := map[string]int32{}
	for _, v := range desc.ProductionVariants {
		current[aws.ToString(v.VariantName)] = aws.ToInt32(v.CurrentInstanceCount)
	}
	var out []Instance
	for _, v := range cfg.ProductionVariants {
		if v.InstanceType == "" {
			continue // serverless variants bill per request
		}
		n, ok := current[aws.ToString(v.VariantName)]
		if !ok {
			n = aws.ToInt32(v.InitialInstanceCount)
		}
		out = append(out, Instance{Type: string(v.InstanceType), Market: OnDemand, Count: int(n)})
	}
	return out, nil
}

// notebooks stops notebook instances past expires-at and deletes stopped
// ones: a running instance must be stopped before it can be deleted.
func (j *Job) notebooks(ctx context.Context) error {
	p := sagemaker.NewListNotebookInstancesPaginator(j.clients.SageMaker, &sagemaker.ListNotebookInstancesInput{})
	return sweep(ctx, "notebook instances", p.HasMorePages, p.NextPage,
		func(o *sagemaker.ListNotebookInstancesOutput) []smtypes.NotebookInstanceSummary {
			return o.NotebookInstances
		}, j.notebook)
}

func (j *Job) notebook(ctx context.Context, n smtypes.NotebookInstanceSummary) {
	d := Decision{Rule: RuleNotebookExpired, Kind: "notebook-instance", Resource: aws.ToString(n.NotebookInstanceArn)}
	tags, ok := j.ownedSageMaker(ctx, &d)
	if !ok || !j.pastExpiry(&d, tags) {
		return
	}
	why := d.Reason
	name := n.NotebookInstanceName
	switch n.NotebookInstanceStatus {
	case smtypes.NotebookInstanceStatusInService:
		d.Action = ActionStop
		d.Reason = why + "; stopped now, deleted by the next run"
		d.Instances = []Instance{{Type: string(n.InstanceType), Market: OnDemand, Count: 1}}
		j.act(ctx, d, func(ctx context.Context) error {
			_, err := j.clients.SageMaker.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: name})
			return err
		})
	case smtypes.NotebookInstanceStatusStopped, smtypes.NotebookInstanceStatusFailed:
		d.Action = ActionDelete
		j.act(ctx, d, func(ctx context.Context) error {
			_, err := j.clients.SageMaker.DeleteNotebookInstance(ctx, &sagemaker.DeleteNotebookInstanceInput{NotebookInstanceName: name})
			return err
		})
	default:
		d.Action, d.Outcome = ActionNone, OutcomeDeferred
		d.Reason = why + "; it is " + string(n.NotebookInstanceStatus) + ", the next run acts on it"
		j.record(d)
	}
}
