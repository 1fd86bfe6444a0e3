"""Schemathesis hooks for check_openapi.py (loaded through SCHEMATHESIS_HOOKS=openapi_hooks).

The demo echo service fails with any status a request names in `fail_code`, waits `delay_ms` (or
`interval_ms` per streamed reply, `count` replies) before replying, and sends back `response_headers` and
`response_trailers` as metadata (whatever their keys): knobs that make 5xx replies, stalls and invalid HTTP headers on purpose. The numbers are
set to zero (and `count` to 1) and the metadata lists dropped in every generated request; everything else is
sent as generated.
"""
import schemathesis

ZEROED = {"failCode", "fail_code", "delayMs", "delay_ms", "intervalMs", "interval_ms"}
DROPPED = {"responseHeaders", "response_headers", "responseTrailers", "response_trailers"}


def tame(values):
    if not isinstance(values, dict):
        return
    for key in list(values):
        if key in ZEROED:
            values[key] = 0
        elif key in DROPPED:
            del values[key]
        elif key == "count":
            values[key] = 1


@schemathesis.hook
def before_call(context, case, **kwargs):
    tame(case.query)
    tame(case.body)
