// Package bench holds what the measuring scripts share: running commands,
// a free loopback port, polling a running feedpub, and the load average
// every number is printed beside.
package bench

import (
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Check ends the script on err.
func Check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Run runs a command with its output on stderr, ending the script if it
// fails.
func Run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	Check(cmd.Run())
}

// FreeAddr returns a loopback address with a port nothing listens on.
func FreeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Check(err)
	defer ln.Close()
	return ln.Addr().String()
}

// LoadAverage is the 1, 5 and 15 minute load average.
func LoadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// BodyContains reports whether a GET of url answers with a body holding
// want.
func BodyContains(url, want string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(body), want)
}

// Poll calls ok every interval until it says true, and returns when it
// did; it ends the script at deadline.
func Poll(deadline time.Time, every time.Duration, ok func() bool) time.Time {
	for time.Now().Before(deadline) {
		if ok() {
			return time.Now()
		}
		time.Sleep(every)
	}
	log.Fatal("timed out")
	return time.Time{}
}
