package deploy

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Target is where a site is deployed: a bucket of an S3-compatible store
// and a key prefix inside it.
type Target struct {
	Bucket string
	// Prefix is prepended to every key; it is "" or ends in "/".
	Prefix string
	// Endpoint is the store's URL, or "" for AWS S3.
	Endpoint string
	// Region is the signing region; "" takes AWS_REGION or the shared
	// config's, else us-east-1.
	Region string
	// PathStyle addresses the bucket in the path (http://host/bucket/key)
	// rather than in the host name, as most stores other than AWS need.
	PathStyle bool
}

// ParseTarget parses "s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true".
// Every query parameter is optional; unknown ones are errors, so a typo
// does not silently deploy to AWS.
func ParseTarget(s string) (Target, error) {
	const form = "s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true"
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return Target{}, fmt.Errorf("deploy target %q: want %s", s, form)
	}
	t := Target{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if t.Prefix != "" {
		t.Prefix += "/"
	}
	for key, vals := range u.Query() {
		v := vals[len(vals)-1]
		switch key {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return Target{}, fmt.Errorf("deploy target %q: endpoint must be an http(s) URL, like https://ACCOUNT.r2.cloudflarestorage.com", s)
			}
			t.Endpoint = v
		case "region":
			t.Region = v
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Target{}, fmt.Errorf("deploy target %q: path_style must be true or false", s)
			}
			t.PathStyle = b
		default:
			return Target{}, fmt.Errorf("deploy target %q: unknown parameter %q; want %s", s, key, form)
		}
	}
	return t, nil
}

// String returns the target as it is written, without credentials (a
// target never holds any).
func (t Target) String() string {
	return "s3://" + t.Bucket + "/" + t.Prefix
}

// ClientOptions tune the S3 client NewClient makes.
type ClientOptions struct {
	// Attempts bounds the attempts of one request, the first included;
	// failures that may pass (5xx, throttling, connection errors) are
	// retried with exponential backoff and jitter. Default 5.
	Attempts int
	// MaxBackoff bounds the wait between attempts. Default 20s.
	MaxBackoff time.Duration
}

// NewClient returns an S3 client for t. Credentials come only from the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) or the standard AWS shared files (AWS_PROFILE,
// ~/.aws/credentials and ~/.aws/config); the EC2 instance metadata
// service is not asked, so a machine without credentials fails at once
// instead of after its timeouts.
func NewClient(ctx context.Context, t Target, opts ClientOptions) (*s3.Client, error) {
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 20 * time.Second
	}
	loads := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.Attempts
				o.MaxBackoff = opts.MaxBackoff
			})
		}),
	}
	if t.Region != "" {
		loads = append(loads, awsconfig.WithRegion(t.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS credentials and config: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no credentials for %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in ~/.aws/credentials (config.toml never holds credentials): %w", t, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if t.Endpoint != "" {
			o.BaseEndpoint = aws.String(t.Endpoint)
		}
		o.UsePathStyle = t.PathStyle
		// Some S3-compatible stores reject the SDK's default
		// streaming CRC32 trailer; PutObject sends Content-MD5 instead.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}
