import { traced } from '../observability/tracer';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { getConfig } from '../config';
import { sdkLogger } from '../observability/sdk-logger';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

let client: SESv2Client | undefined;

/**
 * Sends one plain-text email with Amazon SES (v2 `SendEmail`), from the configured sender. The twin
 * points the same client at its SES stand-in (aws-ses-v2-local), whose inbox shows what was sent.
 */
export async function sendEmail(message: EmailMessage): Promise<void> {
  const config = getConfig();
  client ??= traced(
    new SESv2Client({
      region: config.region,
      logger: sdkLogger as never,
      ...(config.email.endpoint ? { endpoint: config.email.endpoint } : {}),
    }),
  );
  await client.send(
    new SendEmailCommand({
      FromEmailAddress: config.email.from,
      Destination: { ToAddresses: [message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        },
      },
    }),
  );
}
