import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  type IBackupVault,
} from 'aws-cdk-lib/aws-backup';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TableBackupProps {
  table: TableV2;
  /** How long each daily backup is kept (cdk context `backupRetentionDays`, default 35). */
  retentionDays: number;
  /**
   * A backup vault in another region or account that every backup is also copied to (cdk context
   * `backupCopyVaultArn`); none when unset. Its account must allow this one to copy into it.
   */
  copyVaultArn?: string | undefined;
}

/**
 * The table's backups beside point-in-time recovery (which covers the last 35 days to the second,
 * in the table's own account and region): an AWS Backup plan that takes a backup every day at 05:00
 * UTC, after the night's jobs, into a vault of the stack's (its own KMS key, kept when the stack is
 * deleted), keeps it the configured number of days, and copies it to another region or account when
 * a vault there is named, so that a lost account or region does not take the backups with it.
 */
export class TableBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    const retention = Duration.days(props.retentionDays);
    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: new Key(this, 'VaultKey', {
        description: 'Tenantry: encrypts the table backups in the backup vault.',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const copyTo: IBackupVault | undefined = props.copyVaultArn
      ? BackupVault.fromBackupVaultArn(this, 'CopyVault', props.copyVaultArn)
      : undefined;
    this.plan = new BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }),
          deleteAfter: retention,
          ...(copyTo ? { copyActions: [{ destinationBackupVault: copyTo, deleteAfter: retention }] } : {}),
        }),
      ],
    });
    const selection = this.plan.addSelection('Table', {
      resources: [BackupResource.fromArn(props.table.tableArn)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup’s own service policy for taking backups: the role AWS Backup assumes, nothing else uses it.',
    });
  }
}
