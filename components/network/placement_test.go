package network_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/network"
)

func TestPlacementNamesEveryMissingField(t *testing.T) {
	full := network.Placement{
		VpcID: pulumi.String("vpc-1"), SubnetIDs: pulumi.StringArray{pulumi.String("subnet-1")},
		EndpointSecurityGroupID: pulumi.String("sg-1"), S3PrefixListID: pulumi.String("pl-1"),
	}
	assert.NoError(t, full.Validate())
	err := network.Placement{VpcID: full.VpcID, S3PrefixListID: full.S3PrefixListID}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Placement.SubnetIDs, Placement.EndpointSecurityGroupID are required")
	assert.NotContains(t, err.Error(), "VpcID")
}
