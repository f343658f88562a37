import type { Datapoint } from '../local/metric-store';

/**
 * The stack's alarms evaluated as CloudWatch would, on the metrics the local twin kept: each alarm
 * of the synthesized template (its metric or metric-math expression, statistic, period, threshold,
 * comparison, evaluation periods, datapoints to alarm, missing-data treatment) over the last
 * periods of the twin's datapoints. Only the namespaces the twin produces are evaluated (the
 * functions' `Tenantry` metrics and API Gateway's, which the local gateway records); the others
 * (Lambda, SQS, DynamoDB, SES, EventBridge, Contributor Insights) have no stand-in and say so.
 */

export const TWIN_NAMESPACES = new Set(['Tenantry', 'AWS/ApiGateway']);

interface Dimension {
  Name: string;
  Value: unknown;
}
interface MetricSpec {
  MetricName: string;
  Namespace: string;
  Dimensions?: Dimension[];
}
export interface AlarmProperties {
  AlarmDescription?: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Dimension[];
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Threshold?: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  Metrics?: Array<{
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    Period?: number;
    MetricStat?: { Metric: MetricSpec; Period: number; Stat: string };
  }>;
}

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' | 'NOT_ON_TWIN';

export interface AlarmVerdict {
  name: string;
  state: AlarmState;
  /** The values of the periods evaluated, oldest first (`null`: no data). */
  values: Array<number | null>;
  threshold: number | undefined;
  comparison: string;
  why: string;
}

function statistic(values: number[], stat: string): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (percentile) {
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
  }
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum':
      return sorted[sorted.length - 1] ?? null;
    case 'Minimum':
      return sorted[0] ?? null;
    case 'SampleCount':
      return values.length;
    default:
      throw new Error(`Statistic ${stat} is not evaluated on the twin`);
  }
}

/** A template's dimension value that is not a plain string (a `Ref` to the API) matches any value. */
function matches(point: Datapoint, metric: MetricSpec): boolean {
  if (point.namespace !== metric.Namespace || point.name !== metric.MetricName) return false;
  const wanted = metric.Dimensions ?? [];
  const names = wanted.map((dimension) => dimension.Name).sort();
  // CloudWatch keeps a value under each dimension set it was published with; an alarm reads one set.
  const published = point.dimensionSets.some(
    (set) => set.length === names.length && [...set].sort().every((name, index) => name === names[index]),
  );
  return (
    published &&
    wanted.every(
      (dimension) =>
        typeof dimension.Value !== 'string' || point.dimensions[dimension.Name] === dimension.Value,
    )
  );
}

function seriesOf(points: Datapoint[], metric: MetricSpec, stat: string, windows: Array<[number, number]>) {
  const mine = points.filter((point) => matches(point, metric));
  return windows.map(([start, end]) =>
    statistic(
      mine.filter((point) => point.at >= start && point.at < end).map((point) => point.value),
      stat,
    ),
  );
}

/**
 * Metric math over one period's values: numbers, ids, + - * /, parentheses, FILL(x, n), MAX([..]),
 * MIN([..]) and IF(cond, a, b) with comparisons. A missing operand makes the result missing, as
 * metric math adds only the periods every operand has (FILL gives one a value).
 */
export function evaluateExpression(expression: string, values: Record<string, number | null>): number | null {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),[\]<>]/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (expected !== undefined && token !== expected)
      throw new Error(`Expected ${expected} in ${expression}`);
    return token;
  };
  const list = (): Array<number | null> => {
    take('[');
    const items = [sum()];
    while (peek() === ',') {
      take(',');
      items.push(sum());
    }
    take(']');
    return items;
  };
  const primary = (): number | null => {
    const token = take();
    if (token === undefined) throw new Error(`Unexpected end of ${expression}`);
    if (token === '(') {
      const inner = comparison();
      take(')');
      return inner;
    }
    if (token === '-') {
      const operand = primary();
      return operand === null ? null : -operand;
    }
    if (/^\d/.test(token)) return Number(token);
    if (peek() === '(') {
      take('(');
      const name = token.toUpperCase();
      if (name === 'FILL') {
        const series = comparison();
        take(',');
        const fill = comparison();
        take(')');
        return series ?? fill;
      }
      if (name === 'MAX' || name === 'MIN') {
        const items = list();
        take(')');
        if (items.some((item) => item === null)) return null;
        return name === 'MAX' ? Math.max(...(items as number[])) : Math.min(...(items as number[]));
      }
      if (name === 'IF') {
        const condition = comparison();
        take(',');
        const then = comparison();
        take(',');
        const otherwise = comparison();
        take(')');
        return condition === null ? null : condition !== 0 ? then : otherwise;
      }
      throw new Error(`Function ${token} is not evaluated on the twin`);
    }
    if (!(token in values)) throw new Error(`Unknown id ${token} in ${expression}`);
    return values[token] ?? null;
  };
  const product = (): number | null => {
    let left = primary();
    while (peek() === '*' || peek() === '/') {
      const operator = take();
      const right = primary();
      left = left === null || right === null ? null : operator === '*' ? left * right : left / right;
    }
    return left;
  };
  const sum = (): number | null => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const operator = take();
      const right = product();
      left = left === null || right === null ? null : operator === '+' ? left + right : left - right;
    }
    return left;
  };
  const comparison = (): number | null => {
    const left = sum();
    const operator = peek();
    if (operator && ['>', '<', '>=', '<=', '==', '!='].includes(operator)) {
      take();
      const right = sum();
      if (left === null || right === null) return null;
      const truth = {
        '>': left > right,
        '<': left < right,
        '>=': left >= right,
        '<=': left <= right,
        '==': left === right,
        '!=': left !== right,
      }[operator];
      return truth ? 1 : 0;
    }
    return left;
  };
  const result = comparison();
  if (position !== tokens.length) throw new Error(`Could not read all of ${expression}`);
  return result;
}

const COMPARE: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

function namespacesOf(alarm: AlarmProperties): string[] {
  if (alarm.Namespace) return [alarm.Namespace];
  return (alarm.Metrics ?? []).flatMap((metric) =>
    metric.MetricStat
      ? [metric.MetricStat.Metric.Namespace]
      : /INSIGHT_RULE_METRIC|SEARCH|ANOMALY/.test(metric.Expression ?? '')
        ? ['(Contributor Insights)']
        : [],
  );
}

/** Evaluates one alarm of the template at `now` on the twin's datapoints. */
export function evaluateAlarm(
  name: string,
  alarm: AlarmProperties,
  points: Datapoint[],
  now: number,
): AlarmVerdict {
  const comparison = alarm.ComparisonOperator;
  const base = { name, threshold: alarm.Threshold, comparison };
  const outside = namespacesOf(alarm).filter((namespace) => !TWIN_NAMESPACES.has(namespace));
  if (outside.length) {
    return {
      ...base,
      state: 'NOT_ON_TWIN',
      values: [],
      why: `reads ${[...new Set(outside)].join(', ')}, which the twin does not produce`,
    };
  }
  const period =
    (alarm.Period ?? alarm.Metrics?.find((metric) => metric.MetricStat)?.MetricStat?.Period ?? 60) * 1000;
  const count = alarm.EvaluationPeriods;
  const windows: Array<[number, number]> = Array.from({ length: count }, (_, index) => {
    const end = now - (count - 1 - index) * period;
    return [end - period, end];
  });
  let values: Array<number | null>;
  if (alarm.MetricName && alarm.Namespace) {
    values = seriesOf(
      points,
      {
        MetricName: alarm.MetricName,
        Namespace: alarm.Namespace,
        ...(alarm.Dimensions ? { Dimensions: alarm.Dimensions } : {}),
      },
      alarm.ExtendedStatistic ?? alarm.Statistic ?? 'Average',
      windows,
    );
  } else {
    const metrics = alarm.Metrics ?? [];
    const series = Object.fromEntries(
      metrics
        .filter((metric) => metric.MetricStat)
        .map((metric) => {
          const stat = metric.MetricStat as { Metric: MetricSpec; Stat: string };
          return [metric.Id, seriesOf(points, stat.Metric, stat.Stat, windows)];
        }),
    );
    const returned = metrics.find((metric) => metric.ReturnData !== false && metric.Expression);
    values = windows.map((_, index) =>
      evaluateExpression(
        returned?.Expression ?? '',
        Object.fromEntries(Object.entries(series).map(([id, list]) => [id, list[index] ?? null])),
      ),
    );
  }
  const threshold = alarm.Threshold ?? 0;
  const breaches = COMPARE[comparison];
  if (!breaches) throw new Error(`Comparison ${comparison} is not evaluated on the twin`);
  const treat = alarm.TreatMissingData ?? 'missing';
  const verdicts = values.map((value) =>
    value === null
      ? treat === 'breaching'
        ? true
        : treat === 'notBreaching'
          ? false
          : null
      : breaches(value, threshold),
  );
  const needed = alarm.DatapointsToAlarm ?? count;
  const breaching = verdicts.filter((verdict) => verdict === true).length;
  const known = verdicts.filter((verdict) => verdict !== null).length;
  const state: AlarmState = breaching >= needed ? 'ALARM' : known === 0 ? 'INSUFFICIENT_DATA' : 'OK';
  const shown = values.map((value) => (value === null ? 'no data' : String(Math.round(value * 100) / 100)));
  return {
    ...base,
    state,
    values,
    why: `${breaching} of ${count} periods of ${period / 60_000} min breaching (${needed} needed): ${shown.join(', ')} against ${comparison.replace('Threshold', '')} ${threshold}`,
  };
}
