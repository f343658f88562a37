import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  type Alarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/observability/metric-names';

export interface OperatorDashboardProps {
  functions: Record<string, NodejsFunction>;
  deadLetterQueues: Record<string, { queue: Queue; holds: string }>;
  httpApi: HttpApi;
  table: TableV2;
  alarms: readonly Alarm[];
}

const PERIOD = Duration.minutes(5);

/** One of the application's metrics, by its bounded dimension (route, code…), found by search. */
function searchByDimension(metricName: string, dimension: string, statistic: string, label: string): IMetric {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimension}} MetricName="${metricName}" service="${METRICS_SERVICE}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });
}

/**
 * The fleet on one page (CloudWatch dashboard `Tenantry`): the alarms' states first, then the API as
 * its users see it, the functions, the table, the queues of failed work, and the application's own
 * figures by route and problem code. Bounded dimensions only (route, code, function): which tenant
 * drives a line is in the logs, not here.
 */
export class OperatorDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperatorDashboardProps) {
    super(scope, id);
    const functions = Object.entries(props.functions);
    const sum = { period: PERIOD, statistic: 'Sum' };
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: 'Tenantry',
      defaultInterval: Duration.hours(6),
    });
    // An alarm status widget shows at most 100 alarms.
    for (let first = 0; first < props.alarms.length; first += 100) {
      this.dashboard.addWidgets(
        new AlarmStatusWidget({
          title: first === 0 ? 'Alarms' : 'Alarms (continued)',
          alarms: props.alarms.slice(first, first + 100),
          width: 24,
          height: 6,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [props.httpApi.metricCount(sum)],
        right: [props.httpApi.metricServerError(sum), props.httpApi.metricClientError(sum)],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          props.httpApi.metricLatency({ period: PERIOD, statistic: 'p50' }),
          props.httpApi.metricLatency({ period: PERIOD, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors and throttles',
        left: functions.map(([name, fn]) => fn.metricErrors({ ...sum, label: `${name} errors` })),
        right: functions.map(([name, fn]) => fn.metricThrottles({ ...sum, label: `${name} throttles` })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration (p99)',
        left: functions.map(([name, fn]) =>
          fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Table: capacity used',
        left: [
          props.table.metricConsumedReadCapacityUnits(sum),
          props.table.metricConsumedWriteCapacityUnits(sum),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Failed work waiting (dead-letter queues)',
        left: Object.entries(props.deadLetterQueues).map(([name, { queue }]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: name,
          }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB capacity by route',
        left: [searchByDimension('WriteCapacityUnits', 'route', 'Sum', 'write units')],
        right: [searchByDimension('ReadCapacityUnits', 'route', 'Sum', 'read units')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Problem responses by code',
        left: [searchByDimension('ProblemResponses', 'code', 'Sum', '4xx')],
        right: [searchByDimension('ServerErrors', 'code', 'Sum', '5xx')],
        width: 12,
      }),
    );
  }
}
