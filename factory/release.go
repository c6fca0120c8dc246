package factory

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/stackconfig"
	"github.com/aifactory/platform/policy/pack"
)

// Release is the record of one successful update of a stack: what was
// deployed (commit, image, policy pack, config), how (summary, time,
// operator) and where it was promoted from. Its Hash covers every other
// field, and a promoted release carries the record it was promoted from,
// so the chain back to dev can be verified from the record alone.
type Release struct {
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	// Commit is the git commit the update ran from ("" outside a checkout).
	Commit string `json:"commit"`
	// Dirty says the update did not run from Commit alone: the stack file
	// differed from Commit's, or tracked files had uncommitted changes
	// (DirtyFiles). A dirty release cannot be promoted.
	Dirty      bool     `json:"dirty,omitempty"`
	DirtyFiles []string `json:"dirtyFiles,omitempty"`
	// Branch and BranchCommit name the commit that holds the applied stack
	// file of a dirty release when vending made one (vend/<team>).
	Branch       string `json:"branch,omitempty"`
	BranchCommit string `json:"branchCommit,omitempty"`
	// Image is the optimiser image the stack runs (repository@sha256:...),
	// from its aifactory:pipeline config; "" when the stack runs none.
	Image string `json:"image,omitempty"`
	// CleanupImage is the cleanup job's image, from
	// aifactory:finops.cleanup.image; "" when the stack file names none.
	CleanupImage string `json:"cleanupImage,omitempty"`
	// PackVersion and PackHash identify the policy pack that checked the
	// update (the SHA-256 of its built plugin).
	PackVersion string `json:"packVersion"`
	PackHash    string `json:"packHash"`
	// ConfigHash is the SHA-256 of the stack file.
	ConfigHash string `json:"configHash"`
	// Summary counts the update's resource operations.
	Summary map[string]int `json:"summary"`
	// Policy counts the policy pack's findings during the update by level
	// and policy ("advisory/team-budget"); empty when it found nothing.
	Policy map[string]int `json:"policy,omitempty"`
	// Findings are the update's findings themselves (level, policy,
	// resource), at most MaxRecordedFindings; FindingsOmitted says how
	// many distinct ones did not fit. Policy still counts them all.
	Findings        []FindingRecord `json:"findings,omitempty"`
	FindingsOmitted int             `json:"findingsOmitted,omitempty"`
	// Preview is the preview that gated the update in the target
	// environment (promotions); nil for a plain up, which runs no preview
	// of its own.
	Preview  *PreviewRecord `json:"preview,omitempty"`
	Time     time.Time      `json:"time"`
	Operator string         `json:"operator"`
	// Parent is the hash of the release this one was promoted from.
	Parent string `json:"parent,omitempty"`
	// From is that release itself.
	From *Release `json:"from,omitempty"`
	// Hash is the SHA-256 of the record without Hash.
	Hash string `json:"hash"`
}

// PreviewRecord is what a gating preview found: its summary, its policy
// findings counted by level and policy, and the findings themselves as
// the release's own (Release.Findings).
type PreviewRecord struct {
	Summary         map[string]int  `json:"summary"`
	Policy          map[string]int  `json:"policy,omitempty"`
	Findings        []FindingRecord `json:"findings,omitempty"`
	FindingsOmitted int             `json:"findingsOmitted,omitempty"`
}

// FindingRecord is a policy finding as a release record keeps it: its
// level, policy and the resource it is about (type and name from the URN;
// both empty for a finding on the stack). The finding's message is left
// out: it can quote property values, and the record is stored as stack
// tags that anyone who can read the stack reads.
type FindingRecord struct {
	Level    string `json:"level"`
	Policy   string `json:"policy"`
	Type     string `json:"type,omitempty"`
	Resource string `json:"resource,omitempty"`
}

// MaxRecordedFindings bounds the findings a record keeps per operation, so
// that a record, with the records it was promoted from, stays a few dozen
// stack tags. An update with more distinct findings than this is a broken
// one whose findings the operator reads from its output.
const MaxRecordedFindings = 200

// findingRecords are the distinct findings, without their messages, sorted
// (mandatory first, then by policy, type and resource), at most
// MaxRecordedFindings, and how many distinct findings were left out.
func findingRecords(findings []engine.Finding) ([]FindingRecord, int) {
	seen := map[FindingRecord]bool{}
	var out []FindingRecord
	for _, f := range findings {
		r := FindingRecord{Level: f.Level, Policy: f.Policy, Type: urnType(f.URN), Resource: f.Resource}
		if f.URN != "" && r.Resource == "" {
			r.Resource = engine.URNName(f.URN)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Level == engine.LevelMandatory) != (b.Level == engine.LevelMandatory) {
			return a.Level == engine.LevelMandatory
		}
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Resource < b.Resource
	})
	if len(out) > MaxRecordedFindings {
		return out[:MaxRecordedFindings], len(out) - MaxRecordedFindings
	}
	return out, 0
}

// urnType is the resource type of a URN, without its parents' types:
// "aws:s3/bucketV2:BucketV2" of
// "urn:pulumi:dev::aifactory::aifactory:data:DataPerimeter$aws:s3/bucketV2:BucketV2::data-bucket".
func urnType(urn string) string {
	// urn:pulumi:<stack>::<project>::<qualified type>::<name>; the name
	// is the rest, whatever it holds.
	parts := strings.SplitN(urn, "::", 4)
	if len(parts) < 4 || !strings.HasPrefix(parts[0], "urn:pulumi:") {
		return ""
	}
	typ := parts[2]
	if i := strings.LastIndex(typ, "$"); i >= 0 {
		typ = typ[i+1:]
	}
	return typ
}

// policyCounts counts findings by "<level>/<policy>"; nil when there are none.
func policyCounts(findings []engine.Finding) map[string]int {
	if len(findings) == 0 {
		return nil
	}
	out := map[string]int{}
	for _, f := range findings {
		out[f.Level+"/"+f.Policy]++
	}
	return out
}

// Stack tags that hold a stack's current release record. Backends cap a tag
// value at 256 characters (the Pulumi Cloud does), so the record's JSON,
// compressed and base64-encoded (a tag value must not look like a flag to
// the CLI), is split over numbered tags.
const (
	releaseTagPrefix = "aifactory.release."
	releaseTagParts  = releaseTagPrefix + "parts"
	releaseTagChunk  = 250
)

// digest computes the record's hash over its canonical JSON without Hash.
func (r Release) digest() (string, error) {
	r.Hash = ""
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// seal sets Hash.
func (r *Release) seal() error {
	h, err := r.digest()
	r.Hash = h
	return err
}

// Verify checks the record's hash and, for a promoted release, that it
// was promoted from the previous environment's release of the same commit
// and image, down to a dev release.
func (r Release) Verify() error {
	if h, err := r.digest(); err != nil || h != r.Hash {
		return fmt.Errorf("release of %s: the record does not match its hash %s; it was altered", r.Stack, short(r.Hash))
	}
	prev := previousEnvironment(r.Environment)
	switch {
	case prev == "" && r.From == nil:
		return nil
	case prev == "":
		return fmt.Errorf("release of %s (%s) claims a parent, but %s is where releases start", r.Stack, r.Environment, r.Environment)
	case r.From == nil:
		return fmt.Errorf("release of %s (%s) was not promoted from %s; promote it with `aifactory promote %s %s`", r.Stack, r.Environment, prev, prev, r.Stack)
	case r.From.Hash != r.Parent:
		return fmt.Errorf("release of %s names parent %s but carries %s", r.Stack, short(r.Parent), short(r.From.Hash))
	case r.From.Environment != prev:
		return fmt.Errorf("release of %s (%s) was promoted from %s, not from %s", r.Stack, r.Environment, r.From.Environment, prev)
	case r.From.Dirty:
		return fmt.Errorf("release of %s was promoted from a dirty release of %s (%s); deploy %s from a commit and promote again",
			r.Stack, r.From.Stack, strings.Join(r.From.DirtyFiles, ", "), r.From.Stack)
	case r.From.Commit != r.Commit:
		return fmt.Errorf("release of %s runs commit %s but was promoted from commit %s", r.Stack, short(r.Commit), short(r.From.Commit))
	case imageDigest(r.From.Image) != imageDigest(r.Image):
		return fmt.Errorf("release of %s runs image %s but was promoted from image %s", r.Stack, orNone(imageDigest(r.Image)), orNone(imageDigest(r.From.Image)))
	case imageDigest(r.From.CleanupImage) != imageDigest(r.CleanupImage):
		return fmt.Errorf("release of %s runs cleanup image %s but was promoted from cleanup image %s", r.Stack,
			orNone(imageDigest(r.CleanupImage)), orNone(imageDigest(r.From.CleanupImage)))
	}
	return r.From.Verify()
}

// Chain lists the release and the ones it was promoted from, newest first.
func (r Release) Chain() []Release {
	var out []Release
	for cur := &r; cur != nil; cur = cur.From {
		c := *cur
		c.From = nil
		out = append(out, c)
	}
	return out
}

// previousEnvironment is the environment releases are promoted from into env.
func previousEnvironment(env string) string {
	for i, e := range stackconfig.Environments {
		if e == env && i > 0 {
			return stackconfig.Environments[i-1]
		}
	}
	return ""
}

// LastRelease reads the release record of a stack; nil when it has none.
func (f *Factory) LastRelease(ctx context.Context, stack string) (*Release, error) {
	s, err := f.stack(ctx, stack)
	if err != nil {
		return nil, err
	}
	return readRelease(ctx, s)
}

func readRelease(ctx context.Context, s auto.Stack) (*Release, error) {
	tags, err := s.ListTags(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the tags of stack %s: %w", s.Name(), err)
	}
	parts, ok := tags[releaseTagParts]
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(parts)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("stack %s: tag %s is %q, not a number of parts", s.Name(), releaseTagParts, parts)
	}
	var b strings.Builder
	for i := range n {
		part, ok := tags[releaseTagPrefix+strconv.Itoa(i)]
		if !ok {
			return nil, fmt.Errorf("stack %s: release record part %d of %d is missing", s.Name(), i, n)
		}
		b.WriteString(part)
	}
	raw, err := unpackRecord(b.String())
	if err != nil {
		return nil, fmt.Errorf("stack %s: the release record cannot be read: %w", s.Name(), err)
	}
	var r Release
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("stack %s: the release record cannot be read: %w", s.Name(), err)
	}
	return &r, nil
}

func writeRelease(ctx context.Context, s auto.Stack, r Release) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	old, err := s.ListTags(ctx)
	if err != nil {
		return err
	}
	text, err := packRecord(b)
	if err != nil {
		return err
	}
	n := 0
	for ; len(text) > 0; n++ {
		chunk := text[:min(releaseTagChunk, len(text))]
		text = text[len(chunk):]
		if err := s.SetTag(ctx, releaseTagPrefix+strconv.Itoa(n), chunk); err != nil {
			return fmt.Errorf("writing the release record of %s: %w", s.Name(), err)
		}
	}
	// The count goes last: a reader sees the old record or the new one.
	if err := s.SetTag(ctx, releaseTagParts, strconv.Itoa(n)); err != nil {
		return fmt.Errorf("writing the release record of %s: %w", s.Name(), err)
	}
	var stale []string
	for k := range old {
		if i, err := strconv.Atoi(strings.TrimPrefix(k, releaseTagPrefix)); strings.HasPrefix(k, releaseTagPrefix) && err == nil && i >= n {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		if err := s.RemoveTag(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// newRelease builds the record of a successful update of stack.
func (f *Factory) newRelease(stack string, cfg *stackconfig.Config, res engine.Result, o UpOptions) (Release, error) {
	from := o.From
	stackFile, err := os.ReadFile(f.StackFile(stack))
	if err != nil {
		return Release{}, err
	}
	configSum := sha256.Sum256(stackFile)
	r := Release{
		Stack:        stack,
		Environment:  cfg.Environment,
		Commit:       headCommit(f.root),
		Image:        imageOf(stackFile),
		CleanupImage: cleanupImageOf(stackFile),
		PackVersion:  pack.Version,
		ConfigHash:   hex.EncodeToString(configSum[:]),
		Summary:      res.Summary,
		Policy:       policyCounts(res.Policy),
		Time:         f.opts.Now().UTC().Truncate(time.Second),
		Operator:     f.opts.Operator,
	}
	if r.DirtyFiles = f.uncommitted(stack); len(r.DirtyFiles) > 0 {
		r.Dirty, r.Branch, r.BranchCommit = true, o.Branch, o.BranchCommit
	}
	if f.pack != nil {
		h, err := fileHash(f.pack.Binary)
		if err != nil {
			return Release{}, err
		}
		r.PackHash = h
	} else {
		r.PackVersion = "none"
	}
	r.Findings, r.FindingsOmitted = findingRecords(res.Policy)
	if from != nil {
		r.Parent, r.From = from.Hash, from
	}
	if o.Preview != nil {
		p := &PreviewRecord{Summary: o.Preview.Summary, Policy: policyCounts(o.Preview.Policy)}
		p.Findings, p.FindingsOmitted = findingRecords(o.Preview.Policy)
		r.Preview = p
	}
	return r, r.seal()
}

// VerifyRelease reads a stack's release record and checks its chain back to dev.
func (f *Factory) VerifyRelease(ctx context.Context, stack string) (Result, error) {
	res := Result{Result: engine.Result{Operation: "release-verify", Stack: stack}}
	r, err := f.LastRelease(ctx, stack)
	if err != nil {
		return res, err
	}
	if r == nil {
		return res, Refused(fmt.Errorf("stack %s has no release record: no update through the tool has succeeded on it", stack))
	}
	res.Chain = r.Chain()
	if err := r.Verify(); err != nil {
		return res, Refused(err)
	}
	return res, nil
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// imageOf is the optimiser image a stack file names in
// aifactory:pipeline.image, or "" when the stack runs no pipeline.
func imageOf(stackFile []byte) string {
	values, err := stackconfig.ReadStackFile(stackFile)
	if err != nil {
		return ""
	}
	var pipeline struct {
		Image string `json:"image"`
	}
	if raw, ok := values[stackconfig.Namespace+":pipeline"]; ok {
		_ = json.Unmarshal([]byte(raw), &pipeline)
	}
	return pipeline.Image
}

// cleanupImageOf is the cleanup job's image a stack file names in
// aifactory:finops.cleanup.image, or "".
func cleanupImageOf(stackFile []byte) string {
	values, err := stackconfig.ReadStackFile(stackFile)
	if err != nil {
		return ""
	}
	var finops struct {
		Cleanup struct {
			Image string `json:"image"`
		} `json:"cleanup"`
	}
	if raw, ok := values[stackconfig.Namespace+":finops"]; ok {
		_ = json.Unmarshal([]byte(raw), &finops)
	}
	return finops.Cleanup.Image
}

// packRecord compresses and encodes a record for the tags; unpackRecord
// reverses it.
func packRecord(b []byte) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func unpackRecord(text string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}
