import * as z from 'zod/mini';

/** Work a request asks for, done by the jobs worker: writing a tenant's export (a queue message). */
export const exportTaskSchema = z.object({
  task: z.literal('export'),
  tenantId: z.string(),
  exportId: z.string(),
});

export type ExportTask = z.infer<typeof exportTaskSchema>;
