package pipeline

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/pipeline/spec"
)

// The optimiser's inputs.
//
// Configurations are code: they are reviewed in optimiser/bundled/configs
// and published by the deployment, one object per configured country under
// ConfigsPrefix on the data bucket (the stack exempts its deploy role, and
// that prefix alone, from the bucket's VPC-only perimeter). Histories are
// business data: the business delivers <cc>.csv under DataPrefix before
// each run, with a role of its own. The task reads both through the
// pipeline's access point, which admits the task role alone and serves
// reads only.
//
// The available cash per country is in a Secrets Manager secret encrypted
// with the pipeline key; the component creates the secret, treasury sets
// its value, and only the task may read it.
type pipelineInputs struct {
	accessPoint *s3.AccessPoint
	cashSecret  *secretsmanager.Secret
	configs     []*s3.BucketObjectv2
}

// storage is where the optimiser reads and writes, given the access
// point's alias (a bucket name for S3 clients) and the models bucket.
func storage(accessPointAlias, modelsBucket string) Storage {
	return Storage{
		Configs: Location{Bucket: accessPointAlias, Prefix: ConfigsPrefix},
		Data:    Location{Bucket: accessPointAlias, Prefix: DataPrefix},
		Models:  Location{Bucket: modelsBucket, Prefix: ModelsPrefix},
		Outputs: Location{Bucket: modelsBucket, Prefix: OutputsPrefix},
	}
}

func (b *builder) inputs(taskRole *iam.Role) (*pipelineInputs, error) {
	a := b.a
	in := &pipelineInputs{}

	// The policy names the task role, so the role must exist first: S3
	// refuses a policy whose principal does not.
	policy := taskRole.Arn.ApplyT(func(role string) (string, error) {
		return AccessPointPolicy(a.Scope, role).JSON()
	}).(pulumi.StringOutput)
	ap, err := s3.NewAccessPoint(b.Ctx, b.Child("inputs"), &s3.AccessPointArgs{
		Name:   pulumi.String(a.ServiceAccessPointName(AccessPointService)),
		Bucket: a.DataBucketName,
		// The policy names this account in the ARN, so the access point
		// is created in it, whatever the provider's credentials.
		AccountId:        pulumi.String(a.AccountID),
		VpcConfiguration: &s3.AccessPointVpcConfigurationArgs{VpcId: a.VpcID},
		PublicAccessBlockConfiguration: &s3.AccessPointPublicAccessBlockConfigurationArgs{
			BlockPublicAcls:       pulumi.Bool(true),
			BlockPublicPolicy:     pulumi.Bool(true),
			IgnorePublicAcls:      pulumi.Bool(true),
			RestrictPublicBuckets: pulumi.Bool(true),
		},
		Policy: policy,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	in.accessPoint = ap

	for _, c := range a.Countries {
		obj, err := s3.NewBucketObjectv2(b.Ctx, b.Child("config-"+strings.ToLower(c.Code)), &s3.BucketObjectv2Args{
			Bucket:      a.DataBucketName,
			Key:         pulumi.String(ConfigsPrefix + spec.ConfigFile(c.Code)),
			Content:     pulumi.String(string(c.Config)),
			ContentType: pulumi.String("application/yaml"),
			// The bucket's default encryption would apply anyway; naming
			// the key here makes a wrong default fail the upload instead.
			ServerSideEncryption: pulumi.String("aws:kms"),
			KmsKeyId:             a.DataKeyArn,
			BucketKeyEnabled:     pulumi.Bool(true),
		}, b.Parent)
		if err != nil {
			return nil, err
		}
		in.configs = append(in.configs, obj)
	}

	secretPolicy := taskRole.Arn.ApplyT(func(role string) (string, error) {
		return CashSecretPolicy(role).JSON()
	}).(pulumi.StringOutput)
	recovery := 0
	if a.Protect {
		recovery = 30
	}
	secret, err := secretsmanager.NewSecret(b.Ctx, b.Child("cash"), &secretsmanager.SecretArgs{
		Name: pulumi.String(a.CashSecretName),
		Description: pulumi.String(fmt.Sprintf("Available cash per country for the weekly jackpot run, as JSON {\"NL\": 50000000, …}. "+
			"Set by treasury; read only by %s.", TaskRoleName(a.Scope))),
		KmsKeyId: a.PipelineKeyArn,
		// Outside prod a destroyed stack can be created again at once; in
		// prod a deleted secret stays recoverable for 30 days.
		RecoveryWindowInDays: pulumi.Int(recovery),
		Policy:               secretPolicy,
	}, b.Protect()...)
	if err != nil {
		return nil, err
	}
	in.cashSecret = secret
	return in, nil
}
