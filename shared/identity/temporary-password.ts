import { sendEmail } from '../notifications/email';
import { renewTemporaryPassword } from './user-directory';
import { welcomeEmail, type Welcome } from './welcome-email';

/**
 * Sends a person who has never signed in a new temporary password, in the one email of their
 * invitation (or their new tenant), through SES (the password is never logged). Returns whether one
 * was sent: a person who has signed in keeps theirs.
 */
export async function sendNewTemporaryPassword(
  person: { username: string; email: string },
  welcome: Welcome,
): Promise<boolean> {
  const password = await renewTemporaryPassword(person.username);
  if (!password) return false;
  const { subject, text } = welcomeEmail(welcome, {
    email: person.email,
    username: person.email,
    password,
  });
  await sendEmail({ to: person.email, subject, text });
  return true;
}
