// The designer's side panels. The lead mounts them next to the canvas with the shared stores.
export { Inspector } from './Inspector.tsx';
export { YamlPanel } from './YamlPanel.tsx';
export { ProblemsPanel } from './ProblemsPanel.tsx';
export { WorkflowSettings } from './WorkflowSettings.tsx';
export { CodeEditor } from './CodeEditor.tsx';
export type { CodeEditorProps, EditorLanguage } from './CodeEditor.tsx';
