// Request schemas of the batch operations (spread into engine/host/schemas.ts requestSchemas): every
// bound from limits.ts, as the other operations'.
import { z } from 'zod';
import { MAX_BATCH_CONCURRENCY, MAX_EXPECT_CHARS } from '../limits.ts';
import { idSchema, pathSchema, textSchema } from '../host/schema-parts.ts';

const path = pathSchema;
const batchId = idSchema;

export function batchSchemas() {
  return {
    /** Folders and dataset files (.jsonl, .csv) in `dir`: the Batch tab's dataset picker. */
    'batch/list': z.strictObject({ dir: path.optional() }),
    /** Starts a batch of the document as edited over a dataset (a file or a folder in scope). */
    'batch/start': z.strictObject({
      text: textSchema,
      path: path.optional(),
      dataset: path,
      concurrency: z
        .number()
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(MAX_BATCH_CONCURRENCY, `must be at most ${MAX_BATCH_CONCURRENCY}`)
        .optional(),
      expect: z.string().max(MAX_EXPECT_CHARS, `is longer than ${MAX_EXPECT_CHARS} characters`).optional(),
      csvTypes: z.boolean().optional(),
    }),
    /** The batch now and the rows changed after cursor `since`. */
    'batch/status': z.strictObject({
      batchId,
      since: z.number().int('must be a whole number').nonnegative('must not be negative'),
    }),
    /** One row's input and kept events (to open its run). */
    'batch/row': z.strictObject({ batchId, rowId: path }),
    'batch/cancel': z.strictObject({ batchId }),
    /** Writes the results so far to `path` (.jsonl or .csv, matching `format`). */
    'batch/export': z.strictObject({
      batchId,
      path,
      format: z.enum(['jsonl', 'csv']),
      overwrite: z.boolean().optional(),
    }),
  } as const;
}
