package network

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Placement is where a component's compute runs in the platform's network
// and where its traffic may go: the VPC, its private subnets, the
// interface endpoints' security group and the S3 gateway endpoint's prefix
// list. The workspace, analytics and pipeline components embed it in
// their Args; SecureNetwork.Placement gives the network's own.
type Placement struct {
	// VpcID and SubnetIDs are the private network the compute runs in.
	VpcID     pulumi.StringInput
	SubnetIDs pulumi.StringArrayInput
	// EndpointSecurityGroupID is the interface endpoints' group and
	// S3PrefixListID the S3 gateway endpoint's prefix list: the only HTTPS
	// destinations of the compute.
	EndpointSecurityGroupID pulumi.StringInput
	S3PrefixListID          pulumi.StringInput
}

// Validate names every field that is not set.
func (p Placement) Validate() error {
	var missing []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"VpcID", p.VpcID != nil}, {"SubnetIDs", p.SubnetIDs != nil},
		{"EndpointSecurityGroupID", p.EndpointSecurityGroupID != nil}, {"S3PrefixListID", p.S3PrefixListID != nil},
	} {
		if !f.set {
			missing = append(missing, "Placement."+f.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s required: compute runs only in the platform's private subnets and reaches only its endpoints; pass SecureNetwork.Placement()",
		strings.Join(missing, ", ")+map[bool]string{true: " is", false: " are"}[len(missing) == 1])
}

// Placement is the network's placement for the components that run in it.
func (n *SecureNetwork) Placement() Placement {
	return Placement{
		VpcID: n.VpcID, SubnetIDs: n.PrivateSubnetIDs,
		EndpointSecurityGroupID: n.EndpointSecurityGroupID, S3PrefixListID: n.S3PrefixListID,
	}
}
