import type { CustomMessageTriggerEvent } from 'aws-lambda';
import { welcomeEmail, welcomeFromClientMetadata } from '../../shared/identity/welcome-email';

/**
 * The user pool's custom message trigger. For `AdminCreateUser` with a welcome in its client metadata
 * (an invitation, a tenant made for the address), the email Cognito sends is the one invitation:
 * why, the console's link, the username and the temporary password (Cognito's placeholders, which it
 * replaces). Every other message, and one without a welcome, keeps Cognito's own wording.
 */
export async function handler(event: CustomMessageTriggerEvent): Promise<CustomMessageTriggerEvent> {
  if (event.triggerSource !== 'CustomMessage_AdminCreateUser') return event;
  const welcome = welcomeFromClientMetadata(event.request.clientMetadata);
  if (!welcome) return event;
  const { subject, html } = welcomeEmail(welcome, {
    email: event.request.userAttributes.email ?? '',
    username: event.request.usernameParameter ?? '{username}',
    password: event.request.codeParameter,
  });
  event.response.emailSubject = subject;
  event.response.emailMessage = html;
  return event;
}
