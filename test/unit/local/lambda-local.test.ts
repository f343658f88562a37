import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/free-port';
import { startLambdaLocal, type LambdaLocal } from '../../../infra/local/lambda-local';
import { welcomeClientMetadata } from '../../../shared/identity/welcome-email';

interface InvokeResult {
  StatusCode?: number;
  FunctionError?: string;
  Payload?: string;
}
interface LambdaV2 {
  invoke(params: { FunctionName: string; InvocationType: string; Payload: string }): {
    promise(): Promise<InvokeResult>;
  };
}

/** The client cognito-local invokes its triggers with (aws-sdk v2's Lambda, as it is configured). */
function cognitoLocalsLambdaClient(endpoint: string): LambdaV2 {
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  const fromCognitoLocal = createRequire(
    createRequire(import.meta.url).resolve('cognito-local/package.json'),
  );
  const AWS = fromCognitoLocal('aws-sdk') as { Lambda: new (config: object) => LambdaV2 };
  return new AWS.Lambda({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('the twin’s Lambda stand-in, as cognito-local invokes it', () => {
  let lambda: LambdaLocal;
  let client: LambdaV2;
  beforeAll(async () => {
    lambda = await startLambdaLocal({
      port: await freePort(),
      functions: { 'tenantry-custom-message': 'triggers/custom-message' },
      logFile: join(mkdtempSync(join(tmpdir(), 'lambda-local-')), 'lambda-local.log'),
    });
    client = cognitoLocalsLambdaClient(lambda.endpoint);
  });
  afterAll(async () => {
    await lambda?.stop();
  });

  const invoke = (name: string, event: unknown) =>
    client
      .invoke({ FunctionName: name, InvocationType: 'RequestResponse', Payload: JSON.stringify(event) })
      .promise();

  it('runs the function’s own handler and answers its result as the payload', async () => {
    const result = await invoke('tenantry-custom-message', {
      triggerSource: 'CustomMessage_AdminCreateUser',
      request: {
        codeParameter: '{####}',
        usernameParameter: '{username}',
        userAttributes: {},
        clientMetadata: welcomeClientMetadata({
          kind: 'invitation',
          tenantName: 'Acme',
          tenantSlug: 'acme',
          link: 'http://127.0.0.1:3000/t/ten_1?email=a%40b.test',
        }),
      },
      response: { emailMessage: '', emailSubject: '', smsMessage: '' },
    });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    const payload = JSON.parse(result.Payload ?? '{}') as {
      response: { emailSubject: string; emailMessage: string };
    };
    expect(payload.response.emailSubject).toBe('[Acme] You are invited to Acme');
    expect(payload.response.emailMessage).toContain('{####}');
  });

  it('answers a thrown error as Lambda does: 200 with FunctionError Unhandled and the error in the payload', async () => {
    const result = await invoke('tenantry-custom-message', {
      triggerSource: 'CustomMessage_AdminCreateUser',
    });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    expect(JSON.parse(result.Payload ?? '{}')).toMatchObject({ errorType: 'TypeError' });
  });

  it('refuses a function it does not have with ResourceNotFoundException', async () => {
    await expect(invoke('not-a-function', {})).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
      statusCode: 404,
    });
  });
});
