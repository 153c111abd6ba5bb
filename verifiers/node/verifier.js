// Verifies Latchkey tokens locally: keys fetched from GET /keys/{kid} and cached for their max-age, revocations
// applied from GET /events. While the event stream has not been heard from within the lease, the cache may be
// missing revocations, so nothing is verified ("stale").
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

const MAX_TOKEN_CHARS = 8192;

/** The token is refused; the reason is for logs, never for the caller. */
export class Refused extends Error {}

export class LatchkeyVerifier {
  constructor({ url, clientId, clientSecret, issuer, audience = 'latchkey', leewaySeconds = 30, leaseSeconds = 15,
    unknownKidRetrySeconds = 5 }) {
    this.base = url.endsWith('/') ? url : url + '/';
    this.authorization = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    this.issuer = issuer;
    this.audience = audience;
    this.leewaySeconds = leewaySeconds;
    this.leaseMs = leaseSeconds * 1000;
    this.unknownKidRetryMs = unknownKidRetrySeconds * 1000;
    this.keys = new Map(); // kid -> { key, alg, sub, expiresAt }
    this.unknownKids = new Map(); // kid -> when last found unknown or retired: not fetched again before the retry
    this.revokedJtis = new Map(); // jti -> its token's exp (epoch seconds)
    this.generation = 0; // bumped by every event that retires keys: a key fetched meanwhile is not cached
    this.heardAt = -Infinity;
    // sequence of the last event applied; from 0 at first: Latchkey replays the whole log it keeps (a token lifetime
    // of logouts), or answers reset when it no longer reaches back that far
    this.applied = 0;
    this.catchUpTo = Infinity; // the opening heartbeat's newest sequence: caught up once applied reaches it
    this.heartbeatsOnConnection = 0;
    this.closed = false;
    this.stream = this.#follow();
  }

  /** True while the stream proved alive within the lease and has caught up: only then are tokens verified. */
  fresh() {
    const caughtUp = this.applied >= this.catchUpTo || this.heartbeatsOnConnection >= 2;
    return caughtUp && performance.now() - this.heardAt < this.leaseMs;
  }

  /** Resolves to { sub, jti, claims }, or rejects with Refused. */
  async verify(token) {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new Refused('malformed');
    if (!this.fresh()) throw new Refused('stale');
    let kid;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new Refused('malformed');
    }
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128) throw new Refused('unknown_kid');
    const key = await this.#keyFor(kid);
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(token, key.key, {
        algorithms: [key.alg], // from the key's type, never from the token's header
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: this.leewaySeconds,
        requiredClaims: ['exp', 'sub', 'jti'],
      }));
    } catch {
      throw new Refused('invalid');
    }
    if (claims.sub !== key.sub) throw new Refused('key_of_another_user');
    if (this.revokedJtis.has(claims.jti)) throw new Refused('revoked');
    return { sub: claims.sub, jti: claims.jti, claims };
  }

  close() {
    this.closed = true;
    this.abort?.();
  }

  async #keyFor(kid) {
    const now = performance.now();
    const cached = this.keys.get(kid);
    if (cached && now < cached.expiresAt) return cached;
    const unknownSince = this.unknownKids.get(kid);
    // forged or retired kids cost one fetch per retry period, not one each
    if (unknownSince !== undefined && now - unknownSince < this.unknownKidRetryMs) throw new Refused('unknown_kid');
    const generationBefore = this.generation;
    const fetched = await this.#fetchKey(kid);
    if (fetched === null) {
      if (this.unknownKids.size > 10000) this.#forgetOld(this.unknownKids, (since) => now - since >= this.unknownKidRetryMs);
      this.unknownKids.set(kid, now);
      throw new Refused('unknown_kid');
    }
    if (this.generation === generationBefore) this.keys.set(kid, fetched);
    return fetched;
  }

  /** The key as Latchkey serves it now, or null when it has no current key of that kid. */
  async #fetchKey(kid) {
    try {
      const response = await fetch(new URL('keys/' + encodeURIComponent(kid), this.base), {
        headers: { Authorization: this.authorization },
        signal: AbortSignal.timeout(10000),
      });
      if (response.status === 404) return null;
      if (response.status !== 200) throw new Error(`GET /keys answered ${response.status}`);
      const jwk = await response.json();
      const alg = jwk.kty === 'oct' ? 'HS256' : jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : null;
      if (alg === null || jwk.alg !== alg || typeof jwk.sub !== 'string') throw new Error('unexpected key');
      const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '');
      const seconds = maxAge ? Number(maxAge[1]) : 0;
      return { key: await importJWK(jwk, alg), alg, sub: jwk.sub, expiresAt: performance.now() + seconds * 1000 };
    } catch {
      throw new Refused('key_fetch_failed');
    }
  }

  /** Follows /events for ever, resuming after the last applied event. */
  async #follow() {
    let failures = 0;
    while (!this.closed) {
      try {
        await this.#readOneConnection();
        failures = 0;
      } catch {
        // dropped, refused or silent for a whole lease: the lease makes the cache stale meanwhile
        failures = Math.min(failures + 1, 3);
      }
      // up to 4 s between attempts while Latchkey is away
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** failures));
    }
  }

  async #readOneConnection() {
    const controller = new AbortController();
    this.abort = () => controller.abort();
    let lastByteAt = performance.now();
    // a silent link (no heartbeat for a whole lease) is presumed dead, even if TCP still acknowledges
    const watchdog = setInterval(() => {
      if (performance.now() - lastByteAt > this.leaseMs) controller.abort();
    }, 250);
    try {
      const headers = { Authorization: this.authorization, Accept: 'text/event-stream' };
      headers['Last-Event-ID'] = String(this.applied);
      const response = await fetch(new URL('events', this.base), { headers, signal: controller.signal });
      if (response.status !== 200) {
        console.warn(`latchkey verifier: GET /events answered ${response.status}: does the client hold events:read?`);
        throw new Error(`GET /events answered ${response.status}`);
      }
      this.catchUpTo = Infinity;
      this.heartbeatsOnConnection = 0;
      const parser = new SseParser((type, id, data) => this.#apply(type, id, data));
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        lastByteAt = performance.now();
        parser.push(decoder.decode(chunk, { stream: true }));
      }
    } finally {
      clearInterval(watchdog);
    }
  }

  #apply(type, id, data) {
    this.heardAt = performance.now();
    let json;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    if (json === null || typeof json !== 'object') return;
    if (type !== 'heartbeat' && type !== 'token.revoked') this.generation++;
    switch (type) {
      case 'heartbeat':
        this.#heartbeat(json.latest);
        break;
      case 'key.retired':
        this.#retire(json.kid);
        break;
      case 'user.disabled':
      case 'user.deleted':
        for (const [kid, key] of this.keys) if (key.sub === json.sub) this.#retire(kid);
        break;
      case 'token.revoked':
        if (typeof json.jti === 'string' && typeof json.exp === 'number') {
          this.revokedJtis.set(json.jti, json.exp);
          const now = Date.now() / 1000 - this.leewaySeconds;
          if (this.revokedJtis.size > 10000) this.#forgetOld(this.revokedJtis, (exp) => exp < now);
        }
        break;
      case 'reset':
        this.keys.clear();
        this.unknownKids.clear();
        this.revokedJtis.clear();
        // what follows a reset is live, after the opening heartbeat's latest
        if (this.catchUpTo !== Infinity) this.applied = Math.max(this.applied, this.catchUpTo);
        break;
      default: // kinds this verifier does not know
    }
    if (id !== null && /^\d{1,15}$/.test(id)) this.applied = Math.max(this.applied, Number(id));
  }

  #heartbeat(latest) {
    if (typeof latest !== 'number') return;
    if (this.heartbeatsOnConnection++ === 0) {
      this.catchUpTo = latest;
    }
  }

  #retire(kid) {
    if (typeof kid !== 'string') return;
    this.keys.delete(kid);
    this.unknownKids.set(kid, performance.now());
  }

  #forgetOld(map, isOld) {
    for (const [entry, value] of map) if (isOld(value)) map.delete(entry);
  }
}

/**
 * Server-Sent Events as the specification parses them: lines end in CRLF, LF or CR; "field: value" with one
 * optional space after the colon; lines starting with a colon are comments; a blank line dispatches the event.
 */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.line = '';
    this.afterCarriageReturn = false;
    this.#startEvent();
  }

  push(text) {
    for (const ch of text) {
      if (ch === '\n' && this.afterCarriageReturn) {
        this.afterCarriageReturn = false;
        continue;
      }
      this.afterCarriageReturn = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        this.#line(this.line);
        this.line = '';
      } else {
        this.line += ch;
      }
    }
  }

  #startEvent() {
    this.type = '';
    this.id = null;
    this.data = null;
  }

  #line(line) {
    if (line === '') {
      if (this.data !== null) this.onEvent(this.type || 'message', this.id, this.data);
      this.#startEvent();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'data') this.data = this.data === null ? value : this.data + '\n' + value;
  }
}
