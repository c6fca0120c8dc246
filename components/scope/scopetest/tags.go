package scopetest

import (
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

// TeamTags are the required tags of a team's resources in the canonical
// dev scope, as the stack's provider defaults and tag enforcement carry
// them for that team.
func TeamTags(team string) tagging.Set {
	return TeamTagsIn("dev", team)
}

// TeamTagsIn are a team's required tags in an environment.
func TeamTagsIn(environment, team string) tagging.Set {
	return tagging.Set{
		tagkeys.Team: team, tagkeys.Project: "aifactory", tagkeys.CostCenter: "CC-" + team,
		tagkeys.Environment: environment, tagkeys.DataClassification: "confidential", tagkeys.Owner: team + "@aifactory.example",
	}
}
