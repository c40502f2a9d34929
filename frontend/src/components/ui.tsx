import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { errorMessage } from '../lib/api/client';
import { formatMoney } from '../lib/money';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorBox({
  error,
  onRetry,
  title = 'Something went wrong',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders loading / error / content for a query-like object. */
export function QueryState<T>({
  query,
  children,
  loadingLabel,
  placeholder,
}: {
  query: { data: T | undefined; isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
  /** Shown while loading instead of the spinner: a skeleton with the content's final size. */
  placeholder?: ReactNode;
}) {
  if (query.isPending) return placeholder ?? <Spinner label={loadingLabel} />;
  if (query.isError || query.data === undefined)
    return <ErrorBox error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

export function Money({
  cents,
  currency = 'USD',
  className,
}: {
  cents: number;
  currency?: string;
  className?: string;
}) {
  return <span className={className}>{formatMoney(cents, currency)}</span>;
}

const PALETTE = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f'];

/** Product image with fixed intrinsic size (no layout shift); an SVG placeholder when absent. */
export function ProductImage({
  src,
  alt,
  label,
  width,
  height,
  className,
  eager,
}: {
  src: string | null | undefined;
  alt: string;
  label?: string;
  width: number;
  height: number;
  className?: string;
  eager?: boolean;
}) {
  if (src)
    return (
      <img
        className={className}
        src={src}
        alt={alt}
        width={width}
        height={height}
        loading={eager ? 'eager' : 'lazy'}
        // the first visible images race the rest of the page for the phone's few connections
        fetchPriority={eager ? 'high' : undefined}
        decoding="async"
      />
    );
  let h = 0;
  for (const c of label ?? alt) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const color = PALETTE[h % PALETTE.length];
  const initials = (label ?? alt)
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return (
    <svg
      className={className}
      {...(alt ? { role: 'img', 'aria-label': alt } : { 'aria-hidden': true })}
      width={width}
      height={height}
      viewBox="0 0 400 400"
      preserveAspectRatio="xMidYMid slice"
    >
      <rect width="400" height="400" fill={color} opacity="0.14" />
      <circle cx="200" cy="200" r="110" fill={color} opacity="0.22" />
      <text
        x="200"
        y="228"
        textAnchor="middle"
        fontSize="96"
        fontWeight="700"
        fill={color}
        fontFamily="system-ui, sans-serif"
      >
        {initials}
      </text>
    </svg>
  );
}

type FieldProps = {
  label: string;
  error?: string;
  hint?: string;
} & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, error, hint, id, className, ...input }: FieldProps) {
  const auto = useId();
  const fid = id ?? auto;
  const errId = `${fid}-error`;
  const hintId = `${fid}-hint`;
  const describedBy = [hint ? hintId : null, error ? errId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={fid}>
        {label}
        {input.required && <span aria-hidden="true"> *</span>}
      </label>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

type SelectFieldProps = {
  label: string;
  error?: string;
  children: ReactNode;
} & SelectHTMLAttributes<HTMLSelectElement>;

export function SelectField({ label, error, id, children, className, ...select }: SelectFieldProps) {
  const auto = useId();
  const fid = id ?? auto;
  const errId = `${fid}-error`;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={fid}>{label}</label>
      <select id={fid} aria-invalid={error ? true : undefined} aria-describedby={error ? errId : undefined} {...select}>
        {children}
      </select>
      {error && (
        <p id={errId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function Pagination({
  page,
  perPage,
  total,
  onPage,
  label = 'Pagination',
}: {
  page: number;
  perPage: number;
  total: number;
  onPage: (p: number) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const nums: number[] = [];
  for (let p = Math.max(1, page - 2); p <= Math.min(pages, page + 2); p++) nums.push(p);
  return (
    <nav className="pagination" aria-label={label}>
      <button type="button" className="btn btn-secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous<span className="sr-only"> page</span>
      </button>
      <ul>
        {nums.map((p) => (
          <li key={p}>
            <button
              type="button"
              className={`btn ${p === page ? 'btn-primary' : 'btn-ghost'}`}
              aria-current={p === page ? 'page' : undefined}
              aria-label={`Page ${p}`}
              onClick={() => onPage(p)}
            >
              {p}
            </button>
          </li>
        ))}
      </ul>
      <span className="muted">
        Page {page} of {pages}
      </span>
      <button type="button" className="btn btn-secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next<span className="sr-only"> page</span>
      </button>
    </nav>
  );
}
