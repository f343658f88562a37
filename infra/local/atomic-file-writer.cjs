'use strict';
const { promises: fsp } = require('node:fs');

/**
 * Writes of one file, in order and never overlapping: each to a temporary file, then renamed over
 * the file (atomic on POSIX), so a reader, or a process started after a crash, always finds one
 * whole snapshot. Writes queued behind a running one are coalesced into the latest (each is a whole
 * snapshot, taken after its change), and each caller's promise settles once a snapshot holding its
 * change is in place.
 */
function atomicWriter(path) {
  const temporary = `${path}.${process.pid}.tmp`;
  let running = false;
  let next = null;
  let waiters = [];
  async function drain() {
    running = true;
    while (next !== null) {
      const text = next;
      const settled = waiters;
      next = null;
      waiters = [];
      try {
        await fsp.writeFile(temporary, text);
        await fsp.rename(temporary, path);
        for (const waiter of settled) waiter.resolve();
      } catch (error) {
        for (const waiter of settled) waiter.reject(error);
      }
    }
    running = false;
  }
  return (text) =>
    new Promise((resolve, reject) => {
      next = text;
      waiters.push({ resolve, reject });
      if (!running) void drain();
    });
}

module.exports = { atomicWriter };
