// Package testvgw runs versitygw, a POSIX-backed S3 gateway, for tests
// that need a real S3 server: on a free loopback port, storing in a
// temporary directory, with one bucket.
//
// The binary is found on PATH or in $(go env GOPATH)/bin (where
// `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` puts
// it). Without it the test is skipped, unless CI is set: CI installs it,
// so there a missing binary is a failure.
package testvgw

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The root credentials the gateway is started with.
const (
	AccessKey = "feedpubtest"
	SecretKey = "feedpubtestsecret"
	Region    = "us-east-1"
)

// Server is a running versitygw.
type Server struct {
	t      testing.TB
	bin    string
	addr   string
	root   string
	cmd    *exec.Cmd
	exited chan struct{}
	// Endpoint is the gateway's URL, "http://127.0.0.1:PORT".
	Endpoint string
	// Bucket is the bucket Start created.
	Bucket string
}

// Start starts versitygw with a bucket named bucket and sets the AWS_*
// environment variables to its credentials for the rest of the test.
// The gateway is stopped when the test ends.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	bin := find(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{t: t, bin: bin, addr: addr, root: t.TempDir(), Endpoint: "http://" + addr, Bucket: bucket}
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", Region)
	// No shared files of the machine running the tests are read.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(s.root, "no-aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(s.root, "no-aws-credentials"))
	s.Restart()
	t.Cleanup(s.Stop)
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating bucket %s: %v", bucket, err)
	}
	return s
}

// find returns the versitygw binary, or skips or fails the test.
func find(t testing.TB) string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "versitygw")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	const install = "versitygw not found on PATH or in $(go env GOPATH)/bin; install it: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"
	if os.Getenv("CI") != "" {
		t.Fatal(install)
	}
	t.Skip(install)
	return ""
}

// Stop stops the gateway and waits for it to exit. The stored objects
// stay for Restart.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts the gateway again on the same port and directory and
// waits until it accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "--port", s.addr, "--quiet",
		"--access", AccessKey, "--secret", SecretKey, "--region", Region,
		"posix", s.root)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting versitygw: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	// It starts in a fraction of a second; the bound is for a loaded
	// machine, and the loop ends as soon as it accepts.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", s.addr)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-s.exited:
			s.t.Fatalf("versitygw exited at start: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.t.Fatalf("versitygw did not accept connections on %s: %v", s.addr, errors.Unwrap(err))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Target returns the deploy target URL of the bucket under prefix.
func (s *Server) Target(prefix string) string {
	return "s3://" + s.Bucket + "/" + prefix + "?endpoint=" + s.Endpoint + "&region=" + Region + "&path_style=true"
}

// Client returns an S3 client for the gateway, for tests to look at what
// is stored.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint),
		Region:       Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		// As feedpub's client: no streaming checksum trailers.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}
