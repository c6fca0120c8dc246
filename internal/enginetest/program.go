package enginetest

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/tagging"
)

// ComponentProgram is the program of a component-level engine test, set up
// the way every stack is: the tag enforcement with defaults as the
// required tags, and an explicit AWS provider in eu-west-1 carrying them
// as its default tags (the component stack file disables the default
// provider). build registers the component, and whatever it stands on,
// with that provider.
func ComponentProgram(defaults tagging.Set, build func(ctx *pulumi.Context, provider *aws.Provider) error) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		tags, err := tagging.Install(ctx, defaults)
		if err != nil {
			return err
		}
		provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
			Region:      pulumi.String("eu-west-1"),
			DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: defaults.StringMap()},
		})
		if err != nil {
			return err
		}
		if err := build(ctx, provider); err != nil {
			return err
		}
		return tags.Err()
	}
}
