// Preloaded by dev.tributary.local.kinesis.KinesisLocal (node --require): kinesis-mock listens on
// every interface (0.0.0.0 / ::, not configurable); this makes each server listen on 127.0.0.1.
'use strict';
// A terminal's Ctrl-C reaches the whole process group, and kinesis-mock (a cats-effect app) stops
// on SIGINT: it would stop serving and persisting its streams while the JVM that started it is
// still closing the event source mapping and keeping a complete copy of the streams' file. That JVM
// stops this process by its pid (SIGTERM, which still stops kinesis-mock gracefully), so SIGINT is
// ignored: a no-op listener replaces node's default exit, and later SIGINT listeners are dropped.
process.on('SIGINT', () => {});
// Without SIGINT an orphan (the JVM was killed with SIGKILL) would keep running and keep writing
// its data file: it exits once its parent is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    process.exit(0);
  }
}, 1000).unref();
for (const name of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']) {
  const original = process[name];
  process[name] = function (event, ...rest) {
    return event === 'SIGINT' ? this : original.call(this, event, ...rest);
  };
}
const net = require('net');
const LOOPBACK = '127.0.0.1';
const ANY = new Set([undefined, null, '', '0.0.0.0', '::']);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined && first.handle === undefined && first.fd === undefined
        && ANY.has(first.host)) {
      args[0] = Object.assign({}, first, { host: LOOPBACK });
    }
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') {
      if (ANY.has(args[1])) {
        args[1] = LOOPBACK;
      }
    } else {
      args.splice(1, 0, LOOPBACK);
    }
  }
  return listen.apply(this, args);
};
