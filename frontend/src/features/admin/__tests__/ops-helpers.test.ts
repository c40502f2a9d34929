import { describe, expect, it } from 'vitest';
import type { OpsSummary } from '../../../lib/api/types';
import { linePath, niceMax } from '../components/charts';
import { appendSample } from '../routes/OpsDashboard';

describe('ops dashboard helpers', () => {
  const s = (t: string, rps = 1): OpsSummary => ({
    generated_at: t,
    window_seconds: 60,
    requests_per_second: rps,
    p50_ms: 1,
    p99_ms: 5,
    error_rate: 0,
    orders_per_minute: 0,
    inventory_updates_per_minute: 0,
  });
  it('keeps a bounded client-side history without duplicates', () => {
    let h: OpsSummary[] = [];
    h = appendSample(h, s('a'), 3);
    h = appendSample(h, s('a'), 3);
    h = appendSample(h, s('b'), 3);
    h = appendSample(h, s('c'), 3);
    h = appendSample(h, s('d'), 3);
    expect(h.map((x) => x.generated_at)).toEqual(['b', 'c', 'd']);
  });
  it('scales charts', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7.3)).toBe(10);
    expect(niceMax(230)).toBe(250);
    expect(linePath([0, 10], 100, 50, 10, 2)).toBe('M0.0,50.0 L100.0,0.0');
  });
});
