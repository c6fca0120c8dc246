package cleanup

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
)

func emrTag(t emrtypes.Tag) (*string, *string) { return t.Key, t.Value }

// liveClusterStates are the states of clusters that run (and cost) something.
var liveClusterStates = []emrtypes.ClusterState{
	emrtypes.ClusterStateStarting, emrtypes.ClusterStateBootstrapping, emrtypes.ClusterStateRunning, emrtypes.ClusterStateWaiting,
}

// emrClusters terminates clusters past expires-at. Auto-termination ends
// idle clusters; this rule ends busy ones that outlived their purpose.
func (j *Job) emrClusters(ctx context.Context) error {
	p := emr.NewListClustersPaginator(j.clients.EMR, &emr.ListClustersInput{ClusterStates: liveClusterStates})
	// Listed first: a terminated cluster leaves the filtered list.
	return sweep(ctx, "EMR clusters", p.HasMorePages, p.NextPage,
		func(o *emr.ListClustersOutput) []emrtypes.ClusterSummary { return o.Clusters },
		func(ctx context.Context, c emrtypes.ClusterSummary) { j.emrCluster(ctx, aws.ToString(c.Id)) })
}

func (j *Job) emrCluster(ctx context.Context, id string) {
	d := Decision{Rule: RuleEMRClusterExpired, Kind: "emr-cluster", Action: ActionTerminate, Resource: id}
	out, err := j.clients.EMR.DescribeCluster(ctx, &emr.DescribeClusterInput{ClusterId: aws.String(id)})
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, "describing the cluster: "+err.Error()
		j.record(d)
		return
	}
	c := out.Cluster
	if arn := aws.ToString(c.ClusterArn); arn != "" {
		d.Resource = arn
	}
	tags := tagMap(c.Tags, emrTag)
	if !j.owned(&d, tags) || !j.pastExpiry(&d, tags) {
		return
	}
	why := d.Reason
	if aws.ToBool(c.TerminationProtected) {
		d.Outcome = OutcomeSkipped
		d.Reason = why + "; termination protection is on, so the cluster is left for its owner"
		j.record(d)
		return
	}
	if d.Instances, err = j.clusterInstances(ctx, id); err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, why+"; listing its instances: "+err.Error()
		j.record(d)
		return
	}
	j.act(ctx, d, func(ctx context.Context) error {
		_, err := j.clients.EMR.TerminateJobFlows(ctx, &emr.TerminateJobFlowsInput{JobFlowIds: []string{id}})
		return err
	})
}

// clusterInstances counts a cluster's running instances by type and market.
func (j *Job) clusterInstances(ctx context.Context, id string) ([]Instance, error) {
	counts := map[Instance]int{}
	p := emr.NewListInstancesPaginator(j.clients.EMR, &emr.ListInstancesInput{
		ClusterId: aws.String(id), InstanceStates: []emrtypes.InstanceState{emrtypes.InstanceStateRunning},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, in := range page.Instances {
			market := OnDemand
			if in.Market == emrtypes.MarketTypeSpot {
				market = Spot
			}
			counts[Instance{Type: aws.ToString(in.InstanceType), Market: market}]++
		}
	}
	out := make([]Instance, 0, len(counts))
	for k, n := range counts {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Type != out[b].Type {
			return out[a].Type < out[b].Type
		}
		return out[a].Market < out[b].Market
	})
	return out, nil
}
