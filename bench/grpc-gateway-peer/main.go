// The peer of bench/quick.sh: a plain grpc-gateway (Debian's 1.6.4) for the demo echo service, fronting
// the same echo backend as Portico. It serves HTTP/1.1 and h2c (prior knowledge) on one port.
// Built by bench/quick.sh in GOPATH mode against /usr/share/gocode; echopb is generated there by protoc.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
	"google.golang.org/grpc"

	echopb "peer/echopb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8090", "address for HTTP/1.1 and h2c clients")
	backend := flag.String("backend", "127.0.0.1:50061", "the echo backend's gRPC address")
	flag.Parse()

	mux := runtime.NewServeMux()
	opts := []grpc.DialOption{grpc.WithInsecure()}
	if err := echopb.RegisterEchoServiceHandlerFromEndpoint(context.Background(), mux, *backend, opts); err != nil {
		log.Fatalf("registering the echo service: %v", err)
	}
	server := &http.Server{Addr: *listen, Handler: h2c.NewHandler(mux, &http2.Server{})}
	log.Fatal(server.ListenAndServe())
}
