#!/usr/bin/env python3
"""The hub API holds under abuse (issue 23, item 5), on the sandbox.

With the seed's Quick Start Ready (two hub replicas, managed agents; the
sampler of invalid_spec_test.py checking both namespaces' pull Secret and
`default` ServiceAccount entry throughout), the hub leader's API is abused,
all at once, from addresses of its own (127.2.0.x: as abusive Pods, each with
its own IP; the sandbox's Pods, the real agents included, all connect from
127.0.0.1, so an abuser sharing that address would be the agents' own
per-address connection cap, not a test of the hub):
- bodies: POSTs to the credential-issue endpoint declaring 100 MiB
  (Content-Length) or streaming 100 MiB (chunked), with the agent's valid
  token and with a bad one, over and over: each must end quickly in a 413 (or
  the connection closed) with far less than 100 MiB sent (the hub never reads
  it all);
- idle connections: 500 held open from one address (half TLS after the
  handshake, half plain TCP that never says hello), re-opened as the hub
  closes them: the hub keeps at most 32 (its per-address cap) and closes the
  rest at once, and the held ones after its header deadline;
- bad tokens: 10,000 (at least; every one distinct: random strings, JWTs
  with a forged signature, 4 KiB strings) on the issue endpoint from 16
  kept-alive connections: every answer is a 401.
Meanwhile `kubectl harborrobot rotate <binding> -n <ns> --wait` must succeed
for both namespaces (the real agents get new robots through the hub API) and
the new credentials work in Harbor; the leader's RSS (/proc/<pid>/status,
sampled every 100 ms) stays under the bound below; the leader keeps its Lease
and no hub container restarts. Afterwards one bad token sent 1,000 times costs
at most a handful of TokenReviews (the negative answers are cached).

The RSS bound: the hub's state under this abuse is the negative cache (at most
10,000 entries of a 64-byte hash and a short message: a few MiB), the
connections it keeps (32 + 16 + 1 TLS sessions, some 50 KiB each) and at most
one body buffer of 1 MiB per reading thread; so the peak must stay under
max(2 x the RSS before, RSS before + 32 MiB) and under 128 MiB. A hub that
buffered a 100 MiB body or kept every bad token would break either.

Prints the figures: RSS before / peak / after, the answers by code, the bodies'
outcomes, the idle connections held and refused, the rotations' durations.
usage: abuse_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import collections
import http.client
import json
import os
import secrets
import select
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from invalid_spec_test import run_scenario  # noqa: E402
from world import (BINDING, HUB_NS, NAMESPACES, SECRET, expect_equal,  # noqa: E402
                   expect_true, wait_for)

PORT = 8443
MIB = 1 << 20
HUB_USERS = f"system:serviceaccount:{HUB_NS}:"
# The abusers' own addresses (all of 127.0.0.0/8 is loopback).
IDLE_FROM = "127.2.0.1"
TOKENS_FROM = "127.2.0.2"
BODY_FROM = "127.2.0.3"
PROBE_FROM = "127.2.0.4"
SLOW_FROM = "127.2.0.5"
HEADER_DEADLINE = 10  # the hub's, for a handshake and a request's headers as a whole


def leader(world):
    """(Pod name, Pod IP, pid of its hub process) of the Lease holder."""
    name = world.lease_holder()
    pod = world.get("pod", "-n", HUB_NS, name)
    pid = world.processes()[f"{HUB_NS}/{name}"]["hub"]
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        expect_true(b"hub" in f.read(), f"pid {pid} is {name}'s hub process")
    return name, pod["status"]["podIP"], pid


def hub_context(world):
    """A TLS context trusting the hub's CA (from its ConfigMap)."""
    context = ssl.create_default_context(cafile=world.hub_ca())
    context.check_hostname = False  # by IP: the leader's, not the Service's
    return context


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def hub_creates(world):
    """The hub's ServiceAccounts' create requests so far (TokenReviews among them),
    from the Kubernetes simulator's per-user counts."""
    counts = world.api_requests("?by=verb")
    return sum(verbs.get("create", 0) for user, verbs in counts.items()
               if user.startswith(HUB_USERS))


def bad_token(i):
    """The i-th bad token, each distinct: random, a forged JWT, or 4 KiB long."""
    kind = i % 3
    if kind == 0:
        return secrets.token_urlsafe(32)
    if kind == 1:
        def part(value):
            return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
        return ".".join([part({"alg": "RS256", "kid": "forged"}), part({
            "iss": "https://kubernetes.default.svc", "aud": ["harborrobot-hub"],
            "sub": "system:serviceaccount:team-ns1:harborrobot-agent",
            "exp": int(time.time()) + 3600, "jti": f"{i}-{secrets.token_hex(8)}"}),
            secrets.token_urlsafe(256)])
    return secrets.token_urlsafe(3072)


def answer_code(data):
    """The status code of an HTTP answer's first line, or None."""
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


class Abuse:
    """The three abuses of the hub API at `address`, each in its own thread(s),
    until stop(). `token`: a valid agent token of namespace `ns` (the bodies
    must reach the point where the hub reads them)."""

    def __init__(self, address, context, token, ns, binding, idle=500, bad_tokens=10000,
                 body_mib=100, token_workers=16):
        self.address, self.context, self.token = address, context, token
        self.path = f"/v1/namespaces/{ns}/bindings/{binding}/credentials"
        self.idle, self.bad_tokens, self.body = idle, bad_tokens, body_mib * MIB
        self.token_workers = token_workers
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.codes = collections.Counter()       # bad tokens' answers ("error" when none)
        self.sent_tokens = 0
        self.bodies = []                         # (variant, outcome, bytes sent, seconds)
        self.idle_counts = collections.Counter()  # opened/refused/closed_by_deadline/...
        self.idle_peak = 0
        self.errors = []
        self.threads = []

    # -- the idle connections -------------------------------------------------
    def _open_idle(self, kind, live, poller):
        self.idle_counts[f"opened_{kind}"] += 1
        try:
            sock = socket.create_connection((self.address, PORT), timeout=5,
                                            source_address=(IDLE_FROM, 0))
        except OSError:
            self.idle_counts["connect_failed"] += 1
            return
        if kind == "tls":
            try:
                sock = self.context.wrap_socket(sock)
            except socket.timeout:
                self.idle_counts["handshake_timed_out"] += 1  # neither served nor refused
                sock.close()
                return
            except (OSError, ssl.SSLError):
                self.idle_counts["refused"] += 1  # closed before the handshake
                sock.close()
                return
        sock.setblocking(False)
        live[sock.fileno()] = (sock, time.monotonic(), kind)
        poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)

    def _still_open(self, sock):
        """Readable but open (a TLS 1.3 session ticket), or closed by the hub."""
        try:
            return bool(sock.recv(4096))
        except (ssl.SSLWantReadError, BlockingIOError):
            return True
        except OSError:
            return False

    def _idle(self):
        live = {}
        poller = select.poll()
        kinds = ("tls", "tcp")
        opened = 0
        try:
            while not self.stopping.is_set():
                # Open (again) what is missing: 50 at a time, so a closed one is
                # re-opened within a fraction of a second, not in a tight loop.
                for _ in range(min(50, self.idle - len(live))):
                    self._open_idle(kinds[opened % 2], live, poller)
                    opened += 1
                deadline = time.monotonic() + 0.2
                while not self.stopping.is_set() and time.monotonic() < deadline:
                    for fd, _ in poller.poll(50):
                        sock, since, kind = live[fd]
                        if self._still_open(sock):
                            continue
                        del live[fd]
                        poller.unregister(fd)
                        sock.close()
                        age = time.monotonic() - since
                        self.idle_counts["refused" if age < 2 else "closed_by_deadline"] += 1
                    now = time.monotonic()
                    held = sum(1 for _, since, _ in live.values() if now - since >= 2)
                    self.idle_peak = max(self.idle_peak, held)
        finally:
            for sock, _, _ in live.values():
                sock.close()

    # -- the bad tokens -------------------------------------------------------
    def _next_token_index(self):
        with self.lock:
            if self.stopping.is_set():
                return None
            index = self.sent_tokens
            self.sent_tokens += 1
            return index

    def _tokens(self):
        connection = None
        body = json.dumps({"rotationId": "abuse", "generation": 1})
        try:
            while (index := self._next_token_index()) is not None:
                try:
                    if connection is None:
                        connection = http.client.HTTPSConnection(
                            self.address, PORT, context=self.context, timeout=30,
                            source_address=(TOKENS_FROM, 0))
                    connection.request("POST", self.path, body=body, headers={
                        "Authorization": f"Bearer {bad_token(index)}",
                        "Content-Type": "application/json"})
                    answer = connection.getresponse()
                    answer.read()
                    code = answer.status
                    if answer.will_close:
                        connection.close()
                        connection = None
                except (OSError, http.client.HTTPException):
                    code = "error"
                    if connection is not None:
                        connection.close()
                    connection = None
                with self.lock:
                    self.codes[code] += 1
        finally:
            if connection is not None:
                connection.close()

    # -- the bodies -----------------------------------------------------------
    def send_body(self, chunked, token):
        """One POST of self.body bytes: (outcome, bytes sent, seconds); the
        outcome is the answer's code, "closed" (the hub closed the connection
        first) or "stalled" (nothing for 15 s: neither read nor refused)."""
        started = time.monotonic()
        sent = 0
        raw = socket.create_connection((self.address, PORT), timeout=15,
                                       source_address=(BODY_FROM, 0))
        try:
            sock = self.context.wrap_socket(raw)
            head = (f"POST {self.path} HTTP/1.1\r\nHost: harborrobot-hub\r\n"
                    f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n")
            head += ("Transfer-Encoding: chunked\r\n\r\n" if chunked
                     else f"Content-Length: {self.body}\r\n\r\n")
            sock.sendall(head.encode())
            chunk = b"0" * MIB
            if chunked:
                chunk = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            data = None
            try:
                while sent < self.body and data is None:
                    data = self._answered(sock)
                    if data is None:
                        sock.sendall(chunk)
                        sent += MIB
                if sent >= self.body and chunked:
                    sock.sendall(b"0\r\n\r\n")
            except socket.timeout:
                return "stalled", sent, time.monotonic() - started
            except OSError:
                pass  # reset while sending: look for the answer that came first
            if data is None:
                try:
                    data = sock.recv(4096)
                except socket.timeout:
                    return "stalled", sent, time.monotonic() - started
                except OSError:
                    data = b""
            code = answer_code(data)
            return (code if code else "closed"), sent, time.monotonic() - started
        except OSError:
            return "closed", sent, time.monotonic() - started
        finally:
            raw.close()

    @staticmethod
    def _answered(sock):
        """What the hub sent so far without blocking: None when nothing (a TLS
        1.3 session ticket makes the socket readable without an answer), b""
        when it closed."""
        if not select.select([sock], [], [], 0)[0] and not sock.pending():
            return None
        sock.setblocking(False)
        try:
            return sock.recv(4096)
        except (ssl.SSLWantReadError, BlockingIOError):
            return None
        except OSError:
            return b""
        finally:
            sock.settimeout(15)

    def _bodies(self):
        variants = (("Content-Length, valid token", False, self.token),
                    ("chunked, valid token", True, self.token),
                    ("Content-Length, bad token", False, "not-a-token"))
        while not self.stopping.is_set():
            for variant, chunked, token in variants:
                outcome, sent, seconds = self.send_body(chunked, token)
                with self.lock:
                    self.bodies.append((variant, outcome, sent, seconds))
            self.stopping.wait(1)

    # -- together ---------------------------------------------------------------
    def _guarded(self, work):
        def run():
            try:
                work()
            except Exception as error:  # noqa: BLE001 - reported by stop()
                self.errors.append(repr(error))
        return run

    def start(self):
        workers = [self._idle, self._bodies] + [self._tokens] * self.token_workers
        self.threads = [threading.Thread(target=self._guarded(w), daemon=True) for w in workers]
        for thread in self.threads:
            thread.start()

    def in_full_swing(self):
        """Every abuse has happened at least once: all idle connections opened,
        a tenth of the bad tokens sent, every body variant answered."""
        return (self.idle_counts["opened_tls"] + self.idle_counts["opened_tcp"] >= self.idle
                and self.sent_tokens >= self.bad_tokens // 10 and len(self.bodies) >= 3)

    def tokens_done(self):
        return sum(self.codes.values()) >= self.bad_tokens

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        expect_equal(self.errors, [], "the abusers ran without an error of their own")

    def summary(self):
        codes = ", ".join(f"{code}: {count}" for code, count in sorted(
            self.codes.items(), key=lambda item: str(item[0])))
        outcomes = collections.Counter((v, o) for v, o, _, _ in self.bodies)
        largest = max((s for _, _, s, _ in self.bodies), default=0) / MIB
        slowest = max((t for _, _, _, t in self.bodies), default=0)
        bodies = "; ".join(f"{v} -> {o}: {n}" for (v, o), n in sorted(
            outcomes.items(), key=str))
        idle = self.idle_counts
        return (f"bad tokens: {sum(self.codes.values())} answered ({codes})\n"
                f"100 MiB bodies: {len(self.bodies)} sent ({bodies}); at most {largest:.0f} MiB "
                f"pushed before the hub answered or closed, the slowest after {slowest:.2f} s\n"
                f"idle connections from one address: {idle['opened_tls']} TLS + "
                f"{idle['opened_tcp']} TCP opened, at most {self.idle_peak} held at once, "
                f"{idle['refused']} refused at once, {idle['closed_by_deadline']} closed by the "
                f"header deadline, {idle['handshake_timed_out']} handshakes timed out, "
                f"{idle['connect_failed']} connects failed")


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0.0, 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, rss_mib(self.pid))
            self.samples += 1
            self.stopping.wait(0.1)

    def finish(self):
        self.stopping.set()
        self.join(timeout=10)


def hub_restarts(world):
    pods = json.loads(world.kubectl("get", "pods", "-n", HUB_NS, "-o", "json"))["items"]
    return sum(status.get("restartCount", 0) for pod in pods
               if pod["metadata"]["name"].startswith("harborrobot-hub")
               for status in pod.get("status", {}).get("containerStatuses", []))


def generation(world, ns):
    found = json.loads(world.kubectl("get", "secret", "-n", ns, SECRET, "-o", "json"))
    return int(found["metadata"]["annotations"]["harborrobot.io/generation"])


def rotate(world, ns):
    """`kubectl harborrobot rotate` of one namespace, waited for: its seconds."""
    started = time.monotonic()
    done = world.run_plugin("rotate", BINDING, "-n", ns, "--wait", "--timeout", "120s",
                            expect=None)
    expect_equal(done.returncode, 0, f"rotate -n {ns} --wait under abuse: {done.stdout}"
                 f"{done.stderr}")
    expect_true(f"{ns}: rotated" in done.stdout, done.stdout)
    return time.monotonic() - started


def call(address, context, method, path, token, body=None, source=PROBE_FROM, timeout=30):
    """One request to the hub API on a fresh connection from `source`: (code,
    parsed answer or None)."""
    connection = http.client.HTTPSConnection(address, PORT, context=context, timeout=timeout,
                                             source_address=(source, 0))
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json"})
        answer = connection.getresponse()
        text = answer.read()
        return answer.status, json.loads(text) if text else None
    finally:
        connection.close()


def trickle(address, context):
    """A slow client: a request's headers sent one byte every 2 s, each byte well
    within the hub's per-read timeout. Returns the seconds until the hub closed
    the connection (None if it was still open after 3 x its header deadline)."""
    raw = socket.create_connection((address, PORT), timeout=30, source_address=(SLOW_FROM, 0))
    tls = context.wrap_socket(raw, server_hostname=address)
    started = time.monotonic()
    tls.sendall(f"GET /v1/namespaces/{NAMESPACES[0]}/bindings HTTP/1.1\r\n".encode())
    try:
        for byte in b"X-Slow: " + b"a" * 100:
            if time.monotonic() - started > 3 * HEADER_DEADLINE:
                return None
            tls.sendall(bytes([byte]))
            readable, _, _ = select.select([tls], [], [], 2)
            if readable and not tls.recv(1):
                return time.monotonic() - started
    except (OSError, ssl.SSLError):
        return time.monotonic() - started
    finally:
        tls.close()
    return None


def abused(world, sampler):
    """The hub leader's API abused while both namespaces rotate; then the
    figures checked, a repeated bad token and a trickling client."""
    name, address, pid = leader(world)
    context = hub_context(world)
    token = world.hub_token(NAMESPACES[0])
    code, listed = call(address, context, "GET",
                        f"/v1/namespaces/{NAMESPACES[0]}/bindings", token)
    expect_equal(code, 200, f"the agent's token works from {PROBE_FROM}: {listed}")
    restarts = hub_restarts(world)
    samples = []
    for _ in range(5):
        samples.append(rss_mib(pid))
        time.sleep(0.2)
    before = sorted(samples)[2]  # the median of five over a second
    creates_before = hub_creates(world)
    generations = {ns: generation(world, ns) for ns in NAMESPACES}

    abuse = Abuse(address, context, token, NAMESPACES[0], BINDING)
    rss = RssSampler(pid)
    rss.start()
    abuse.start()
    try:
        wait_for(abuse.in_full_swing, "the abuse in full swing", timeout=120,
                 interval=0.2)
        rotations = {ns: rotate(world, ns) for ns in NAMESPACES}
        sampler.more(2)
        wait_for(abuse.tokens_done, "10,000 bad tokens answered", timeout=240,
                 interval=0.2)
    finally:
        abuse.stop()
    reviews = hub_creates(world) - creates_before
    rss.finish()
    after = rss_mib(pid)
    print("abuse_test: " + abuse.summary().replace("\n", "\nabuse_test: "))
    print(f"abuse_test: rotations under abuse: " + ", ".join(
        f"{ns} {seconds:.1f} s" for ns, seconds in rotations.items()))
    print(f"abuse_test: TokenReviews (the hub's creates) during the abuse: {reviews}")
    print(f"abuse_test: hub leader RSS: before {before:.1f} MiB, peak {rss.peak:.1f} MiB "
          f"({rss.samples} samples), after {after:.1f} MiB")

    # Agents kept getting credentials: new generations, working in Harbor.
    for ns in NAMESPACES:
        expect_true(generation(world, ns) > generations[ns],
                    f"{ns} rotated: {generations[ns]} -> {generation(world, ns)}")
        username, password = world.pull_credential(ns, SECRET)
        claims = world.token_claims(username, password) or {}
        expect_equal(claims.get("sub"), username, f"{ns}'s new robot works in Harbor")
    # Every refusal was the right one.
    expect_true(abuse.tokens_done(), "10,000 bad tokens answered")
    expect_equal(set(abuse.codes), {401}, f"every bad token got 401: {abuse.codes}")
    for variant, outcome, sent, seconds in abuse.bodies:
        expected = (401,) if "bad token" in variant else (413, "closed")
        expect_true(outcome in expected,
                    f"{variant}: {outcome} (expected one of {expected})")
        expect_true(sent < 16 * MIB, f"{variant}: only {sent // MIB} MiB of 100 pushed")
        expect_true(seconds < 10, f"{variant}: answered within 10 s ({seconds:.1f} s)")
    expect_true(abuse.idle_peak <= 32,
                f"at most 32 connections held from one address ({abuse.idle_peak})")
    expect_true(abuse.idle_counts["refused"] > 0, "connections past the cap refused")
    # Memory stayed bounded.
    bound = min(128.0, max(2 * before, before + 32))
    expect_true(rss.peak < bound, f"the leader's peak RSS {rss.peak:.1f} MiB stays under "
                f"{bound:.1f} MiB (before: {before:.1f} MiB)")
    expect_equal(leader(world)[0], name, "the leader kept its Lease")
    expect_equal(hub_restarts(world), restarts, "no hub container restarted")
    expect_equal(world.ready_condition().get("status"), "True", "the binding stays Ready")

    # A refused token is answered from memory: 1,000 times the same one.
    one = bad_token(0)
    creates = hub_creates(world)
    connection = http.client.HTTPSConnection(address, PORT, context=context, timeout=30,
                                             source_address=(TOKENS_FROM, 0))
    repeated = collections.Counter()
    for _ in range(1000):
        connection.request("GET", f"/v1/namespaces/{NAMESPACES[0]}/bindings",
                           headers={"Authorization": f"Bearer {one}"})
        answer = connection.getresponse()
        answer.read()
        repeated[answer.status] += 1
    connection.close()
    repeated_reviews = hub_creates(world) - creates
    print(f"abuse_test: one bad token 1,000 times: {dict(repeated)}, "
          f"{repeated_reviews} TokenReviews")
    expect_equal(dict(repeated), {401: 1000}, "1,000 times 401")
    expect_true(repeated_reviews <= 20, f"the negative answer cached "
                f"({repeated_reviews} creates for 1,000 requests)")
    # A trickling client is closed at the header deadline, bytes or not.
    closed_after = trickle(address, context)
    print(f"abuse_test: a client trickling its headers (a byte every 2 s) was closed "
          f"after {closed_after if closed_after is None else round(closed_after, 1)} s")
    expect_true(closed_after is not None and closed_after <= HEADER_DEADLINE + 3,
                f"closed within the header deadline + 3 s ({closed_after})")
    sampler.more(2)


def main():
    return run_scenario(abused)


if __name__ == "__main__":
    sys.exit(main())
