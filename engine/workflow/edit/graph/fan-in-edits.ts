// Fan-in gestures: declare where a fan-out's branches meet. Setting the fan-in routes every branch
// that does not reach it yet from its open end (the node whose way on is __end__) to the fan-in, so
// "make X the fan-in" on a hand-drawn fan-out closes all of its branches at once.
import { END } from '../../types.ts';
import type { FanOut } from '../../types.ts';
import { EditError } from '../splice.ts';
import { fanOutOfBranchNode, meetingPoint, openBranchPaths } from './branch-paths.ts';
import { writeFanOut } from './fan-out-edits.ts';
import type { GraphDoc } from './graph-doc.ts';
import { outgoing, setWayOn } from './routing.ts';

/** The validation code of a fan-out whose fan-in is still open (allowed while the user draws). */
export const PENDING_FAN_IN = 'FAN_IN_UNDETERMINED';

export function branchOf(doc: GraphDoc, node: string): FanOut | null {
  return fanOutOfBranchNode(doc.graph, node)?.fanOut ?? null;
}

export function meetingNode(doc: GraphDoc, branches: string[], source: string): string | null {
  return meetingPoint(doc.graph, branches, source);
}

export function setFanIn(doc: GraphDoc, source: string, fanIn: string): void {
  const fo = doc.fanOut(source);
  if (!fo) throw new EditError(`'${source}' does not fan out`);
  doc.node(fanIn);
  if (fanIn === source || fo.branches.includes(fanIn)) {
    throw new EditError(
      `'${fanIn}' is ${fanIn === source ? 'the source' : 'a branch'} of the fan-out from '${source}'; it cannot be its fan-in`,
    );
  }
  const paths = openBranchPaths(doc.graph, fo);
  writeFanOut(doc, source, fo.branches, fanIn);
  fo.branches.forEach((head, i) => {
    const path = (paths[i] ?? [head]).filter((n) => n !== fanIn);
    const reached = path.some((n) => outgoing(doc, n).some((e) => e.target === fanIn));
    if (reached) return;
    // The branch's open ends: nodes on it whose unconditional way on is __end__.
    const ends = path.filter((n) =>
      outgoing(doc, n).some((e) => e.target === END && (e.kind === 'sequential' || e.fallback)),
    );
    if (ends.length === 0) {
      throw new EditError(
        `Branch '${head}' of the fan-out from '${source}' has no open end to connect to '${fanIn}'; connect it by hand`,
      );
    }
    for (const n of ends) setWayOn(doc, n, fanIn);
  });
}
