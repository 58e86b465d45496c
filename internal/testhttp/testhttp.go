// Package testhttp sends the HTTP requests of feedpub's tests and returns
// responses as the server sent them.
package testhttp

import (
	"io"
	"net/http"
	"testing"
)

// client sees the bytes on the wire: it does not decompress or follow
// redirects.
var client = &http.Client{
	Transport: &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Do sends a request with the given header fields ("Name", "value", …)
// and returns the response with its body read. Any error fails t.
func Do(t testing.TB, method, url string, fields ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		req.Header.Add(fields[i], fields[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
