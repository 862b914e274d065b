// CodeMirror look that follows the app theme: colours are CSS variables defined in panels.css for
// light and `[data-theme="dark"]`, so switching themes needs no editor reconfiguration.
import { HighlightStyle } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

export const editorTheme = EditorView.theme({
  '&': {
    color: 'var(--cm-fg)',
    backgroundColor: 'var(--cm-bg)',
    fontSize: '12.5px',
    height: '100%',
  },
  '&.cm-focused': { outline: '1px solid var(--panel-accent)' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: '1.5',
  },
  '.cm-content': { caretColor: 'var(--cm-fg)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--cm-fg)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--cm-selection)',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--cm-gutter-bg)',
    color: 'var(--cm-gutter-fg)',
    borderRight: '1px solid var(--panel-border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active-line)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel-bg)',
    color: 'var(--panel-fg)',
    border: '1px solid var(--panel-border)',
  },
});

export const editorHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword], color: 'var(--cm-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--cm-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--cm-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--cm-comment)', fontStyle: 'italic' },
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--cm-property)' },
  { tag: [t.variableName, t.name], color: 'var(--cm-fg)' },
  { tag: [t.function(t.variableName), t.standard(t.variableName)], color: 'var(--cm-function)' },
  { tag: [t.meta, t.labelName, t.typeName], color: 'var(--cm-meta)' },
  { tag: t.invalid, color: 'var(--cm-invalid)' },
]);
