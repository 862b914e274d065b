// The Redis URL a host or worker is given (`--redis`, FANOUT_REDIS_URL): checked, turned into ioredis
// options (password, `rediss://` TLS, an optional CA file), and never printed with its password.
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';

export class RedisUrlError extends Error {}

/** `url` with its password (and a user's token) replaced by `***`; unparsable text is hidden whole. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<redis url>';
  }
}

/** `text` (an error message, a log line) with every occurrence of the URL's password replaced. */
export function redactPassword(text: string, url: string): string {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text.split(url).join(redactRedisUrl(url));
  }
  let out = text.split(url).join(redactRedisUrl(url));
  if (password.length > 0) out = out.split(password).join('***');
  return out;
}

/**
 * ioredis options for `url`: `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). A CA
 * file for TLS may be given in FANOUT_REDIS_CA (a private CA); the system's CAs apply otherwise.
 * BullMQ needs `maxRetriesPerRequest: null` on the connections its workers block on.
 */
export function redisOptions(url: string, env: NodeJS.ProcessEnv = process.env): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(
      `not a Redis URL: ${redactRedisUrl(url)} (expected redis://host:port or rediss://…)`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUrlError(`not a Redis URL: ${redactRedisUrl(url)} (expected redis:// or rediss://)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) {
    throw new RedisUrlError(`the Redis database in ${redactRedisUrl(url)} must be a number`);
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    maxRetriesPerRequest: null,
    // A host that is not there is reported, not retried forever in silence.
    connectTimeout: 10_000,
  };
  if (db !== '') options.db = Number(db);
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') {
    const caFile = env['FANOUT_REDIS_CA'];
    options.tls = {
      servername: options.host!,
      ...(caFile ? { ca: readFileSync(caFile) } : {}),
    };
  }
  return options;
}
