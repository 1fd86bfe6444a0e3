// The demo EchoService implemented with grpc-go (Debian's golang-google-grpc-dev), a backend of the gateway's
// gRPC interop tests. Built offline in GOPATH mode by build.sh beside this file; echopb is generated there by
// protoc from Protos/demo/echo.proto.
//
// Usage: go-echo [-listen 127.0.0.1:0] [-name go-1]
// Prints the port it listens on, on one line. It dies with its parent (PR_SET_PDEATHSIG); SIGTERM stops it
// gracefully (GOAWAY, calls in flight finish).
//
// Every method behaves as the proto says, as the grpc-swift demo backend does. grpc-go hides the grpc-timeout
// header from handlers: received_metadata gets it back from the call's deadline, in milliseconds.
package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "goecho/echopb"
)

const (
	maxExpandCount     = 10000
	defaultExpandCount = 3
)

type echoServer struct {
	name string
}

func (s *echoServer) servedBy() metadata.MD { return metadata.Pairs("served-by", s.name) }

// metadataFrom turns request entries into metadata; keys must be lowercase and not reserved by HTTP/2 or gRPC.
func metadataFrom(entries []*pb.MetadataEntry, field string) (metadata.MD, error) {
	md := metadata.MD{}
	for _, entry := range entries {
		key := entry.Key
		valid := key != "" && !strings.HasPrefix(key, "grpc-") && key != "content-type" && key != "te"
		for _, c := range key {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				valid = false
			}
		}
		if !valid {
			return nil, status.Errorf(codes.InvalidArgument, "%s has an invalid or reserved key %q", field, key)
		}
		if strings.HasSuffix(key, "-bin") {
			md.Append(key, string(entry.BinaryValue))
		} else {
			md.Append(key, entry.Value)
		}
	}
	return md, nil
}

// requestedFailure is the error a fail_code asks for, nil for 0.
func requestedFailure(code int32) (error, error) {
	if code == 0 {
		return nil, nil
	}
	if code < 1 || code > 16 {
		return nil, status.Errorf(codes.InvalidArgument, "fail_code %d is not a gRPC status code (1-16)", code)
	}
	return requestedStatus(code).Err(), nil
}

// requestedStatus is a requested failure's status: its code, and an ErrorInfo detail naming it, as every
// backend of the interop tests sends (grpc-status-details-bin).
func requestedStatus(code int32) *status.Status {
	detailed, err := status.New(codes.Code(code), "requested failure").WithDetails(&errdetails.ErrorInfo{
		Reason:   "REQUESTED_FAILURE",
		Domain:   "portico.test",
		Metadata: map[string]string{"code": fmt.Sprint(code)},
	})
	if err != nil {
		panic(err)
	}
	return detailed
}

// wait sleeps, or fails with DEADLINE_EXCEEDED when the call's deadline comes first.
func wait(ctx context.Context, milliseconds int32) error {
	if milliseconds <= 0 {
		return nil
	}
	delay := time.Duration(milliseconds) * time.Millisecond
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
		time.Sleep(time.Until(deadline))
		return status.Error(codes.DeadlineExceeded, "the deadline passed while the server waited")
	}
	time.Sleep(delay)
	return nil
}

// received is the request metadata as a map: repeated keys joined with ", ", binary values in base64.
func received(ctx context.Context) map[string]string {
	result := map[string]string{}
	md, _ := metadata.FromIncomingContext(ctx)
	for key, values := range md {
		texts := make([]string, 0, len(values))
		for _, value := range values {
			if strings.HasSuffix(key, "-bin") {
				value = base64.StdEncoding.EncodeToString([]byte(value))
			}
			texts = append(texts, value)
		}
		result[key] = strings.Join(texts, ", ")
	}
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline).Milliseconds()
		if left < 0 {
			left = 0
		}
		result["grpc-timeout"] = fmt.Sprintf("%dm", left)
	}
	return result
}

// headerSender is what unary and client-streaming calls need to send metadata.
type headerSender struct {
	sendHeader func(metadata.MD) error
	setTrailer func(metadata.MD)
}

// reply waits delay_ms, then replies once or fails as the request asks (Echo and Collect).
func (s *echoServer) reply(ctx context.Context, request *pb.EchoRequest, sequence int32, send headerSender) (*pb.EchoResponse, error) {
	failTrailersOnly := func(err error) (*pb.EchoResponse, error) {
		send.setTrailer(s.servedBy())
		return nil, err
	}
	if request.DelayMs < 0 {
		return failTrailersOnly(status.Error(codes.InvalidArgument, "delay_ms must not be negative"))
	}
	headers, err := metadataFrom(request.ResponseHeaders, "response_headers")
	if err != nil {
		return failTrailersOnly(err)
	}
	trailers, err := metadataFrom(request.ResponseTrailers, "response_trailers")
	if err != nil {
		return failTrailersOnly(err)
	}
	failure, err := requestedFailure(request.FailCode)
	if err != nil {
		return failTrailersOnly(err)
	}
	if err := wait(ctx, request.DelayMs); err != nil {
		return failTrailersOnly(err)
	}
	if failure != nil && len(headers) == 0 {
		send.setTrailer(metadata.Join(s.servedBy(), trailers))
		return nil, failure
	}
	if err := send.sendHeader(metadata.Join(s.servedBy(), headers)); err != nil {
		return nil, err
	}
	send.setTrailer(trailers)
	if failure != nil {
		return nil, failure
	}
	return &pb.EchoResponse{
		Message: request.Message, ServedBy: s.name, ReceivedMetadata: received(ctx), Sequence: sequence,
	}, nil
}

func (s *echoServer) Echo(ctx context.Context, request *pb.EchoRequest) (*pb.EchoResponse, error) {
	return s.reply(ctx, request, 0, headerSender{
		sendHeader: func(md metadata.MD) error { return grpc.SendHeader(ctx, md) },
		setTrailer: func(md metadata.MD) { grpc.SetTrailer(ctx, md) },
	})
}

func (s *echoServer) Expand(request *pb.ExpandRequest, stream pb.EchoService_ExpandServer) error {
	ctx := stream.Context()
	if request.Count < 0 || request.Count > maxExpandCount || request.IntervalMs < 0 {
		stream.SetTrailer(s.servedBy())
		return status.Errorf(codes.InvalidArgument,
			"count must be between 0 and %d and interval_ms not negative", maxExpandCount)
	}
	failure, err := requestedFailure(request.FailCode)
	if err != nil {
		stream.SetTrailer(s.servedBy())
		return err
	}
	count := request.Count
	if count == 0 {
		count = defaultExpandCount
	}
	seen := received(ctx)
	if err := stream.SendHeader(s.servedBy()); err != nil {
		return err
	}
	for sequence := int32(0); sequence < count; sequence++ {
		if err := wait(ctx, request.IntervalMs); err != nil {
			return err
		}
		response := &pb.EchoResponse{Message: request.Message, ServedBy: s.name, ReceivedMetadata: seen, Sequence: sequence}
		if err := stream.Send(response); err != nil {
			return err
		}
	}
	return failure
}

func (s *echoServer) Collect(stream pb.EchoService_CollectServer) error {
	var combined *pb.EchoRequest
	var messages []string
	for {
		request, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if combined == nil {
			combined = request
		}
		messages = append(messages, request.Message)
	}
	if combined == nil {
		stream.SetTrailer(s.servedBy())
		return status.Error(codes.InvalidArgument, "Collect needs at least one request")
	}
	combined.Message = strings.Join(messages, " ")
	response, err := s.reply(stream.Context(), combined, int32(len(messages)), headerSender{
		sendHeader: stream.SendHeader,
		setTrailer: stream.SetTrailer,
	})
	if err != nil {
		return err
	}
	return stream.SendAndClose(response)
}

func (s *echoServer) Chat(stream pb.EchoService_ChatServer) error {
	ctx := stream.Context()
	if err := stream.SendHeader(s.servedBy()); err != nil {
		return err
	}
	var seen map[string]string
	for sequence := int32(0); ; sequence++ {
		request, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if seen == nil {
			seen = received(ctx)
			trailers, err := metadataFrom(request.ResponseTrailers, "response_trailers")
			if err != nil {
				return err
			}
			stream.SetTrailer(trailers)
		}
		failure, err := requestedFailure(request.FailCode)
		if err != nil {
			return err
		}
		if failure != nil {
			return failure
		}
		if request.DelayMs < 0 {
			return status.Error(codes.InvalidArgument, "delay_ms must not be negative")
		}
		if err := wait(ctx, request.DelayMs); err != nil {
			return err
		}
		response := &pb.EchoResponse{Message: request.Message, ServedBy: s.name, ReceivedMetadata: seen, Sequence: sequence}
		if err := stream.Send(response); err != nil {
			return err
		}
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	name := flag.String("name", "go-1", "the instance's name, sent back in served_by and served-by")
	flag.Parse()
	// Die with the test process that started us, however it ends.
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	server := grpc.NewServer()
	pb.RegisterEchoServiceServer(server, &echoServer{name: *name})
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM)
	go func() {
		<-signals
		server.GracefulStop()
	}()
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
