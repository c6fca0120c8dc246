// Package kms provides the platform's customer-managed KMS keys: one per
// purpose, each rotated yearly, with a per-environment deletion window and a
// key policy that admits this account, and the AWS services that encrypt on
// their own behalf only for this account's resources.
package kms

import (
	"errors"
	"fmt"
	"slices"

	awskms "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/naming"
)

// Type is the component's type token.
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

// Deletion window bounds AWS accepts.
const (
	MinDeletionWindowDays = 7
	MaxDeletionWindowDays = 30
)

// Args configures the keys.
type Args struct {
	// Prefix names the aliases alias/<Prefix>-<purpose>; lower-case letters,
	// digits and hyphens.
	Prefix string
	// AccountID, Region and Partition scope the key policies.
	AccountID string
	Region    string
	Partition string
	// DeletionWindowDays is the waiting period before a scheduled deletion,
	// 7-30 days. Required: an environment must choose it.
	DeletionWindowDays int
	// Protect protects the keys from deletion by Pulumi.
	Protect bool
	// Purposes to create keys for; all purposes when empty.
	Purposes []Purpose
}

// Keys is the set of keys, one per purpose.
type Keys struct {
	pulumi.ResourceState

	// Arns maps purpose to key ARN.
	Arns pulumi.StringMapOutput `pulumi:"arns"`
	// AliasNames maps purpose to the key's alias.
	AliasNames pulumi.StringMapOutput `pulumi:"aliasNames"`

	keys map[Purpose]*awskms.Key
}

func (a *Args) validate() error {
	var errs []error
	if err := naming.CheckPrefix(a.Prefix); err != nil {
		errs = append(errs, err)
	}
	if a.AccountID == "" || a.Region == "" || a.Partition == "" {
		errs = append(errs, errors.New("AccountID, Region and Partition are required to scope the key policies"))
	}
	if a.DeletionWindowDays < MinDeletionWindowDays || a.DeletionWindowDays > MaxDeletionWindowDays {
		errs = append(errs, fmt.Errorf("DeletionWindowDays %d: set it between %d and %d",
			a.DeletionWindowDays, MinDeletionWindowDays, MaxDeletionWindowDays))
	}
	for _, p := range a.Purposes {
		if !slices.Contains(AllPurposes(), p) {
			errs = append(errs, fmt.Errorf("Purposes: unknown purpose %q; use one of %v", p, AllPurposes()))
		}
	}
	return errors.Join(errs...)
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
		policy, err := KeyPolicy(p, args.Partition, args.AccountID, args.Region).JSON()
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
		aliasName := fmt.Sprintf("alias/%s-%s", args.Prefix, p)
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

var useActions = iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

// KeyPolicy returns the key policy for a purpose. The account administers
// the key, so IAM policies decide who may use it and the key can never
// become unmanageable; the platform's roles scope their grants with
// kms:ViaService. Services that encrypt on their own behalf (CloudWatch
// Logs for the logs key; alarms and events publishing to encrypted topics
// for the pipeline key) are admitted for this account's resources only.
func KeyPolicy(p Purpose, partition, account, region string) iamdoc.Document {
	root := fmt.Sprintf("arn:%s:iam::%s:root", partition, account)
	statements := []iamdoc.Statement{{
		Sid:       "AccountAdministersKey",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.AWSPrincipals(root),
		Action:    iamdoc.Strings{"kms:*"},
		Resource:  iamdoc.Strings{"*"},
	}}
	switch p {
	case Logs:
		statements = append(statements, iamdoc.Statement{
			Sid:       "CloudWatchLogsEncryptsAccountLogGroups",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(fmt.Sprintf("logs.%s.amazonaws.com", region)),
			Action:    useActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", partition, region, account)}},
			},
		})
	case Pipeline:
		statements = append(statements, iamdoc.Statement{
			Sid:       "AlarmsAndEventsPublishToEncryptedTopics",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudwatch.amazonaws.com", "events.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"aws:SourceAccount": {account}},
			},
		})
	}
	return iamdoc.New(statements...)
}
