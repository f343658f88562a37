import type { CustomMessageTriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/triggers/custom-message';
import {
  welcomeClientMetadata,
  welcomeEmail,
  welcomeFromClientMetadata,
  welcomeLink,
  type Welcome,
} from '../../../shared/identity/welcome-email';

const invitation: Welcome = {
  kind: 'invitation',
  tenantName: 'Acme <b>&</b> Co',
  tenantSlug: 'acme',
  link: welcomeLink('https://console.example.test', 'ten_1', 'new.person@example.test'),
  role: 'admin',
  invitedBy: 'owner@example.test',
};

/** The event Cognito sends the trigger (the shape of its developer guide's example). */
function cognitoEvent(
  triggerSource: CustomMessageTriggerEvent['triggerSource'],
  clientMetadata?: Record<string, string>,
): CustomMessageTriggerEvent {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_example',
    userName: 'a1b2c3',
    triggerSource,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'CLIENT_ID_NOT_APPLICABLE' },
    request: {
      userAttributes: { email: 'new.person@example.test' },
      codeParameter: '{####}',
      linkParameter: '{##Click Here##}',
      usernameParameter: '{username}',
      ...(clientMetadata ? { clientMetadata } : {}),
    },
    response: { smsMessage: null, emailMessage: null, emailSubject: null },
  } as CustomMessageTriggerEvent;
}

describe('the user pool’s custom message trigger', () => {
  it('makes an invitation’s temporary-password email the one invitation: why, link, username, password', async () => {
    const answer = await handler(
      cognitoEvent('CustomMessage_AdminCreateUser', welcomeClientMetadata(invitation)),
    );
    expect(answer.response.emailSubject).toBe('[Acme <b>&</b> Co] You are invited to Acme <b>&</b> Co');
    const html = answer.response.emailMessage ?? '';
    // Cognito refuses a message without both placeholders, and replaces them after the answer.
    expect(html).toContain('{username}');
    expect(html).toContain('{####}');
    // People sign in with their address, which the email names (from the user's attributes).
    expect(html).toContain(
      'Email: new.person@example.test<br>Temporary password: {####}<br>(Account: {username})',
    );
    expect(html).toContain(
      'owner@example.test invited you to Acme &#60;b&#62;&#38;&#60;/b&#62; Co (acme) as admin.',
    );
    expect(html).toContain(
      '<a href="https://console.example.test/t/ten_1?email=new.person%40example.test">Sign in to the console</a>',
    );
    // Names are escaped: a tenant's name never becomes markup in someone's mailbox.
    expect(html).not.toContain('<b>&</b>');
    expect(html.length).toBeLessThan(20_000);
  });

  it('carries the tenant’s branding: its colour as the band, and no style smuggled in through it', async () => {
    const branded = await handler(
      cognitoEvent(
        'CustomMessage_AdminCreateUser',
        welcomeClientMetadata({ ...invitation, brandColor: '#7c2d12' }),
      ),
    );
    expect(branded.response.emailMessage).toContain('style="background:#7c2d12;color:#ffffff');
    expect(branded.response.emailMessage).toContain('— Acme &#60;b&#62;&#38;&#60;/b&#62; Co, on Tenantry');
    // A colour that is not one makes the metadata no welcome: Cognito's own wording, nothing injected.
    const forged = await handler(
      cognitoEvent(
        'CustomMessage_AdminCreateUser',
        welcomeClientMetadata({ ...invitation, brandColor: 'red;background:url(https://evil.test)' }),
      ),
    );
    expect(forged.response.emailMessage ?? '').not.toContain('evil.test');
    // The positive control: without a colour, the plain heading.
    const plain = await handler(
      cognitoEvent('CustomMessage_AdminCreateUser', welcomeClientMetadata(invitation)),
    );
    expect(plain.response.emailMessage).not.toContain('background:');
  });

  it('words a tenant made for the address as its owner’s welcome', async () => {
    const welcome: Welcome = { ...invitation, kind: 'new-tenant', tenantName: 'Globex' };
    const answer = await handler(
      cognitoEvent('CustomMessage_AdminCreateUser', welcomeClientMetadata(welcome)),
    );
    expect(answer.response.emailSubject).toBe('[Globex] Your new Tenantry tenant');
    expect(answer.response.emailMessage).toContain('was created for you, and you are its owner.');
  });

  it('leaves Cognito’s own wording for other messages, and for metadata that is not a welcome', async () => {
    for (const event of [
      cognitoEvent('CustomMessage_ForgotPassword', welcomeClientMetadata(invitation)),
      cognitoEvent('CustomMessage_AdminCreateUser'),
      cognitoEvent('CustomMessage_AdminCreateUser', {
        ...welcomeClientMetadata(invitation),
        link: 'not a url',
      }),
      cognitoEvent('CustomMessage_AdminCreateUser', { kind: 'something-else', tenantName: 'x' }),
    ]) {
      const answer = await handler(event);
      expect(answer.response.emailMessage).toBeNull();
      expect(answer.response.emailSubject).toBeNull();
    }
  });

  it('carries the welcome through ClientMetadata’s strings and back', () => {
    const { role: _role, invitedBy: _by, ...bare } = invitation;
    for (const welcome of [invitation, { ...bare, kind: 'new-tenant' as const }]) {
      const metadata = welcomeClientMetadata(welcome);
      expect(Object.values(metadata).every((value) => typeof value === 'string')).toBe(true);
      expect(welcomeFromClientMetadata(metadata)).toEqual(welcome);
    }
  });

  it('writes the same invitation as text when the API sends a renewed password itself', () => {
    const { subject, text } = welcomeEmail(invitation, {
      email: 'new.person@example.test',
      username: 'new.person@example.test',
      password: 'Tmp-Pass-123!',
    });
    expect(subject).toBe('[Acme <b>&</b> Co] You are invited to Acme <b>&</b> Co');
    expect(text).toContain('Sign in: https://console.example.test/t/ten_1?email=new.person%40example.test');
    expect(text).toContain('Email: new.person@example.test\nTemporary password: Tmp-Pass-123!\n\n');
    expect(text).not.toContain('Account:');
    expect(text).toContain('works for 3 days');
  });
});
