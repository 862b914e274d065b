// Public surface of the designer canvas.
export { DesignerCanvas } from './DesignerCanvas.tsx';
export { Palette, PALETTE_ITEMS } from './Palette.tsx';
export { toFlow, storedPositions, type FlowNode, type FlowEdge, type PositionMap } from './to-flow.ts';
export { layoutGraph, layoutAll } from './layout.ts';
