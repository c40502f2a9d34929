import { useState } from 'react';
import { useOpsSummary } from '../api/queries';
import type { OpsSummary } from '../../../lib/api/types';
import { ErrorBox, Spinner } from '../../../components/ui';
import { useDocumentTitle } from '../../../lib/hooks';
import { LineChart } from '../components/charts';

export const REFRESH_MS = 3000;
export const HISTORY = 100; // 5 minutes at 3 s

/** Appends a sample unless it is the one we already have (same generated_at). */
export function appendSample(history: OpsSummary[], s: OpsSummary, cap = HISTORY): OpsSummary[] {
  if (history.length && history[history.length - 1]!.generated_at === s.generated_at) return history;
  const next = [...history, s];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

interface Chart {
  title: string;
  unit: string;
  format?: (v: number) => string;
  series: { label: string; color: string; key: keyof OpsSummary; scale?: number }[];
}
const CHARTS: Chart[] = [
  {
    title: 'Requests per second',
    unit: 'req/s',
    series: [{ label: 'rps', color: '#1d4ed8', key: 'requests_per_second' }],
  },
  {
    title: 'Latency',
    unit: 'ms',
    series: [
      { label: 'p50', color: '#047857', key: 'p50_ms' },
      { label: 'p99', color: '#b45309', key: 'p99_ms' },
    ],
  },
  {
    title: 'Error rate',
    unit: '%',
    format: (v) => v.toFixed(2),
    series: [{ label: 'errors', color: '#be123c', key: 'error_rate', scale: 100 }],
  },
  {
    title: 'Orders per minute',
    unit: '/min',
    series: [{ label: 'orders', color: '#7c3aed', key: 'orders_per_minute' }],
  },
  {
    title: 'Inventory updates per minute',
    unit: '/min',
    series: [{ label: 'updates', color: '#0e7490', key: 'inventory_updates_per_minute' }],
  },
];

export function OpsDashboard() {
  useDocumentTitle('Admin · Ops');
  const summary = useOpsSummary(REFRESH_MS);
  const [history, setHistory] = useState<OpsSummary[]>([]);
  // each new sample is appended once, while rendering it (no effect round trip)
  if (summary.data && history[history.length - 1]?.generated_at !== summary.data.generated_at)
    setHistory(appendSample(history, summary.data));

  const col = (k: keyof OpsSummary) => history.map((s) => Number(s[k]) || 0);
  const last = history[history.length - 1];
  return (
    <section aria-labelledby="ops-title">
      <div className="results-header">
        <h1 id="ops-title">Ops dashboard</h1>
        <p className="muted" role="status" aria-live="off">
          {last
            ? `Updated ${new Date(last.generated_at).toLocaleTimeString()} · ${last.window_seconds}s window · refreshes every ${REFRESH_MS / 1000}s`
            : ''}
        </p>
      </div>
      {summary.isPending && history.length === 0 ? (
        <Spinner label="Loading metrics…" />
      ) : summary.isError && history.length === 0 ? (
        <ErrorBox error={summary.error} onRetry={() => void summary.refetch()} />
      ) : (
        <>
          {summary.isError && (
            <p className="field-error" role="alert">
              Live updates paused: {summary.error.message}. Retrying…
            </p>
          )}
          <div className="chart-grid">
            {CHARTS.map((c) => (
              <LineChart
                key={c.title}
                title={c.title}
                unit={c.unit}
                capacity={HISTORY}
                format={c.format}
                series={c.series.map(({ label, color, key, scale = 1 }) => ({
                  label,
                  color,
                  values: col(key).map((v) => v * scale),
                }))}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
