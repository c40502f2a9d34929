import { useState } from 'react';
import { useOpsSummary } from '../api/queries';
import type { OpsSummary } from '../api/types';
import { ErrorBox, Spinner } from '../components/ui';
import { useDocumentTitle } from '../lib/hooks';
import { LineChart } from './charts';

export const REFRESH_MS = 3000;
export const HISTORY = 100; // 5 minutes at 3 s

/** Appends a sample unless it is the one we already have (same generated_at). */
export function appendSample(history: OpsSummary[], s: OpsSummary, cap = HISTORY): OpsSummary[] {
  if (history.length && history[history.length - 1]!.generated_at === s.generated_at) return history;
  const next = [...history, s];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

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
            <LineChart
              title="Requests per second"
              unit="req/s"
              capacity={HISTORY}
              series={[{ label: 'rps', color: '#1d4ed8', values: col('requests_per_second') }]}
            />
            <LineChart
              title="Latency"
              unit="ms"
              capacity={HISTORY}
              series={[
                { label: 'p50', color: '#047857', values: col('p50_ms') },
                { label: 'p99', color: '#b45309', values: col('p99_ms') },
              ]}
            />
            <LineChart
              title="Error rate"
              unit="%"
              capacity={HISTORY}
              format={(v) => v.toFixed(2)}
              series={[{ label: 'errors', color: '#be123c', values: col('error_rate').map((v) => v * 100) }]}
            />
            <LineChart
              title="Orders per minute"
              unit="/min"
              capacity={HISTORY}
              series={[{ label: 'orders', color: '#7c3aed', values: col('orders_per_minute') }]}
            />
            <LineChart
              title="Inventory updates per minute"
              unit="/min"
              capacity={HISTORY}
              series={[{ label: 'updates', color: '#0e7490', values: col('inventory_updates_per_minute') }]}
            />
          </div>
        </>
      )}
    </section>
  );
}
