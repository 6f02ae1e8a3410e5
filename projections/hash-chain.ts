/**
 * The hash chain over a pair's stream: each event's `hash` covers its stored envelope (RFC 8785
 * canonical JSON, SHA-256), and the envelope includes the previous event's hash as `prevHash`.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { GENESIS_HASH, type RecordedEvent, type StoredEnvelope } from '../events/catalogue';

/** SHA-256 (hex) of the RFC 8785 canonical JSON of the stored envelope, `hash` left out. */
export function computeHash(envelope: StoredEnvelope | RecordedEvent): string {
  // Copy only when there is a hash to leave out: recording hashes an envelope that has none yet.
  let stored: StoredEnvelope = envelope;
  if ('hash' in envelope) {
    const { hash: _hash, ...rest } = envelope;
    stored = rest;
  }
  const canonical = canonicalize(stored);
  if (canonical === undefined) throw new TypeError('an envelope must serialise to JSON');
  return sha256Hex(canonical);
}

// Node ≥ 20.12 hashes a string in one call, without a Hash object per event.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Outcome of {@link verifyChain}. */
export type ChainVerification =
  { valid: true; checked: number } | { valid: false; firstInvalidRevision: number; reason: string };

/**
 * Checks a whole stream in revision order: revisions numbered 0, 1, 2…, each `prevHash` equal to
 * the previous event's `hash` (64 zeros for revision 0), each `hash` equal to the hash of its
 * content. Reports the first revision where any of these fails.
 */
export function verifyChain(events: readonly RecordedEvent[]): ChainVerification {
  let previousHash = GENESIS_HASH;
  for (let position = 0; position < events.length; position++) {
    const event = events[position]!;
    if (event.revision !== position) {
      return {
        valid: false,
        firstInvalidRevision: position,
        reason: `expected revision ${position} here, found ${JSON.stringify(event.revision) ?? 'none'}`,
      };
    }
    if (event.prevHash !== previousHash) {
      return {
        valid: false,
        firstInvalidRevision: position,
        reason:
          position === 0
            ? 'prevHash of revision 0 is not 64 zeros'
            : `prevHash does not match the hash of revision ${position - 1}`,
      };
    }
    let actual: string;
    try {
      actual = computeHash(event);
    } catch {
      return {
        valid: false,
        firstInvalidRevision: position,
        reason: 'the stored event is not valid JSON content',
      };
    }
    if (actual !== event.hash) {
      return {
        valid: false,
        firstInvalidRevision: position,
        reason: 'hash does not match the stored content: the event was changed after it was recorded',
      };
    }
    previousHash = event.hash;
  }
  return { valid: true, checked: events.length };
}
