import { describe, expect, it } from 'vitest';
import { RedisUrlError, redactPassword, redactRedisUrl, redisOptions } from './redis-url.ts';

describe('Redis URLs', () => {
  it('turns a URL with user, password, db and TLS into ioredis options', () => {
    const options = redisOptions('rediss://app:p%40ss@redis.example:6380/2', {});
    expect(options).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 2,
      username: 'app',
      password: 'p@ss',
    });
    expect(options.tls).toMatchObject({ servername: 'redis.example' });
    expect(redisOptions('redis://127.0.0.1:7000', {}).tls).toBeUndefined();
  });

  it('refuses what is not a Redis URL, without quoting the password', () => {
    expect(() => redisOptions('http://u:hunter2@x', {})).toThrow(RedisUrlError);
    expect(() => redisOptions('http://u:hunter2@x', {})).not.toThrow(/hunter2/);
    expect(() => redisOptions('redis://:hunter2@x/abc', {})).toThrow(/database/);
  });

  it('never prints the password: in the URL, or quoted alone in an error', () => {
    const url = 'redis://:s3cr%21t@10.0.0.5:6379';
    expect(redactRedisUrl(url)).toBe('redis://:***@10.0.0.5:6379');
    expect(redactPassword(`connect to ${url} failed: WRONGPASS s3cr!t`, url)).toBe(
      'connect to redis://:***@10.0.0.5:6379 failed: WRONGPASS ***',
    );
    expect(redactRedisUrl('not a url with s3cret')).toBe('<redis url>');
  });
});
