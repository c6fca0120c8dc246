package awstypes_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/facts/awstypes"
	"github.com/aifactory/platform/facts/awstypes/awsschema"
)

func TestUntaggableListMatchesThePinnedProvider(t *testing.T) {
	dir, err := awsschema.SDKDir()
	require.NoError(t, err)
	resources, err := awsschema.Scan(dir)
	require.NoError(t, err)
	assert.Equal(t, awsschema.Untaggable(resources), awstypes.Untaggable(), "regenerate with: go generate ./facts/awstypes")
	for _, typ := range []string{
		"aws:s3/accessPoint:AccessPoint", "aws:emr/securityConfiguration:SecurityConfiguration",
		"aws:scheduler/schedule:Schedule", "aws:kms/alias:Alias", "aws:iam/rolePolicy:RolePolicy",
		"aws:ec2/routeTableAssociation:RouteTableAssociation",
	} {
		assert.True(t, awstypes.IsUntaggable(typ), typ)
	}
	for _, typ := range []string{
		"aws:s3/bucketV2:BucketV2", "aws:iam/role:Role", "aws:sagemaker/domain:Domain", "aws:emr/cluster:Cluster",
		"aws:cloudwatch/logGroup:LogGroup", "aws:kms/key:Key", "aws:budgets/budget:Budget",
	} {
		assert.False(t, awstypes.IsUntaggable(typ), "%s carries tags", typ)
	}
}
