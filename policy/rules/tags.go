package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/aifactory/platform/facts/awstypes"
	"github.com/aifactory/platform/facts/tagkeys"
)

// ephemeralTypes are compute that clean-up removes after its expires-at time.
var ephemeralTypes = []string{
	"aws:emr/cluster:Cluster",
	"aws:sagemaker/space:Space",
	"aws:sagemaker/app:App",
}

// tagValue finds a tag's value: the resource's own tags win over tagsAll
// (provider default tags merged in by the provider), as in AWS.
func tagValue(r *Resource, key string) val {
	own := prop(r.Properties, "tags")
	if own.st == known {
		if v := own.get(key); v.st != absent {
			return v
		}
	}
	all := prop(r.Properties, "tagsAll")
	v := all.get(key)
	if v.st == absent && own.st == unknown {
		// The own tags may still bring the key.
		return val{st: unknown, path: "tags." + key}
	}
	return v
}

func checkRequiredTags(c *check, s *Settings) {
	if awstypes.IsUntaggable(c.r.Type) {
		return
	}
	if own, all := c.prop("tags"), c.prop("tagsAll"); own.st == unknown && all.st != known {
		// Every key waits for the same computed map.
		c.unverified(own)
		return
	}
	var missing []string
	for _, key := range s.RequiredTagKeys {
		v := tagValue(c.r, key)
		str, st := v.str()
		switch {
		case st == unknown:
			c.unverified(v)
		case st == absent || strings.TrimSpace(str) == "":
			missing = append(missing, key)
		case key == tagkeys.Environment && s.Environment != "" && str != s.Environment:
			c.violation(
				fmt.Sprintf("tag %q is %s but this stack's environment is %q", key, v.show(), s.Environment),
				fmt.Sprintf("set the tag to %q (the stack's aifactory:environment config sets it on every resource); a resource of another environment belongs in that environment's stack", s.Environment))
		}
	}
	if len(missing) > 0 {
		c.violation(
			fmt.Sprintf("required tag(s) %s missing or empty in tags and tagsAll", strings.Join(missing, ", ")),
			"set them in the resource's tags, or leave them to the stack's aifactory:tags config (provider default tags and the tagging transformation); "+
				"if this type cannot carry tags, regenerate the untaggable list of package awstypes (go generate ./facts/awstypes)")
	}
}

func checkTTLTag(c *check, _ *Settings) {
	v := tagValue(c.r, tagkeys.ExpiresAt)
	s, st := v.str()
	switch {
	case st == unknown:
		c.unverified(v)
	case st == absent || strings.TrimSpace(s) == "":
		c.violation(fmt.Sprintf("ephemeral compute without an %q tag", tagkeys.ExpiresAt),
			fmt.Sprintf("tag it %q with the RFC 3339 time after which clean-up may remove it, e.g. now plus the environment's TTL", tagkeys.ExpiresAt))
	case !validTime(s):
		c.violation(fmt.Sprintf("tag %q is not an RFC 3339 time or date", tagkeys.ExpiresAt),
			"write it like 2026-01-31T18:00:00Z or 2026-01-31")
	}
}

func validTime(s string) bool {
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
