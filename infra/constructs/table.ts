import { CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AccountRootPrincipal, Effect, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_DEFINITION, TENANT_KEY_PREFIX } from '../../shared/data/table-definition';

/**
 * The item actions the code uses: no Scan, and no stream reads. Transactions and batches are
 * authorised per item under these actions.
 */
export const DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

/**
 * The one table, from the shared definition: on-demand, point-in-time recovery, deletion
 * protection, retained on stack deletion, TTL on `expiresAt`, the two GSIs.
 */
export class TenantryTable extends Construct {
  readonly table: TableV2;
  /**
   * The role a tenant's data client assumes, tagged with the tenant id: it may touch only items
   * whose partition key is `TENANT#<that tenant id>` (`dynamodb:LeadingKeys`), on the table and its
   * indexes. The second wall behind the client-side guard.
   */
  readonly tenantDataRole: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const def = TABLE_DEFINITION;
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
      sortKey: { name: def.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: def.timeToLiveAttribute,
      globalSecondaryIndexes: def.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
    });

    this.tenantDataRole = new Role(this, 'TenantDataRole', {
      description: "Tenantry: a tenant's data access, limited to its own partition by session tag.",
      assumedBy: new AccountRootPrincipal().withSessionTags(),
    });
    this.tenantDataRole.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: DATA_ACTIONS.filter((action) => action !== 'dynamodb:DescribeTable'),
        resources: [this.table.tableArn, `${this.table.tableArn}/index/*`],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [`${TENANT_KEY_PREFIX}\${aws:PrincipalTag/tenantId}`],
          },
        },
      }),
    );
    Validations.of(this.tenantDataRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnElement)}.Arn>/index/*]`,
      reason: 'The tenant role reaches the table’s own GSIs, and only keys under its tenant (LeadingKeys).',
    });
  }
}
