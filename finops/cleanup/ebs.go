package cleanup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aifactory/platform/facts/tagkeys"
)

func ec2Tag(t ec2types.Tag) (*string, *string) { return t.Key, t.Value }

// volumes deletes unattached volumes older than the configured age. EC2
// does not record when a volume was detached, so the age is counted from
// its creation: a volume younger than VolumeMinAge is always kept.
func (j *Job) volumes(ctx context.Context) error {
	// The filter keeps every other volume out of the job's sight.
	p := ec2.NewDescribeVolumesPaginator(j.clients.EC2, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
		{Name: aws.String("status"), Values: []string{string(ec2types.VolumeStateAvailable)}},
		{Name: aws.String("tag:" + tagkeys.Project), Values: []string{j.cfg.Project}},
		{Name: aws.String("tag:" + tagkeys.Environment), Values: []string{j.cfg.Environment}},
	}})
	// Listed first: a deleted volume leaves the filtered list.
	return sweep(ctx, "EBS volumes", p.HasMorePages, p.NextPage,
		func(o *ec2.DescribeVolumesOutput) []ec2types.Volume { return o.Volumes }, j.volume)
}

func (j *Job) volume(ctx context.Context, v ec2types.Volume) {
	id := aws.ToString(v.VolumeId)
	tags := tagMap(v.Tags, ec2Tag)
	d := Decision{Rule: RuleEBSVolumeUnattached, Kind: "ebs-volume", Action: ActionDelete, Resource: id,
		SizeGiB: int(aws.ToInt32(v.Size)), VolumeType: string(v.VolumeType)}
	// Checked again: a filter is a request, the tags are the contract.
	if v.State != ec2types.VolumeStateAvailable || len(v.Attachments) > 0 {
		j.ignored(d.Rule, d.Kind, d.Resource)
		return
	}
	if !j.owned(&d, tags) {
		return
	}
	age := j.now.Sub(aws.ToTime(v.CreateTime))
	if age <= j.cfg.VolumeMinAge {
		d.Action, d.Outcome = ActionNone, OutcomeKept
		d.Reason = fmt.Sprintf("unattached, created %s ago, within the minimum age of %s", age.Round(time.Minute), j.cfg.VolumeMinAge)
		j.record(d)
		return
	}
	d.Reason = fmt.Sprintf("unattached, created %s ago, past the minimum age of %s", age.Round(time.Minute), j.cfg.VolumeMinAge)
	if !strings.EqualFold(tags[KeepSnapshotTag], "true") {
		j.act(ctx, d, func(ctx context.Context) error { return j.deleteVolume(ctx, id) })
		return
	}
	// Snapshot first: find the snapshot an earlier run took, or take one.
	snap, err := j.cleanupSnapshot(ctx, id)
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, d.Reason+"; looking for its snapshot: "+err.Error()
		j.record(d)
		return
	}
	switch {
	case snap == nil:
		s := d
		s.Action, s.Outcome = ActionSnapshot, OutcomeDeferred
		s.Reason = d.Reason + "; tagged " + KeepSnapshotTag + ", so it is snapshotted and deleted once the snapshot completes"
		if j.cfg.DryRun {
			s.Action = ActionSnapshot + "+" + ActionDelete
			s.Outcome = OutcomeDryRun
			j.record(s)
			return
		}
		j.act(ctx, s, func(ctx context.Context) error { return j.snapshot(ctx, id, tags) })
	case snap.State == ec2types.SnapshotStateCompleted:
		d.Reason += "; its snapshot " + aws.ToString(snap.SnapshotId) + " is complete"
		j.act(ctx, d, func(ctx context.Context) error { return j.deleteVolume(ctx, id) })
	case snap.State == ec2types.SnapshotStateError:
		d.Action, d.Outcome = ActionNone, OutcomeFailed
		d.Reason += "; its snapshot " + aws.ToString(snap.SnapshotId) + " failed, so the volume is kept"
		j.record(d)
	default:
		d.Action, d.Outcome = ActionNone, OutcomeDeferred
		d.Reason += "; waiting for its snapshot " + aws.ToString(snap.SnapshotId) + " to complete"
		j.record(d)
	}
}

// cleanupSnapshot returns the newest snapshot the job took of the volume, if any.
func (j *Job) cleanupSnapshot(ctx context.Context, volumeID string) (*ec2types.Snapshot, error) {
	var newest *ec2types.Snapshot
	p := ec2.NewDescribeSnapshotsPaginator(j.clients.EC2, &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"},
		Filters:  []ec2types.Filter{{Name: aws.String("tag:" + SourceVolumeTag), Values: []string{volumeID}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range page.Snapshots {
			s := page.Snapshots[i]
			if newest == nil || aws.ToTime(s.StartTime).After(aws.ToTime(newest.StartTime)) {
				newest = &s
			}
		}
	}
	return newest, nil
}

func (j *Job) snapshot(ctx context.Context, volumeID string, volumeTags map[string]string) error {
	// The snapshot keeps the volume's tags, so its cost stays with the team.
	tags := []ec2types.Tag{{Key: aws.String(SourceVolumeTag), Value: aws.String(volumeID)}}
	for k, v := range volumeTags {
		if k == SourceVolumeTag || k == KeepSnapshotTag || strings.HasPrefix(k, "aws:") {
			continue
		}
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	_, err := j.clients.EC2.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{
		VolumeId:          aws.String(volumeID),
		Description:       aws.String(fmt.Sprintf("%s-%s cleanup: %s before deletion", j.cfg.Project, j.cfg.Environment, volumeID)),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSnapshot, Tags: tags}},
	})
	return err
}

func (j *Job) deleteVolume(ctx context.Context, id string) error {
	_, err := j.clients.EC2.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(id)})
	return err
}
