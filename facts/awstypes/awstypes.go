// Package awstypes holds facts about the AWS resource types of the
// pulumi-aws SDK the module pins, generated from that SDK: which types
// cannot carry tags. It is a leaf, read by the policy rules (required-tags
// exempts these types) and by the offline stand-in provider (which merges
// default tags only where AWS would), and it imports nothing of the module.
package awstypes

import "sort"

//go:generate go run ./internal/gentaggable -o untaggable.go

// IsUntaggable reports whether resources of the type cannot carry tags. The
// list is explicit (untaggable.go, generated from the pinned pulumi-aws SDK
// and checked against it by a test); any other AWS type carries tags.
func IsUntaggable(typ string) bool { return untaggableTypes[typ] }

// Untaggable lists the types without tags, sorted.
func Untaggable() []string {
	out := make([]string, 0, len(untaggableTypes))
	for t := range untaggableTypes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
