"""Verifies Latchkey tokens locally: keys fetched from GET /keys/{kid} and cached for their max-age, revocations
applied from GET /events. While the event stream has not been heard from within the lease, the cache may be
missing revocations, so nothing is verified ("stale")."""

import base64
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple

import jwt
from jwt.algorithms import OKPAlgorithm

MAX_TOKEN_CHARS = 8192
_log = logging.getLogger(__name__)


class Refused(Exception):
    """The token is refused; the reason is for logs, never for the caller."""


class Verified(NamedTuple):
    sub: str
    jti: str
    claims: dict


class _CachedKey(NamedTuple):
    key: object
    alg: str
    sub: str
    expires_at: float


class LatchkeyVerifier:
    def __init__(self, url, client_id, client_secret, issuer, audience="latchkey", leeway=30, lease=15,
                 unknown_kid_retry=5):
        self._base = url if url.endswith("/") else url + "/"
        credentials = f"{client_id}:{client_secret}".encode("utf-8")
        self._authorization = "Basic " + base64.b64encode(credentials).decode("ascii")
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._lease = lease
        self._unknown_kid_retry = unknown_kid_retry
        self._lock = threading.Lock()
        self._keys = {}  # kid -> _CachedKey
        self._unknown_kids = {}  # kid -> when last found unknown or retired: not fetched again before the retry
        self._revoked_jtis = {}  # jti -> its token's exp (epoch seconds)
        self._generation = 0  # bumped by every event that retires keys: a key fetched meanwhile is not cached
        self._heard_at = float("-inf")
        # sequence of the last event applied; from 0 at first: Latchkey replays the whole log it keeps (a token
        # lifetime of logouts), or answers reset when it no longer reaches back that far
        self._applied = 0
        self._catch_up_to = float("inf")  # the opening heartbeat's newest sequence: caught up once applied reaches it
        self._heartbeats_on_connection = 0
        self._closed = False
        threading.Thread(target=self._follow, name="latchkey-events", daemon=True).start()

    def fresh(self):
        """True while the stream proved alive within the lease and has caught up: only then are tokens verified."""
        caught_up = self._applied >= self._catch_up_to or self._heartbeats_on_connection >= 2
        return caught_up and time.monotonic() - self._heard_at < self._lease

    def verify(self, token):
        """The Verified token, or raises Refused."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise Refused("malformed")
        if not self.fresh():
            raise Refused("stale")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            raise Refused("malformed") from None
        if not isinstance(kid, str) or not 0 < len(kid) <= 128:
            raise Refused("unknown_kid")
        key = self._key_for(kid)
        try:
            claims = jwt.decode(token, key.key,
                                algorithms=[key.alg],  # from the key's type, never from the token's header
                                issuer=self._issuer, audience=self._audience, leeway=self._leeway,
                                options={"require": ["exp", "sub", "jti"]})
        except jwt.InvalidTokenError:
            raise Refused("invalid") from None
        if claims["sub"] != key.sub:
            raise Refused("key_of_another_user")
        if claims["jti"] in self._revoked_jtis:
            raise Refused("revoked")
        return Verified(claims["sub"], claims["jti"], claims)

    def close(self):
        self._closed = True

    def _key_for(self, kid):
        now = time.monotonic()
        cached = self._keys.get(kid)
        if cached is not None and now < cached.expires_at:
            return cached
        unknown_since = self._unknown_kids.get(kid)
        if unknown_since is not None and now - unknown_since < self._unknown_kid_retry:
            raise Refused("unknown_kid")  # forged or retired kids cost one fetch per retry period, not one each
        generation_before = self._generation
        fetched = self._fetch_key(kid)
        with self._lock:
            if fetched is None:
                if len(self._unknown_kids) > 10000:
                    self._forget_old(self._unknown_kids, lambda since: now - since >= self._unknown_kid_retry)
                self._unknown_kids[kid] = now
                raise Refused("unknown_kid")
            if self._generation == generation_before:
                self._keys[kid] = fetched
        return fetched

    def _fetch_key(self, kid):
        """The key as Latchkey serves it now, or None when it has no current key of that kid."""
        request = urllib.request.Request(self._base + "keys/" + urllib.parse.quote(kid, safe=""),
                                         headers={"Authorization": self._authorization})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                jwk = json.loads(response.read())
                cache_control = response.headers.get("Cache-Control", "")
            alg = {"oct": "HS256", "OKP": "EdDSA"}.get(jwk.get("kty"))
            if alg is None or jwk.get("alg") != alg or not isinstance(jwk.get("sub"), str):
                raise ValueError("unexpected key")
            if alg == "HS256":
                key = base64.urlsafe_b64decode(jwk["k"] + "=" * (-len(jwk["k"]) % 4))
            else:
                key = OKPAlgorithm.from_jwk(jwk)  # Ed25519 public key; refuses other curves
            max_age = re.search(r"max-age=(\d+)", cache_control)
            seconds = int(max_age.group(1)) if max_age else 0
            return _CachedKey(key, alg, jwk["sub"], time.monotonic() + seconds)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise Refused("key_fetch_failed") from None
        except Exception:
            raise Refused("key_fetch_failed") from None

    def _follow(self):
        """Follows /events for ever, resuming after the last applied event."""
        failures = 0
        while not self._closed:
            try:
                self._read_one_connection()
                failures = 0
            except urllib.error.HTTPError as error:
                _log.warning("GET /events answered %s: does the client hold events:read?", error.code)
                failures = min(failures + 1, 3)
            except Exception:
                # dropped, refused or silent for a whole lease: the lease makes the cache stale meanwhile
                failures = min(failures + 1, 3)
            time.sleep(0.5 * 2 ** failures)  # up to 4 s between attempts while Latchkey is away

    def _read_one_connection(self):
        headers = {"Authorization": self._authorization, "Accept": "text/event-stream",
                   "Last-Event-ID": str(self._applied)}
        request = urllib.request.Request(self._base + "events", headers=headers)
        # a silent link (no heartbeat for a whole lease) is presumed dead, even if TCP still acknowledges
        with urllib.request.urlopen(request, timeout=self._lease) as response:
            self._catch_up_to = float("inf")
            self._heartbeats_on_connection = 0
            parser = SseParser(self._apply)
            while not self._closed:
                chunk = response.read1(65536)
                if not chunk:
                    return
                parser.push(chunk)

    def _apply(self, kind, event_id, data):
        self._heard_at = time.monotonic()
        try:
            event = json.loads(data)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        with self._lock:
            if kind not in ("heartbeat", "token.revoked"):
                self._generation += 1
            if kind == "heartbeat":
                self._heartbeat(event.get("latest"))
            elif kind == "key.retired":
                self._retire(event.get("kid"))
            elif kind in ("user.disabled", "user.deleted"):
                for kid in [kid for kid, key in self._keys.items() if key.sub == event.get("sub")]:
                    self._retire(kid)
            elif kind == "token.revoked":
                if isinstance(event.get("jti"), str) and isinstance(event.get("exp"), (int, float)):
                    self._revoked_jtis[event["jti"]] = event["exp"]
                    if len(self._revoked_jtis) > 10000:
                        now = time.time() - self._leeway
                        self._forget_old(self._revoked_jtis, lambda exp: exp < now)
            elif kind == "reset":
                self._keys.clear()
                self._unknown_kids.clear()
                self._revoked_jtis.clear()
                if self._catch_up_to != float("inf"):  # what follows a reset is live, after the heartbeat's latest
                    self._applied = max(self._applied, self._catch_up_to)
            # other kinds: unknown to this verifier, ignored
            if event_id is not None and re.fullmatch(r"\d{1,18}", event_id):
                self._applied = max(self._applied, int(event_id))

    def _heartbeat(self, latest):
        if not isinstance(latest, int):
            return
        if self._heartbeats_on_connection == 0:
            self._catch_up_to = latest
        self._heartbeats_on_connection += 1

    def _retire(self, kid):
        if isinstance(kid, str):
            self._keys.pop(kid, None)
            self._unknown_kids[kid] = time.monotonic()

    @staticmethod
    def _forget_old(entries, is_old):
        for entry in [entry for entry, value in entries.items() if is_old(value)]:
            del entries[entry]


class SseParser:
    """Server-Sent Events as the specification parses them: lines end in CRLF, LF or CR; "field: value" with one
    optional space after the colon; lines starting with a colon are comments; a blank line dispatches the event."""

    def __init__(self, on_event):
        self._on_event = on_event
        self._line = bytearray()
        self._after_carriage_return = False
        self._start_event()

    def push(self, chunk):
        for byte in chunk:
            if byte == 0x0A and self._after_carriage_return:
                self._after_carriage_return = False
                continue
            self._after_carriage_return = byte == 0x0D
            if byte in (0x0A, 0x0D):
                self._field(self._line.decode("utf-8", errors="replace"))
                self._line.clear()
            else:
                self._line.append(byte)

    def _start_event(self):
        self._type = ""
        self._id = None
        self._data = None

    def _field(self, line):
        if line == "":
            if self._data is not None:
                self._on_event(self._type or "message", self._id, self._data)
            self._start_event()
            return
        if line.startswith(":"):
            return
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._type = value
        elif field == "id" and "\0" not in value:
            self._id = value
        elif field == "data":
            self._data = value if self._data is None else self._data + "\n" + value
