// Node components: memoised, each reading only its own data plus narrow store selectors (its problem
// counts, whether it is being renamed, and its run status / breakpoint in RunBadge.tsx), so a 1,000-node
// canvas re-renders only what changed.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useState, type KeyboardEvent } from 'react';
import { AddBranchButton } from './AddBranchButton.tsx';
import { useStore } from 'zustand';
import { renameNode } from './canvas-edits.ts';
import { runEdit, useCanvasStores } from './context.ts';
import { BreakpointDot, RunBadge } from './RunBadge.tsx';
import { OutputPreview } from './OutputPreview.tsx';
import { problemSummary, type FlowNode } from './to-flow.ts';

function ProblemBadge({ id }: { id: string }) {
  const { doc } = useCanvasStores();
  const summary = useStore(doc, (s) => problemSummary(s.problems, id));
  const [errors, warnings] = summary.split(':').map(Number) as [number, number];
  if (errors === 0 && warnings === 0) return null;
  return (
    <span
      className={`fs-node-problems ${errors > 0 ? 'fs-error' : 'fs-warning'}`}
      data-testid={`node-problems-${id}`}
      title={`${errors} error(s), ${warnings} warning(s)`}
    >
      {errors > 0 ? `✖ ${errors}` : `⚠ ${warnings}`}
    </span>
  );
}

function Title({ id, title }: { id: string; title: string }) {
  const stores = useCanvasStores();
  const editing = useStore(stores.local, (s) => s.renaming === id);
  const [draft, setDraft] = useState(title);
  const commit = (value: string) => {
    stores.local.getState().setRenaming(null);
    const to = value.trim();
    if (to === '' || to === id) return;
    if (runEdit(stores, (t) => renameNode(t, id, to), `Rename ${id}`)) {
      stores.ui.getState().select({ nodes: [to], edges: [] });
    }
  };
  if (!editing) {
    return (
      <span
        className="fs-node-title"
        title="Double-click to rename"
        onDoubleClick={(event) => {
          event.stopPropagation();
          setDraft(title);
          stores.local.getState().setRenaming(id);
        }}
      >
        {title}
      </span>
    );
  }
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    event.stopPropagation(); // typing must not trigger canvas shortcuts
    if (event.key === 'Enter') commit(event.currentTarget.value);
    if (event.key === 'Escape') stores.local.getState().setRenaming(null);
  };
  return (
    <input
      className="fs-node-rename nodrag"
      aria-label={`Rename ${id}`}
      autoFocus
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onKeyDown={onKey}
      onBlur={(event) => commit(event.target.value)}
    />
  );
}

export const TerminalNode = memo(function TerminalNode({ data }: NodeProps<FlowNode>) {
  const isStart = data.kind === 'start';
  return (
    <div className={`fs-node fs-terminal fs-${data.kind}`} data-node-kind={data.kind}>
      {!isStart && <Handle type="target" position={Position.Left} />}
      <span>{data.title}</span>
      {isStart && <Handle type="source" position={Position.Right} />}
    </div>
  );
});

/**
 * "not available in Fanout: <action>" on a node whose action the host lacks: a tab above the node's
 * top edge (outside the fixed-size box, so long action names stay readable).
 */
function UnavailableBadge({ id, action }: { id: string; action: string | undefined }) {
  const { local } = useCanvasStores();
  const unknown = useStore(local, (s) => action !== undefined && s.unknownActions.has(action));
  if (!unknown) return null;
  return (
    <span
      className="fs-node-unavailable"
      data-testid={`node-unavailable-${id}`}
      title={`The action '${action}' is not available in Fanout: a run fails at this node`}
    >
      ⊘ not available in Fanout: {action}
    </span>
  );
}

/** The body of a dynamic_parallel node: the list it fans out over and each branch's variables. */
function DynamicBody({ dynamic }: { dynamic: NonNullable<FlowNode['data']['dynamic']> }) {
  return (
    <>
      <div className="fs-node-detail" title={`items: ${dynamic.items}`}>
        items: {dynamic.items}
      </div>
      <div className="fs-node-detail fs-dynamic-vars" data-testid="dynamic-vars">
        each <b>{dynamic.itemVar}</b> · index <b>{dynamic.indexVar}</b>
        {dynamic.settings.map((setting) => ` · ${setting}`).join('')}
      </div>
      <div className="fs-node-tags">
        <span className="fs-chip fs-fanout-badge" title="One branch per item, known at run time">
          ⇉ dynamic fan-out
        </span>
        <span className="fs-chip">{dynamic.body}</span>
      </div>
    </>
  );
}

export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<FlowNode>) {
  const classes = ['fs-node', `fs-${data.kind}`];
  if (data.marked) classes.push('fs-marked');
  if (data.join) classes.push('fs-join');
  if (data.fanOut !== undefined || data.dynamic) classes.push('fs-fanout');
  if (data.dynamic) classes.push('fs-dynamic');
  if (selected) classes.push('fs-selected');
  const accents: Record<string, string> = {};
  if (data.join) accents['--join-color'] = `var(--fanout-${data.joinColor})`;
  if (data.fanOut !== undefined) accents['--fanout-color'] = `var(--fanout-${data.fanOutColor})`;
  if (data.dynamic) accents['--fanout-color'] = `var(--fanout-${data.dynamic.color})`;
  return (
    <div className={classes.join(' ')} data-node-kind={data.kind} style={accents}>
      <UnavailableBadge id={id} action={data.action} />
      <RunBadge id={id} />
      <OutputPreview id={id} />
      <BreakpointDot id={id} />
      <Handle type="target" position={Position.Left} />
      <div className="fs-node-head">
        <Title id={id} title={data.title} />
        <ProblemBadge id={id} />
      </div>
      {data.dynamic ? <DynamicBody dynamic={data.dynamic} /> : <StepBody id={id} data={data} />}
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

function StepBody({ id, data }: { id: string; data: FlowNode['data'] }) {
  return (
    <>
      <div className="fs-node-detail" title={data.detail}>
        {data.kind === 'action' ? `uses: ${data.detail}` : data.detail}
      </div>
      <div className="fs-node-tags">
        {data.chip && <span className="fs-chip">{data.chip}</span>}
        {data.maxIterations !== undefined && <span className="fs-chip">max {data.maxIterations}</span>}
        {data.join && <span className="fs-chip fs-join-badge">⇶ join</span>}
        {data.fanOut !== undefined && (
          <span className="fs-chip fs-fanout-badge" title={`Runs ${data.fanOut} branches in parallel`}>
            ⇉ fan-out {data.fanOut}
          </span>
        )}
        {data.fanOut !== undefined && <AddBranchButton source={id} />}
      </div>
    </>
  );
}

export const nodeTypes = {
  start: TerminalNode,
  end: TerminalNode,
  lua: StepNode,
  action: StepNode,
  while_loop: StepNode,
  passthrough: StepNode,
  'other-code': StepNode,
  unsupported: StepNode,
  dynamic_parallel: StepNode,
};
