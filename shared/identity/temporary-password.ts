import { getConfig } from '../config';
import { sendEmail } from '../notifications/email';
import { renewTemporaryPassword } from './user-directory';
import { temporaryPasswordEmail } from '../model/user-pool-definition';

/**
 * Sends a person who has never signed in a new temporary password, by email through SES (the
 * password is never logged). Returns whether one was sent: a person who has signed in keeps theirs.
 */
export async function sendNewTemporaryPassword(person: {
  username: string;
  email: string;
}): Promise<boolean> {
  const password = await renewTemporaryPassword(person.username);
  if (!password) return false;
  await sendEmail({
    to: person.email,
    ...temporaryPasswordEmail(person.email, password, getConfig().email.consoleUrl),
  });
  return true;
}
