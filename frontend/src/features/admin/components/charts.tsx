/** Tiny inline-SVG line chart: no chart library. */
export interface Series {
  label: string;
  color: string;
  values: number[];
}

export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function linePath(values: number[], w: number, h: number, max: number, capacity: number): string {
  if (values.length === 0) return '';
  const step = w / Math.max(1, capacity - 1);
  const x0 = w - step * (values.length - 1);
  return values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(x0 + i * step).toFixed(1)},${(h - (Math.max(0, v) / max) * h).toFixed(1)}`)
    .join(' ');
}

export function LineChart({
  title,
  series,
  unit,
  capacity,
  format = (v) => v.toFixed(1),
}: {
  title: string;
  series: Series[];
  unit: string;
  capacity: number;
  format?: (v: number) => string;
}) {
  const W = 320;
  const H = 120;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  // The x axis grows with the history until `capacity` samples, then scrolls.
  const span = Math.min(capacity, Math.max(12, ...series.map((s) => s.values.length)));

  const latest = series
    .map((s) => `${s.label} ${s.values.length ? format(s.values[s.values.length - 1]!) : '–'} ${unit}`)
    .join(', ');
  const id = title.replace(/\W+/g, '-').toLowerCase();
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        <strong>{title}</strong>
        <span className="chart-latest" data-testid={`latest-${id}`}>
          {series.map((s) => (
            <span key={s.label} style={{ color: s.color }}>
              {series.length > 1 ? `${s.label} ` : ''}
              {s.values.length ? format(s.values[s.values.length - 1]!) : '–'} {unit}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H + 14}`}
        width="100%"
        height={H + 14}
        role="img"
        aria-label={`${title}: latest ${latest}`}
        preserveAspectRatio="none"
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1="0" x2={W} y1={H - f * H} y2={H - f * H} stroke="#e5e7eb" strokeWidth="1" />
            <text x="2" y={Math.max(10, H - f * H - 2)} fontSize="9" fill="#6b7280">
              {format(max * f)}
            </text>
          </g>
        ))}
        {series.map((s) => (
          <g key={s.label}>
            <path
              d={linePath(s.values, W, H, max, span)}
              fill="none"
              stroke={s.color}
              strokeWidth="2"
              strokeLinejoin="round"
              vectorEffect="non-scaling-stroke"
            />
          </g>
        ))}
      </svg>
    </figure>
  );
}
