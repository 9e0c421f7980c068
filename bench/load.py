"""HTTP load with wrk (Debian's package): one Target at a fixed concurrency, latency percentiles.

A Target is a ready-to-fire request: a list of paths (one picked at random per request, so a case
page target spreads over many cases), headers (the session cookie), an optional body. `run_wrk`
writes a small Lua script for it, runs wrk, and reads back requests/s, p50/p95/p99 and the
responses whose status is not one of `ok_status` (a login page or a 500 counts as an error).

Used by bench/speed.py for Ventanilla and for the peer (bench/peer/driver.py) alike.
"""

import json
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field


@dataclass
class Target:
    name: str
    paths: list
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    ok_status: tuple = (200,)
    expect: str = ""  # text the response body must contain (checked once, before the load)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors and timeouts
    bad_status: int  # responses whose status is not in ok_status
    connections: int

    def as_dict(self):
        return asdict(self)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fire(base_url, target, path=None, timeout=60):
    """One request of `target` (no redirects followed): (status, body text, headers)."""
    request = urllib.request.Request(
        base_url + (path or target.paths[0]),
        data=target.body,
        method=target.method,
        headers=target.headers,
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


def check(base_url, target):
    """Fire `target` once and refuse to measure something that does not answer as expected."""
    status, body, _headers = fire(base_url, target)
    if status not in target.ok_status:
        raise RuntimeError(f"{target.name}: HTTP {status} for {target.paths[0]}\n{body[:600]}")
    if target.expect and target.expect not in body:
        raise RuntimeError(f"{target.name}: {target.expect!r} not in the response\n{body[:600]}")
    return status


def _lua_string(text):
    return json.dumps(text, ensure_ascii=True)  # a JSON string literal is a valid Lua literal


def _script(target, delay_ms):
    paths = ",\n".join(_lua_string(p) for p in target.paths)
    headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in target.headers.items())
    body = _lua_string(target.body.decode()) if target.body is not None else "nil"
    ok = ", ".join(f"[{code}] = true" for code in target.ok_status)
    delay = f"function delay() return {delay_ms} end" if delay_ms else ""
    return f"""
local paths = {{ {paths} }}
local headers = {{ {headers} }}
local body = {body}
local ok = {{ {ok} }}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; math.randomseed(os.time() + math.floor(os.clock() * 1000000)) end
function request()
  return wrk.format({_lua_string(target.method)}, paths[math.random(#paths)], headers, body)
end
function response(status, hdrs, text) if not ok[status] then bad = bad + 1 end end
{delay}
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "RESULT %d %d %.3f %.3f %.3f %.3f %d %d\\n",
    summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, b))
end
"""


def run_wrk(base_url, target, *, seconds=10, connections=8, threads=2, delay_ms=None):
    """Load `target` for `seconds` with `connections` open connections; returns a Result."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (Debian's package)")
    threads = max(1, min(threads, connections))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_script(target, delay_ms))
        script.flush()
        command = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            base_url + target.paths[0],
        ]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {target.name}:\n{run.stdout}\n{run.stderr}")
    requests, micros, p50, p95, p99, top, errors, bad = line.split()[1:]
    duration = int(micros) / 1e6
    return Result(
        name=target.name,
        requests=int(requests),
        seconds=round(duration, 2),
        per_second=round(int(requests) / duration, 1),
        p50_ms=float(p50),
        p95_ms=float(p95),
        p99_ms=float(p99),
        max_ms=float(top),
        errors=int(errors),
        bad_status=int(bad),
        connections=connections,
    )
