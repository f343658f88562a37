/** Work a request asks for, done by the same worker: writing a tenant's export. */
export interface ExportTask {
  task: 'export';
  tenantId: string;
  exportId: string;
}

export function isExportTask(value: unknown): value is ExportTask {
  const task = value as Partial<ExportTask> | null;
  return (
    typeof task === 'object' &&
    task !== null &&
    task.task === 'export' &&
    typeof task.tenantId === 'string' &&
    typeof task.exportId === 'string'
  );
}
