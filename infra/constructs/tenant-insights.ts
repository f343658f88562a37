import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  CfnInsightRule,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

export interface TenantInsightsProps {
  /** The API functions, whose logs carry one `Request cost` line per request. */
  functions: readonly NodejsFunction[];
  /** Where the noisy-neighbour alarm notifies. */
  alarmAction: IAlarmAction;
}

/** What each rule ranks tenants by: the per-request cost line's field, or a count of lines. */
const RULES = {
  Requests: { valueOf: undefined, filters: [] },
  ServerErrors: { valueOf: undefined, filters: [{ Match: '$.status', GreaterThan: 499 }] },
  Throttled: { valueOf: undefined, filters: [{ Match: '$.status', In: [429] }] },
  WriteUnits: { valueOf: '$.writeUnits', filters: [] },
  ReadUnits: { valueOf: '$.readUnits', filters: [] },
} as const;

/** The top tenant's share of all requests past which it is a noisy neighbour. */
const NOISY_SHARE_PERCENT = 50;
/** Below this many requests in 5 minutes, no tenant's share is noise. */
const NOISY_MIN_REQUESTS = 1_000;

/**
 * Which tenants are behind the fleet's figures, without a tenant dimension on any metric:
 * CloudWatch Contributor Insights rules over the per-request cost line every API function logs
 * (`Request cost`, with `tenantId`, `route`, `status`, `readUnits`, `writeUnits`), ranking tenants
 * by requests, 5xx, throttled requests (429) and capacity units. And an alarm when one tenant makes
 * more than half of a busy fleet's requests: a noisy neighbour the others pay for in latency.
 */
export class TenantInsights extends Construct {
  readonly rules: Record<keyof typeof RULES, CfnInsightRule>;
  readonly noisyNeighbour: Alarm;

  constructor(scope: Construct, id: string, props: TenantInsightsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The rules are named after the deployed stack (the parent when this is in a nested one).
    const stackName = (stack.nestedStackParent ?? stack).stackName;
    const logGroupNames = props.functions.map((fn) => fn.logGroup.logGroupName);
    const rule = (name: keyof typeof RULES) => {
      const { valueOf, filters } = RULES[name];
      return new CfnInsightRule(this, `TopTenantsBy${name}`, {
        ruleName: `${stackName}-top-tenants-by-${name.toLowerCase()}`,
        ruleState: 'ENABLED',
        ruleBody: stack.toJsonString({
          Schema: { Name: 'CloudWatchLogRule', Version: 1 },
          LogGroupNames: logGroupNames,
          LogFormat: 'JSON',
          Contribution: {
            Keys: ['$.tenantId'],
            ...(valueOf ? { ValueOf: valueOf } : {}),
            Filters: [{ Match: '$.message', In: ['Request cost'] }, ...filters],
          },
          AggregateOn: valueOf ? 'Sum' : 'Count',
        }),
      });
    };
    this.rules = {
      Requests: rule('Requests'),
      ServerErrors: rule('ServerErrors'),
      Throttled: rule('Throttled'),
      WriteUnits: rule('WriteUnits'),
      ReadUnits: rule('ReadUnits'),
    };
    const requests = this.rules.Requests.ruleName;
    this.noisyNeighbour = new Alarm(this, 'NoisyNeighbour', {
      metric: new MathExpression({
        expression: `IF(total > ${NOISY_MIN_REQUESTS}, 100 * top / total, 0)`,
        usingMetrics: {
          top: new MathExpression({
            expression: `INSIGHT_RULE_METRIC('${requests}', 'MaxContributorValue')`,
            period: Duration.minutes(5),
          }),
          total: new MathExpression({
            expression: `INSIGHT_RULE_METRIC('${requests}', 'Sum')`,
            period: Duration.minutes(5),
          }),
        },
        label: "Top tenant's share of requests (%)",
        period: Duration.minutes(5),
      }),
      threshold: NOISY_SHARE_PERCENT,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `One tenant made more than ${NOISY_SHARE_PERCENT} % of more than ${NOISY_MIN_REQUESTS} requests every 5 minutes for 15 minutes: a noisy neighbour. Contributor Insights (rule ${stackName}-top-tenants-by-requests) names it; its per-minute rate limit and quotas are what bound it.`,
    });
    this.noisyNeighbour.addAlarmAction(props.alarmAction);
    this.noisyNeighbour.addOkAction(props.alarmAction);
  }
}
