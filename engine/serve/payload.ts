// Hand-written validators for the serve API's JSON bodies: the payloads are a handful of flat objects,
// so a schema library would add a dependency for little. Each failure names the field.
import type { JsonObject } from '../run/types.ts';
import { HostFailure } from './errors.ts';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';
interface Field {
  kind: Kind;
  optional?: boolean;
  /** Extra check on a present value; returns the complaint, or null. */
  check?: (value: unknown) => string | null;
}
type Schema = Record<string, Field>;
type Out<S extends Schema> = {
  [K in keyof S]: S[K]['optional'] extends true ? TypeOf<S[K]['kind']> | undefined : TypeOf<S[K]['kind']>;
};
type TypeOf<K extends Kind> = K extends 'string'
  ? string
  : K extends 'number'
    ? number
    : K extends 'boolean'
      ? boolean
      : K extends 'array'
        ? string[]
        : JsonObject;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const positiveInt = (value: unknown) =>
  Number.isSafeInteger(value) && (value as number) > 0 ? null : 'must be a positive integer';
const finite = (value: unknown) => (Number.isFinite(value) ? null : 'must be a finite number');

/** Longest node name accepted in breakpoint lists, startAt and only. */
export const MAX_NODE_NAME_CHARS = 200;
/** Most breakpoints accepted per list. */
export const MAX_BREAKPOINTS = 1000;
const nodeName = (value: unknown) =>
  (value as string).length > 0 && (value as string).length <= MAX_NODE_NAME_CHARS
    ? null
    : `must be a node name of 1 to ${MAX_NODE_NAME_CHARS} characters`;
const nodeNames = (value: unknown) => {
  const list = value as unknown[];
  if (list.length > MAX_BREAKPOINTS) return `has more than ${MAX_BREAKPOINTS} entries`;
  const bad = list.findIndex((x) => typeof x !== 'string' || nodeName(x) !== null);
  return bad < 0 ? null : `[${bad}] must be a node name of 1 to ${MAX_NODE_NAME_CHARS} characters`;
};

/** Checks `body` against `schema`: an object with exactly the known fields, each of its kind. */
export function parsePayload<S extends Schema>(endpoint: string, body: unknown, schema: S): Out<S> {
  const fail = (message: string) => new HostFailure('BAD_REQUEST', `${endpoint}: ${message}`);
  if (kindOf(body) !== 'object') throw fail(`the body must be a JSON object, got ${kindOf(body)}`);
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema, key)) throw fail(`unknown field '${key}'`);
  }
  for (const [key, field] of Object.entries(schema)) {
    const value = record[key];
    if (value === undefined || value === null) {
      if (field.optional) continue;
      throw fail(`missing field '${key}' (${field.kind})`);
    }
    if (kindOf(value) !== field.kind)
      throw fail(`field '${key}' must be a ${field.kind}, got ${kindOf(value)}`);
    const complaint = field.check?.(value);
    if (complaint) throw fail(`field '${key}' ${complaint}`);
  }
  return record as Out<S>;
}

const str = { kind: 'string' } as const;
const optStr = { kind: 'string', optional: true } as const;

/** The body schema of each endpoint. */
export const schemas = {
  info: {},
  recent: {},
  list: { dir: optStr },
  open: { path: str },
  save: { path: str, text: str, expectedMtimeMs: { kind: 'number', optional: true, check: finite } },
  validate: { text: str, path: optStr },
  export: { text: str },
  run: {
    text: str,
    path: optStr,
    input: { kind: 'object', optional: true },
    timeoutMs: { kind: 'number', optional: true, check: positiveInt },
    failFast: { kind: 'boolean', optional: true },
    interruptBefore: { kind: 'array', optional: true, check: nodeNames },
    interruptAfter: { kind: 'array', optional: true, check: nodeNames },
    startAt: { kind: 'string', optional: true, check: nodeName },
    only: { kind: 'string', optional: true, check: nodeName },
  },
  cancel: { runId: str },
  resume: { runId: str, state: { kind: 'object', optional: true } },
} as const satisfies Record<string, Schema>;
