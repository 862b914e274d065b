// Where keys and endpoints come from: the process environment, then a `.env` file beside the workflow
// (never the YAML). Every secret value handed out is remembered by the run's Redactor, which scrubs it
// from anything that leaves a model call (error messages, excerpts of server answers).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DOTENV_BYTES } from '../limits.ts';

export type EnvLookup = (name: string) => string | undefined;

/**
 * Reads `KEY=VALUE` lines (optional `export `, quotes, `#` comments) as dotenv does. Returns {} when
 * the file is missing, too large or unreadable: a `.env` is a convenience, never a failure.
 */
export function readDotenv(dir: string): Record<string, string> {
  const path = join(dir, '.env');
  try {
    if (statSync(path).size > MAX_DOTENV_BYTES) return {};
    return parseDotenv(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1]!] = value;
  }
  return out;
}

/**
 * The run's environment, in this order: the given one (default process.env) first, as dotenv does (a
 * variable set in the environment is not overridden), then the `.env` beside the workflow (read once on
 * first use), then the keys stored in the app's Providers page (`stored`): the nearer, more explicit
 * source wins, and a key kept in the app is the fallback for every workflow.
 */
export function runEnvironment(
  baseDir: string,
  env?: Record<string, string | undefined>,
  stored?: Record<string, string>,
): EnvLookup {
  const primary = env ?? process.env;
  let dotenv: Record<string, string> | null = null;
  return (name) => {
    const value = primary[name];
    if (value !== undefined && value !== '') return value;
    dotenv ??= readDotenv(baseDir);
    const fromFile = dotenv[name];
    if (fromFile !== undefined && fromFile !== '') return fromFile;
    const kept = stored?.[name];
    return kept === '' ? undefined : kept;
  };
}

/** Remembers secret values and removes them from text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would redact ordinary words; no real key is this short.
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // A server echoing a request header back (some gateways do) must not carry any key either.
    return out.replace(/\b(Bearer|api-key:|x-api-key:)\s*[^\s"',]+/gi, '$1 [redacted]');
  }
}
