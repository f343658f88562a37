import { describe, expect, it } from 'vitest';
import { cognitoMessageReader, type CognitoMessage } from '../../../infra/local/cognito-local';

/** cognito-local's output for one message, as it prints it (pino line, coloured boxen box). */
function box(trigger: string, destination: string, code: string): string {
  const yellow = (text: string) => `\u001b[33m${text}\u001b[39m`;
  const line = (text: string) => `${yellow('│')}   ${text.padEnd(50)}${yellow('│')}\n`;
  return (
    `[1795442439214] \u001b[32mINFO\u001b[39m: \u001b[36m7013267a ${trigger} ${yellow('╭' + '─'.repeat(55) + '╮')}\n` +
    line('') +
    line('Confirmation Code Delivery') +
    line('') +
    line('Username:    ed22729a-cc95-4f1a-8715-d98536d4b5d9') +
    line(`Destination: ${destination}`) +
    line(`Code:        ${code}`) +
    `${yellow('╰' + '─'.repeat(55) + '╯')}\u001b[39m \u001b[90m{"reqId":"7013267a","target":"${trigger}"}\u001b[39m\n`
  );
}

describe('reading what cognito-local would have emailed', () => {
  it('finds each message, whatever the chunks its output arrives in', () => {
    const output =
      'Cognito Local running\n' +
      box('AdminCreateUser', 'first@example.test', '2twT!5') +
      '[1795442439300] INFO: other line\n' +
      box('ForgotPassword', 'second@example.test', '123456');
    for (const size of [1, 7, 64, output.length]) {
      const seen: CognitoMessage[] = [];
      const read = cognitoMessageReader((message) => seen.push(message));
      for (let at = 0; at < output.length; at += size) read(output.slice(at, at + size));
      expect(seen).toEqual([
        {
          trigger: 'AdminCreateUser',
          destination: 'first@example.test',
          code: '2twT!5',
          printedAt: 1795442439214,
        },
        {
          trigger: 'ForgotPassword',
          destination: 'second@example.test',
          code: '123456',
          printedAt: 1795442439214,
        },
      ]);
    }
  });

  it('reports a message once, and nothing for output without a box', () => {
    const seen: CognitoMessage[] = [];
    const read = cognitoMessageReader((message) => seen.push(message));
    read('[1795442439300] INFO: no box here\n');
    expect(seen).toEqual([]);
    read(box('AdminCreateUser', 'once@example.test', 'Ab1!xy'));
    read('[1795442439301] INFO: more\n');
    expect(seen).toHaveLength(1);
  });
});
