package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Stack controls check relations between resources. The platform's
// buckets are split the way pulumi-aws v6 models them: a BucketV2 and
// separate encryption, public access block, versioning, lifecycle and policy
// resources that name it in their bucket property. A bucket complies only
// if each of these exists for it and is right.

// match says whether a sibling configures a given parent resource.
type match int

const (
	noMatch match = iota
	// maybeMatch: the sibling's reference is computed and carries no
	// dependency, so it may or may not name the parent.
	maybeMatch
	isMatch
)

// matchRef decides whether the property ref of sib names parent: by the
// engine's record of which resources the value came from (the parent's URN,
// for a reference to its id or name that is unknown during preview), or by
// comparing a known value with the parent's known name, id or ARN.
func matchRef(sib *Resource, ref string, parent *Resource) match {
	deps := sib.PropertyDependencies[ref]
	if slices.Contains(deps, parent.URN) {
		return isMatch
	}
	value, st := prop(sib.Properties, ref).str()
	switch st {
	case known:
		ids := identities(parent)
		if slices.Contains(ids, value) {
			return isMatch
		}
		if len(ids) == 0 {
			// The parent's name is not known yet (or not recorded), so a
			// literal name may still be its.
			return maybeMatch
		}
	case unknown:
		if len(deps) == 0 {
			return maybeMatch
		}
	}
	return noMatch
}

// identities are the known values by which other resources refer to r.
func identities(r *Resource) []string {
	var out []string
	for _, key := range []string{"id", "bucket", "arn"} {
		if s, st := prop(r.Properties, key).str(); st == known {
			out = append(out, s)
			if key == "arn" {
				// arn:aws:s3:::name: bucket references use the bare name.
				if _, name, ok := strings.Cut(s, ":::"); ok {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

// sibling describes a resource that must exist for each parent resource.
type sibling struct {
	kind string // what it is, for messages
	typ  string
	ref  string // the sibling's property naming the parent
	fix  string // how to add one
	// content checks a sibling that configures parent.
	content func(c *check, parent *Resource)
	// inline, when set, is the property of a legacy s3.Bucket that holds
	// the same configuration inline; inlineContent checks it. A separate
	// configuration resource, when there is one, overrides it.
	inline        string
	inlineContent func(c *check, v val, parent *Resource)
}

// requireSibling checks that every parent of the given types has a sibling
// that configures it (or, for a legacy bucket, the inline configuration),
// and checks the content of each sibling that does.
func (c *stackCheck) requireSibling(parentTypes []string, sib sibling) {
	siblings := c.idx.ofTypes(sib.typ)
	checked := map[string]bool{}
	for _, parent := range c.idx.ofTypes(parentTypes...) {
		var matched []*Resource
		maybe := false
		for _, s := range siblings {
			switch matchRef(s, sib.ref, parent) {
			case isMatch:
				matched = append(matched, s)
			case maybeMatch:
				maybe = true
			}
		}
		if len(matched) == 0 {
			on := c.on(parent)
			if sib.inline != "" && parent.Type == typeBucket {
				if v, set := inlineConfig(parent, sib.inline); set {
					if v.st == unknown {
						on.unverified(v)
					} else {
						sib.inlineContent(on, v, parent)
					}
					continue
				}
			}
			if maybe {
				*on.out = append(*on.out, Finding{
					Control: c.control, Verdict: Unverified, URN: parent.URN, Type: parent.Type, Name: parent.Name,
					Message: fmt.Sprintf("%s: whether a %s (%s) belongs to it is not known yet: a %s's %s is computed and records no dependency",
						subject(parent), sib.kind, shortType(sib.typ), shortType(sib.typ), sib.ref),
				})
				continue
			}
			problem := fmt.Sprintf("no %s (%s whose %s refers to it)", sib.kind, shortType(sib.typ), sib.ref)
			if sib.inline != "" && parent.Type == typeBucket {
				problem = fmt.Sprintf("no %s (neither %s inline nor a %s whose %s refers to it)", sib.kind, sib.inline, shortType(sib.typ), sib.ref)
			}
			on.violation(problem, sib.fix)
			continue
		}
		for _, s := range matched {
			if checked[s.URN] {
				continue
			}
			checked[s.URN] = true
			sib.content(c.on(s), parent)
		}
	}
}

// inlineConfig returns a legacy bucket's inline configuration and whether
// it is there. A computed value counts as there and is unverified: the
// provider computes these properties when the program leaves them out, so
// a preview may not know whether the program set them.
func inlineConfig(bucket *Resource, key string) (val, bool) {
	v := prop(bucket.Properties, key)
	return v, v.st != absent
}

var bucketTypes = []string{typeBucketV2, typeBucket}

func checkS3SSEKMS(c *stackCheck, _ *Settings) {
	c.requireSibling(bucketTypes, sibling{
		kind: "server-side encryption configuration", typ: typeBucketSSE, ref: "bucket",
		fix: "add s3.NewBucketServerSideEncryptionConfigurationV2 with bucket: the bucket's id, sseAlgorithm aws:kms, kmsMasterKeyId the data key and bucketKeyEnabled: true",
		content: func(sc *check, bucket *Resource) {
			rules := sc.prop("rules")
			items, st := rules.items()
			switch {
			case st == unknown:
				sc.unverified(rules)
				return
			case len(items) == 0:
				sc.violation("rules is empty", "add a rule with applyServerSideEncryptionByDefault {sseAlgorithm: aws:kms, kmsMasterKeyId} and bucketKeyEnabled: true")
				return
			}
			c.sseRule(sc, items[0], bucket)
		},
		inline: "serverSideEncryptionConfiguration",
		inlineContent: func(bc *check, v val, bucket *Resource) {
			c.sseRule(bc, v.get("rule"), bucket)
		},
	})
}

// sseRule checks one encryption rule: applyServerSideEncryptionByDefault
// and bucketKeyEnabled, as the V2 configuration and the legacy inline
// configuration both carry them.
func (c *stackCheck) sseRule(sc *check, rule val, bucket *Resource) {
	byDefault := rule.get("applyServerSideEncryptionByDefault")
	algorithm := byDefault.get("sseAlgorithm")
	alg, st := algorithm.str()
	switch {
	case st == unknown:
		sc.unverified(algorithm)
	case alg == "aws:kms" || alg == "aws:kms:dsse":
		sc.requireKey(byDefault.get("kmsMasterKeyId"), "set "+byDefault.path+".kmsMasterKeyId to the data key; "+keyFix)
		if alg == "aws:kms" {
			sc.requireTrue(rule.get("bucketKeyEnabled"), "bucketKeyEnabled is not true, so every object costs a KMS request",
				"set "+rule.path+".bucketKeyEnabled: true")
		}
	case alg == "AES256" && c.logTarget(bucket) == isMatch:
		// S3 server access log delivery supports only SSE-S3 on the
		// target bucket; SSE-KMS there makes delivery fail. The logs
		// hold request metadata, and the bucket keeps every other control.
	case alg == "AES256" && c.logTarget(bucket) == maybeMatch:
		sc.unverified(c.idx.loggingRefs(bucket))
	default:
		sc.violation("the bucket is not encrypted with a customer-managed KMS key (sseAlgorithm is not aws:kms); "+
			"only a server access log target bucket may use SSE-S3 (AES256), because S3 log delivery supports nothing else",
			"set "+byDefault.path+".sseAlgorithm: aws:kms with kmsMasterKeyId the data key")
	}
}

// logTarget says whether the bucket receives S3 server access logs: an
// s3.BucketLoggingV2, or the inline loggings of a legacy s3.Bucket, names
// it as the target bucket.
func (c *stackCheck) logTarget(bucket *Resource) match {
	best := noMatch
	for _, l := range c.idx.ofTypes(typeBucketLogging) {
		best = max(best, matchRef(l, "targetBucket", bucket))
	}
	for _, b := range c.idx.ofTypes(typeBucket) {
		best = max(best, inlineLogTarget(b, bucket))
	}
	return best
}

// inlineLogTarget matches the targets of a legacy bucket's inline loggings.
func inlineLogTarget(source, bucket *Resource) match {
	loggings := prop(source.Properties, "loggings")
	items, st := loggings.items()
	if st == unknown {
		if slices.Contains(source.PropertyDependencies["loggings"], bucket.URN) {
			return isMatch
		}
		return maybeMatch
	}
	best := noMatch
	ids := identities(bucket)
	for _, l := range items {
		target, st := l.get("targetBucket").str()
		switch {
		case st == known && slices.Contains(ids, target):
			return isMatch
		case st == known && len(ids) == 0:
			// The bucket's name is not known yet, so it may be this one.
			best = maybeMatch
		case st == unknown && slices.Contains(source.PropertyDependencies["loggings"], bucket.URN):
			return isMatch
		case st == unknown:
			best = maybeMatch
		}
	}
	return best
}

// loggingRefs is the value to report when it is unknown which bucket a
// logging configuration writes to.
func (idx *index) loggingRefs(bucket *Resource) val {
	for _, l := range idx.ofTypes(typeBucketLogging) {
		if matchRef(l, "targetBucket", bucket) == maybeMatch {
			return val{st: unknown, path: fmt.Sprintf("targetBucket (of %s %q)", shortType(l.Type), l.Name)}
		}
	}
	for _, b := range idx.ofTypes(typeBucket) {
		if inlineLogTarget(b, bucket) == maybeMatch {
			return val{st: unknown, path: fmt.Sprintf("loggings (of %s %q)", shortType(b.Type), b.Name)}
		}
	}
	return val{st: unknown, path: "targetBucket"}
}

func checkS3PublicAccessBlock(c *stackCheck, _ *Settings) {
	c.requireSibling(bucketTypes, sibling{
		kind: "public access block", typ: typeBucketPAB, ref: "bucket",
		fix: "add s3.NewBucketPublicAccessBlock with bucket: the bucket's id and all four blocks true",
		content: func(c *check, _ *Resource) {
			for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				c.requireTrue(c.prop(flag), flag+" is not true", "set "+flag+": true")
			}
		},
	})
}

func checkS3TLSOnly(c *stackCheck, _ *Settings) {
	c.requireSibling(bucketTypes, sibling{
		kind: "bucket policy", typ: typeBucketPolicy, ref: "bucket",
		fix:     "add s3.NewBucketPolicy with a statement denying s3:* when aws:SecureTransport is false (data perimeter component)",
		content: func(c *check, _ *Resource) { tlsOnly(c, c.prop("policy")) },
		inline:  "policy",
		inlineContent: func(c *check, policy val, _ *Resource) {
			tlsOnly(c, policy)
		},
	})
}

// tlsOnly checks that a bucket policy denies requests without TLS.
func tlsOnly(c *check, policy val) {
	stmts, st, ok := parsePolicy(policy)
	switch {
	case st == unknown:
		c.unverified(policy)
		return
	case st == absent || !ok:
		c.violation("policy is not a valid bucket policy document", "build it with iamdoc and marshal it")
		return
	}
	if !slices.ContainsFunc(stmts, statement.deniesInsecureTransport) {
		c.violation("the bucket policy does not deny requests without TLS",
			"add {Effect: Deny, Principal: *, Action: s3:*, Resource: [bucket ARN, bucket ARN/*], Condition: {Bool: {aws:SecureTransport: false}}}")
	}
}

func checkVPCFlowLogs(c *stackCheck, _ *Settings) {
	c.requireSibling([]string{typeVpc}, sibling{
		kind: "flow log", typ: typeFlowLog, ref: "vpcId",
		fix: "add ec2.NewFlowLog with vpcId: the VPC's id, trafficType ALL and a KMS-encrypted log group (network component)",
		content: func(c *check, _ *Resource) {
			c.requireEqual(c.prop("trafficType"), "the flow log does not record ALL traffic", "set trafficType: ALL", "ALL")
			if c.prop("logDestination").st == absent && c.prop("logGroupName").st == absent {
				c.violation("the flow log has no destination", "set logDestination to the flow log group's ARN")
			}
		},
	})
}

func checkECSSeparateRoles(c *stackCheck, _ *Settings) {
	for _, td := range c.idx.ofTypes(typeTaskDefinition) {
		on := c.on(td)
		task, exec := prop(td.Properties, "taskRoleArn"), prop(td.Properties, "executionRoleArn")
		if task.st == absent || exec.st == absent {
			continue
		}
		t, tst := task.str()
		e, est := exec.str()
		if tst == known && est == known {
			if t == e {
				on.violation("taskRoleArn and executionRoleArn are the same role, so the application gets the agent's image and log permissions",
					"give the task its own role (the data and API access it needs) and keep the execution role for pulling images and writing logs")
			}
			continue
		}
		dt, de := td.PropertyDependencies["taskRoleArn"], td.PropertyDependencies["executionRoleArn"]
		switch {
		case tst == unknown && est == unknown && len(dt) > 0 && len(de) > 0 && !overlaps(dt, de):
			// Different roles, whatever their ARNs turn out to be.
		case tst == unknown && est == unknown && len(dt) == 1 && len(de) == 1 && dt[0] == de[0] && typeOfURN(dt[0]) == typeRole:
			on.violation("taskRoleArn and executionRoleArn come from the same role",
				"give the task its own role and keep the execution role for pulling images and writing logs")
		default:
			on.unverified(task)
		}
	}
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}
