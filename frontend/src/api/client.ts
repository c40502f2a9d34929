import type { Problem } from './types';

/** An HTTP error from the API, carrying the RFC 9457 problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
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

export interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.form) {
    body = opts.form;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  const isJson = type.includes('json');
  if (!res.ok) {
    let problem: Problem = { status: res.status, title: res.statusText };
    if (isJson) {
      try {
        problem = { status: res.status, ...(await res.json()) };
      } catch {
        /* keep the status-only problem */
      }
    }
    throw new ApiError(res.status, problem);
  }
  return (isJson ? res.json() : res.text()) as Promise<T>;
}

/** Builds a query string, skipping empty values; arrays repeat the key. */
export function qs(params: Record<string, string | number | boolean | undefined | null | string[]>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) v.forEach((x) => sp.append(k, x));
    else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.status === status;
}

/** A human message for any error thrown by `api`. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Please log in to continue.';
    if (err.status === 403) return 'You do not have access to this page.';
    if (err.status === 429) return 'Too many attempts — please wait a moment and try again.';
    if (err.status >= 500) return 'The shop is having trouble right now. Please try again shortly.';
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
