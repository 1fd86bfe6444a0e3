"""Open-loop gRPC load through the gateway: a fixed offered rate, whatever the latency.

Usage: loadgen.py TARGET DESCRIPTOR_SET RATE SECONDS [--windows N]
Sends EchoService.Echo calls to TARGET (host:port, h2c) at RATE calls per second for SECONDS, each with a
1 s deadline, and prints one result line: latency percentiles (ms) of all calls, success rate (a call
succeeds with status OK within its deadline), and the share of calls each backend served (its
served_by). With --windows N it also prints, per window of N seconds, the calls and p99 of that window
and each backend's share.
"""
import asyncio
import sys
import time
from collections import Counter, defaultdict

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main():
    target, descriptor_path, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    window = float(sys.argv[sys.argv.index("--windows") + 1]) if "--windows" in sys.argv else None
    files = descriptor_pb2.FileDescriptorSet()
    with open(descriptor_path, "rb") as f:
        files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    request_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("portico.demo.echo.v1.EchoRequest"))
    response_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("portico.demo.echo.v1.EchoResponse"))
    results = []  # (start offset s, latency ms, ok, served_by)
    async with grpc.aio.insecure_channel(target) as channel:
        echo = channel.unary_unary(
            "/portico.demo.echo.v1.EchoService/Echo",
            request_serializer=request_class.SerializeToString, response_deserializer=response_class.FromString)
        await echo(request_class(message="warm-up"), timeout=5)

        async def one(offset):
            started = time.perf_counter()
            try:
                reply = await echo(request_class(message="x"), timeout=1.0)
                results.append((offset, (time.perf_counter() - started) * 1000, True, reply.served_by))
            except grpc.aio.AioRpcError as error:
                results.append((offset, (time.perf_counter() - started) * 1000, False, error.code().name))

        tasks = []
        begin = time.perf_counter()
        count = int(rate * seconds)
        for index in range(count):
            due = begin + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(index / rate)))
        await asyncio.gather(*tasks)
    latencies = [r[1] for r in results]
    ok = sum(1 for r in results if r[2])
    shares = Counter(r[3] for r in results if r[2])
    failures = Counter(r[3] for r in results if not r[2])
    print("calls=%d p50=%.1fms p90=%.1fms p99=%.1fms p99.9=%.1fms success=%.3f%% share=%s failures=%s" % (
        len(results), percentile(latencies, 0.5), percentile(latencies, 0.9), percentile(latencies, 0.99),
        percentile(latencies, 0.999), 100.0 * ok / len(results),
        ",".join("%s:%.1f%%" % (k, 100.0 * v / ok) for k, v in sorted(shares.items())),
        dict(failures) or "none"))
    if window:
        by_window = defaultdict(list)
        for result in results:
            by_window[int(result[0] // window)].append(result)
        for index in sorted(by_window):
            rows = by_window[index]
            served = Counter(r[3] for r in rows if r[2])
            total = max(1, sum(served.values()))
            print("  t=%3ds calls=%d p99=%.1fms failed=%d share=%s" % (
                index * window, len(rows), percentile([r[1] for r in rows], 0.99), sum(1 for r in rows if not r[2]),
                ",".join("%s:%.0f%%" % (k, 100.0 * v / total) for k, v in sorted(served.items()))))


if __name__ == "__main__":
    asyncio.run(main())
