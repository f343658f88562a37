// cognito-local's own server, started as its `bin/start.js` does, with two changes for the twin:
// - what Cognito would email (an invitation's temporary password, a code) is written to stdout at
//   once as one JSON line, which the twin relays to the inbox, instead of a box in the pretty log;
// - the log is plain JSON at `warn` (COGNITO_LOCAL_LOG_LEVEL): the pretty log of every request
//   fell minutes behind under the test suite's load, and the messages with it.
'use strict';
const { writeSync } = require('node:fs');
const { dirname, join } = require('node:path');

const lib = join(dirname(require.resolve('cognito-local/package.json')), 'lib');
const pino = require(require.resolve('pino', { paths: [lib] }));
const { ConsoleMessageSender } = require(join(lib, 'services', 'messageDelivery', 'consoleMessageSender'));
const { createDefaultServer } = require(join(lib, 'server', 'defaults'));

ConsoleMessageSender.prototype.sendToConsole = function (ctx, user, destination, { __code }) {
  const target = typeof ctx.logger?.bindings === 'function' ? ctx.logger.bindings().target : undefined;
  const message = { trigger: target ?? 'unknown', destination, code: __code, printedAt: Date.now() };
  writeSync(1, `${JSON.stringify({ cognitoMessage: message })}\n`);
  return Promise.resolve();
};

const logger = pino({ level: process.env.COGNITO_LOCAL_LOG_LEVEL || 'warn' });
createDefaultServer(logger)
  .then((server) => server.start())
  .then((server) => {
    const address = server.address();
    const url = typeof address === 'string' ? address : `${address.address}:${address.port}`;
    logger.warn(`Cognito Local running on http://${url}`);
  })
  .catch((error) => {
    logger.error(error);
    process.exit(1);
  });
