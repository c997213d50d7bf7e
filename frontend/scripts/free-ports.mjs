/**
 * Prints "HTTP_PORT PORT_BASE" for a test stack: the first candidate whose NGINX port and every
 * port scripts/stack.py takes from the base (+1..+5, +17, +79, and +90..+93 for metrics) are
 * free, so the run does not collide with another stack on the same machine.
 */

import net from 'node:net';

const OFFSETS = [1, 2, 3, 4, 5, 17, 79, 90, 91, 92, 93];
const CANDIDATES = [19300, 19500, 19700, 21300, 21500, 23300, 23500, 25300];

function free(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

for (const base of CANDIDATES) {
  const http = base + 80;
  const checks = [free(http, '0.0.0.0'), ...OFFSETS.map((o) => free(base + o, '127.0.0.1'))];
  if ((await Promise.all(checks)).every(Boolean)) {
    console.log(`${http} ${base}`);
    process.exit(0);
  }
}
console.error('no free ports for a test stack; set DTS_UI_E2E_HTTP_PORT and DTS_UI_E2E_PORT_BASE');
process.exit(1);
