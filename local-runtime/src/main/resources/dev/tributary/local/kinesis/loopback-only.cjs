// Preloaded by dev.tributary.local.kinesis.KinesisLocal (node --require): kinesis-mock listens on
// every interface (0.0.0.0 / ::, not configurable); this makes each server listen on 127.0.0.1.
'use strict';
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
