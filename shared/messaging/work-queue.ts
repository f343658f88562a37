import { traced } from '../observability/tracer';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getConfig } from '../config';
import { outsideRequest } from '../data/call-budget';
import { logger } from '../observability/logger';
import { sdkLogger } from '../observability/sdk-logger';

let sqs: SQSClient | undefined;

/** Work handed to a worker: an SQS queue in AWS, the worker's own code in the twin's process. */
export interface WorkQueue<Task> {
  /**
   * Sends a task: to the queue in AWS (`delaySeconds`, up to SQS's 15 minutes); in the twin, to the
   * in-process worker once the caller has moved on (after the delay), outside the request that
   * sent it, as its own invocation would run it.
   */
  send(task: Task, options?: { delaySeconds?: number }): Promise<void>;
  /**
   * The twin's stand-in for the queue's worker, set by the twin at start, so that the API functions
   * never bundle the worker (in AWS the queue carries the task to it).
   */
  runInProcess(worker: (task: Task) => Promise<void>): void;
}

export function workQueue<Task>(options: {
  /** What the log calls the work ("export", "webhook delivery"). */
  name: string;
  /** The queue's URL from the configuration; unset in the twin. */
  queueUrl: () => string | undefined;
  /** The fields of a task worth a log line when it fails. */
  describe: (task: Task) => Record<string, unknown>;
  /** With neither a queue nor a worker (a unit test), a task is refused or dropped with a warning. */
  withoutWorker: 'refuse' | 'drop';
}): WorkQueue<Task> {
  let inProcess: ((task: Task) => Promise<void>) | undefined;
  const runLater = (worker: (task: Task) => Promise<void>, task: Task, delaySeconds: number) => {
    const run = () =>
      outsideRequest(() =>
        worker(task).catch((error: unknown) =>
          logger.error(`A ${options.name} failed`, { ...options.describe(task), error }),
        ),
      );
    if (delaySeconds > 0) setTimeout(run, delaySeconds * 1000).unref();
    else setImmediate(run);
  };
  return {
    async send(task, { delaySeconds = 0 } = {}) {
      const queueUrl = options.queueUrl();
      if (queueUrl) {
        sqs ??= traced(new SQSClient({ region: getConfig().region, logger: sdkLogger as never }));
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(task),
            ...(delaySeconds > 0 ? { DelaySeconds: Math.min(900, Math.ceil(delaySeconds)) } : {}),
          }),
        );
        return;
      }
      const worker = inProcess;
      if (worker) return runLater(worker, task, delaySeconds);
      if (options.withoutWorker === 'refuse') {
        throw new Error(`No queue is configured for the ${options.name} and no in-process worker is set.`);
      }
      logger.warn(`A ${options.name} was dropped: no queue and no in-process worker`, options.describe(task));
    },
    runInProcess(worker) {
      inProcess = worker;
    },
  };
}
