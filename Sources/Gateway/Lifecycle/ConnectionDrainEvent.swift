/// Sent down the pipeline of every client connection when the gateway drains: an HTTP/1.1 connection closes
/// once its current reply is out (with `Connection: close`), an h2c connection sends GOAWAY and closes once its
/// streams are done, a connection that has not spoken yet closes at once.
package struct ConnectionDrainEvent: Sendable {
    package init() {}
}
