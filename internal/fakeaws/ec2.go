package fakeaws

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Volume is an EBS volume.
type Volume struct {
	ID      string
	AZ      string
	Type    string
	SizeGiB int
	// State is available (unattached), in-use, deleting or deleted.
	State   string
	Created time.Time
	Tags    Tags
}

// Snapshot is an EBS snapshot.
type Snapshot struct {
	ID       string
	VolumeID string
	// State is pending or completed.
	State   string
	Started time.Time
	Tags    Tags
}

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

func (s *Server) serveEC2(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeEC2Error(w, &Fault{Code: "InvalidParameterValue", Message: err.Error()})
		return
	}
	form := r.PostForm
	op := form.Get("Action")
	if form.Get("Version") != "2016-11-15" {
		writeEC2Error(w, &Fault{Code: "InvalidParameterValue", Message: "unsupported Version " + form.Get("Version")})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		body   string
		fault  *Fault
		target = form.Get("VolumeId")
	)
	if f := s.before("ec2", op, target, "RequestLimitExceeded"); f != nil {
		writeEC2Error(w, f)
		return
	}
	switch op {
	case "DescribeVolumes":
		body, fault = s.describeVolumes(form)
	case "DescribeSnapshots":
		body, fault = s.describeSnapshots(form)
	case "CreateSnapshot":
		body, fault = s.createSnapshot(form)
	case "DeleteVolume":
		body, fault = s.deleteVolume(form)
	default:
		fault = &Fault{Code: "InvalidAction", Message: "fakeaws does not implement " + op}
	}
	if fault != nil {
		s.calls[len(s.calls)-1].Error = fault.Code
		writeEC2Error(w, fault)
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<%[1]sResponse xmlns="%[2]s"><requestId>%[3]s</requestId>%[4]s</%[1]sResponse>`, op, ec2Namespace, s.nextID("req"), body)
}

func writeEC2Error(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, esc(f.Code), esc(f.Message))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// filters reads Filter.N.Name / Filter.N.Value.M into name → values.
func filters(form url.Values) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := form.Get(fmt.Sprintf("Filter.%d.Name", i))
		if name == "" {
			return out
		}
		for j := 1; ; j++ {
			v, ok := form[fmt.Sprintf("Filter.%d.Value.%d", i, j)]
			if !ok {
				break
			}
			out[name] = append(out[name], v...)
		}
	}
}

// matches applies the EC2 filters the fake understands: status, volume-id
// and tag:<key>. An unknown filter is an error, so a caller relying on one
// the fake ignores fails loudly.
func matches(f map[string][]string, status, volumeID string, tags Tags) (bool, *Fault) {
	for name, values := range f {
		switch {
		case name == "status":
			if !slices.Contains(values, status) {
				return false, nil
			}
		case name == "volume-id":
			if !slices.Contains(values, volumeID) {
				return false, nil
			}
		case strings.HasPrefix(name, "tag:"):
			v, ok := tags[strings.TrimPrefix(name, "tag:")]
			if !ok || !slices.Contains(values, v) {
				return false, nil
			}
		case name == "tag-key":
			found := false
			for _, k := range values {
				if _, ok := tags[k]; ok {
					found = true
				}
			}
			if !found {
				return false, nil
			}
		default:
			return false, &Fault{Code: "InvalidParameterValue", Message: "fakeaws does not support filter " + name}
		}
	}
	return true, nil
}

func tagSet(t Tags) string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("<tagSet>")
	for _, k := range keys {
		fmt.Fprintf(&b, "<item><key>%s</key><value>%s</value></item>", esc(k), esc(t[k]))
	}
	b.WriteString("</tagSet>")
	return b.String()
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) describeVolumes(form url.Values) (string, *Fault) {
	f := filters(form)
	var items []string
	for _, v := range s.Volumes {
		if v.State == "deleted" {
			continue
		}
		ok, fault := matches(f, v.State, v.ID, v.Tags)
		if fault != nil {
			return "", fault
		}
		if !ok {
			continue
		}
		attachments := "<attachmentSet/>"
		if v.State == "in-use" {
			attachments = fmt.Sprintf("<attachmentSet><item><volumeId>%s</volumeId><instanceId>i-0abc</instanceId><device>/dev/xvdf</device><status>attached</status></item></attachmentSet>", v.ID)
		}
		items = append(items, fmt.Sprintf("<item><volumeId>%s</volumeId><size>%d</size><availabilityZone>%s</availabilityZone><status>%s</status><createTime>%s</createTime><volumeType>%s</volumeType><encrypted>true</encrypted>%s%s</item>",
			v.ID, v.SizeGiB, v.AZ, v.State, ts(v.Created), v.Type, attachments, tagSet(v.Tags)))
	}
	start := 0
	if tok := form.Get("NextToken"); tok != "" {
		_, _ = fmt.Sscanf(tok, "page-%d", &start)
	}
	start = min(start, len(items))
	end := min(start+PageSize, len(items))
	next := ""
	if end < len(items) {
		next = fmt.Sprintf("<nextToken>page-%d</nextToken>", end)
	}
	return "<volumeSet>" + strings.Join(items[start:end], "") + "</volumeSet>" + next, nil
}

func snapshotXML(sn *Snapshot, size int) string {
	return fmt.Sprintf("<snapshotId>%s</snapshotId><volumeId>%s</volumeId><status>%s</status><startTime>%s</startTime><progress>%s</progress><ownerId>%s</ownerId><volumeSize>%d</volumeSize><encrypted>true</encrypted>%s",
		sn.ID, sn.VolumeID, sn.State, ts(sn.Started), map[bool]string{true: "100%", false: "0%"}[sn.State == "completed"], Account, size, tagSet(sn.Tags))
}

func (s *Server) volume(id string) *Volume {
	for _, v := range s.Volumes {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (s *Server) describeSnapshots(form url.Values) (string, *Fault) {
	f := filters(form)
	var b strings.Builder
	b.WriteString("<snapshotSet>")
	for _, sn := range s.Snapshots {
		ok, fault := matches(f, sn.State, sn.VolumeID, sn.Tags)
		if fault != nil {
			return "", fault
		}
		if !ok {
			continue
		}
		size := 0
		if v := s.volume(sn.VolumeID); v != nil {
			size = v.SizeGiB
		}
		b.WriteString("<item>" + snapshotXML(sn, size) + "</item>")
	}
	b.WriteString("</snapshotSet>")
	return b.String(), nil
}

func (s *Server) createSnapshot(form url.Values) (string, *Fault) {
	v := s.volume(form.Get("VolumeId"))
	if v == nil || v.State == "deleted" {
		return "", &Fault{Code: "InvalidVolume.NotFound", Message: "The volume '" + form.Get("VolumeId") + "' does not exist."}
	}
	tags := Tags{}
	for i := 1; ; i++ {
		typ := form.Get(fmt.Sprintf("TagSpecification.%d.ResourceType", i))
		if typ == "" {
			break
		}
		for j := 1; ; j++ {
			k := form.Get(fmt.Sprintf("TagSpecification.%d.Tag.%d.Key", i, j))
			if k == "" {
				break
			}
			tags[k] = form.Get(fmt.Sprintf("TagSpecification.%d.Tag.%d.Value", i, j))
		}
	}
	state := "pending"
	if s.CompleteSnapshots {
		state = "completed"
	}
	sn := &Snapshot{ID: s.nextID("snap"), VolumeID: v.ID, State: state, Started: time.Now().UTC(), Tags: tags}
	s.Snapshots = append(s.Snapshots, sn)
	return snapshotXML(sn, v.SizeGiB), nil
}

// FinishSnapshots marks every pending snapshot completed.
func (s *Server) FinishSnapshots() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sn := range s.Snapshots {
		sn.State = "completed"
	}
}

func (s *Server) deleteVolume(form url.Values) (string, *Fault) {
	v := s.volume(form.Get("VolumeId"))
	switch {
	case v == nil || v.State == "deleted":
		return "", &Fault{Code: "InvalidVolume.NotFound", Message: "The volume '" + form.Get("VolumeId") + "' does not exist."}
	case v.State == "in-use":
		return "", &Fault{Code: "VolumeInUse", Message: "Volume " + v.ID + " is currently attached"}
	}
	v.State = "deleted"
	return "<return>true</return>", nil
}

func (s *Server) serveSNS(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeQueryError(w, &Fault{Code: "InvalidParameter", Message: err.Error()})
		return
	}
	form := r.PostForm
	op := form.Get("Action")
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.before("sns", op, form.Get("TopicArn"), "Throttling"); f != nil {
		writeQueryError(w, f)
		return
	}
	if op != "Publish" || form.Get("Version") != "2010-03-31" {
		s.calls[len(s.calls)-1].Error = "InvalidAction"
		writeQueryError(w, &Fault{Code: "InvalidAction", Message: "fakeaws does not implement " + op})
		return
	}
	if form.Get("TopicArn") == "" || form.Get("Message") == "" {
		s.calls[len(s.calls)-1].Error = "InvalidParameter"
		writeQueryError(w, &Fault{Code: "InvalidParameter", Message: "TopicArn and Message are required"})
		return
	}
	s.Messages = append(s.Messages, Message{TopicArn: form.Get("TopicArn"), Subject: form.Get("Subject"), Body: form.Get("Message")})
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>%s</MessageId></PublishResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></PublishResponse>`,
		s.nextID("msg"), s.nextID("req"))
}

func writeQueryError(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, esc(f.Code), esc(f.Message))
}
