// Package build holds what the resource files of a component share while
// its New creates the children: the Pulumi context, the component's name
// that every child's name starts with, the option that parents each child
// to the component, and the protection of the stateful children. One
// definition keeps the children of every component named, parented and
// protected alike.
package build

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Builder is embedded in a component's own builder, beside its arguments.
type Builder struct {
	Ctx *pulumi.Context
	// Name is the component's resource name; children are named after it
	// (Child).
	Name string
	// Parent parents a child to the component.
	Parent pulumi.ResourceOption
	// Protected protects the stateful children and keeps them when they
	// leave the program (Protect); components set it from Args.Protect.
	Protected bool
}

// New is the builder of a component registered as name: children are
// parented to component, and protected when protected is set.
func New(ctx *pulumi.Context, name string, component pulumi.Resource, protected bool) Builder {
	return Builder{Ctx: ctx, Name: name, Parent: pulumi.Parent(component), Protected: protected}
}

// Child names a child resource "<component>-<part>".
func (b Builder) Child(part string) string { return b.Name + "-" + part }

// Protect is the options of a stateful child: parented and, when
// Protected, protected and kept when removed from the program.
func (b Builder) Protect() []pulumi.ResourceOption { return Stateful(b.Parent, b.Protected) }

// Stateful is the options of a stateful resource outside a component's
// builder: parent and, when protect is set, protection and retention on
// delete, so that neither a destroy nor a resource leaving the program
// deletes what it holds.
func Stateful(parent pulumi.ResourceOption, protect bool) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{parent}
	if protect {
		opts = append(opts, pulumi.Protect(true), pulumi.RetainOnDelete(true))
	}
	return opts
}
