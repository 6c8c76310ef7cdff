// Writes a real Go heap profile (gzipped protobuf, as /debug/pprof/heap serves it) for the unit tests
// of src/profile: most in-use bytes are allocated in leakguardTestLeak, a small share in
// retainSomethingElse, so a decoder that gets the sites or the shares wrong fails the test.
//
//	go run . -leak 6Mi -other 1Mi -out heap.pb.gz
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
)

var held [][]byte

func size(s string) int {
	if n, ok := strings.CutSuffix(s, "Mi"); ok {
		v, err := strconv.Atoi(n)
		if err != nil {
			panic(err)
		}
		return v << 20
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return v
}

//go:noinline
func leakguardTestLeak(total int) {
	for n := 0; n < total; n += 64 << 10 {
		held = append(held, make([]byte, 64<<10))
	}
}

//go:noinline
func retainSomethingElse(total int) {
	for n := 0; n < total; n += 16 << 10 {
		held = append(held, make([]byte, 16<<10))
	}
}

func main() {
	leak := flag.String("leak", "6Mi", "bytes kept by leakguardTestLeak")
	other := flag.String("other", "1Mi", "bytes kept by retainSomethingElse")
	out := flag.String("out", "heap.pb.gz", "where the profile goes")
	kind := flag.String("profile", "heap", "which runtime/pprof profile to write (heap, goroutine)")
	flag.Parse()
	runtime.MemProfileRate = 1 // every allocation sampled: the shares are exact
	leakguardTestLeak(size(*leak))
	retainSomethingElse(size(*other))
	runtime.GC() // the heap profile reports as of the last completed GC
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup(*kind).WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(held)
}
