import { describe, expect, it } from 'vitest';
import { cognitoMessageReader, type CognitoMessage } from '../../../infra/local/cognito-local';

const line = (message: CognitoMessage) => `${JSON.stringify({ cognitoMessage: message })}\n`;

describe('reading what cognito-local would have emailed', () => {
  const first = {
    trigger: 'AdminCreateUser',
    destination: 'first@example.test',
    code: '2twT!5',
    printedAt: 1,
  };
  const second = {
    trigger: 'ForgotPassword',
    destination: 'second@example.test',
    code: '123456',
    printedAt: 2,
  };

  it('finds each message line, whatever the chunks its output arrives in', () => {
    const output = `{"level":40,"msg":"Cognito Local running"}\n${line(first)}{"level":50,"msg":"other"}\n${line(second)}`;
    for (const size of [1, 7, 64, output.length]) {
      const seen: CognitoMessage[] = [];
      const read = cognitoMessageReader((message) => seen.push(message));
      for (let at = 0; at < output.length; at += size) read(output.slice(at, at + size));
      expect(seen).toEqual([first, second]);
    }
  });

  it('reports a message once, when its line is complete, and nothing for other lines', () => {
    const seen: CognitoMessage[] = [];
    const read = cognitoMessageReader((message) => seen.push(message));
    read('{"level":40,"msg":"no message here"}\n{"cognitoMessage": not json}\n');
    expect(seen).toEqual([]);
    const text = line(first);
    read(text.slice(0, -1));
    expect(seen).toEqual([]);
    read('\n');
    read('{"level":40}\n');
    expect(seen).toEqual([first]);
  });
});
