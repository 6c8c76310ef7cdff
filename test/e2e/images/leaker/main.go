// A container that really leaks, standing in for the Rook operator (imported as rook/ceph:v1.14.9):
// it allocates and touches memory at a rate from its flags until it reaches -max, so the kernel's own
// working set grows. Like Rook with the known workaround, it does not leak when
// ROOK_WATCH_FOR_NODE_FAILURE=false is in its environment or in the rook-ceph-operator-config
// ConfigMap of its namespace, which it reads through the API server (in-cluster ServiceAccount).
// LEAKER_MODE in its environment (set in the image by build-images.sh) stands in for other releases:
// "fixed" never leaks (Rook v1.15.9), "unexplained" leaks whatever the workaround says (a leak the
// known issue does not explain).
//
//	leaker -initial 16Mi -rate 2Mi -every 1s -max 400Mi
//
// With -pprof :6060 it serves Go's net/http/pprof there (as an operator with profiling switched on
// does), and its leak shows in the heap profile as allocated by leakWatchEventsForNodeFailure.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux, served with -pprof
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	setting   = "ROOK_WATCH_FOR_NODE_FAILURE"
	configMap = "rook-ceph-operator-config"
	saDir     = "/var/run/secrets/kubernetes.io/serviceaccount"
)

// bytes parses 16Mi, 1Gi, 512Ki or a plain number of bytes.
func bytes(s string) (int, error) {
	for suffix, unit := range map[string]int{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			return v * unit, err
		}
	}
	return strconv.Atoi(s)
}

// fromConfigMap reads the setting from the operator's ConfigMap: "" when the map or key is absent.
func fromConfigMap(client *http.Client, server, namespace, token string) (string, error) {
	url := fmt.Sprintf("https://%s/api/v1/namespaces/%s/configmaps/%s", server, namespace, configMap)
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET configmap %s/%s: HTTP %d", namespace, configMap, res.StatusCode)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&cm); err != nil {
		return "", err
	}
	return cm.Data[setting], nil
}

// configMapReader returns a function reading the setting from the ConfigMap, or nil outside a pod.
func configMapReader() func() (string, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	ca, errCA := os.ReadFile(saDir + "/ca.crt")
	ns, errNS := os.ReadFile(saDir + "/namespace")
	if host == "" || port == "" || errCA != nil || errNS != nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	server := net.JoinHostPort(host, port)
	return func() (string, error) {
		token, err := os.ReadFile(saDir + "/token") // rotated by the kubelet: read it each time
		if err != nil {
			return "", err
		}
		return fromConfigMap(client, server, strings.TrimSpace(string(ns)), strings.TrimSpace(string(token)))
	}
}

// leakWatchEventsForNodeFailure is where the leak allocates: the name the heap profile shows for it.
//
//go:noinline
func leakWatchEventsForNodeFailure(n int) []byte {
	return touched(make([]byte, n))
}

// holdInformerCache is what the process holds from the start (not a leak).
//
//go:noinline
func holdInformerCache(n int) []byte {
	return touched(make([]byte, n))
}

// touched writes every page so it counts in the working set.
func touched(chunk []byte) []byte {
	for i := 0; i < len(chunk); i += 4096 {
		chunk[i] = 1
	}
	return chunk
}

func main() {
	initial := flag.String("initial", "16Mi", "memory held from the start")
	rate := flag.String("rate", "1Mi", "memory added (and touched) every -every while leaking")
	every := flag.Duration("every", time.Second, "leak interval")
	max := flag.String("max", "400Mi", "stop growing at this much")
	recheck := flag.Duration("recheck", 10*time.Second, "how often the ConfigMap is read again")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address (e.g. :6060); off when empty")
	flag.Parse()
	if *pprofAddr != "" {
		go func() {
			fmt.Fprintln(os.Stderr, "leaker: pprof:", http.ListenAndServe(*pprofAddr, nil))
		}()
	}
	initialBytes, err1 := bytes(*initial)
	rateBytes, err2 := bytes(*rate)
	maxBytes, err3 := bytes(*max)
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			fmt.Fprintln(os.Stderr, "leaker: bad size:", err)
			os.Exit(2)
		}
	}

	held := [][]byte{holdInformerCache(initialBytes)}
	total := initialBytes
	grow := func(n int) {
		held = append(held, leakWatchEventsForNodeFailure(n))
		total += n
	}

	mode := os.Getenv("LEAKER_MODE")
	if mode != "" && mode != "fixed" && mode != "unexplained" {
		fmt.Fprintln(os.Stderr, "leaker: LEAKER_MODE must be fixed, unexplained or empty, not", mode)
		os.Exit(2)
	}
	leaking := mode == "unexplained" || (mode == "" && os.Getenv(setting) != "false")
	reason := "environment"
	readConfigMap := configMapReader()
	check := func() {
		if !leaking || mode != "" || readConfigMap == nil {
			return
		}
		v, err := readConfigMap()
		if err != nil {
			fmt.Fprintln(os.Stderr, "leaker: reading the ConfigMap:", err)
			return
		}
		if v == "false" {
			leaking, reason = false, "ConfigMap "+configMap
		}
	}
	check()
	if mode == "fixed" {
		fmt.Printf("a fixed release: holding %d bytes, not leaking\n", total)
	} else if leaking {
		fmt.Printf("leaking %d bytes every %s from %d (max %d)\n", rateBytes, *every, total, maxBytes)
	} else {
		fmt.Printf("%s=false in the %s: holding %d bytes, not leaking\n", setting, reason, total)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(*every)
	lastCheck := time.Now()
	for {
		select {
		case <-stop:
			fmt.Printf("stopping with %d bytes held\n", total)
			return
		case <-tick.C:
			if leaking && time.Since(lastCheck) >= *recheck {
				lastCheck = time.Now()
				if check(); !leaking {
					fmt.Printf("%s=false in the %s: no longer leaking at %d bytes\n", setting, reason, total)
				}
			}
			if leaking && total+rateBytes <= maxBytes {
				grow(rateBytes)
			}
		}
	}
}
