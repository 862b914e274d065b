// Level of detail. Far out (zoom < 0.35) edge labels and run badges are not drawn; further out
// (zoom < 0.2, where a node's 12 px text is under 2.5 px) nodes are sketches: box, colours and run
// ring, without their text, chips and badge contents. On a 200-branch run that halves the style,
// layout, paint and layerising of each frame (issue #15); graphs small enough to read keep every detail.
import { useStore as useFlowStore } from '@xyflow/react';

/** Below this zoom edge labels and run badges are hidden (canvas.css `.fs-far-out`). */
export const DETAIL_MIN_ZOOM = 0.35;
/** Below this zoom nodes are drawn as sketches (canvas.css `.fs-sketch`). */
export const SKETCH_MAX_ZOOM = 0.2;

/** True while the view is zoomed out below DETAIL_MIN_ZOOM (re-renders only when that flips). */
export function useFarOut(): boolean {
  return useFlowStore((s) => s.transform[2] < DETAIL_MIN_ZOOM);
}

/** True while nodes are sketches (zoom below SKETCH_MAX_ZOOM). */
export function useSketch(): boolean {
  return useFlowStore((s) => s.transform[2] < SKETCH_MAX_ZOOM);
}

/** The canvas root's level-of-detail classes. */
export function detailClasses(farOut: boolean, sketch: boolean): string {
  return ['fs-canvas', farOut ? 'fs-far-out' : '', sketch ? 'fs-sketch' : ''].filter(Boolean).join(' ');
}
