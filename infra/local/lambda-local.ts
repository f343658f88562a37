import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import type { Context } from 'aws-lambda';
import { lambdaContext, loadEntry } from './lambda-context';
import type { functionEntry } from '../../shared/api/function-entries';

/** Cognito waits 5 s for a trigger (the CDK function's timeout too). */
const TRIGGER_TIMEOUT_SECONDS = 5;

type Entry = Parameters<typeof functionEntry>[0];
type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The Lambda stand-in for what the twin's other services invoke themselves: cognito-local calls its
 * user pool triggers through Lambda's `Invoke` API (aws-sdk's Lambda client, its `LambdaClient`
 * configuration), as Cognito does in AWS. Answers `POST /2015-03-31/functions/{name}/invocations`
 * (RequestResponse) as Lambda does: the handler's result as the payload; a thrown error as a 200 with
 * `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage}`; an unknown function as a 404
 * `ResourceNotFoundException`. The handlers are the functions' own files, loaded by path.
 */
export interface LambdaLocal {
  endpoint: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startLambdaLocal(options: {
  port: number;
  /** Each function's name (what the caller invokes) and its entry in `functions/`. */
  functions: Record<string, Entry>;
  /** One line per invocation and its outcome. */
  logFile: string;
}): Promise<LambdaLocal> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = (line: string) => appendFileSync(options.logFile, `${new Date().toISOString()} ${line}\n`);
  const handlers = new Map<string, Promise<Handler>>();
  const handlerOf = (name: string): Promise<Handler> | undefined => {
    const entry = options.functions[name];
    if (!entry) return undefined;
    if (!handlers.has(name))
      handlers.set(
        name,
        loadEntry<Handler>(entry).then((module) => module.handler),
      );
    return handlers.get(name);
  };
  let invocations = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const match = INVOKE_PATH.exec(request.url?.split('?')[0] ?? '');
      const name = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      const payload = await body(request);
      const requestId = `local-${process.pid}-${(invocations += 1)}`;
      const headers = { 'Content-Type': 'application/json', 'X-Amzn-RequestId': requestId };
      const loading = request.method === 'POST' && name ? handlerOf(name) : undefined;
      if (!loading || !name) {
        log(`not found: ${request.method} ${request.url}`);
        response.writeHead(404, { ...headers, 'X-Amzn-ErrorType': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', Message: `Function not found: ${name ?? request.url}` }));
        return;
      }
      try {
        const handler = await loading;
        const result = await handler(
          payload ? JSON.parse(payload) : {},
          lambdaContext(name, requestId, TRIGGER_TIMEOUT_SECONDS),
        );
        log(`${name} ${requestId}: ok`);
        response.writeHead(200, { ...headers, 'X-Amz-Executed-Version': '$LATEST' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        log(`${name} ${requestId}: ${failure.name}: ${failure.message}`);
        response.writeHead(200, {
          ...headers,
          'X-Amz-Executed-Version': '$LATEST',
          'X-Amz-Function-Error': 'Unhandled',
        });
        response.end(JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: [] }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
