"""Clients that hold a connection the way slow or stalled clients do, for the request-timeout tests.

Usage: slow_client.py MODE PORT
  trickle-headers   sends an HTTP/1.1 request head one byte every 200 ms (never finishing within 10 s)
  trickle-headers-h2c  opens an h2c header block (HEADERS without END_HEADERS) and never ends it; prints the
                    GOAWAY error code the server sends ("goaway N")
  stall-body-h1     sends a head declaring 100 body bytes, then 10 bytes, then nothing
  stall-body-h2c    the same over h2c (Python h2): HEADERS, 10 bytes of DATA, then nothing
  idle-keepalive    a request answered at once, 2.5 s of silence, then two more on the same connection
Prints what the server sent (for h2c: the status line and the body), and "closed" once the server closed the
connection; gives up after 15 s.
"""
import socket
import sys
import time

import h2.config
import h2.connection
import h2.events


def read_until_closed(connection, deadline):
    received = b""
    connection.settimeout(0.2)
    while time.time() < deadline:
        try:
            chunk = connection.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return received, "reset"
        if not chunk:
            return received, "closed"
        received += chunk
    return received, "open"


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    deadline = time.time() + 15
    connection = socket.create_connection(("127.0.0.1", port))
    if mode == "trickle-headers":
        head = b"GET /v1/shelves HTTP/1.1\r\nhost: x\r\n" + b"x-slow: " + b"a" * 200 + b"\r\n\r\n"
        connection.setblocking(False)
        received = b""
        for byte in head:
            if time.time() > deadline:
                break
            try:
                connection.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.2)
            try:
                chunk = connection.recv(65536)
                if chunk == b"":
                    print(received.decode(errors="replace") + "\nclosed")
                    return
                received += chunk
            except BlockingIOError:
                pass
            except OSError:
                break
        connection.setblocking(True)
        rest, how = read_until_closed(connection, deadline)
        print((received + rest).decode(errors="replace") + "\n" + how)
    elif mode == "trickle-headers-h2c":
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
        # HEADERS on stream 1, flags 0 (no END_HEADERS): one HPACK byte (:method GET), the block left open.
        headers = b"\x00\x00\x01\x01\x00\x00\x00\x00\x01\x82"
        connection.sendall(preface + settings + headers)
        received, how = read_until_closed(connection, deadline)
        position = 0
        while position + 9 <= len(received):
            length = int.from_bytes(received[position:position + 3], "big")
            if received[position + 3] == 7:
                code = int.from_bytes(received[position + 13:position + 17], "big")
                print(f"goaway {code}")
            position += 9 + length
        print(how)
    elif mode == "stall-body-h1":
        connection.sendall(b"POST /v1/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                           b"content-length: 100\r\n\r\n{\"message\"")
        received, how = read_until_closed(connection, deadline)
        print(received.decode(errors="replace") + "\n" + how)
    elif mode == "stall-body-h2c":
        h2conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        h2conn.initiate_connection()
        h2conn.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":authority", "x"),
                                (":path", "/v1/echo"), ("content-type", "application/json"),
                                ("content-length", "100")])
        h2conn.send_data(1, b"{\"message\"")
        connection.sendall(h2conn.data_to_send())
        connection.settimeout(0.2)
        status, body, ended = None, b"", False
        while time.time() < deadline and not ended:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                break
            for event in h2conn.receive_data(chunk):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers).get(b":status", b"").decode()
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    h2conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                    ended = True
            connection.sendall(h2conn.data_to_send())
        print(f"status {status}\n{body.decode(errors='replace')}")
    elif mode == "idle-keepalive":
        # Answered at once (404): the read that brought the request leaves the connection idle at its end.
        request = b"GET /v2/nowhere HTTP/1.1\r\nhost: x\r\n\r\n"
        connection.sendall(request)
        time.sleep(2.5)
        connection.sendall(request)
        time.sleep(1)
        connection.sendall(b"GET /v2/nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        received, how = read_until_closed(connection, deadline)
        print(received.decode(errors="replace") + "\n" + how)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
