// The request schema of every HostApi operation, shared by both transports (serve's JSON bodies and
// Electron's IPC payloads), with each bound taken from engine/limits.ts. Pure (zod + limits only): the
// Electron preload bundles it through electron/shared/channels.ts.
import { PROVIDER_KEY_VARS, type KeyedProvider } from './provider-vars.ts';
import { batchSchemas } from '../batch/host-schemas.ts';
import { idSchema, pathSchema, textSchema } from './schema-parts.ts';
import { z } from 'zod';
import type { JsonObject } from '../run/types.ts';
import { fileNameProblem } from './names.ts';
import {
  MAX_BREAKPOINTS,
  MAX_NODE_NAME_CHARS,
  MAX_PROVIDER_BASE_CHARS,
  MAX_PROVIDER_KEY_CHARS,
  MAX_TIMEOUT_MS,
  describeKind,
  jsonObjectBoundsProblem,
} from '../limits.ts';

const path = pathSchema;
const text = textSchema;
const runId = idSchema;
const nodeName = z
  .string()
  .min(1, `must be a node name of 1 to ${MAX_NODE_NAME_CHARS} characters`)
  .max(MAX_NODE_NAME_CHARS, `must be a node name of 1 to ${MAX_NODE_NAME_CHARS} characters`);
const nodeNames = z.array(nodeName).max(MAX_BREAKPOINTS, `has more than ${MAX_BREAKPOINTS} entries`);
/** One path segment the host creates (a new folder, a rename): the rules of names.ts. */
const fileName = z.string().superRefine((name, ctx) => {
  const problem = fileNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `is not a usable name: ${problem}` });
});
/** Hex SHA-256 of a file's bytes, as OpenedFile/SavedFile report it. */
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256 (64 characters)');

/**
 * A plain JSON object, checked iteratively for depth, size and kinds before anything recurses into it
 * (a 6,000-deep input would otherwise reach the engine and the event batcher's JSON.stringify).
 */
const jsonObject = (field: string) =>
  z.unknown().transform((value, ctx) => {
    const problem = jsonObjectBoundsProblem(value, `'${field}'`);
    if (problem) {
      // The message names the field already (`'input' is nested deeper than 200 levels`).
      ctx.addIssue({ code: 'custom', message: problem, params: { named: true } });
      return z.NEVER;
    }
    return value as JsonObject;
  });

/** Operations without a payload accept none or `{}` (serve sends an empty JSON object). */
const empty = z.strictObject({}).optional();

/**
 * Provider-key ops (the Providers page). Keys are write-only: no op answers one, and no message quotes
 * one (zod's messages name the rule, never the value).
 */
function providerKeySchemas() {
  const keyed = Object.keys(PROVIDER_KEY_VARS) as [KeyedProvider, ...KeyedProvider[]];
  return {
    /** Per provider: kept by the app? set in the host's environment? (never the keys) */
    'providers/keys': empty,
    /** Sets (a string) or clears (null) one provider's key. */
    'providers/set-key': z.strictObject({
      provider: z.enum(keyed),
      key: z
        .string()
        .min(1, 'must not be empty')
        .max(MAX_PROVIDER_KEY_CHARS, `is longer than ${MAX_PROVIDER_KEY_CHARS} characters`)
        .regex(/^\S+$/, 'must have no spaces')
        .nullable(),
    }),
    /** One cheap authenticated request (the model list) with the key a run would use. */
    'providers/test': z.strictObject({
      provider: z.enum([...keyed, 'ollama']),
      apiBase: z
        .string()
        .min(1, 'must not be empty')
        .max(MAX_PROVIDER_BASE_CHARS, `is longer than ${MAX_PROVIDER_BASE_CHARS} characters`)
        .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
        .optional(),
    }),
  } as const;
}

export const requestSchemas = {
  info: empty,
  'files/list': z.strictObject({ dir: path.optional() }),
  'files/open': z.strictObject({ path: path.optional() }),
  'files/save': z.strictObject({
    path: path.optional(),
    text,
    expectedMtimeMs: z.number().finite().nonnegative('must not be negative').optional(),
    expectedHash: hash.optional(),
    /** false: never replace an existing file (EXISTS instead); the file dialog asks, then saves again. */
    overwrite: z.boolean().optional(),
  }),
  /** Size, mtime and content hash of a workflow file (the "changed on disk?" check). */
  'files/stat': z.strictObject({ path }),
  /** Creates one folder (its parent must exist). */
  'files/mkdir': z.strictObject({ path }),
  /** Renames a file or folder inside its folder; never replaces what has the new name. */
  'files/rename': z.strictObject({ path, name: fileName }),
  /** Deletes a workflow file, or a folder when it is empty. */
  'files/delete': z.strictObject({ path }),
  validate: z.strictObject({ text, path: path.optional() }),
  export: z.strictObject({ text }),
  run: z
    .strictObject({
      text,
      path: path.optional(),
      input: jsonObject('input').optional(),
      timeoutMs: z
        .number()
        .int('must be a positive integer')
        .positive('must be a positive integer')
        .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} (24 h)`)
        .optional(),
      failFast: z.boolean().optional(),
      refuseUnavailableActions: z.boolean().optional(),
      interruptBefore: nodeNames.optional(),
      interruptAfter: nodeNames.optional(),
      startAt: nodeName.optional(),
      only: nodeName.optional(),
      /** Answer every model call from this earlier run's recording (kept by the host), not the network. */
      replay: z.strictObject({ runId }).optional(),
    })
    .refine((r) => r.startAt === undefined || r.only === undefined, {
      message: 'give startAt or only, not both',
    }),
  cancel: z.strictObject({ runId }),
  resume: z.strictObject({
    runId,
    state: jsonObject('state').optional(),
    /** Continue with every later model call answered from this run's recording. */
    replay: z.strictObject({ runId }).optional(),
  }),
  recent: empty,
  ...providerKeySchemas(),
  /** Batch runs over datasets (the Batch tab): engine/batch/host-schemas.ts. */
  ...batchSchemas(),
} as const;

export type HostOp = keyof typeof requestSchemas;
export type RequestOf<Op extends HostOp> = z.output<(typeof requestSchemas)[Op]>;

/** What stands at `path` inside `payload` (for "got array" in messages; zod does not keep inputs). */
function valueAt(payload: unknown, path: readonly PropertyKey[]): unknown {
  let value = payload;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/** One clear sentence for the first problem zod found, naming the field. */
export function describeIssue(issue: z.core.$ZodIssue, payload: unknown): string {
  const at = fieldName(issue.path);
  const field = at === '' ? 'the payload' : `field '${at}'`;
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(payload, issue.path);
      if (value === undefined)
        return at === '' ? 'a payload is required' : `missing ${field} (${issue.expected})`;
      return `${field} must be ${article(issue.expected)}, got ${describeKind(value)}`;
    }
    case 'custom':
      if (issue.params?.['named'] === true) return issue.message;
      return at === '' ? issue.message : `${field} ${issue.message}`;
    case 'unrecognized_keys':
      return `unknown field '${[...issue.path.map(String), issue.keys[0]].join('.')}'`;
    default:
      return at === '' ? issue.message : `${field} ${issue.message}`;
  }
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
