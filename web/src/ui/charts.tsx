import { useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { bytesInWords } from '../../../shared/model/quantities';
import { METERED_RESOURCES } from '../../../shared/model/plans';
import { formatNumber } from './parts';

type QuotaLine = Schemas['QuotaReport']['quotas'][number];

/** The resources the platform's services meter, named by their declaration ("Tool calls"). */
export const METERED_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(METERED_RESOURCES).map(([resource, meter]) => [
    resource,
    `${meter.units.charAt(0).toUpperCase()}${meter.units.slice(1)}`,
  ]),
);

export const RESOURCE_NAMES: Record<string, string> = {
  users: 'Users',
  agents: 'Agents',
  projects: 'Projects',
  apiKeys: 'API keys',
  storageBytes: 'Storage',
  runs: 'Runs this month',
  apiCalls: 'API calls this month',
  ...Object.fromEntries(
    Object.entries(METERED_NAMES).map(([resource, name]) => [resource, `${name} this month`]),
  ),
  requestsPerMinute: 'Requests a minute',
};

/** A quota figure in words: bytes in their unit, `null` as unlimited. */
export function amount(resource: string, value: number | null): string {
  if (value === null) return 'unlimited';
  if (resource === 'storageBytes') return bytesInWords(value);
  return formatNumber(value);
}

/**
 * A quota as a bar: use against the limit, with a mark at each notification threshold (80, 90 and
 * 95 % by default). An ARIA meter, so a screen reader reads the same figures.
 */
export function QuotaBar({
  line,
  thresholds,
  upgrade,
}: {
  line: QuotaLine;
  thresholds: readonly number[];
  /** Near or past its limit: where a larger plan is bought (the billing page), or who can buy one. */
  upgrade?: { href: string } | { ask: string };
}) {
  const name = RESOURCE_NAMES[line.resource] ?? line.resource;
  const percent = line.percent ?? 0;
  const level =
    percent >= 100
      ? 'over'
      : percent >= (thresholds.at(-1) ?? 95)
        ? 'high'
        : percent >= (thresholds[0] ?? 80)
          ? 'warn'
          : 'ok';
  const text =
    line.limit === null
      ? `${amount(line.resource, line.used)} used, unlimited`
      : `${amount(line.resource, line.used)} of ${amount(line.resource, line.limit)} (${percent} %)`;
  return (
    <div className="quota" data-resource={line.resource} data-level={level}>
      <div className="quota-label">
        <span id={`quota-${line.resource}`}>{name}</span>
        <span className="quota-figures">{text}</span>
      </div>
      <div
        className="quota-track"
        role="meter"
        aria-labelledby={`quota-${line.resource}`}
        aria-valuemin={0}
        aria-valuemax={line.limit ?? Math.max(line.used, 1)}
        aria-valuenow={line.used}
        aria-valuetext={text}
      >
        <div
          className="quota-fill"
          style={{ width: `${Math.min(100, line.limit === null ? 0 : percent)}%` }}
        />
        {line.limit !== null &&
          thresholds.map((mark) => (
            <span key={mark} className="quota-mark" style={{ left: `${mark}%` }} title={`${mark} %`} />
          ))}
      </div>
      {line.overage > 0 && (
        <small className="muted">Over the limit by {amount(line.resource, line.overage)}.</small>
      )}
      {upgrade && level !== 'ok' && line.limit !== null && (
        <small className="quota-upgrade">
          {'href' in upgrade ? (
            <Link to={upgrade.href}>Move to a larger plan for more {name.toLowerCase()}</Link>
          ) : (
            upgrade.ask
          )}
        </small>
      )}
    </div>
  );
}

/**
 * The API's series has the buckets that saw use; a chart needs every hour or day of the range
 * (UTC, as the API buckets them), the empty ones at zero.
 */
export function fillSeries(
  series: ReadonlyArray<{ start: string; used: number }>,
  from: string,
  to: string,
  granularity: 'hour' | 'day',
): Array<{ start: string; used: number }> {
  const step = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const used = new Map(series.map((point) => [Date.parse(point.start), point.used]));
  const start = new Date(from);
  if (granularity === 'hour') start.setUTCMinutes(0, 0, 0);
  else start.setUTCHours(0, 0, 0, 0);
  const filled: Array<{ start: string; used: number }> = [];
  for (let at = start.getTime(); at <= Date.parse(to); at += step)
    filled.push({ start: new Date(at).toISOString(), used: used.get(at) ?? 0 });
  return filled;
}

/**
 * A usage series as an SVG bar chart, with the same figures in a table for keyboards and screen
 * readers (the chart itself is one labelled image).
 */
export function UsageChart({
  title,
  series,
  granularity,
}: {
  title: string;
  series: ReadonlyArray<{ start: string; used: number }>;
  granularity: 'hour' | 'day' | 'month';
}) {
  // The bar the pointer is on, or the keyboard chose (arrow keys, Home, End): its figure is read out.
  const [picked, setPicked] = useState<number>();
  const width = 600;
  const height = 140;
  const left = 44;
  const plot = width - left;
  const peak = Math.max(0, ...series.map((point) => point.used));
  // The scale's top: the peak rounded up to an even whole number, so the middle line is a whole
  // number too and every label stands at its true height (a peak of 1 reads 0, 1, 2; of 9, 0, 5, 10).
  const max = Math.max(2, 2 * Math.ceil(peak / 2));
  const barWidth = series.length ? plot / series.length : plot;
  const label = (start: string) =>
    granularity === 'hour'
      ? new Date(start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
      : new Date(start).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const total = series.reduce((sum, point) => sum + point.used, 0);
  const point = picked === undefined ? undefined : series[picked];
  const keys = (event: KeyboardEvent<SVGSVGElement>) => {
    if (series.length === 0) return;
    const last = series.length - 1;
    const moves: Record<string, number> = {
      ArrowLeft: Math.max(0, (picked ?? last + 1) - 1),
      ArrowRight: Math.min(last, (picked ?? -1) + 1),
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setPicked(next);
  };
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">({formatNumber(total)} in all)</span>
      </figcaption>
      <svg
        viewBox={`0 -10 ${width} ${height + 26}`}
        role="img"
        tabIndex={0}
        onKeyDown={keys}
        onBlur={() => setPicked(undefined)}
        onMouseLeave={() => setPicked(undefined)}
        aria-label={
          total === 0
            ? `${title}: no use in this period`
            : `${title}: ${formatNumber(total)} in all, peak ${formatNumber(peak)}. Arrow keys read each ${granularity}.`
        }
      >
        {/* The value axis: zero, half the scale and its top, with their lines. */}
        {[0, 0.5, 1].map((share) => (
          <g key={share}>
            <line
              x1={left}
              x2={width}
              y1={height - share * height}
              y2={height - share * height}
              className={share === 0 ? 'axis' : 'grid'}
            />
            <text x={left - 6} y={height - share * height + 4} className="tick value" textAnchor="end">
              {total === 0 && share > 0 ? '' : formatNumber(share * max)}
            </text>
          </g>
        ))}
        {series.map((entry, index) => {
          const barHeight = (entry.used / max) * height;
          return (
            <rect
              key={entry.start}
              x={left + index * barWidth + 1}
              y={height - barHeight}
              width={Math.max(1, barWidth - 2)}
              height={barHeight}
              className={index === picked ? 'bar picked' : 'bar'}
              onMouseEnter={() => setPicked(index)}
            >
              <title>{`${label(entry.start)}: ${formatNumber(entry.used)}`}</title>
            </rect>
          );
        })}
        {total === 0 && (
          <text x={left + plot / 2} y={height / 2} className="empty" textAnchor="middle">
            No use in this period
          </text>
        )}
        {series.length > 0 && (
          <>
            <text x={left} y={height + 13} className="tick">
              {label(series[0]!.start)}
            </text>
            <text x={width} y={height + 13} className="tick" textAnchor="end">
              {label(series[series.length - 1]!.start)}
            </text>
          </>
        )}
      </svg>
      <p className="chart-readout muted" aria-live="polite">
        {point ? `${label(point.start)}: ${formatNumber(point.used)}` : '\u00a0'}
      </p>
      <details>
        <summary>Figures</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{granularity === 'hour' ? 'Hour' : 'Day'}</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {series
              .filter((point) => point.used > 0)
              .map((point) => (
                <tr key={point.start}>
                  <td>{label(point.start)}</td>
                  <td>{formatNumber(point.used)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
