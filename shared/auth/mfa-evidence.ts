import { isConditionalFailure } from '../data/dynamo-errors';
import { MfaEvidenceEntity } from '../data/entities/mfa-evidence';

/** The mark of "seen without MFA" is moved at most this often (one write a minute per person). */
const MARK_EVERY_SECONDS = 60;

/**
 * Whether a token proves a second factor. Cognito challenges every sign-in of a person with an
 * authenticator app enrolled, so a token authenticated after their enrolment was; but a token from
 * before it stays valid until it expires. The authorizer records when it last saw the person without
 * MFA, and takes a token as MFA only if the person is enrolled now and the token's `auth_time` is
 * later than that mark. A person first seen already enrolled has no such mark: the moment they are
 * first seen is marked instead, and no token authenticated before it counts (their enrolment may
 * be later than the token). Refusing is the safe side: a person refused this way signs in again.
 */
export async function tokenProvesMfa(
  userId: string,
  enrolled: boolean,
  authTime: number | undefined,
  now: Date,
): Promise<boolean> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!enrolled) {
    await MfaEvidenceEntity.upsert({ userId, lastSeenWithoutMfa: nowSeconds })
      .where(
        (attr, op) =>
          `${op.notExists(attr.lastSeenWithoutMfa)} OR ${op.lt(attr.lastSeenWithoutMfa, nowSeconds - MARK_EVERY_SECONDS)}`,
      )
      .go({ response: 'none' })
      .catch((error: unknown) => {
        if (!isConditionalFailure(error)) throw error;
      });
    return false;
  }
  if (authTime === undefined) return false;
  const mark = await MfaEvidenceEntity.get({ userId }).go();
  if (mark.data) return authTime > mark.data.lastSeenWithoutMfa;
  // Enrolled, and never seen before: when they enrolled is unknown, so no token authenticated
  // until now proves it. The moment is marked (once), and the next sign-in counts.
  await MfaEvidenceEntity.upsert({ userId, lastSeenWithoutMfa: nowSeconds })
    .where((attr, op) => op.notExists(attr.lastSeenWithoutMfa))
    .go({ response: 'none' })
    .catch((error: unknown) => {
      if (!isConditionalFailure(error)) throw error;
    });
  return false;
}
