// Every bound the host enforces, in one place. A workflow file, a Lua value, a template or a request
// can only ever *lower* these (where a setting exists); nothing raises them past the caller's ceiling.
// Sections: JSON values crossing a process boundary, then each subsystem's own bounds. Pure module (no
// Node imports): the renderer may import it too.

// ---------------------------------------------------------------------------------------------------
// JSON values crossing a process boundary (worker <-> host, host <-> client)
// ---------------------------------------------------------------------------------------------------

/**
 * Deepest nesting of a state, input, node result or event payload. V8's structured-clone deserializer
 * and JSON.stringify recurse per level; a few thousand levels overflow the host's stack, so anything
 * deeper is refused where it is produced, with a clear error.
 */
export const MAX_VALUE_DEPTH = 200;

/** Largest state (or input / node result), as the length of its JSON text. */
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

export interface JsonBounds {
  maxDepth: number;
  /** Upper bound on the JSON text length (UTF-16 code units, close to bytes for ASCII). */
  maxBytes: number;
}

export const STATE_BOUNDS: JsonBounds = { maxDepth: MAX_VALUE_DEPTH, maxBytes: MAX_STATE_BYTES };

/**
 * Why `value` is not a bounded, plain JSON value, or null when it is. `what` names it in the message
 * ("state", "input", "result of node 'x'"). Iterative, so a value nested a million levels deep is
 * measured without recursion; stops at the first problem, and at once when the size bound is passed.
 * Checks: plain objects/arrays only (no class instances, functions, symbols, bigints), finite numbers,
 * no cycles, depth ≤ maxDepth, estimated JSON length ≤ maxBytes.
 */
export function jsonBoundsProblem(
  value: unknown,
  what: string,
  bounds: JsonBounds = STATE_BOUNDS,
): string | null {
  // Each frame: the value, its depth, and whether we are leaving it (to pop it off the ancestor set).
  const stack: { v: unknown; depth: number; leave: boolean }[] = [{ v: value, depth: 0, leave: false }];
  const ancestors = new Set<object>();
  let bytes = 0;
  while (stack.length > 0) {
    const { v, depth, leave } = stack.pop()!;
    if (leave) {
      ancestors.delete(v as object);
      continue;
    }
    if (v === null || typeof v === 'boolean') bytes += 5;
    else if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${what} contains ${v}, which is not a JSON number`;
      bytes += 12;
    } else if (typeof v === 'object') {
      if (depth >= bounds.maxDepth) return `${what} is nested deeper than ${bounds.maxDepth} levels`;
      if (ancestors.has(v)) return `${what} refers back to itself (a cycle)`;
      const isArray = Array.isArray(v);
      if (!isArray && !isPlainObject(v)) return `${what} contains ${describeKind(v)}, which is not JSON`;
      ancestors.add(v);
      stack.push({ v, depth, leave: true });
      bytes += 2;
      if (isArray) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, leave: false });
        bytes += v.length;
      } else {
        for (const [key, child] of Object.entries(v)) {
          bytes += key.length + 4;
          stack.push({ v: child, depth: depth + 1, leave: false });
        }
      }
    } else if (v === undefined) {
      bytes += 4; // dropped or null in JSON; harmless
    } else {
      return `${what} contains ${describeKind(v)}, which is not JSON`;
    }
    if (bytes > bounds.maxBytes) return `${what} is larger than ${formatBytes(bounds.maxBytes)}`;
  }
  return null;
}

/** Like jsonBoundsProblem, but also requires a JSON object at the top. */
export function jsonObjectBoundsProblem(
  value: unknown,
  what: string,
  bounds: JsonBounds = STATE_BOUNDS,
): string | null {
  if (!isPlainObject(value)) return `${what} must be a JSON object, got ${describeKind(value)}`;
  return jsonBoundsProblem(value, what, bounds);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'non-plain object'}`;
  return `a ${typeof value}`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

// ---------------------------------------------------------------------------------------------------
// Engine: worker pool, run ceilings, logs and error messages
// ---------------------------------------------------------------------------------------------------

/**
 * Most worker processes one pool may hold, whoever asks (`--workers`, RunOptions, serve). Each worker is
 * a whole Node process with a wasm heap; beyond a few dozen they only add load and memory.
 */
export const MAX_POOL_WORKERS = 64;

/**
 * Absolute maxima of the run ceilings. The caller's limits (RunOptions, `--timeout`, a request's
 * timeoutMs) are ceilings a workflow file can only lower; where the caller sets none, these are the
 * ceilings. They bound the caller too, and validation reports YAML values past them.
 */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
export const MAX_MEMORY_LIMIT_MB = 2048;
export const MAX_ITERATIONS = 1_000_000;

/** Where neither the caller nor the file sets a limit: Lua time per node, Lua heap per VM, node steps. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MEMORY_LIMIT_MB = 64;
export const DEFAULT_MAX_STEPS = 1000;

/**
 * Most items one dynamic_parallel node fans out over, and so the most max_concurrency can mean (each
 * item is a branch, a possible VM and a parallel_results entry). Validation reports larger values;
 * engine/run/dynamic-parallel.ts enforces it at run time.
 */
export const MAX_DYNAMIC_PARALLEL_ITEMS = 10_000;

/**
 * Parallel branches (static fan-outs and dynamic_parallel items, all runs of one host process) in
 * flight at once. A branch leases a worker only when it first needs Lua, so branches that only call
 * actions (llm.call, http.*) would otherwise all start at once; each holds a state copy and open
 * sockets. The rest wait, in order, for a slot.
 */
export const MAX_HOST_BRANCHES = 256;

/** Most iterations of one while_loop (TEA's own bound; the run's step limit applies as well). */
export const MAX_WHILE_ITERATIONS = 1000;

/** Lines one node execution may print; past it one line says how many more were dropped. */
export const MAX_EXEC_LOG_LINES = 200;
/** Longest printed line kept (bytes of UTF-8); longer lines are cut and say so. */
export const MAX_LOG_LINE_BYTES = 8 * 1024;

/**
 * Log budget of a whole run (all nodes and branches): past either bound one 'truncated' log event
 * says so and further log lines are dropped and counted (run-finished.logsDropped).
 */
export const MAX_RUN_LOG_LINES = 10_000;
export const MAX_RUN_LOG_BYTES = 4 * 1024 * 1024;

/**
 * Longest error message kept where it is produced (Lua `error()`, actions, workers): it travels in
 * parallel_results, events and stdout, so a 10 MB `error()` string is cut to this (characters).
 */
export const MAX_ERROR_MESSAGE_CHARS = 8 * 1024;

/** How often a worker checks that its parent (the host) is alive, also while Lua runs or sleeps. */
export const PARENT_CHECK_INTERVAL_MS = 250;

/** Cuts `text` to at most `max` characters, saying how much was cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

// ---------------------------------------------------------------------------------------------------
// Hosts: files, requests and connections (engine/host service, `fanout serve`, Electron IPC)
// ---------------------------------------------------------------------------------------------------

/** Largest workflow file the hosts open or save (bytes of UTF-8). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Longest document text in a request (UTF-16 code units). A UTF-8 file of N bytes never decodes to
 * more than N units, so every file that opens fits; the byte size is checked again before a save.
 */
export const MAX_TEXT_CHARS = MAX_FILE_BYTES;

/** A listed YAML file is judged "not a workflow" from this much of it (whole files only). */
export const MAX_SNIFF_BYTES = 64 * 1024;
/** Files of one listing that are sniffed; the rest are listed unmarked. */
export const MAX_SNIFFED_PER_LISTING = 500;

/** Longest path in a request (characters); longer is a BAD_REQUEST, not an ENAMETOOLONG. */
export const MAX_PATH_CHARS = 4096;

/** Longest file or folder name the hosts create (bytes of UTF-8: most file systems' NAME_MAX). */
export const MAX_FILE_NAME_BYTES = 255;

/** Longest run id, node name (breakpoints, startAt, only); most breakpoints per list. */
export const MAX_RUN_ID_CHARS = 200;
export const MAX_NODE_NAME_CHARS = 200;
export const MAX_BREAKPOINTS = 1000;

/** Entries kept in the recent-files list. */
export const MAX_RECENT_FILES = 10;

/**
 * Largest `fanout serve` request body, honestly computed from the largest file so that every file that
 * opens can be saved back: JSON escapes a control character as `\u00XX` (6 bytes for 1), the worst
 * case, plus room for the path (same escape) and the other fields.
 */
export const MAX_REQUEST_BODY_BYTES = 6 * MAX_FILE_BYTES + 6 * MAX_PATH_CHARS + 64 * 1024;

/** Most WebSocket clients `fanout serve` accepts at once; one more is refused with 503. */
export const MAX_WS_CLIENTS = 32;

/** Largest message a WebSocket client may send (the socket is one-way; anything big is abuse). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/** A save's temp file older than this (or whose process is gone) is debris from a crash. */
export const STALE_TEMP_FILE_MS = 60_000;

/** Start-up sweep for stale temp files: deepest folder level and most entries visited. */
export const TEMP_SWEEP_MAX_DEPTH = 6;
export const TEMP_SWEEP_MAX_ENTRIES = 20_000;

// ---------------------------------------------------------------------------------------------------
// The file list follows the disk (engine/host/folder-watch.ts: folders a client listed are watched)
// ---------------------------------------------------------------------------------------------------

/** Folders watched at once per host (the most recently listed; the oldest watch closes first). */
export const MAX_WATCHED_FOLDERS = 8;
/** A folder's changes are told at most once per this many ms (a burst of writes is one notice). */
export const FOLDER_CHANGE_THROTTLE_MS = 250;
/** "Not a workflow" answers remembered by path, size and mtime (a re-list opens changed files only). */
export const MAX_SNIFF_MEMO_ENTRIES = 4 * MAX_SNIFFED_PER_LISTING;

// ---------------------------------------------------------------------------------------------------
// Loaded documents an Engine keeps (engine/workflow/load-cache.ts: re-running an unchanged text)
// ---------------------------------------------------------------------------------------------------

/** Texts whose load an Engine keeps (the least recently used goes first). */
export const MAX_CACHED_LOADS = 4;
/** Characters of all kept texts together; a text larger than this alone is loaded, never kept. */
export const MAX_CACHED_LOAD_CHARS = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Expression evaluation (engine/expr): goto `if`, edge `when`, while_loop `condition`, `with:` templates
// ---------------------------------------------------------------------------------------------------

/**
 * Bounds of ONE evaluation: one condition, or one node's whole `with:` mapping. Expressions run in the
 * host process and synchronously, so these bounds are what keep a runaway template from blocking the
 * event loop or growing the heap; at any of them an evaluation fails in well under a second. Real
 * conditions and templates use tens to a few thousand steps.
 */
export interface ExpressionLimits {
  /**
   * Work units: one per evaluated operation, loop pass, filter or method call, compared or visited
   * item, and per 256 characters scanned or copied.
   */
  maxSteps: number;
  /** Longest string one operation may build, and the longest text one template may render. */
  maxStringChars: number;
  /** Longest list one operation may build. */
  maxListItems: number;
  /** Estimated bytes of everything one evaluation builds (2 per character, 8 per list item). */
  maxAllocatedBytes: number;
  /** Deepest nesting of brackets, operators or `{% %}` blocks in a source (the parsers recurse). */
  maxNesting: number;
}

export const EXPRESSION_LIMITS: ExpressionLimits = {
  maxSteps: 1_000_000,
  maxStringChars: 4 * 1024 * 1024,
  maxListItems: 1_000_000,
  maxAllocatedBytes: 64 * 1024 * 1024,
  maxNesting: 200,
};

/**
 * The parsed-expression cache (keyed by source text): at most this many entries and this many source
 * characters in all; a longer source is parsed every time instead of being kept.
 */
export const EXPRESSION_CACHE_MAX_ENTRIES = 2_000;
export const EXPRESSION_CACHE_MAX_CHARS = 8 * 1024 * 1024;
export const EXPRESSION_CACHE_MAX_SOURCE_CHARS = 64 * 1024;

// ---------------------------------------------------------------------------------------------------
// Batch runs (engine/batch: datasets, results files, `fanout batch`, the app's Batch tab)
// ---------------------------------------------------------------------------------------------------

/** Largest dataset file (JSONL or CSV) read: it is read whole, so this bounds the host's memory. */
export const MAX_DATASET_BYTES = 256 * 1024 * 1024;
/** Most rows in one batch (a larger dataset is refused, naming the bound). */
export const MAX_BATCH_ROWS = 100_000;
/** Largest row, as the length of its JSON text (a JSONL line, a CSV record, a folder file's text). */
export const MAX_BATCH_ROW_BYTES = 1024 * 1024;
/** Most files a folder dataset lists (deeper walks stop here with an error). */
export const MAX_BATCH_DIR_FILES = 10_000;
/** Most rows run at once, whoever asks (`--concurrency`): each holds a run's state and a lease. */
export const MAX_BATCH_CONCURRENCY = 256;
/** Longest results-file line `--resume` accepts (a row's input + final state, as JSON). */
export const MAX_RESULT_LINE_BYTES = 80 * 1024 * 1024;
/** Results lines written with one fsync at most (group commit: a crash loses no finished row). */
export const MAX_RESULTS_GROUP_LINES = 256;
/** Longest `expect` expression. */
export const MAX_EXPECT_CHARS = 4096;
/** The app's batches (engine/batch/host-batches.ts): batches a host keeps; the oldest ended one goes first. */
export const MAX_KEPT_BATCHES = 8;
/** Rows in one status answer to the Batch tab (it asks again at once while `more`). */
export const MAX_BATCH_STATUS_ROWS = 2_000;
/** Events kept per row for "open this row's run"; a longer run's row is not kept (a re-run shows it). */
export const MAX_BATCH_ROW_EVENTS = 5_000;
/** Bytes (JSON length) of row events kept per batch; past it the oldest rows' go, succeeded ones first. */
export const MAX_BATCH_EVENT_BYTES = 64 * 1024 * 1024;
/** Characters of a row's final state shown in the table. */
export const BATCH_EXCERPT_CHARS = 240;

// ---------------------------------------------------------------------------------------------------
// Model calls (engine/llm: llm.call, llm.stream, llm.chat, llm.embed, llm.tools)
// ---------------------------------------------------------------------------------------------------

/** A call's deadline when neither `timeout` nor `settings.llm.timeout` sets one (TEA's 300 s), and the most either may set. */
export const DEFAULT_LLM_TIMEOUT_S = 300;
export const MAX_LLM_TIMEOUT_S = 3600;
/** Retries after the first attempt (429, 5xx, network errors) when no `max_retries` is given; the most one may ask for. */
export const DEFAULT_LLM_RETRIES = 2;
export const MAX_LLM_RETRIES = 10;
/** Most bytes of a model's answer (JSON body or the whole SSE stream); past it the call fails. */
export const MAX_LLM_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Longest SSE line kept while parsing a stream (an endless line cannot grow the host). */
export const MAX_SSE_LINE_BYTES = 1024 * 1024;
/** Characters of an unusable server answer (HTML, garbage) quoted in the node's error. */
export const LLM_ERROR_EXCERPT_CHARS = 200;
/** Streamed tokens of one call are coalesced into one RunEvent per this many ms. */
export const LLM_TOKEN_BATCH_MS = 50;
/** Most model rounds `llm.tools` may take (`max_tool_rounds`, TEA's default 10). */
export const DEFAULT_LLM_TOOL_ROUNDS = 10;
export const MAX_LLM_TOOL_ROUNDS = 100;
/** Largest `.env` file read beside a workflow. */
export const MAX_DOTENV_BYTES = 64 * 1024;
/** Largest cassette `fanout run --replay` reads. */
export const MAX_CASSETTE_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Provider keys (engine/host/provider-keys.ts, provider-test.ts: the Providers page)
// ---------------------------------------------------------------------------------------------------

/** Longest key accepted (real keys are under 200 characters). */
export const MAX_PROVIDER_KEY_CHARS = 1024;
/** Longest base URL a key test may be pointed at. */
export const MAX_PROVIDER_BASE_CHARS = 2048;
/** A key test (one GET of the provider's model list) gives up after this long. */
export const PROVIDER_TEST_TIMEOUT_MS = 8_000;
/** Most bytes of the test's answer read (its status and a short excerpt are all that is shown). */
export const MAX_PROVIDER_TEST_ANSWER_BYTES = 256 * 1024;

// ---------------------------------------------------------------------------------------------------
// Recorded responses the app's host keeps (engine/host/run-recordings.ts: "Re-run with recorded responses")
// ---------------------------------------------------------------------------------------------------

/** Runs whose recording a host keeps (the oldest is dropped first): more than a session's history shows. */
export const MAX_KEPT_RECORDINGS = 200;
/** Bytes of model exchanges kept per run; later exchanges are not kept and the recording says so. */
export const MAX_RECORDING_BYTES = 16 * 1024 * 1024;
/** Bytes of all kept recordings together; past it the oldest recordings are dropped. */
export const MAX_RECORDINGS_TOTAL_BYTES = 128 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Queue mode (engine/queue: BullMQ jobs on Redis, `fanout worker`, branch events over pub/sub)
// ---------------------------------------------------------------------------------------------------

/** Largest job payload a worker accepts (JSON text): a whole state plus a whole workflow file. */
export const MAX_QUEUE_JOB_BYTES = MAX_STATE_BYTES + MAX_FILE_BYTES;
/** Largest branch event a worker publishes back; a bigger one is replaced by a warning that says so. */
export const MAX_QUEUE_EVENT_BYTES = 1024 * 1024;
/** Most events one remote branch streams back; past it a warning, then only the result. */
export const MAX_QUEUE_EVENTS_PER_BRANCH = 20_000;
/** Longest worker id (`fanout worker --id`, else host:pid). */
export const MAX_QUEUE_WORKER_ID_CHARS = 64;
/** Most jobs one `fanout worker` runs at once (`--concurrency`). */
export const MAX_QUEUE_CONCURRENCY = 256;
/** After a cancel, how long the host waits for a remote branch's own 'cancelled' result. */
export const QUEUE_CANCEL_GRACE_MS = 2_000;
/** A cancel mark in Redis (for jobs a worker picks up after the cancel was published) expires after this. */
export const QUEUE_CANCEL_MARK_TTL_S = 3_600;

// ---------------------------------------------------------------------------------------------------
// Worker channel batches (engine/run/channel-outbox.ts: messages of one event-loop turn, one write)
// ---------------------------------------------------------------------------------------------------

/**
 * Most protocol messages in one channel message. Each is bounded on its own (states and results by
 * STATE_BOUNDS); a lease has at most a few requests in flight, so real batches hold 1-4 and a full one
 * is written at once instead of growing.
 */
export const MAX_CHANNEL_BATCH_MESSAGES = 64;

// ---------------------------------------------------------------------------------------------------
// Lua instruction hook armed from a second thread (engine/lua/hook-watchdog.ts)
// ---------------------------------------------------------------------------------------------------

/**
 * While an armed hook has not fired (the running frame was in a C call, or cleared its trap as it was
 * written), the watchdog re-writes the trap after 1, 2, 4 … ms, at most this far apart: the bound on
 * how late a deadline can be noticed beyond the thread's own wake-up.
 */
export const WATCHDOG_MAX_REARM_MS = 16;
/** The watchdog thread runs a few dozen lines and allocates nearly nothing: a small V8 heap. */
export const WATCHDOG_THREAD_LIMITS = {
  maxOldGenerationSizeMb: 8,
  maxYoungGenerationSizeMb: 1,
  stackSizeMb: 1,
};
/**
 * An exec in count-hook mode starts the watchdog once it has run this long and this many thousand
 * instructions: a worker's warm-up exec can take over 5 ms (first calls compile lazily) but runs a
 * few thousand instructions, so starting workers never pay for the thread.
 */
export const WATCHDOG_START_AFTER_MS = 5;
export const WATCHDOG_START_AFTER_HOOKS = 50;
