import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantryStack } from './stack';

/** The CDK app: `npx cdk synth` / `npx cdk deploy`. cdk-nag's AWS Solutions pack checks every synth. */
export function buildApp(app: App = new App()): { app: App; stack: TenantryStack } {
  const stack = new TenantryStack(app, 'Tenantry', {
    description: 'Tenantry: multi-tenant SaaS backbone (API, auth, single table).',
    ...(process.env.CDK_DEFAULT_ACCOUNT
      ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
      : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) {
  buildApp().app.synth();
}
