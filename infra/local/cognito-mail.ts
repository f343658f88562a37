import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { CognitoMessage } from './cognito-local';

/** Cognito's own sender address when a pool sends with its default email configuration. */
const COGNITO_DEFAULT_SENDER = 'no-reply@verificationemail.com';

/**
 * What Cognito sends: the custom message trigger's subject and body (HTML) where it made them,
 * else Cognito's default wording for the message.
 */
function messageFor(message: CognitoMessage): { subject: string; text?: string; html?: string } {
  if (message.emailMessage)
    return { subject: message.emailSubject || 'Your temporary password', html: message.emailMessage };
  if (message.trigger === 'AdminCreateUser')
    return {
      subject: 'Your temporary password',
      text: `Your username is ${message.destination} and temporary password is ${message.code}.`,
    };
  return { subject: 'Your verification code', text: `Your verification code is ${message.code}.` };
}

/**
 * Sends what Cognito would email (cognito-local writes it out instead) through the SES stand-in, which
 * relays it to MailDev: a person using the twin finds an invitation's temporary password in the
 * inbox, as they would in their mailbox in AWS.
 */
export function cognitoMessageRelay(
  sesEndpoint: string,
  region: string,
  /** Where each relayed message and its outcome is written (the twin's logs folder). */
  logFile: string,
): (message: CognitoMessage) => void {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  const ses = new SESv2Client({
    endpoint: sesEndpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return (message) => {
    const late =
      message.printedAt === undefined
        ? ''
        : `, read ${Date.now() - message.printedAt} ms after cognito-local printed it`;
    log(`${message.trigger} for ${message.destination}${late}`);
    if (!message.destination.includes('@')) return;
    const { subject, text, html } = messageFor(message);
    ses
      .send(
        new SendEmailCommand({
          FromEmailAddress: COGNITO_DEFAULT_SENDER,
          Destination: { ToAddresses: [message.destination] },
          Content: {
            Simple: {
              Subject: { Data: subject },
              Body: html ? { Html: { Data: html } } : { Text: { Data: text ?? '' } },
            },
          },
        }),
      )
      .then(
        (sent) => log(`sent to ${message.destination} as ${sent.MessageId ?? '?'}`),
        (error: unknown) =>
          log(
            `not sent to ${message.destination}: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
  };
}
