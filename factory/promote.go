package factory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aifactory/platform/factory/engine"
)

// Gate is one check a promotion must pass.
type Gate struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}

// Promotion gate names.
const (
	GateOrder       = "order"
	GateRelease     = "source-release"
	GateLastUpdate  = "source-last-update"
	GateCleanTree   = "clean-tree-at-release-commit"
	GateSameImage   = "same-image"
	GatePolicy      = "policy-preview"
	GateStatefulOps = "stateful-resources-kept"
	GateApproved    = "models-approved"
)

// PromoteOptions tune a promotion.
type PromoteOptions struct {
	// Yes applies the promotion once every gate passes; without it the
	// promotion stops after the gating preview.
	Yes bool
	// AllowReplace names resources (by name or URN) whose replacement or
	// deletion a promotion into prod may carry out. Every stateful or
	// protected resource the preview would replace or delete must be named.
	AllowReplace []string
}

// statefulTypes hold data or identity that a replacement would lose.
var statefulTypes = []string{
	"aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket",
	"aws:kms/key:Key", "aws:kms/alias:Alias",
	"aws:sagemaker/domain:Domain", "aws:sagemaker/userProfile:UserProfile",
	"aws:efs/fileSystem:FileSystem", "aws:ecr/repository:Repository",
	"aws:secretsmanager/secret:Secret", "aws:cloudwatch/logGroup:LogGroup",
	"aws:cloudtrail/trail:Trail",
}

// destructive are the engine's step kinds that remove a resource's
// current physical instance.
var destructive = []string{"replace", "create-replacement", "delete-replaced", "delete"}

// Promote moves the release of stack from into stack to, the next
// environment: it refuses, with the reason, unless from's last update
// succeeded with a release record, the working tree is clean at that
// release's commit, to runs the same image, and a preview of to with its
// environment's policy config has no mandatory finding (and, into prod,
// replaces or deletes no stateful or protected resource that is not named
// in AllowReplace). With Yes it then applies to, recording the release it
// was promoted from.
func (f *Factory) Promote(ctx context.Context, from, to string, o PromoteOptions) (Result, error) {
	res := Result{Result: engine.Result{Operation: "promote", Stack: to}}
	gate := func(name string, passed bool, format string, args ...any) bool {
		res.Gates = append(res.Gates, Gate{Name: name, Passed: passed, Detail: fmt.Sprintf(format, args...)})
		return passed
	}
	refuse := func() (Result, error) {
		last := res.Gates[len(res.Gates)-1]
		return res, Refused(fmt.Errorf("promote %s %s refused by gate %s: %s", from, to, last.Name, last.Detail))
	}

	fromCfg, err := f.Config(from)
	if err != nil {
		return res, err
	}
	toCfg, err := f.Config(to)
	if err != nil {
		return res, err
	}
	if previousEnvironment(toCfg.Environment) != fromCfg.Environment {
		return res, BadInput(fmt.Errorf("promote %s %s: %s (%s) is promoted from %q, not from %s (%s)",
			from, to, to, toCfg.Environment, previousEnvironment(toCfg.Environment), from, fromCfg.Environment))
	}
	gate(GateOrder, true, "%s -> %s", fromCfg.Environment, toCfg.Environment)

	source, err := f.stack(ctx, from)
	if err != nil {
		return res, err
	}
	rel, err := readRelease(ctx, source)
	if err != nil {
		return res, err
	}
	if rel == nil {
		gate(GateRelease, false, "%s has no release record; deploy it with `aifactory up %s` first", from, from)
		return refuse()
	}
	if err := rel.Verify(); err != nil {
		gate(GateRelease, false, "%v", err)
		return refuse()
	}
	if rel.Dirty {
		gate(GateRelease, false, "%s's release %s was deployed from changes that commit %s does not hold (%s); %s", from, short(rel.Hash),
			short(rel.Commit), strings.Join(rel.DirtyFiles, ", "), dirtyFix(rel))
		return refuse()
	}
	gate(GateRelease, true, "%s release %s of commit %s", from, short(rel.Hash), short(rel.Commit))

	history, err := source.History(ctx, 1, 1)
	if err != nil {
		return res, fmt.Errorf("reading the history of %s: %w", from, err)
	}
	if len(history) == 0 || history[0].Result != "succeeded" {
		result := "none"
		if len(history) > 0 {
			result = history[0].Kind + " " + history[0].Result
		}
		gate(GateLastUpdate, false, "the last update of %s did not succeed (%s); fix %s before promoting from it", from, result, from)
		return refuse()
	}
	gate(GateLastUpdate, true, "the last update of %s (%s) succeeded", from, history[0].Kind)

	if !isCheckout(f.root) {
		gate(GateCleanTree, false, "%s is not a git checkout; promote from a checkout of the release's commit", f.root)
		return refuse()
	}
	dirty, err := dirtyFiles(f.root)
	if err != nil {
		return res, err
	}
	head := headCommit(f.root)
	switch {
	case len(dirty) > 0:
		gate(GateCleanTree, false, "the working tree has uncommitted changes (%s); commit or stash them", strings.Join(dirty, ", "))
		return refuse()
	case head != rel.Commit:
		gate(GateCleanTree, false, "HEAD is %s but %s's release is of commit %s; check out %s", short(head), from, short(rel.Commit), rel.Commit)
		return refuse()
	}
	if err := checkConfigAtCommit(f.root, rel.Commit, f.StackFile(from), rel.ConfigHash); err != nil {
		gate(GateCleanTree, false, "%v; deploy %s with `aifactory up %s` at %s and promote that release", err, from, from, short(rel.Commit))
		return refuse()
	}
	gate(GateCleanTree, true, "clean at %s, %s as released", short(head), filepath.Base(f.StackFile(from)))

	// Each stack pulls from its own repositories; what is promoted is the
	// images themselves, the optimiser's and the cleanup job's, named by
	// their digests.
	image, cleanupImage := toImages(f, to)
	if imageDigest(image) != imageDigest(rel.Image) {
		gate(GateSameImage, false, "%s would run image %s but %s's release runs %s; copy the digest into %s's aifactory:pipeline.image",
			to, orNone(imageDigest(image)), from, orNone(imageDigest(rel.Image)), to)
		return refuse()
	}
	if imageDigest(cleanupImage) != imageDigest(rel.CleanupImage) {
		gate(GateSameImage, false, "%s would run cleanup image %s but %s's release runs %s; copy the digest into %s's aifactory:finops.cleanup.image",
			to, orNone(imageDigest(cleanupImage)), from, orNone(imageDigest(rel.CleanupImage)), to)
		return refuse()
	}
	gate(GateSameImage, true, "image %s, cleanup image %s", orNone(imageDigest(rel.Image)), orNone(imageDigest(rel.CleanupImage)))

	// Every model version the target would serve is Approved in its
	// registry (asked of SageMaker; not offline, see ModelRegistry).
	if versions := ServedVersions(toCfg); len(versions) > 0 {
		reg, err := f.modelRegistry(ctx, toCfg)
		if err != nil {
			return res, err
		}
		if reg != nil {
			if err := CheckApprovals(ctx, reg, versions); err != nil {
				gate(GateApproved, false, "%v", err)
				return refuse()
			}
			gate(GateApproved, true, "%d served model version(s) Approved", len(versions))
		}
	}

	preview, err := f.Preview(ctx, to)
	res.Result = preview.Result
	res.Operation, res.Stack = "promote", to
	if err != nil {
		if Code(err) == ExitPolicy {
			gate(GatePolicy, false, "the preview of %s has %d mandatory finding(s)", to, len(preview.Mandatory()))
			return refuse()
		}
		return res, err
	}
	gate(GatePolicy, true, "preview of %s: %s, no mandatory finding", to, preview.SummaryLine())

	if toCfg.Environment == "prod" {
		if unnamed := unnamedDestructive(preview.Changes, o.AllowReplace); len(unnamed) > 0 {
			gate(GateStatefulOps, false, "the preview would %s; name each with --allow-replace if that is intended", strings.Join(unnamed, ", "))
			return refuse()
		}
		gate(GateStatefulOps, true, "no stateful or protected resource is replaced or deleted without being named")
	}

	if !o.Yes {
		return res, nil
	}
	up, err := f.Up(ctx, to, UpOptions{From: rel, Preview: &preview.Result})
	up.Gates, up.Operation = res.Gates, "promote"
	return up, err
}

// dirtyFix says how a dirty release becomes a promotable one.
func dirtyFix(rel *Release) string {
	if rel.Branch != "" {
		return fmt.Sprintf("the applied stack file is committed on branch %s (%s): merge %s, then run `aifactory up %s` from the merged commit and promote that release",
			rel.Branch, short(rel.BranchCommit), rel.Branch, rel.Stack)
	}
	return fmt.Sprintf("commit the changes, then run `aifactory up %s` from that commit and promote that release", rel.Stack)
}

// toImages are the optimiser and cleanup images the stack file of stack
// names.
func toImages(f *Factory, stack string) (image, cleanupImage string) {
	b, err := os.ReadFile(f.StackFile(stack))
	if err != nil {
		return "", ""
	}
	return imageOf(b), cleanupImageOf(b)
}

// unnamedDestructive lists the steps that replace or delete a stateful or
// protected resource that allow does not name (by name or URN).
func unnamedDestructive(changes []engine.Change, allow []string) []string {
	var out []string
	for _, c := range changes {
		if !slices.Contains(destructive, c.Op) || !(c.Protected || slices.Contains(statefulTypes, c.Type)) {
			continue
		}
		if !slices.Contains(allow, c.Name) && !slices.Contains(allow, c.URN) {
			out = append(out, fmt.Sprintf("%s %s (%s)", c.Op, c.Name, c.Type))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// imageDigest is the digest of an image reference (repository@sha256:...),
// the reference itself when it names none, "" for none.
func imageDigest(ref string) string {
	if _, digest, ok := strings.Cut(ref, "@"); ok {
		return digest
	}
	return ref
}
