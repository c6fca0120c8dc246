package fakeaws

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Domain is a SageMaker Studio domain.
type Domain struct {
	ID   string
	Name string
	Tags Tags
}

// ARN is the domain's ARN.
func (d *Domain) ARN() string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:domain/%s", Region, Account, d.ID)
}

// App is a Studio app of a user profile or a space.
type App struct {
	DomainID     string
	UserProfile  string
	Space        string
	Type         string
	Name         string
	Status       string
	InstanceType string
	Created      time.Time
	LastActivity time.Time
	Tags         Tags
}

// ARN is the app's ARN.
func (a *App) ARN() string {
	owner := a.UserProfile
	if a.Space != "" {
		owner = a.Space
	}
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:app/%s/%s/%s/%s", Region, Account, a.DomainID, owner, strings.ToLower(a.Type), a.Name)
}

// Space is a Studio space.
type Space struct {
	DomainID string
	Name     string
	Status   string
	Created  time.Time
	Tags     Tags
}

// ARN is the space's ARN.
func (sp *Space) ARN() string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:space/%s/%s", Region, Account, sp.DomainID, sp.Name)
}

// Endpoint is a SageMaker real-time endpoint with one production variant.
type Endpoint struct {
	Name          string
	Status        string
	ConfigName    string
	InstanceType  string
	InstanceCount int
	Created       time.Time
	Tags          Tags
}

// ARN is the endpoint's ARN.
func (e *Endpoint) ARN() string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:endpoint/%s", Region, Account, strings.ToLower(e.Name))
}

// Notebook is a SageMaker notebook instance.
type Notebook struct {
	Name         string
	Status       string
	InstanceType string
	Created      time.Time
	Tags         Tags
}

// ARN is the notebook instance's ARN.
func (n *Notebook) ARN() string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:notebook-instance/%s", Region, Account, strings.ToLower(n.Name))
}

// appKey identifies an app in DeleteApp/DescribeApp requests.
func appKey(in map[string]any) string {
	owner := str(in, "UserProfileName")
	if sp := str(in, "SpaceName"); sp != "" {
		owner = sp
	}
	return strings.Join([]string{str(in, "DomainId"), owner, str(in, "AppType"), str(in, "AppName")}, "/")
}

func (a *App) key() string {
	owner := a.UserProfile
	if a.Space != "" {
		owner = a.Space
	}
	return strings.Join([]string{a.DomainID, owner, a.Type, a.Name}, "/")
}

func (s *Server) findApp(in map[string]any) *App {
	k := appKey(in)
	for _, a := range s.Apps {
		if a.key() == k && a.Status != "Deleted" {
			return a
		}
	}
	return nil
}

func (s *Server) taggable(arn string) (Tags, bool) {
	for _, d := range s.Domains {
		if d.ARN() == arn {
			return d.Tags, true
		}
	}
	for _, a := range s.Apps {
		if a.ARN() == arn {
			return a.Tags, true
		}
	}
	for _, sp := range s.Spaces {
		if sp.ARN() == arn {
			return sp.Tags, true
		}
	}
	for _, e := range s.Endpoints {
		if e.ARN() == arn {
			return e.Tags, true
		}
	}
	for _, n := range s.Notebooks {
		if n.ARN() == arn {
			return n.Tags, true
		}
	}
	return nil, false
}

func (s *Server) sageMakerOps() map[string]jsonOp {
	return map[string]jsonOp{
		"ListDomains": {perform: func(map[string]any) (any, *Fault) {
			var out []map[string]any
			for _, d := range s.Domains {
				out = append(out, map[string]any{"DomainArn": d.ARN(), "DomainId": d.ID, "DomainName": d.Name, "Status": "InService"})
			}
			return map[string]any{"Domains": out}, nil
		}},
		"ListApps": {perform: func(in map[string]any) (any, *Fault) {
			var out []map[string]any
			for _, a := range s.Apps {
				if d := str(in, "DomainIdEquals"); d != "" && a.DomainID != d {
					continue
				}
				if sp := str(in, "SpaceNameEquals"); sp != "" && a.Space != sp {
					continue
				}
				if a.Status == "Deleted" {
					continue
				}
				item := map[string]any{"AppName": a.Name, "AppType": a.Type, "DomainId": a.DomainID, "Status": a.Status,
					"CreationTime": epoch(a.Created), "ResourceSpec": map[string]any{"InstanceType": a.InstanceType}}
				if a.Space != "" {
					item["SpaceName"] = a.Space
				} else {
					item["UserProfileName"] = a.UserProfile
				}
				out = append(out, item)
			}
			return pageOf(in, out, "Apps"), nil
		}},
		"DescribeApp": {target: appKey, perform: func(in map[string]any) (any, *Fault) {
			a := s.findApp(in)
			if a == nil {
				return nil, notFound("app", appKey(in))
			}
			out := map[string]any{"AppArn": a.ARN(), "AppName": a.Name, "AppType": a.Type, "DomainId": a.DomainID, "Status": a.Status,
				"CreationTime": epoch(a.Created), "LastUserActivityTimestamp": epoch(a.LastActivity),
				"ResourceSpec": map[string]any{"InstanceType": a.InstanceType}}
			if a.Space != "" {
				out["SpaceName"] = a.Space
			} else {
				out["UserProfileName"] = a.UserProfile
			}
			return out, nil
		}},
		"DeleteApp": {target: appKey, perform: func(in map[string]any) (any, *Fault) {
			a := s.findApp(in)
			switch {
			case a == nil:
				return nil, notFound("app", appKey(in))
			case a.Status == "Deleting":
				return nil, &Fault{Code: "ResourceInUse", Message: "app is being deleted"}
			}
			a.Status = "Deleted"
			return map[string]any{}, nil
		}},
		"ListSpaces": {perform: func(in map[string]any) (any, *Fault) {
			var out []map[string]any
			for _, sp := range s.Spaces {
				if sp.Status == "Deleted" {
					continue
				}
				out = append(out, map[string]any{"DomainId": sp.DomainID, "SpaceName": sp.Name, "Status": sp.Status, "CreationTime": epoch(sp.Created)})
			}
			return pageOf(in, out, "Spaces"), nil
		}},
		"DescribeSpace": {target: spaceKey, perform: func(in map[string]any) (any, *Fault) {
			sp := s.findSpace(in)
			if sp == nil {
				return nil, notFound("space", spaceKey(in))
			}
			return map[string]any{"SpaceArn": sp.ARN(), "SpaceName": sp.Name, "DomainId": sp.DomainID, "Status": sp.Status, "CreationTime": epoch(sp.Created)}, nil
		}},
		"DeleteSpace": {target: spaceKey, perform: func(in map[string]any) (any, *Fault) {
			sp := s.findSpace(in)
			if sp == nil {
				return nil, notFound("space", spaceKey(in))
			}
			for _, a := range s.Apps {
				if a.DomainID == sp.DomainID && a.Space == sp.Name && a.Status != "Deleted" {
					return nil, &Fault{Code: "ResourceInUse", Message: "space " + sp.Name + " has apps that are not deleted"}
				}
			}
			sp.Status = "Deleted"
			return map[string]any{}, nil
		}},
		"ListEndpoints": {perform: func(in map[string]any) (any, *Fault) {
			var out []map[string]any
			for _, e := range s.Endpoints {
				if e.Status == "Deleted" {
					continue
				}
				out = append(out, map[string]any{"EndpointArn": e.ARN(), "EndpointName": e.Name, "EndpointStatus": e.Status, "CreationTime": epoch(e.Created), "LastModifiedTime": epoch(e.Created)})
			}
			return pageOf(in, out, "Endpoints"), nil
		}},
		"DescribeModelPackage": {target: func(in map[string]any) string { return str(in, "ModelPackageName") }, perform: s.describeModelPackage},
		"DescribeEndpoint": {target: func(in map[string]any) string { return str(in, "EndpointName") }, perform: func(in map[string]any) (any, *Fault) {
			e := s.findEndpoint(str(in, "EndpointName"))
			if e == nil {
				return nil, &Fault{Code: "ValidationException", Message: "Could not find endpoint " + str(in, "EndpointName")}
			}
			return map[string]any{"EndpointArn": e.ARN(), "EndpointName": e.Name, "EndpointStatus": e.Status, "EndpointConfigName": e.ConfigName,
				"CreationTime": epoch(e.Created), "LastModifiedTime": epoch(e.Created),
				"ProductionVariants": []any{map[string]any{"VariantName": "primary", "CurrentInstanceCount": e.InstanceCount}}}, nil
		}},
		"DescribeEndpointConfig": {target: func(in map[string]any) string { return str(in, "EndpointConfigName") }, perform: func(in map[string]any) (any, *Fault) {
			for _, e := range s.Endpoints {
				if e.ConfigName == str(in, "EndpointConfigName") {
					return map[string]any{"EndpointConfigName": e.ConfigName, "EndpointConfigArn": e.ARN() + "-config", "CreationTime": epoch(e.Created),
						"ProductionVariants": []any{map[string]any{"VariantName": "primary", "InstanceType": e.InstanceType, "InitialInstanceCount": e.InstanceCount}}}, nil
				}
			}
			return nil, &Fault{Code: "ValidationException", Message: "Could not find endpoint configuration"}
		}},
		"DeleteEndpoint": {target: func(in map[string]any) string { return str(in, "EndpointName") }, perform: func(in map[string]any) (any, *Fault) {
			e := s.findEndpoint(str(in, "EndpointName"))
			if e == nil {
				return nil, &Fault{Code: "ValidationException", Message: "Could not find endpoint " + str(in, "EndpointName")}
			}
			e.Status = "Deleted"
			return map[string]any{}, nil
		}},
		"ListNotebookInstances": {perform: func(in map[string]any) (any, *Fault) {
			var out []map[string]any
			for _, n := range s.Notebooks {
				if n.Status == "Deleted" {
					continue
				}
				out = append(out, map[string]any{"NotebookInstanceArn": n.ARN(), "NotebookInstanceName": n.Name, "NotebookInstanceStatus": n.Status,
					"InstanceType": n.InstanceType, "CreationTime": epoch(n.Created)})
			}
			return pageOf(in, out, "NotebookInstances"), nil
		}},
		"StopNotebookInstance": {target: notebookName, perform: func(in map[string]any) (any, *Fault) {
			n := s.findNotebook(notebookName(in))
			switch {
			case n == nil:
				return nil, &Fault{Code: "ValidationException", Message: "RecordNotFound"}
			case n.Status != "InService":
				return nil, &Fault{Code: "ValidationException", Message: "Status (" + n.Status + ") not in ([InService])"}
			}
			n.Status = "Stopped"
			return map[string]any{}, nil
		}},
		"DeleteNotebookInstance": {target: notebookName, perform: func(in map[string]any) (any, *Fault) {
			n := s.findNotebook(notebookName(in))
			switch {
			case n == nil:
				return nil, &Fault{Code: "ValidationException", Message: "RecordNotFound"}
			case !slices.Contains([]string{"Stopped", "Failed"}, n.Status):
				return nil, &Fault{Code: "ValidationException", Message: "Status (" + n.Status + ") not in ([Stopped, Failed])"}
			}
			n.Status = "Deleted"
			return map[string]any{}, nil
		}},
		"ListTags": {target: func(in map[string]any) string { return str(in, "ResourceArn") }, perform: func(in map[string]any) (any, *Fault) {
			tags, ok := s.taggable(str(in, "ResourceArn"))
			if !ok {
				return nil, &Fault{Code: "ValidationException", Message: "resource " + str(in, "ResourceArn") + " not found"}
			}
			return map[string]any{"Tags": tags.list()}, nil
		}},
	}
}

func spaceKey(in map[string]any) string { return str(in, "DomainId") + "/" + str(in, "SpaceName") }

func notebookName(in map[string]any) string { return str(in, "NotebookInstanceName") }

func (s *Server) findSpace(in map[string]any) *Space {
	for _, sp := range s.Spaces {
		if sp.DomainID == str(in, "DomainId") && sp.Name == str(in, "SpaceName") && sp.Status != "Deleted" {
			return sp
		}
	}
	return nil
}

func (s *Server) findEndpoint(name string) *Endpoint {
	for _, e := range s.Endpoints {
		if e.Name == name && e.Status != "Deleted" {
			return e
		}
	}
	return nil
}

func (s *Server) findNotebook(name string) *Notebook {
	for _, n := range s.Notebooks {
		if n.Name == name && n.Status != "Deleted" {
			return n
		}
	}
	return nil
}

// PageSize is how many items list calls return per page, so that the
// callers' pagination is exercised.
const PageSize = 2

// pageOf returns one page of items under key, with a NextToken when more follow.
func pageOf(in map[string]any, items []map[string]any, key string) map[string]any {
	if items == nil {
		items = []map[string]any{}
	}
	start := 0
	if tok := str(in, "NextToken"); tok != "" {
		_, _ = fmt.Sscanf(tok, "page-%d", &start)
	}
	end := min(start+PageSize, len(items))
	if start > len(items) {
		start = len(items)
	}
	out := map[string]any{key: items[start:end]}
	if end < len(items) {
		out["NextToken"] = fmt.Sprintf("page-%d", end)
	}
	return out
}
