package cleanup

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"

	"github.com/aifactory/platform/facts/tagkeys"
)

func emrTag(t emrtypes.Tag) (*string, *string) { return t.Key, t.Value }

// liveClusterStates are the states of clusters that run (and cost) something.
var liveClusterStates = []emrtypes.ClusterState{
	emrtypes.ClusterStateStarting, emrtypes.ClusterStateBootstrapping, emrtypes.ClusterStateRunning, emrtypes.ClusterStateWaiting,
}

// emrClusters terminates clusters past expires-at. Auto-termination ends
// idle clusters; this rule ends busy ones that outlived their purpose.
func (j *Job) emrClusters(ctx context.Context) error {
	var ids []string
	p := emr.NewListClustersPaginator(j.clients.EMR, &emr.ListClustersInput{ClusterStates: liveClusterStates})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing EMR clusters: %w", err)
		}
		for _, c := range page.Clusters {
			ids = append(ids, aws.ToString(c.Id))
		}
	}
	// Listed first: a terminated cluster leaves the filtered list.
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		j.emrCluster(ctx, id)
	}
	return nil
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
	if !j.platform(tags) {
		j.ignored(d.Rule, d.Kind, d.Resource)
		return
	}
	d.Team = tags[tagkeys.Team]
	expired, why := j.expired(tags)
	d.Reason = why
	if !expired {
		d.Action, d.Outcome = ActionNone, OutcomeKept
		j.record(d)
		return
	}
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
