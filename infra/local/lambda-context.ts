import type { Context } from 'aws-lambda';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionEntry } from '../../shared/api/function-entries';

const ROOT = join(import.meta.dirname, '..', '..');

/** Loads a function's module by its entry path, as Lambda does (the twin never imports `functions/`). */
export function loadEntry<T>(name: Parameters<typeof functionEntry>[0]): Promise<{ handler: T }> {
  return import(pathToFileURL(join(ROOT, functionEntry(name))).href) as Promise<{ handler: T }>;
}

/** Lambda's context for one invocation, its remaining time counting down from the function's timeout. */
export function lambdaContext(functionName: string, requestId: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
