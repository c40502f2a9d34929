/**
 * Idempotency keys for checkout: one key per distinct attempt (same cart + same form body),
 * reused when that exact attempt is retried (network failure, double submit, user pressing
 * "Place order" again after an error) so the order is never placed twice.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

export class AttemptKeys {
  private fingerprint: string | null = null;
  private key: string | null = null;

  /** The key for this attempt: reused when the fingerprint matches the previous attempt. */
  keyFor(fingerprint: string): string {
    if (this.key && this.fingerprint === fingerprint) return this.key;
    this.fingerprint = fingerprint;
    this.key = newIdempotencyKey();
    return this.key;
  }

  /** Forget the key (after a definitive outcome such as a placed order). */
  reset() {
    this.fingerprint = null;
    this.key = null;
  }
}
