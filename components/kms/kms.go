// Package kms provides the platform's customer-managed KMS keys: one per
// purpose, each rotated yearly, with a per-environment deletion window and a
// key policy that separates the key's administrators from its users: the
// administrators manage it without using it, the account's principals use it
// only through the purpose's AWS services, and services that encrypt on
// their own behalf only for this account's resources.
package kms

import (
	"errors"
	"fmt"

	awskms "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's type token. Its module is "security", not
// "kms": the token is part of every key's URN, and renaming it would make
// Pulumi replace the keys of existing stacks (and with them everything
// they encrypt), so the package name and the token differ on purpose.
const Type = "aifactory:security:Keys"

// Purpose is what a key encrypts.
type Purpose string

// Key purposes. Separate keys keep a grant for one purpose (say, a team's
// role decrypting data) from opening another (the audit logs).
const (
	Data      Purpose = "data"
	Logs      Purpose = "logs"
	Workspace Purpose = "workspace"
	Pipeline  Purpose = "pipeline"
)

// AllPurposes lists every purpose, in a stable order.
func AllPurposes() []Purpose { return []Purpose{Data, Logs, Workspace, Pipeline} }

// Keys is the set of keys, one per purpose.
type Keys struct {
	pulumi.ResourceState

	// Arns maps purpose to key ARN.
	Arns pulumi.StringMapOutput `pulumi:"arns"`
	// AliasNames maps purpose to the key's alias.
	AliasNames pulumi.StringMapOutput `pulumi:"aliasNames"`

	keys map[Purpose]*awskms.Key
}

// New creates one key and alias per purpose.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Keys, error) {
	if args == nil {
		return nil, errors.New("kms: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("kms %q: %w", name, err)
	}
	purposes := args.Purposes
	if len(purposes) == 0 {
		purposes = AllPurposes()
	}

	k := &Keys{keys: map[Purpose]*awskms.Key{}}
	if err := ctx.RegisterComponentResource(Type, name, k, opts...); err != nil {
		return nil, err
	}
	childOpts := []pulumi.ResourceOption{pulumi.Parent(k), pulumi.Protect(args.Protect)}

	arns := pulumi.StringMap{}
	aliases := pulumi.StringMap{}
	for _, p := range purposes {
		policy, err := KeyPolicy(p, args.Scope, PolicySpec{Administrators: args.Administrators, DirectUsers: args.DirectUsers[p]}).JSON()
		if err != nil {
			return nil, err
		}
		key, err := awskms.NewKey(ctx, fmt.Sprintf("%s-%s", name, p), &awskms.KeyArgs{
			Description:          pulumi.Sprintf("%s %s encryption key", args.Prefix, p),
			KeyUsage:             pulumi.String("ENCRYPT_DECRYPT"),
			EnableKeyRotation:    pulumi.Bool(true),
			RotationPeriodInDays: pulumi.Int(365),
			DeletionWindowInDays: pulumi.Int(args.DeletionWindowDays),
			Policy:               pulumi.String(policy),
			Tags:                 pulumi.StringMap{"purpose": pulumi.String(string(p))},
		}, childOpts...)
		if err != nil {
			return nil, err
		}
		aliasName := "alias/" + args.Name(string(p))
		if _, err := awskms.NewAlias(ctx, fmt.Sprintf("%s-%s", name, p), &awskms.AliasArgs{
			Name:        pulumi.String(aliasName),
			TargetKeyId: key.KeyId,
		}, childOpts...); err != nil {
			return nil, err
		}
		k.keys[p] = key
		arns[string(p)] = key.Arn
		aliases[string(p)] = pulumi.String(aliasName)
	}

	k.Arns = arns.ToStringMapOutput()
	k.AliasNames = aliases.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(k, pulumi.Map{
		"arns":       k.Arns,
		"aliasNames": k.AliasNames,
	}); err != nil {
		return nil, err
	}
	return k, nil
}

// Arn returns the ARN of the key for purpose p. It panics if the component
// was built without that purpose: asking for a key that does not exist is a
// wiring bug, not a runtime condition.
func (k *Keys) Arn(p Purpose) pulumi.StringOutput {
	key, ok := k.keys[p]
	if !ok {
		panic(fmt.Sprintf("kms: no %q key in this component", p))
	}
	return key.Arn
}
