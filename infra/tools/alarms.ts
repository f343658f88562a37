import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../app';
import { readDatapoints } from '../local/metric-store';
import { nestedStackParameters, withParentValues, type TemplateJson } from './nested-template';
import { evaluateAlarm, type AlarmProperties, type AlarmVerdict } from './alarm-evaluation';

/**
 * The stack's alarms, synthesized as `cdk synth` makes them (offline, no bundling).
 */
export function stackAlarms(): Array<{ name: string; properties: AlarmProperties }> {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const context = (JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: object }).context;
  const outdir = mkdtempSync(join(tmpdir(), 'tenantry-alarms-'));
  try {
    const { app, stack } = buildApp(
      new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } }),
    );
    const assembly = app.synth();
    const parent = assembly.getStackByName(stack.stackName).template as TemplateJson;
    // The alarms are in the nested operations stack; read with the values the parent passes it.
    const nested = JSON.parse(
      readFileSync(join(assembly.directory, stack.operations.templateFile), 'utf8'),
    ) as TemplateJson;
    const template = withParentValues(nested, nestedStackParameters(parent)).template as {
      Resources: Record<string, { Type: string; Properties: AlarmProperties }>;
    };
    return Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map(([id, resource]) => ({ name: id.replace(/[0-9A-F]{8}$/, ''), properties: resource.Properties }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Evaluates every alarm of the stack now on the metrics the twin in `dataDir` kept. */
export function evaluateTwinAlarms(metricsDir: string, now = Date.now()): AlarmVerdict[] {
  const alarms = stackAlarms();
  // Enough for the longest alarm the twin can evaluate (a daily heartbeat over two days).
  const points = readDatapoints(metricsDir, now - 2 * 86_400_000 - 3_600_000);
  return alarms.map(({ name, properties }) => evaluateAlarm(name, properties, points, now));
}

const ORDER = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2, NOT_ON_TWIN: 3 } as const;

if (process.argv[1]?.endsWith('alarms.ts')) {
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const dataDir = process.env.TENANTRY_DATA_DIR ?? join(root, '.data');
  const verdicts = evaluateTwinAlarms(join(dataDir, 'metrics')).sort(
    (a, b) => ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name),
  );
  const all = process.argv.includes('--all');
  console.log(`The stack's ${verdicts.length} alarms on the metrics of the twin in ${dataDir}:\n`);
  for (const verdict of verdicts) {
    if (verdict.state === 'NOT_ON_TWIN' && !all) continue;
    console.log(`${verdict.state.padEnd(17)} ${verdict.name.padEnd(40)} ${verdict.why}`);
  }
  const off = verdicts.filter((verdict) => verdict.state === 'NOT_ON_TWIN');
  if (off.length && !all)
    console.log(
      `\n${off.length} alarms read metrics the twin has no stand-in for (Lambda, SQS, DynamoDB, SES, EventBridge, Contributor Insights); --all lists them.`,
    );
  const firing = verdicts.filter((verdict) => verdict.state === 'ALARM').length;
  console.log(`\n${firing} would fire.`);
}
