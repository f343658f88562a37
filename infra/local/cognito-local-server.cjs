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
// - the user pool's identity providers, which cognito-local lacks (cognito-identity-providers.cjs),
//   and Cognito's federation endpoints for them (cognito-federation.cjs), which use the server's own
//   services (its token generator runs the pool's triggers): the server is put together here as
//   cognito-local's `createDefaultServer` does, keeping those services at hand.
'use strict';
const { renameSync, writeFileSync, writeSync } = require('node:fs');
const { dirname, join } = require('node:path');

const lib = join(dirname(require.resolve('cognito-local/package.json')), 'lib');
const pino = require(require.resolve('pino', { paths: [lib] }));
const { ConsoleMessageSender } = require(join(lib, 'services', 'messageDelivery', 'consoleMessageSender'));
const AWS = require(require.resolve('aws-sdk', { paths: [lib] }));
const { loadConfig } = require(join(lib, 'server', 'config'));
const { Router } = require(join(lib, 'server', 'Router'));
const { createServer } = require(join(lib, 'server', 'server'));
const servicesModule = require(join(lib, 'services'));
const { CognitoServiceFactoryImpl } = require(join(lib, 'services', 'cognitoService'));
const { CryptoService } = require(join(lib, 'services', 'crypto'));
const { StormDBDataStoreFactory } = require(join(lib, 'services', 'dataStore', 'stormDb'));
const { MessageDeliveryService } = require(join(lib, 'services', 'messageDelivery', 'messageDelivery'));
const { otp } = require(join(lib, 'services', 'otp'));
const { JwtTokenGenerator } = require(join(lib, 'services', 'tokenGenerator'));
const { UserPoolServiceFactoryImpl } = require(join(lib, 'services', 'userPoolService'));
const { federation } = require('./cognito-federation.cjs');
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

/** cognito-local's `createDefaultServer`, step by step, answering its services with the server. */
async function createServerWithServices(logger) {
  const ctx = { logger };
  const config = await loadConfig(ctx, new StormDBDataStoreFactory('.cognito'));
  const clock = new servicesModule.DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory('.cognito/db');
  const cognito = await new CognitoServiceFactoryImpl(
    '.cognito/db',
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new servicesModule.TriggersService(
    clock,
    cognito,
    new servicesModule.LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    new CryptoService(config.KMSConfig),
  );
  const services = {
    clock,
    cognito,
    config,
    messages: new servicesModule.MessagesService(
      triggers,
      new MessageDeliveryService(new ConsoleMessageSender()),
    ),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  return { server: createServer(Router(services), logger, config.ServerConfig, services), services };
}

/**
 * AdminUserGlobalSignOut, which cognito-local does not have: the user's refresh tokens are revoked
 * (cognito-local finds a refresh token's user by the tokens kept on the user), as Cognito does.
 */
function globalSignOut(services) {
  return (req, res, next) => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1];
    if (req.method !== 'POST' || req.path !== '/' || target !== 'AdminUserGlobalSignOut') return next();
    const ctx = { logger };
    const { UserPoolId, Username } = req.body ?? {};
    (async () => {
      const userPool = await services.cognito.getUserPool(ctx, UserPoolId);
      const user = await userPool.getUserByUsername(ctx, String(Username ?? ''));
      if (!user) {
        res.status(400).json({ __type: 'UserNotFoundException', message: 'User does not exist.' });
        return;
      }
      await userPool.saveUser(ctx, { ...user, RefreshTokens: [] });
      res.status(200).type('application/x-amz-json-1.1').send('{}');
    })().catch(next);
  };
}

/** Puts the middleware just before the first of the router's layers that `before` picks. */
function insertBefore(application, middleware, before) {
  const stack = application.router.stack;
  application.use(middleware);
  const layer = stack.pop();
  stack.splice(stack.findIndex(before), 0, layer);
}

const logger = pino({ level: process.env.COGNITO_LOCAL_LOG_LEVEL || 'warn' });
createServerWithServices(logger)
  .then(({ server, services }) => {
    // Before cognito-local's one route (POST /), after its body parsers: the router's stack order.
    const identityProviders = identityProviderApi(join('.cognito', 'db'));
    for (const middleware of [enforcePasswordPolicy, identityProviders.middleware, globalSignOut(services)]) {
      insertBefore(server.application, middleware, (layer) => layer.route?.path === '/');
    }
    // Before its own OAuth routes: a sign-in through an identity provider, and that sign-in's codes.
    const endpoint = `http://${process.env.HOST || '127.0.0.1'}:${process.env.PORT}`;
    insertBefore(
      server.application,
      federation(services, identityProviders.store, endpoint),
      (layer) => layer.route?.path === '/oauth2/authorize',
    );
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
