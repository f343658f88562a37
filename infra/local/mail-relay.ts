import { appendFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nodemailer from 'nodemailer';

/**
 * The twin's mail path from SES to the inbox, as SES delivers in AWS: every email the SES stand-in
 * accepted is spooled to disk, then sent over SMTP to MailDev, and retried with backoff until MailDev
 * takes it, each failure logged (`logs/mail-relay.log`). aws-ses-v2-local's own relay tries once and
 * drops the email when the SMTP server is away; this one loses nothing once spooled, across MailDev
 * restarts and the twin's own (the spool is read again at start).
 */
export interface MailRelay {
  /** Emails spooled and not yet delivered. */
  pending(): number;
  stop(): Promise<void>;
}

interface StoredEmail {
  messageId: string;
  from: string;
  replyTo?: string[];
  destination: { to?: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: Array<{ name: string; value: string }>;
  at: number;
}

/** How often SES's store is read and the spool worked. */
const TICK_MS = 100;
/** Emails sent to MailDev at once, over pooled connections. */
const PARALLEL_SENDS = 4;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export async function startMailRelay(options: {
  sesEndpoint: string;
  smtpPort: number;
  spoolDir: string;
  logFile: string;
}): Promise<MailRelay> {
  mkdirSync(options.spoolDir, { recursive: true });
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = (line: string) => appendFileSync(options.logFile, `${new Date().toISOString()} ${line}\n`);
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: PARALLEL_SENDS,
    connectionTimeout: 2_000,
    greetingTimeout: 2_000,
    socketTimeout: 5_000,
  });
  const spooled = new Set<string>();
  const retries = new Map<string, { attempts: number; nextAt: number }>();
  let since = 0;

  const spoolFile = (messageId: string) => join(options.spoolDir, `${messageId}.json`);

  /** Takes what SES accepted since the last look into the spool. */
  async function collect(): Promise<void> {
    const response = await fetch(`${options.sesEndpoint}/store?since=${since}`);
    if (!response.ok) return;
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    for (const email of emails) {
      if (spooled.has(email.messageId)) continue;
      writeFileSync(spoolFile(email.messageId), JSON.stringify(email));
      spooled.add(email.messageId);
      // The store answers by whole seconds: the last second is read again, its emails skipped.
      since = Math.max(since, email.at);
    }
  }

  /** Sends what the spool holds and is due; what MailDev refuses waits and is tried again. */
  async function deliver(): Promise<void> {
    const due = readdirSync(options.spoolDir)
      .filter((name) => name.endsWith('.json'))
      .filter((file) => (retries.get(file.slice(0, -'.json'.length))?.nextAt ?? 0) <= Date.now());
    for (let start = 0; start < due.length; start += PARALLEL_SENDS) {
      await Promise.all(due.slice(start, start + PARALLEL_SENDS).map(send));
    }
  }

  async function send(file: string): Promise<void> {
    const messageId = file.slice(0, -'.json'.length);
    const retry = retries.get(messageId);
    const email = JSON.parse(readFileSync(join(options.spoolDir, file), 'utf8')) as StoredEmail;
    try {
      await transport.sendMail({
        messageId: email.messageId,
        from: email.from,
        ...(email.replyTo?.length ? { replyTo: email.replyTo } : {}),
        to: email.destination.to,
        cc: email.destination.cc,
        bcc: email.destination.bcc,
        subject: email.subject,
        ...(email.body.text ? { text: email.body.text } : {}),
        ...(email.body.html ? { html: email.body.html } : {}),
        ...(email.headers?.length
          ? { headers: email.headers.map((header) => ({ key: header.name, value: header.value })) }
          : {}),
        date: new Date(email.at * 1000),
      });
      unlinkSync(join(options.spoolDir, file));
      if (retry) log(`delivered ${messageId} after ${retry.attempts} failed attempts`);
      retries.delete(messageId);
    } catch (error) {
      const attempts = (retry?.attempts ?? 0) + 1;
      const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));
      retries.set(messageId, { attempts, nextAt: Date.now() + wait });
      log(`could not deliver ${messageId} (attempt ${attempts}, again in ${wait} ms): ${String(error)}`);
    }
  }

  let working: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // One pass at a time, the next one a tick after the last ended.
  const pass = async () => {
    await collect().catch((error: unknown) => log(`could not read the SES store: ${String(error)}`));
    await deliver().catch((error: unknown) => log(`relay failed: ${String(error)}`));
    if (!stopped) timer = setTimeout(run, TICK_MS).unref();
  };
  const run = () => {
    working = pass();
  };
  run();

  return {
    pending: () => readdirSync(options.spoolDir).filter((name) => name.endsWith('.json')).length,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await working;
      transport.close();
    },
  };
}
