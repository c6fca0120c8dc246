package rules_test

import (
	"testing"

	"github.com/aifactory/platform/policy/rules"
)

func TestTagsControls(t *testing.T) { runCases(t, tagCases()) }

// tagCases are the cases of the Tags category: Tag controls: required-tags and ttl-tag (tags.go).
func tagCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	// required-tags
	add(
		controlCase{control: "required-tags", name: "tags from provider defaults in tagsAll", want: pass,
			resources: one(res(tBucketV2, "data", map[string]any{"tagsAll": fullTags()}))},
		controlCase{control: "required-tags", name: "own tags", want: pass,
			resources: one(res(tLogGroup, "logs", map[string]any{"tags": fullTags()}))},
		controlCase{control: "required-tags", name: "untaggable type without tags", want: pass,
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": "b"}))},
		controlCase{control: "required-tags", name: "components are not AWS resources", want: pass,
			resources: one(res("aifactory:data:Perimeter", "data", nil))},
		controlCase{control: "required-tags", name: "untagged bucket", want: violation, contains: "team, project, cost-center, environment, data-classification, owner",
			resources: one(res(tBucketV2, "data", nil))},
		controlCase{control: "required-tags", name: "blank and missing keys", want: violation, contains: "team, owner",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(without(fullTags(), "owner"), "team", "  ")}))},
		controlCase{control: "required-tags", name: "environment of another stack", want: violation, contains: `tag "environment" is "prod" but this stack's environment is "dev"`,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(fullTags(), "environment", "prod")}))},
		controlCase{control: "required-tags", name: "own tag wins over the default", want: violation, contains: `"prod"`,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": map[string]any{"environment": "prod"}, "tagsAll": fullTags()}))},
		controlCase{control: "required-tags", name: "configured keys", want: violation, contains: "expires-at",
			settings:  func(s *rules.Settings) { s.RequiredTagKeys = append(s.RequiredTagKeys, "expires-at") },
			resources: one(res(tBucketV2, "data", map[string]any{"tags": fullTags()}))},
		controlCase{control: "required-tags", name: "tags computed", want: unverified, contains: "tags is computed",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": computed, "tagsAll": computed}))},
		controlCase{control: "required-tags", name: "one value computed", want: unverified, contains: "tags.owner",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(fullTags(), "owner", computed)}))},
	)

	// ttl-tag
	add(
		controlCase{control: "ttl-tag", name: "expires-at time", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", "2030-01-31T18:00:00Z")}))},
		controlCase{control: "ttl-tag", name: "expires-at date from default tags", want: pass,
			resources: one(res(tSpace, "lab", map[string]any{"tagsAll": with(fullTags(), "expires-at", "2030-01-31")}))},
		controlCase{control: "ttl-tag", name: "long-lived types need none", want: pass,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": fullTags()}))},
		controlCase{control: "ttl-tag", name: "missing", want: violation, contains: `without an "expires-at" tag`,
			resources: one(res(tCluster, "spark", map[string]any{"tags": fullTags()}))},
		controlCase{control: "ttl-tag", name: "not a time", want: violation, contains: "not an RFC 3339",
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", "next tuesday")}))},
		controlCase{control: "ttl-tag", name: "computed", want: unverified, contains: "expires-at",
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", computed)}))},
	)
	return cases
}
