package evidence

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/policy/rules"
)

// Markdown is the bundle for people: the release and its chain, every
// control with its result, the resources with the properties that prove
// the controls, and how to verify the trail's digest files.
func (b Bundle) Markdown() []byte {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	r := b.Release.Record

	p("# Evidence bundle: stack %s, release %s\n\n", b.Stack, short(r.Hash))
	p("This bundle is built from the stack's release record and state by `aifactory evidence %s`. "+
		"It is reproducible: the same release and state give it byte for byte, and the only times in it are the release record's. "+
		"`evidence.json` holds the same content for tools; `SHA256SUMS` the SHA-256 of both files.\n\n", b.Stack)

	p("## Release\n\n")
	p("| | |\n|---|---|\n")
	p("| Stack | %s (%s) |\n", b.Stack, b.Environment)
	p("| Release | `%s` |\n", r.Hash)
	p("| Verified | %s |\n", yesNo(b.Release.Verified, "yes: the record's hash and its chain back to dev hold", "no"))
	p("| Commit | `%s` |\n", dash(r.Commit))
	p("| Optimiser image | `%s` |\n", dash(r.Image))
	p("| Policy pack | %s `%s` |\n", r.PackVersion, dash(r.PackHash))
	p("| Stack file | `%s` (SHA-256); %s |\n", r.ConfigHash, stackFileNote(b.Release))
	p("| Updated | %s by %s |\n", r.Time.UTC().Format(time.RFC3339), r.Operator)
	p("| Update | %s |\n", counts(r.Summary, "to "))
	p("| Policy findings during the update | %s |\n", findings(r.Policy))
	if r.Preview != nil {
		p("| Gating preview | %s; policy findings: %s |\n", counts(r.Preview.Summary, "to "), findings(r.Preview.Policy))
	} else {
		p("| Gating preview | none: a plain update, not a promotion |\n")
	}

	p("\n### Policy results of the release\n\n")
	p("The policy pack's findings as the release record keeps them: level, policy and resource, without the findings' messages, " +
		"which can quote property values. ")
	if r.Preview != nil {
		p("They are the update's and those of the preview that gated it in %s.\n\n", b.Environment)
	} else {
		p("A plain `aifactory up` runs no preview of its own, so they are the update's only; a promotion records its gating preview's too.\n\n")
	}
	p("| Operation | Level | Policy | Resource |\n|---|---|---|---|\n")
	rows := findingRows(&w, "update", r.Findings, r.FindingsOmitted)
	if r.Preview != nil {
		rows += findingRows(&w, "gating preview", r.Preview.Findings, r.Preview.FindingsOmitted)
	}
	if rows == 0 {
		p("| - | - | none | - |\n")
	}
	p("\n### Release chain\n\nNewest first; each release was promoted from the next, with the same commit and image.\n\n")
	p("| # | Stack | Environment | Release | Commit | Parent | Updated | Operator |\n|---|---|---|---|---|---|---|---|\n")
	for i, c := range b.Chain {
		p("| %d | %s | %s | `%s` | `%s` | `%s` | %s | %s |\n", i, c.Stack, c.Environment, short(c.Hash), short(c.Commit),
			dash(short(c.Parent)), c.Time.UTC().Format(time.RFC3339), c.Operator)
	}

	p("\n## Controls\n\n")
	p("Every control of the catalogue (%s %s), evaluated on the stack's deployed resources (their state after the update) "+
		"with the %s policy config. Policy configs: %s.\n\n", b.Catalogue.Pack, b.Catalogue.PackVersion, b.Environment, sources(b.Catalogue))
	var totals []string
	for _, res := range Results {
		totals = append(totals, fmt.Sprintf("%d %s", b.Totals[res], res))
	}
	p("%d controls: %s.\n\n", len(b.Controls), strings.Join(totals, ", "))
	header := "| Control | Category | FSBP | Checkov |"
	sep := "|---|---|---|---|"
	for _, env := range b.Catalogue.Environments {
		header += " " + env + " |"
		sep += "---|"
	}
	p("%s Result | Resources | AWS Config rules |\n%s---|---|---|\n", header, sep)
	for _, c := range b.Controls {
		p("| [`%s`](#%s) | %s | %s | %s |", c.Name, c.Name, c.Category, dash(strings.Join(c.FSBP, ", ")), dash(strings.Join(c.Checkov, ", ")))
		for _, env := range b.Catalogue.Environments {
			p(" %s |", c.Levels[env])
		}
		p(" **%s** | %d | %d |\n", c.Result, c.Resources, len(c.ConfigRules))
	}
	for _, cat := range rules.Categories() {
		p("\n### %s\n", cat)
		for _, c := range b.Controls {
			if c.Category != string(cat) {
				continue
			}
			p("\n#### %s\n\n%s\n\n", c.Name, c.Requirement)
			p("- Result: **%s** (%s in %s) on %d resource(s)\n", c.Result, c.Level, b.Environment, c.Resources)
			p("- Framework ids: FSBP %s; Checkov %s\n", dash(strings.Join(c.FSBP, ", ")), dash(strings.Join(c.Checkov, ", ")))
			if len(c.Settings) > 0 {
				p("- Settings: %s\n", settings(c.Settings))
			}
			if len(c.ConfigRules) > 0 {
				p("- Checked at runtime by AWS Config: %s\n", code(c.ConfigRules))
			}
			if len(c.EvidenceProperties) > 0 {
				p("- Proven by: %s\n", code(c.EvidenceProperties))
			}
			for _, f := range c.Findings {
				p("- %s on `%s`: %s\n", f.Verdict, f.URN, f.Message)
			}
		}
	}

	p("\n## AWS Config rules\n\n")
	if len(b.ConfigRules) == 0 {
		p("The stack deploys no AWS Config rules.\n")
	} else {
		p("Each rule carries the catalogue control it checks and that control's FSBP ids as tags; " +
			"a NON_COMPLIANT evaluation notifies the audit topic.\n\n| Rule | Identifier | Control | FSBP |\n|---|---|---|---|\n")
		for _, cr := range b.ConfigRules {
			p("| `%s` | `%s` | %s | %s |\n", cr.Name, cr.Identifier, cr.Control, dash(cr.FSBP))
		}
	}

	p("\n## Verifying the CloudTrail digest files\n\n")
	t := b.CloudTrail
	if !t.Present {
		p("The stack has no audit trail (no `auditTrailArn` output).\n")
	} else {
		p("Trail `%s` records every region's management events and the object-level events of the data and model buckets. "+
			"It delivers log files to `s3://%s/%s/AWSLogs/%s/CloudTrail/<region>/` and, every hour, a digest file to `s3://%s/%s<...>` "+
			"(the same path with another region's name for every other region), and a copy of every event to the log group `%s`.\n\n",
			t.TrailArn, t.Bucket, t.LogPrefix, t.Account, t.Bucket, t.DigestPrefix, t.LogGroup)
		p("- Each digest file lists the SHA-256 hash of every log file delivered in its hour and is signed by CloudTrail " +
			"(SHA-256 with RSA, with a key pair of the region); each names the previous digest file and its signature, " +
			"so the digests form a chain, and a deleted, altered or inserted log or digest file breaks it.\n")
		if t.RetentionDays > 0 {
			p("- The bucket keeps every file under S3 Object Lock in %s mode for %d days: no one, not even the account's root user, "+
				"can delete or overwrite a version or shorten its retention before then.\n", t.ObjectLockMode, t.RetentionDays)
		}
		p("\nTo verify every log and digest file delivered since the release, with read access to the bucket and the logs key:\n\n")
		p("```sh\n%s\n```\n\n", t.ValidateCommand)
		p("It reports, per digest and log file, valid, invalid (altered) or not found (deleted). To see a file's lock:\n\n")
		p("```sh\naws s3api get-object-retention --bucket %s --key <key of a log or digest file>\n```\n\n", t.Bucket)
		p("The answer names mode %s and the date until which the file is retained. The digest files' public keys, to verify a "+
			"signature by hand, come from `aws cloudtrail list-public-keys --start-time <the digest's time>`.\n", dash(t.ObjectLockMode))
	}

	p("\n## Resources\n\n")
	p("The stack's %d AWS resources, as deployed, each with the controls that inspect it and the values of the properties that prove them "+
		"(secret values are shown as `[secret]`).\n", len(b.Resources))
	for _, res := range b.Resources {
		p("\n### %s `%s`\n\n", res.Type, res.Name)
		p("- URN: `%s`\n", res.URN)
		if res.ID != "" {
			p("- Id: `%s`\n", res.ID)
		}
		p("- Protected: %s%s\n", yesNo(res.Protect, "yes", "no"), yesNo(res.RetainOnDelete, "; retained on delete", ""))
		p("- Controls: %s\n", dash(strings.Join(res.Controls, ", ")))
		if len(res.Properties) > 0 {
			pretty, _ := json.MarshalIndent(res.Properties, "", "  ")
			p("\n```json\n%s\n```\n", pretty)
		}
	}
	return []byte(w.String())
}

func stackFileNote(r ReleaseEvidence) string {
	if r.StackFileMatches {
		return "the stack file of " + r.StackFileSource + " is that file"
	}
	return "the stack file of " + r.StackFileSource + " is NOT that file (SHA-256 " + r.StackFileSHA256 + ")"
}

func sources(c CatalogueEvidence) string {
	var out []string
	for _, env := range c.Environments {
		out = append(out, env+" from the "+c.ConfigSources[env])
	}
	return strings.Join(out, ", ")
}

func counts(m map[string]int, prefix string) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%d %s%s", m[k], prefix, k))
	}
	return strings.Join(out, ", ")
}

// findingRows writes a release's recorded findings of one operation as
// table rows, with a row for the ones the record left out; it returns how
// many rows it wrote.
func findingRows(w *strings.Builder, operation string, fs []factory.FindingRecord, omitted int) int {
	for _, f := range fs {
		resource := "the stack"
		if f.Resource != "" {
			resource = fmt.Sprintf("`%s` (%s)", f.Resource, dash(f.Type))
		}
		fmt.Fprintf(w, "| %s | %s | `%s` | %s |\n", operation, f.Level, f.Policy, resource)
	}
	if omitted > 0 {
		fmt.Fprintf(w, "| %s | - | %d more distinct findings | not kept in the record (at most %d are) |\n", operation, omitted, factory.MaxRecordedFindings)
		return len(fs) + 1
	}
	return len(fs)
}

func findings(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	return counts(m, "")
}

func settings(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		b, _ := json.Marshal(m[k])
		out = append(out, fmt.Sprintf("`%s` = `%s`", k, b))
	}
	return strings.Join(out, ", ")
}

func code(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
