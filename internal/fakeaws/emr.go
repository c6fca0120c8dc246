package fakeaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Cluster is an EMR cluster.
type Cluster struct {
	ID        string
	Name      string
	State     string
	Created   time.Time
	Protected bool
	Tags      Tags
	// Instances are the cluster's running nodes.
	Instances []Instance
}

// Instance is a node of a cluster.
type Instance struct {
	Type string
	// Market is ON_DEMAND or SPOT.
	Market string
}

// ARN is the cluster's ARN.
func (c *Cluster) ARN() string {
	return fmt.Sprintf("arn:aws:elasticmapreduce:%s:%s:cluster/%s", Region, Account, c.ID)
}

func (s *Server) findCluster(id string) *Cluster {
	for _, c := range s.Clusters {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func clusterStatus(c *Cluster) map[string]any {
	return map[string]any{"State": c.State, "Timeline": map[string]any{"CreationDateTime": epoch(c.Created)}}
}

func (s *Server) emrOps() map[string]jsonOp {
	return map[string]jsonOp{
		"ListClusters": {perform: func(in map[string]any) (any, *Fault) {
			states := strs(in, "ClusterStates")
			var out []map[string]any
			for _, c := range s.Clusters {
				if len(states) > 0 && !slices.Contains(states, c.State) {
					continue
				}
				out = append(out, map[string]any{"Id": c.ID, "Name": c.Name, "ClusterArn": c.ARN(), "Status": clusterStatus(c)})
			}
			// EMR pages with Marker, not NextToken.
			in2 := map[string]any{"NextToken": in["Marker"]}
			page := pageOf(in2, out, "Clusters")
			if tok, ok := page["NextToken"]; ok {
				delete(page, "NextToken")
				page["Marker"] = tok
			}
			return page, nil
		}},
		"DescribeCluster": {target: func(in map[string]any) string { return str(in, "ClusterId") }, perform: func(in map[string]any) (any, *Fault) {
			c := s.findCluster(str(in, "ClusterId"))
			if c == nil {
				return nil, &Fault{Code: "InvalidRequestException", Message: "Cluster id '" + str(in, "ClusterId") + "' is not valid."}
			}
			return map[string]any{"Cluster": map[string]any{"Id": c.ID, "Name": c.Name, "ClusterArn": c.ARN(), "Status": clusterStatus(c),
				"TerminationProtected": c.Protected, "Tags": c.Tags.list()}}, nil
		}},
		"ListInstances": {target: func(in map[string]any) string { return str(in, "ClusterId") }, perform: func(in map[string]any) (any, *Fault) {
			c := s.findCluster(str(in, "ClusterId"))
			if c == nil {
				return nil, &Fault{Code: "InvalidRequestException", Message: "Cluster id is not valid."}
			}
			out := []map[string]any{}
			for i, n := range c.Instances {
				out = append(out, map[string]any{"Id": fmt.Sprintf("ci-%s-%d", c.ID, i), "InstanceType": n.Type, "Market": n.Market,
					"Status": map[string]any{"State": "RUNNING"}})
			}
			return map[string]any{"Instances": out}, nil
		}},
		"TerminateJobFlows": {target: func(in map[string]any) string {
			ids := strs(in, "JobFlowIds")
			if len(ids) == 1 {
				return ids[0]
			}
			b, _ := json.Marshal(ids)
			return string(b)
		}, perform: func(in map[string]any) (any, *Fault) {
			for _, id := range strs(in, "JobFlowIds") {
				c := s.findCluster(id)
				if c == nil {
					return nil, &Fault{Code: "ValidationException", Message: "unknown cluster " + id}
				}
				if c.Protected {
					return nil, &Fault{Code: "ValidationException", Message: "Could not shut down one or more job flows since they are termination protected."}
				}
				if c.State != "TERMINATED" {
					c.State = "TERMINATING"
				}
			}
			return map[string]any{}, nil
		}},
	}
}

func (s *Server) costExplorerOps() map[string]jsonOp {
	return map[string]jsonOp{
		"GetCostAndUsage": {perform: func(in map[string]any) (any, *Fault) {
			if len(s.CostAndUsage) == 0 {
				return nil, &Fault{Code: "DataUnavailableException", Message: "no recorded response"}
			}
			// The first page answers a request without a token: the
			// first recorded response whose GroupDefinitions are the
			// request's GroupBy, as Cost Explorer echoes them. Each later
			// page answers the token its predecessor returned.
			token := str(in, "NextPageToken")
			if token == "" {
				want, _ := json.Marshal(in["GroupBy"])
				for _, r := range s.CostAndUsage {
					var page struct{ GroupDefinitions any }
					if err := json.Unmarshal([]byte(r), &page); err != nil {
						continue
					}
					if got, _ := json.Marshal(page.GroupDefinitions); string(got) == string(want) {
						return json.RawMessage(r), nil
					}
				}
				return nil, &Fault{Code: "DataUnavailableException", Message: "no recorded response grouped by " + string(want)}
			}
			for i := 0; i+1 < len(s.CostAndUsage); i++ {
				var page struct{ NextPageToken string }
				if err := json.Unmarshal([]byte(s.CostAndUsage[i]), &page); err == nil && page.NextPageToken == token {
					return json.RawMessage(s.CostAndUsage[i+1]), nil
				}
			}
			return nil, &Fault{Code: "InvalidNextTokenException", Message: "unknown NextPageToken " + token}
		}},
	}
}
