// Package boundary holds the Deny statements every permissions boundary of
// the platform carries, whatever the role is for: no IAM beyond passing the
// platform's roles to the one service that runs them, no organisation or
// account changes, no key destruction or key policy changes, no path to the
// internet, and no S3 outside the platform's buckets or in another account.
// A Deny only narrows, so each names whole services where it can.
package boundary

import (
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// keyActions destroy a key, change who controls it or create keys beside
// the platform's.
var keyActions = iamdoc.Strings{
	"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
	"kms:CreateKey", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias",
	"kms:ImportKeyMaterial", "kms:DeleteImportedKeyMaterial", "kms:ReplicateKey",
}

// internetActions open a path out of the private network.
var internetActions = iamdoc.Strings{
	"ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:CreateEgressOnlyInternetGateway",
	"ec2:CreateNatGateway", "ec2:AllocateAddress", "ec2:AssociateAddress",
	"ec2:CreateVpcPeeringConnection", "ec2:AcceptVpcPeeringConnection",
	"ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:ModifySubnetAttribute",
	"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
	"ec2:CreateVpnGateway", "ec2:AttachVpnGateway", "ec2:CreateCustomerGateway", "ec2:CreateVpnConnection",
	"ec2:CreateTransitGatewayVpcAttachment", "ec2:CreateVpcEndpoint",
}

// Spec says what one boundary's roles may still do that the Denies would
// otherwise cover.
type Spec struct {
	// PassSid and PassService name the one IAM action the boundary leaves
	// open: iam:PassRole to this service principal.
	PassSid     string
	PassService string
	// PlatformS3 are the only S3 resources (buckets, objects, access
	// points) the roles may reach.
	PlatformS3 iamdoc.Strings
	// MoreKeyActions are further KMS actions the roles never need.
	MoreKeyActions []string
}

// Denies are the boundary's Deny statements for the scope's account.
func Denies(s scope.Scope, spec Spec) []iamdoc.Statement {
	keys := append(slices.Clone(keyActions), spec.MoreKeyActions...)
	return []iamdoc.Statement{
		{
			Sid:    spec.PassSid,
			Effect: iamdoc.Deny,
			Action: iamdoc.Strings{"iam:*"},
			// Every IAM action except iam:PassRole to the service: the key
			// is absent from other calls, and a negated operator on an
			// absent key matches, so they are denied.
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringNotEquals": {"iam:PassedToService": {spec.PassService}}},
		},
		{
			Sid:      "NoOrganizationOrAccountChanges",
			Effect:   iamdoc.Deny,
			Action:   iamdoc.Strings{"organizations:*", "account:*"},
			Resource: iamdoc.Strings{"*"},
		},
		{Sid: "NoKeyDestructionOrPolicyChanges", Effect: iamdoc.Deny, Action: keys, Resource: iamdoc.Strings{"*"}},
		{Sid: "NoPathToTheInternet", Effect: iamdoc.Deny, Action: slices.Clone(internetActions), Resource: iamdoc.Strings{"*"}},
		{Sid: "NoS3OutsideThePlatform", Effect: iamdoc.Deny, Action: iamdoc.Strings{"s3:*"}, NotResource: spec.PlatformS3},
		// Bucket names are global: a bucket named like the platform's in
		// another account would pass the name match above.
		{
			Sid:       "NoS3InOtherAccounts",
			Effect:    iamdoc.Deny,
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringNotEquals": {"s3:ResourceAccount": {s.AccountID}}},
		},
	}
}
