package cost

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PlanFromDeployment reads the resources of a stack's exported deployment
// (`pulumi stack export`, or auto.Stack.Export's Deployment), which holds
// each resource's inputs and the dependencies of each input: the plan of a
// stack that is up. Resources pending deletion are left out.
func PlanFromDeployment(stack string, deployment []byte) (Plan, error) {
	var d struct {
		Resources []struct {
			URN          string              `json:"urn"`
			Type         string              `json:"type"`
			Inputs       map[string]any      `json:"inputs"`
			Delete       bool                `json:"delete"`
			PropertyDeps map[string][]string `json:"propertyDependencies"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(deployment, &d); err != nil {
		return Plan{}, fmt.Errorf("reading the deployment of stack %s: %w; pass the JSON of `pulumi stack export`", stack, err)
	}
	p := Plan{Stack: stack}
	for _, r := range d.Resources {
		if r.Delete {
			continue
		}
		p.Resources = append(p.Resources, Resource{Type: r.Type, Name: URNName(r.URN), URN: r.URN, Inputs: r.Inputs, Dependencies: r.PropertyDeps})
	}
	return p, nil
}

// URNName is the resource name at the end of a URN.
func URNName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}
