// The environment a worker process starts with (node-port.ts): the host's, minus variables that only
// cost a worker start time. Workers run sandboxed Lua and nothing else: every model, HTTP and file
// call is made by the host, so a worker never opens a network connection.

/**
 * NODE_EXTRA_CA_CERTS makes Node 20 read and parse that whole PEM file at process start, before any
 * JavaScript runs (Node 22 defers it). Measured on this machine, where it names the system bundle
 * (/etc/ssl/certs/ca-certificates.crt, ~140 certificates): a bare forked `node` 71 -> 32 ms of CPU,
 * a worker start 120 -> 79 ms. A worker has no TLS to trust anything for.
 */
const NOT_FOR_WORKERS = ['NODE_EXTRA_CA_CERTS'] as const;

export function workerEnv(hostEnv: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...hostEnv };
  for (const name of NOT_FOR_WORKERS) delete env[name];
  return env;
}
