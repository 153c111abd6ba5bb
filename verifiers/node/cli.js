#!/usr/bin/env node
// Reads one token per line on stdin and answers one line per token on stdout: "valid <sub> <jti>" or
// "invalid <reason>". Configured by environment (see README.md); the project's tests drive it.
import { createInterface } from 'node:readline';
import { LatchkeyVerifier, Refused } from './verifier.js';

function env(name, fallback) {
  const value = process.env[name];
  if (value) return value;
  if (fallback === undefined) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return fallback;
}

const verifier = new LatchkeyVerifier({
  url: env('LATCHKEY_URL'),
  clientId: env('LATCHKEY_CLIENT_ID'),
  clientSecret: env('LATCHKEY_CLIENT_SECRET'),
  issuer: env('LATCHKEY_ISSUER'),
  audience: env('LATCHKEY_AUDIENCE', 'latchkey'),
  leewaySeconds: Number(env('LATCHKEY_LEEWAY_SECONDS', '30')),
  leaseSeconds: Number(env('LATCHKEY_LEASE_SECONDS', '15')),
  unknownKidRetrySeconds: Number(env('LATCHKEY_UNKNOWN_KID_RETRY_SECONDS', '5')),
});

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  try {
    const { sub, jti } = await verifier.verify(line.trim());
    process.stdout.write(`valid ${sub} ${jti}\n`);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    process.stdout.write(`invalid ${error.message}\n`);
  }
}
verifier.close();
