/** An export's life: asked for, being written, ready to download, or failed (retried by the queue). */
export const EXPORT_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
