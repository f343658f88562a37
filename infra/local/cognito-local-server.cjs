// cognito-local's own server, started as its `bin/start.js` does, with three changes for the twin:
// - what Cognito would email (an invitation's temporary password, a code; with the subject and body
//   the custom message trigger made) is written to stdout at once as one JSON line, which the twin
//   relays to the inbox, instead of a box in the pretty log;
// - the log is plain JSON at `warn` (COGNITO_LOCAL_LOG_LEVEL): the pretty log of every request
//   fell minutes behind under the test suite's load, and the messages with it;
// - a new password is checked against the project's password policy (TENANTRY_PASSWORD_POLICY, from
//   shared/model/user-pool-definition.ts) and refused as Cognito refuses it: cognito-local stores
//   a pool's policy but enforces none;
// - its data files are written atomically, one write at a time: its store (StormDB) rewrote a pool's
//   whole file in place on every change, with overlapping writes, so a crash mid-write (the fault
//   suite's, under load) left the file empty or cut, and on restart every user of the pool was gone;
// - the user pool's identity providers, which cognito-local lacks (cognito-identity-providers.cjs).
'use strict';
const { renameSync, writeFileSync, writeSync } = require('node:fs');
const { dirname, join } = require('node:path');

const lib = join(dirname(require.resolve('cognito-local/package.json')), 'lib');
const pino = require(require.resolve('pino', { paths: [lib] }));
const { ConsoleMessageSender } = require(join(lib, 'services', 'messageDelivery', 'consoleMessageSender'));
const { createDefaultServer } = require(join(lib, 'server', 'defaults'));
const StormDB = require(require.resolve('stormdb', { paths: [lib] }));
const { atomicWriter } = require('./atomic-file-writer.cjs');
const { identityProviderApi } = require('./cognito-identity-providers.cjs');

const writers = new Map();
StormDB.localFileEngine.prototype.write = function write(data) {
  const text = this.serialize(data);
  if (!this.async) {
    writeFileSync(`${this.path}.${process.pid}.tmp`, text);
    renameSync(`${this.path}.${process.pid}.tmp`, this.path);
    return null;
  }
  if (!writers.has(this.path)) writers.set(this.path, atomicWriter(this.path));
  return writers.get(this.path)(text);
};

ConsoleMessageSender.prototype.sendToConsole = function (ctx, user, destination, content) {
  const target = typeof ctx.logger?.bindings === 'function' ? ctx.logger.bindings().target : undefined;
  const message = {
    trigger: target ?? 'unknown',
    destination,
    code: content.__code,
    // What the custom message trigger made of it (code and username replaced), when it made something.
    ...(content.emailMessage
      ? { emailMessage: content.emailMessage, emailSubject: content.emailSubject }
      : {}),
    printedAt: Date.now(),
  };
  writeSync(1, `${JSON.stringify({ cognitoMessage: message })}\n`);
  return Promise.resolve();
};

const policy = process.env.TENANTRY_PASSWORD_POLICY ? JSON.parse(process.env.TENANTRY_PASSWORD_POLICY) : null;

/** The new password each call sets, where it sets one. */
const NEW_PASSWORDS = {
  RespondToAuthChallenge: (body) => body.ChallengeResponses?.NEW_PASSWORD,
  AdminRespondToAuthChallenge: (body) => body.ChallengeResponses?.NEW_PASSWORD,
  ChangePassword: (body) => body.ProposedPassword,
  ConfirmForgotPassword: (body) => body.Password,
  SignUp: (body) => body.Password,
  AdminSetUserPassword: (body) => body.Password,
};

function policyFailure(password) {
  if (password.length < policy.minLength) return 'Password not long enough';
  if (policy.requireLowercase && !/[a-z]/.test(password)) return 'Password must have lowercase characters';
  if (policy.requireUppercase && !/[A-Z]/.test(password)) return 'Password must have uppercase characters';
  if (policy.requireDigits && !/[0-9]/.test(password)) return 'Password must have numeric characters';
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password))
    return 'Password must have symbol characters';
  return null;
}

function enforcePasswordPolicy(req, res, next) {
  const target = String(req.headers['x-amz-target'] ?? '').split('.')[1];
  const password = NEW_PASSWORDS[target]?.(req.body ?? {});
  const failure = policy && typeof password === 'string' ? policyFailure(password) : null;
  if (!failure) return next();
  res.status(400).json({
    __type: 'InvalidPasswordException',
    message: `Password did not conform with policy: ${failure}`,
  });
}

const logger = pino({ level: process.env.COGNITO_LOCAL_LOG_LEVEL || 'warn' });
createDefaultServer(logger)
  .then((server) => {
    // Before cognito-local's one route (POST /), after its body parsers: the router's stack order.
    const stack = server.application.router.stack;
    const identityProviders = identityProviderApi(join('.cognito', 'db'));
    for (const middleware of [enforcePasswordPolicy, identityProviders.middleware]) {
      server.application.use(middleware);
      const layer = stack.pop();
      stack.splice(
        stack.findIndex((candidate) => candidate.route?.path === '/'),
        0,
        layer,
      );
    }
    return server.start();
  })
  .then((server) => {
    const address = server.address();
    const url = typeof address === 'string' ? address : `${address.address}:${address.port}`;
    logger.warn(`Cognito Local running on http://${url}`);
  })
  .catch((error) => {
    logger.error(error);
    process.exit(1);
  });
