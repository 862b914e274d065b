// Generator of big TEA workflows for benchmarks and tests: sequential Lua nodes, goto rules and
// fan-outs in every parallel form, successors written as goto, `edges:` entries or list order.

export interface GenerateOptions {
  /** Approximate node count (the generator stops at the first block boundary at or past it). */
  nodes: number;
  /** A fan-out block starts after this many sequential nodes (default 10). */
  fanOutEvery?: number;
  /** Branches per fan-out (default 3). */
  branches?: number;
  /** Only portable forms (hybrid fan-outs, explicit successors, `language: lua`). Default false. */
  portable?: boolean;
}

const FORMS = ['hybrid', 'python', 'rust'] as const;

function luaNode(name: string, lines: string[], opts: { language: boolean; extra?: string[] }): string[] {
  const out = [`  - name: ${name}`];
  if (opts.language) out.push('    language: lua');
  out.push('    run: |');
  for (const l of lines) out.push(`      ${l}`);
  for (const e of opts.extra ?? []) out.push(`    ${e}`);
  return out;
}

export function generateWorkflow(options: GenerateOptions): string {
  const total = Math.max(1, options.nodes);
  const every = Math.max(1, options.fanOutEvery ?? 10);
  const branches = Math.max(2, options.branches ?? 3);
  const portable = options.portable ?? false;
  const nodes: string[] = [];
  const edges: string[] = [];
  let count = 0;
  let seq = 0;

  // Plan the blocks first, so each block knows the first node of the next one.
  type Block = { kind: 'seq'; name: string } | { kind: 'fan'; source: string; heads: string[]; join: string };
  const blocks: Block[] = [];
  while (count < total) {
    if (seq > 0 && seq % every === 0 && total - count >= branches + 2) {
      const id = blocks.length;
      const heads = Array.from({ length: branches }, (_, b) => `fan${id}_branch${b}`);
      blocks.push({ kind: 'fan', source: `fan${id}_source`, heads, join: `fan${id}_join` });
      count += branches + 2;
    } else {
      blocks.push({ kind: 'seq', name: `step${blocks.length}` });
      count++;
    }
    seq++;
  }
  const fanOuts = blocks.filter((b) => b.kind === 'fan').length;
  const firstOf = (b: Block | undefined) =>
    b === undefined ? '__end__' : b.kind === 'seq' ? b.name : b.source;

  blocks.forEach((block, i) => {
    const next = firstOf(blocks[i + 1]);
    const lang = portable || i % 5 !== 3;
    if (block.kind === 'seq') {
      const code = [
        `-- step ${i}: count and tag`,
        'local c = state.count or 0',
        `return { count = c + 1, last = "${block.name}" }`,
      ];
      const style = portable ? i % 2 : i % 3; // 0: goto, 1: edges entry, 2: list order
      const extra: string[] = [];
      if (i % 7 === 6) {
        extra.push('goto:', '  - if: "state.abort"', '    to: __end__', `  - to: ${next}`);
      } else if (style === 0) {
        extra.push(`goto: ${next}`);
      } else if (style === 1) {
        edges.push(`  - from: ${block.name}`, `    to: ${next}`);
      } // style 2: list order (implicit chaining) reaches `next`
      nodes.push(...luaNode(block.name, code, { language: lang, extra }));
      return;
    }
    const form = portable ? 'hybrid' : FORMS[i % FORMS.length];
    nodes.push(...luaNode(block.source, ['return { fanned = true }'], { language: lang }));
    block.heads.forEach((head, b) => {
      nodes.push(
        ...luaNode(head, ['local n = state.count or 0', `return { value = n * ${b + 2} }`], {
          language: lang,
        }),
      );
    });
    nodes.push(
      ...luaNode(
        block.join,
        [
          'local sum = 0',
          'for _, r in ipairs(state.parallel_results or {}) do',
          '  if r.success then sum = sum + (r.state.value or 0) end',
          'end',
          'return { sum = sum }',
        ],
        { language: lang, extra: i % 2 === 0 ? [`goto: ${next}`] : [] },
      ),
    );
    const list = `[${block.heads.join(', ')}]`;
    if (form === 'rust') {
      edges.push(`  - from: ${block.source}`, `    parallel: ${list}`);
    } else {
      block.heads.forEach((head, b) => {
        edges.push(
          `  - from: ${block.source}`,
          `    to: ${head}`,
          '    type: parallel',
          `    fan_in: ${block.join}`,
        );
        if (form === 'hybrid' && b === 0) edges.push(`    parallel: ${list}`);
      });
    }
    for (const head of block.heads) edges.push(`  - from: ${head}`, `    to: ${block.join}`);
    if (i % 2 !== 0) edges.push(`  - from: ${block.join}`, `    to: ${next}`);
  });

  return [
    `name: generated-${total}`,
    `description: Generated workflow with ${count} nodes and ${fanOuts} fan-outs`,
    'state_schema:',
    '  count: int',
    '  sum: int',
    'nodes:',
    ...nodes,
    'edges:',
    ...edges,
    '',
  ].join('\n');
}

/** A fan-out of `branches` trivial Lua branches joined by one fan-in (the run panel's wide case). */
export function generateFanOut(options: { branches: number }): string {
  const names = Array.from({ length: Math.max(2, options.branches) }, (_, b) => `b${b}`);
  const nodes = [
    ...luaNode('source', ['return { fanned = true }'], { language: true }),
    ...names.flatMap((name, b) => luaNode(name, [`return { value = ${b} }`], { language: true })),
    ...luaNode(
      'join',
      [
        'local ok = 0',
        'for _, r in ipairs(state.parallel_results or {}) do',
        '  if r.success then ok = ok + 1 end',
        'end',
        'return { ok = ok }',
      ],
      { language: true },
    ),
  ];
  const edges = [
    '  - from: __start__',
    '    to: source',
    ...names.flatMap((name, b) => [
      '  - from: source',
      `    to: ${name}`,
      '    type: parallel',
      '    fan_in: join',
      ...(b === 0 ? [`    parallel: [${names.join(', ')}]`] : []),
    ]),
    ...names.flatMap((name) => [`  - from: ${name}`, '    to: join']),
    '  - from: join',
    '    to: __end__',
  ];
  return [
    `name: fan-out-${names.length}`,
    `description: ${names.length} trivial Lua branches and a fan-in`,
    'state_schema:',
    '  ok: int',
    'nodes:',
    ...nodes,
    'edges:',
    ...edges,
    '',
  ].join('\n');
}

export interface ChattyChainOptions {
  /** Sequential Lua nodes (each is two events: started and finished). */
  nodes: number;
  /** `print` lines per node (one log event each; the engine keeps at most 200 per node). */
  prints: number;
  /** `sleep(ms)` per node, so the run lasts long enough to see frames while events arrive. */
  sleepMs?: number;
}

/** A chain of Lua nodes that print: about nodes × (2 + prints) events (the run panel's long case). */
export function generateChattyChain(options: ChattyChainOptions): string {
  const count = Math.max(1, options.nodes);
  const sleep = options.sleepMs ?? 0;
  const nodes = Array.from({ length: count }, (_, i) =>
    luaNode(
      `n${i}`,
      [
        `for k = 1, ${options.prints} do print("node ${i} line " .. k) end`,
        ...(sleep > 0 ? [`if sleep then sleep(${sleep}) end`] : []),
        'return { count = (state.count or 0) + 1 }',
      ],
      { language: true },
    ),
  ).flat();
  return [
    `name: chatty-chain-${count}`,
    `description: ${count} sequential Lua nodes printing ${options.prints} lines each`,
    'settings:',
    `  max_iterations: ${count + 10}`,
    'state_schema:',
    '  count: int',
    'nodes:',
    ...nodes,
    '',
  ].join('\n');
}

/** The CPU-bound loop issue #15 measures against raw wasmoon: `n` multiply-add-modulo steps. */
export function cpuLoopLua(n: number): string {
  return `local x = 0\nfor i = 1, ${n} do x = (x * 31 + i) % 1000003 end\nreturn { x = x }`;
}

/** A one-node workflow running cpuLoopLua(n). */
export function cpuLoopYaml(n: number): string {
  return ['name: cpu-loop', 'nodes:', '  - name: loop', '    language: lua', '    run: |']
    .concat(
      cpuLoopLua(n)
        .split('\n')
        .map((line) => `      ${line}`),
    )
    .concat(['edges:', '  - {from: __start__, to: loop}', '  - {from: loop, to: __end__}', ''])
    .join('\n');
}
