package cleanup

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// studioApps deletes apps idle past the limit. SageMaker's built-in idle
// shutdown covers JupyterLab and Code Editor only, and users may raise it
// to the environment's maximum; this rule covers every app type and is the
// backstop when a lifecycle setting was changed by hand.
func (j *Job) studioApps(ctx context.Context) error {
	p := sagemaker.NewListAppsPaginator(j.clients.SageMaker, &sagemaker.ListAppsInput{})
	// Listed first, acted on after: deleting while paging would shift the pages.
	return sweep(ctx, "Studio apps", p.HasMorePages, p.NextPage,
		func(o *sagemaker.ListAppsOutput) []smtypes.AppDetails { return o.Apps }, j.studioApp)
}

func appInput[T any](a smtypes.AppDetails, build func(domain, profile, space, name *string, typ smtypes.AppType) T) T {
	return build(a.DomainId, a.UserProfileName, a.SpaceName, a.AppName, a.AppType)
}

func (j *Job) studioApp(ctx context.Context, a smtypes.AppDetails) {
	if a.Status != smtypes.AppStatusInService {
		return // pending, deleting, deleted or failed: nothing is running
	}
	d := Decision{Rule: RuleStudioAppIdle, Kind: "sagemaker-app", Action: ActionDelete}
	desc, err := j.clients.SageMaker.DescribeApp(ctx, appInput(a, func(domain, profile, space, name *string, typ smtypes.AppType) *sagemaker.DescribeAppInput {
		return &sagemaker.DescribeAppInput{DomainId: domain, UserProfileName: profile, SpaceName: space, AppName: name, AppType: typ}
	}))
	if err != nil {
		d.Resource = fmt.Sprintf("%s/%s/%s", aws.ToString(a.DomainId), a.AppType, aws.ToString(a.AppName))
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, "describing the app: "+err.Error()
		j.record(d)
		return
	}
	d.Resource = aws.ToString(desc.AppArn)
	if _, ok := j.ownedSageMaker(ctx, &d); !ok {
		return
	}
	last := aws.ToTime(desc.LastUserActivityTimestamp)
	since := "last activity"
	if last.IsZero() {
		last, since = aws.ToTime(desc.CreationTime), "creation (no activity recorded)"
	}
	idle := j.now.Sub(last)
	if idle <= j.cfg.StudioIdleLimit {
		d.Action, d.Outcome = ActionNone, OutcomeKept
		d.Reason = fmt.Sprintf("%s app idle %s since %s, within the limit of %s", a.AppType, idle.Round(time.Minute), since, j.cfg.StudioIdleLimit)
		j.record(d)
		return
	}
	d.Reason = fmt.Sprintf("%s app idle %s since %s, past the limit of %s", a.AppType, idle.Round(time.Minute), since, j.cfg.StudioIdleLimit)
	if desc.ResourceSpec != nil && desc.ResourceSpec.InstanceType != "" && desc.ResourceSpec.InstanceType != smtypes.AppInstanceTypeSystem {
		d.Instances = []Instance{{Type: string(desc.ResourceSpec.InstanceType), Market: OnDemand, Count: 1}}
	}
	j.act(ctx, d, func(ctx context.Context) error {
		_, err := j.clients.SageMaker.DeleteApp(ctx, appInput(a, func(domain, profile, space, name *string, typ smtypes.AppType) *sagemaker.DeleteAppInput {
			return &sagemaker.DeleteAppInput{DomainId: domain, UserProfileName: profile, SpaceName: space, AppName: name, AppType: typ}
		}))
		return err
	})
}

// studioSpaces deletes spaces past expires-at, deleting their running apps first.
func (j *Job) studioSpaces(ctx context.Context) error {
	p := sagemaker.NewListSpacesPaginator(j.clients.SageMaker, &sagemaker.ListSpacesInput{})
	return sweep(ctx, "Studio spaces", p.HasMorePages, p.NextPage,
		func(o *sagemaker.ListSpacesOutput) []smtypes.SpaceDetails { return o.Spaces }, j.studioSpace)
}

func (j *Job) studioSpace(ctx context.Context, sp smtypes.SpaceDetails) {
	if sp.Status == smtypes.SpaceStatusDeleting {
		return // already on its way out
	}
	d := Decision{Rule: RuleStudioSpaceExpired, Kind: "sagemaker-space", Action: ActionDelete,
		Resource: aws.ToString(sp.DomainId) + "/" + aws.ToString(sp.SpaceName)}
	desc, err := j.clients.SageMaker.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: sp.DomainId, SpaceName: sp.SpaceName})
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, "describing the space: "+err.Error()
		j.record(d)
		return
	}
	d.Resource = aws.ToString(desc.SpaceArn)
	tags, ok := j.ownedSageMaker(ctx, &d)
	if !ok || !j.pastExpiry(&d, tags) {
		return
	}
	why := d.Reason
	// A space is deleted only without apps; delete its running apps first.
	running, deleting, err := j.spaceApps(ctx, sp)
	if err != nil {
		d.Action, d.Outcome, d.Reason = ActionNone, OutcomeFailed, "listing the space's apps: "+err.Error()
		j.record(d)
		return
	}
	for _, a := range running {
		ad := Decision{Rule: RuleStudioSpaceExpired, Kind: "sagemaker-app", Action: ActionDelete, Team: d.Team,
			Resource: fmt.Sprintf("%s/%s/%s/%s", aws.ToString(a.DomainId), aws.ToString(a.SpaceName), a.AppType, aws.ToString(a.AppName)),
			Reason:   "app of space " + aws.ToString(sp.SpaceName) + ", which " + why}
		if a.ResourceSpec != nil && a.ResourceSpec.InstanceType != "" && a.ResourceSpec.InstanceType != smtypes.AppInstanceTypeSystem {
			ad.Instances = []Instance{{Type: string(a.ResourceSpec.InstanceType), Market: OnDemand, Count: 1}}
		}
		j.act(ctx, ad, func(ctx context.Context) error {
			_, err := j.clients.SageMaker.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: a.DomainId, SpaceName: a.SpaceName, AppName: a.AppName, AppType: a.AppType})
			return err
		})
	}
	if j.cfg.DryRun {
		j.act(ctx, d, nil)
		return
	}
	if len(running)+deleting > 0 {
		d.Outcome = OutcomeDeferred
		d.Reason = why + "; its apps are being deleted, the next run deletes the space"
		j.record(d)
		return
	}
	j.act(ctx, d, func(ctx context.Context) error {
		_, err := j.clients.SageMaker.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: sp.DomainId, SpaceName: sp.SpaceName})
		return err
	})
}

// spaceApps returns a space's running apps and counts those being deleted.
func (j *Job) spaceApps(ctx context.Context, sp smtypes.SpaceDetails) (running []smtypes.AppDetails, deleting int, err error) {
	p := sagemaker.NewListAppsPaginator(j.clients.SageMaker, &sagemaker.ListAppsInput{DomainIdEquals: sp.DomainId, SpaceNameEquals: sp.SpaceName})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, a := range page.Apps {
			if aws.ToString(a.SpaceName) != aws.ToString(sp.SpaceName) {
				continue
			}
			switch a.Status {
			case smtypes.AppStatusInService, smtypes.AppStatusPending:
				running = append(running, a)
			case smtypes.AppStatusDeleting:
				deleting++
			}
		}
	}
	return running, deleting, nil
}
