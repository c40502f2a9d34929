import createClient from 'openapi-fetch';
import type { paths } from './schema';
import type { Problem } from './types';

/**
 * The one HTTP client: every path, method, parameter and body is checked by `tsc` against the generated
 * schema (`src/lib/api/schema.d.ts` ← `backend/openapi.json`). `fetch` is looked up per call so tests can stub it.
 */
export const http = createClient<paths>({
  // openapi-fetch builds a `Request`, which needs an absolute URL outside the browser (tests)
  baseUrl: globalThis.location?.origin ?? '',
  credentials: 'same-origin',
  headers: { Accept: 'application/json' },
  fetch: (req) => globalThis.fetch(req),
});

/** Problem `type` slugs the backend sends (the last segment of the `type` URI). */
export type ProblemType =
  | 'validation'
  | 'bad-request'
  | 'unauthorized'
  | 'invalid-credentials'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'email-taken'
  | 'duplicate-sku'
  | 'insufficient-stock'
  | 'price-changed'
  | 'cart-too-large'
  | 'empty-cart'
  | 'payment-declined'
  | 'payment-not-authorized'
  | 'in-progress'
  | 'checkout-interrupted'
  | 'unprocessable'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'unavailable'
  | 'internal';

/** An HTTP error from the API, carrying the RFC 9457 problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** The problem's `type` slug (`payment-declined`), or undefined when the answer had none (a proxy's 502). */
  readonly type: string | undefined;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.type = problem.type?.split('/').pop() || undefined;
  }
  /** Field errors keyed by dotted path (e.g. `shipping_address.city`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field] = e.message;
    return out;
  }
}

/** The request never got an HTTP answer (offline, connection reset, …). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Network error — check your connection and try again.');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

/** True when `err` is a problem of one of these types. */
export function isProblem(err: unknown, ...types: ProblemType[]): err is ApiError {
  return err instanceof ApiError && !!err.type && (types as string[]).includes(err.type);
}

/**
 * Worth trying again as is: no answer at all, or a server-side failure. Proxies (nginx, the ALB) answer
 * 502–504 without a problem document, so this is the one place that looks at status codes.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  return err instanceof ApiError && (err.status >= 500 || isProblem(err, 'unavailable', 'internal'));
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an `http.*` call: its data, or an `ApiError` with the problem document, or a `NetworkError`. */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let res: Result<T>;
  try {
    res = await request;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }
  if (res.response.ok) return res.data as T;
  const body = typeof res.error === 'object' && res.error !== null ? (res.error as Problem) : {};
  throw new ApiError(res.response.status, { title: res.response.statusText, ...body, status: res.response.status });
}

/** A human message for any error thrown by `call`. */
export function errorMessage(err: unknown): string {
  if (isProblem(err, 'unauthorized')) return 'Please log in to continue.';
  if (isProblem(err, 'forbidden')) return 'You do not have access to this page.';
  if (isProblem(err, 'rate-limited')) return 'Too many attempts — please wait a moment and try again.';
  if (isTransient(err) && err instanceof ApiError)
    return 'The shop is having trouble right now. Please try again shortly.';
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
