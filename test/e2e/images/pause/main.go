// The real node's pod sandbox ("pause") image: holds a pod's namespaces and waits to be stopped.
// Built static (CGO_ENABLED=0) by test/e2e/provision/build-images.sh; no registry image is pulled.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
