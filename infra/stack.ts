import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TenantryApi } from './constructs/api';
import { TenantryAuth } from './constructs/auth';
import { TenantryTable } from './constructs/table';

/** Everything Tenantry needs in one account and region. */
export class TenantryStack extends Stack {
  readonly tableConstruct: TenantryTable;
  readonly auth: TenantryAuth;
  readonly api: TenantryApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.tableConstruct = new TenantryTable(this, 'Data');
    this.auth = new TenantryAuth(this, 'Auth');
    this.api = new TenantryApi(this, 'Api', {
      table: this.tableConstruct.table,
      userPool: this.auth.userPool,
      client: this.auth.client,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.tableConstruct.table.tableName });
  }
}
