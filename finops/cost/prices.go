package cost

// The price table: AWS list prices for one region, dated and sourced.
//
// Every figure below is a public on-demand list price in USD for EU
// (Ireland), eu-west-1, Linux, as known on the table's date (AsOf), from
// the sources listed; check a figure against its source (or the AWS Price
// List API) before relying on it for a purchase. Spot discounts are the typical saving over
// on-demand that the EC2 Spot Instance Advisor shows for the family in the
// region; real Spot prices move hourly, so the model uses the typical value,
// never a live quote. Prices change: refresh the table (and its AsOf date)
// from the sources, then run the tests, which pin the figures the README
// shows. Nothing here reads the clock: the table is data, dated once.

// Source is where a group of prices comes from.
type Source struct {
	What string `json:"what"`
	URL  string `json:"url"`
}

// Prices is a price table for one region.
type Prices struct {
	// Region the prices are for.
	Region string `json:"region"`
	// AsOf is the date (YYYY-MM-DD) the table was compiled.
	AsOf    string   `json:"asOf"`
	Sources []Source `json:"sources"`
	// EC2 is the on-demand price per instance-hour of EC2 types.
	EC2 map[string]float64 `json:"ec2"`
	// EMR is the EMR fee per instance-hour, on top of EC2.
	EMR map[string]float64 `json:"emr"`
	// SpotDiscount is the typical Spot saving over on-demand by EC2 family
	// (the part before the dot), 0-1.
	SpotDiscount map[string]float64 `json:"spotDiscount"`
	// SageMaker is the price per instance-hour of ml.* types (Studio apps,
	// notebook instances, real-time endpoints).
	SageMaker map[string]float64 `json:"sagemaker"`
	// FargateVCPUHour and FargateGBHour price Fargate (Linux/x86) tasks;
	// FargateSpotDiscount is Fargate Spot's typical saving.
	FargateVCPUHour     float64 `json:"fargateVcpuHour"`
	FargateGBHour       float64 `json:"fargateGbHour"`
	FargateSpotDiscount float64 `json:"fargateSpotDiscount"`
	// LambdaGBSecond and LambdaPerMillionRequests price Lambda (x86).
	LambdaGBSecond           float64 `json:"lambdaGbSecond"`
	LambdaPerMillionRequests float64 `json:"lambdaPerMillionRequests"`
	// EBSGBMonth is the price per GB-month of EBS volume types.
	EBSGBMonth map[string]float64 `json:"ebsGbMonth"`
	// InterfaceEndpointHour is the price of an interface VPC endpoint per
	// availability zone and hour; NATGatewayHour a NAT gateway's hour.
	InterfaceEndpointHour float64 `json:"interfaceEndpointHour"`
	NATGatewayHour        float64 `json:"natGatewayHour"`
	// KMSKeyMonth is a customer-managed key's monthly price.
	KMSKeyMonth float64 `json:"kmsKeyMonth"`
}

// HoursPerMonth is AWS's billing month: 730 hours (365 × 24 / 12).
const HoursPerMonth = 730.0

// EUWest1 is the platform's price table (eu-west-1).
func EUWest1() *Prices {
	return &Prices{
		Region: "eu-west-1",
		AsOf:   "2025-06-01",
		Sources: []Source{
			{"EC2 on-demand", "https://aws.amazon.com/ec2/pricing/on-demand/"},
			{"EC2 Spot typical savings", "https://aws.amazon.com/ec2/spot/instance-advisor/"},
			{"EMR fee", "https://aws.amazon.com/emr/pricing/"},
			{"SageMaker (Studio, notebooks, hosting)", "https://aws.amazon.com/sagemaker/pricing/"},
			{"Fargate and Fargate Spot", "https://aws.amazon.com/fargate/pricing/"},
			{"Lambda", "https://aws.amazon.com/lambda/pricing/"},
			{"EBS", "https://aws.amazon.com/ebs/pricing/"},
			{"VPC endpoints (PrivateLink), NAT gateway", "https://aws.amazon.com/privatelink/pricing/"},
			{"KMS", "https://aws.amazon.com/kms/pricing/"},
		},
		EC2: map[string]float64{
			"m5.xlarge": 0.214, "m5.2xlarge": 0.428, "m5.4xlarge": 0.856,
			"m5a.xlarge": 0.192, "m5a.2xlarge": 0.384,
			"m6i.xlarge": 0.214, "m6i.2xlarge": 0.428, "m6i.4xlarge": 0.856,
			"m6a.xlarge": 0.1926, "m6a.2xlarge": 0.3852,
			"m6g.xlarge": 0.172,
			"r5.xlarge":  0.282, "r5.2xlarge": 0.564, "r5.4xlarge": 1.128,
			"r6i.xlarge": 0.282, "r6g.xlarge": 0.2256,
			"c5.xlarge": 0.192,
		},
		EMR: map[string]float64{
			"m5.xlarge": 0.048, "m5.2xlarge": 0.096, "m5.4xlarge": 0.192,
			"m5a.xlarge": 0.043, "m5a.2xlarge": 0.086,
			"m6i.xlarge": 0.048, "m6i.2xlarge": 0.096, "m6i.4xlarge": 0.192,
			"m6a.xlarge": 0.043, "m6a.2xlarge": 0.086,
			"m6g.xlarge": 0.038,
			"r5.xlarge":  0.063, "r5.2xlarge": 0.126, "r5.4xlarge": 0.252,
			"r6i.xlarge": 0.063, "r6g.xlarge": 0.05,
			"c5.xlarge": 0.048,
		},
		SpotDiscount: map[string]float64{
			"m5": 0.66, "m5a": 0.64, "m6i": 0.62, "m6a": 0.61, "m6g": 0.60,
			"r5": 0.68, "r6i": 0.65, "r6g": 0.62, "c5": 0.63,
		},
		SageMaker: map[string]float64{
			"ml.t3.medium": 0.053, "ml.t3.large": 0.106, "ml.t3.xlarge": 0.211,
			"ml.m5.large": 0.128, "ml.m5.xlarge": 0.257, "ml.m5.2xlarge": 0.514,
			"ml.c5.xlarge": 0.23, "ml.c5.2xlarge": 0.46,
			"ml.g4dn.xlarge": 0.822,
		},
		FargateVCPUHour:          0.04048,
		FargateGBHour:            0.004445,
		FargateSpotDiscount:      0.70,
		LambdaGBSecond:           0.0000166667,
		LambdaPerMillionRequests: 0.20,
		EBSGBMonth:               map[string]float64{"gp3": 0.088, "gp2": 0.11, "io2": 0.138, "st1": 0.05},
		InterfaceEndpointHour:    0.011,
		NATGatewayHour:           0.048,
		KMSKeyMonth:              1.0,
	}
}

// family is the EC2 family of an instance type ("m5" of "m5.xlarge").
func family(instanceType string) string {
	for i := range len(instanceType) {
		if instanceType[i] == '.' {
			return instanceType[:i]
		}
	}
	return instanceType
}

// EC2Hour returns an EC2 instance's hourly price on a market ("spot" or
// on-demand), with the EMR fee when emr is set (EMR's fee has no Spot
// discount).
func (p *Prices) EC2Hour(instanceType string, spot, emr bool) (float64, bool) {
	od, ok := p.EC2[instanceType]
	if !ok {
		return 0, false
	}
	price := od
	if spot {
		d, ok := p.SpotDiscount[family(instanceType)]
		if !ok {
			return 0, false
		}
		price = od * (1 - d)
	}
	if emr {
		fee, ok := p.EMR[instanceType]
		if !ok {
			return 0, false
		}
		price += fee
	}
	return price, true
}

// SageMakerHour returns an ml.* instance's hourly price.
func (p *Prices) SageMakerHour(instanceType string) (float64, bool) {
	v, ok := p.SageMaker[instanceType]
	return v, ok
}

// FargateHour returns a Fargate task's hourly price for vCPUs and GB of memory.
func (p *Prices) FargateHour(vcpu, gb float64, spot bool) float64 {
	h := vcpu*p.FargateVCPUHour + gb*p.FargateGBHour
	if spot {
		h *= 1 - p.FargateSpotDiscount
	}
	return h
}

// EBSMonth returns a volume's monthly price.
func (p *Prices) EBSMonth(volumeType string, gib float64) (float64, bool) {
	v, ok := p.EBSGBMonth[volumeType]
	return v * gib, ok
}
