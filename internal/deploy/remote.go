package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// manifestName is the object, under the prefix, that records the header
// fingerprint of every object a deploy stored. ListObjectsV2 returns
// ETags but no headers; with the manifest a deploy knows both from two
// requests instead of one HeadObject per object. An object the manifest
// does not name is checked with HeadObject.
const manifestName = ".feedpub-deploy.json"

// remoteObject is what is known of a stored object.
type remoteObject struct {
	// md5 is the hex MD5 from the object's ETag.
	md5 string
	// headers is the fingerprint of its headers, or "" when unknown.
	headers string
}

type manifest struct {
	Version int               `json:"version"`
	Headers map[string]string `json:"headers"` // key → Headers.fingerprint
}

// listRemote lists every object under the prefix in one ListObjectsV2
// pass and adds the header fingerprints the manifest records.
func (d *Deployer) listRemote(ctx context.Context) (map[string]remoteObject, error) {
	remote := map[string]remoteObject{}
	pages := s3.NewListObjectsV2Paginator(d.opts.Client, &s3.ListObjectsV2Input{
		Bucket: aws.String(d.opts.Target.Bucket),
		Prefix: aws.String(d.opts.Target.Prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", d.opts.Target, err)
		}
		for _, o := range page.Contents {
			remote[aws.ToString(o.Key)] = remoteObject{md5: etagMD5(aws.ToString(o.ETag))}
		}
	}
	m, err := d.readManifest(ctx)
	if err != nil {
		return nil, err
	}
	for key, fp := range m.Headers {
		if r, ok := remote[key]; ok {
			r.headers = fp
			remote[key] = r
		}
	}
	delete(remote, d.manifestKey())
	return remote, nil
}

// etagMD5 returns the MD5 an ETag holds: S3 ETags of objects uploaded in
// one part are the quoted hex MD5 of their bytes. Other ETags (multipart
// uploads) never equal an MD5, so such objects are uploaded again.
func etagMD5(etag string) string {
	return strings.ToLower(strings.Trim(etag, `"`))
}

func (d *Deployer) manifestKey() string { return d.opts.Target.Prefix + manifestName }

// readManifest returns the stored manifest, or an empty one when there is
// none or it cannot be parsed (every object is then checked by HEAD).
func (d *Deployer) readManifest(ctx context.Context) (manifest, error) {
	out, err := d.opts.Client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(d.opts.Target.Bucket),
		Key:    aws.String(d.manifestKey()),
	})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return manifest{}, nil
	}
	if err != nil {
		return manifest{}, fmt.Errorf("reading %s%s: %w", d.opts.Target, manifestName, err)
	}
	defer out.Body.Close()
	var m manifest
	if err := json.NewDecoder(out.Body).Decode(&m); err != nil {
		d.opts.Logger.Warn("deploy: unreadable manifest; checking every object's headers", "key", d.manifestKey(), "err", err)
		return manifest{}, nil
	}
	return m, nil
}

// writeManifest stores the header fingerprints of objs.
func (d *Deployer) writeManifest(ctx context.Context, objs []Object) error {
	m := manifest{Version: 1, Headers: make(map[string]string, len(objs))}
	for _, o := range objs {
		m.Headers[o.Key] = o.Headers.fingerprint()
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return d.put(ctx, newObject(d.manifestKey(), body, Headers{ContentType: "application/json", CacheControl: "no-store"}))
}

// headersOf asks the store for the headers of the object at key.
func (d *Deployer) headersOf(ctx context.Context, key string) (Headers, error) {
	out, err := d.opts.Client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(d.opts.Target.Bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		return Headers{}, fmt.Errorf("checking %s: %w", key, err)
	}
	return Headers{
		ContentType:     aws.ToString(out.ContentType),
		CacheControl:    aws.ToString(out.CacheControl),
		ContentEncoding: aws.ToString(out.ContentEncoding),
	}, nil
}
