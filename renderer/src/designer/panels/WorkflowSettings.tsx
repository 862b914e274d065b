// Workflow-level fields (shown when nothing is selected): name, description, state_schema,
// initial_state (JSON), and settings — each written with setTopLevelField.
import { useStore } from 'zustand';
import { setTopLevelField } from '../../../../engine/workflow/edit.ts';
import type { DocumentStore } from '../document-store.ts';
import { CheckField, KeyValueRows, TextField, tryEdit } from './Fields.tsx';
import {
  formatInitialState,
  mapToRows,
  MAX_ITERATIONS_RANGE,
  MEMORY_RANGE,
  parseInitialState,
  parseIntField,
  rowsToMap,
  TIMEOUT_RANGE,
  withSetting,
} from './fields.ts';
import type { IntRange, SettingsPath } from './fields.ts';
import { LlmSettingsForm } from './LlmSettingsForm.tsx';
import './panels.css';

export function WorkflowSettings({ doc }: { doc: DocumentStore }) {
  const model = useStore(doc, (s) => s.load.model);
  if (!model) {
    return (
      <div className="fp-empty" data-testid="workflow-settings">
        <h2>Workflow</h2>
        <p>The YAML has errors; fix them in the YAML panel to edit the workflow settings.</p>
      </div>
    );
  }
  const raw = model.raw;
  const setTop = (key: string, value: unknown, label: string): string | null =>
    tryEdit(() =>
      doc.getState().edit((t) => setTopLevelField(t, key, value), { label, coalesceKey: `top:${key}` }),
    );
  const setSetting = (path: SettingsPath, value: unknown): string | null =>
    tryEdit(() =>
      doc.getState().edit(
        // Read the settings from the text being edited, not a render-time snapshot.
        (t) => setTopLevelField(t, 'settings', withSetting(currentSettings(doc), path, value)),
        { label: `Set settings.${path.join('.')}`, coalesceKey: `settings:${path.join('.')}` },
      ),
    );
  const intSetting = (label: string, path: SettingsPath, range: IntRange, value: unknown, hint: string) => (
    <TextField
      label={label}
      value={typeof value === 'number' ? String(value) : ''}
      inputMode="numeric"
      placeholder="default"
      hint={hint}
      testId={`settings-${path.join('-')}`}
      onCommit={(v) => {
        const parsed = parseIntField(v, label, range);
        return parsed.ok ? setSetting(path, parsed.value) : parsed.error;
      }}
    />
  );
  const settings = (raw.settings ?? {}) as Record<string, unknown>;
  const parallel = (settings.parallel ?? {}) as Record<string, unknown>;

  return (
    <div className="fp-settings" data-testid="workflow-settings">
      <h2>Workflow</h2>
      <TextField
        label="Name"
        value={typeof raw.name === 'string' ? raw.name : ''}
        testId="settings-name"
        onCommit={(v) => setTop('name', v.trim() === '' ? undefined : v.trim(), 'Set workflow name')}
      />
      <TextField
        label="Description"
        multiline
        value={typeof raw.description === 'string' ? raw.description : ''}
        hint="Ctrl+Enter or leaving the field saves it."
        testId="settings-description"
        onCommit={(v) => setTop('description', v.trim() === '' ? undefined : v, 'Set description')}
      />
      <KeyValueRows
        label="State schema"
        testId="settings-state-schema"
        rows={mapToRows(raw.state_schema, (v) => (typeof v === 'string' ? v : JSON.stringify(v)))}
        valuePlaceholder="str | int | list | dict"
        onCommit={(rows) => {
          const parsed = rowsToMap(rows, (v) => v.trim());
          return parsed.ok ? setTop('state_schema', parsed.value, 'Edit state schema') : parsed.error;
        }}
      />
      <TextField
        label="Initial state (JSON)"
        multiline
        monospace
        value={formatInitialState(raw.initial_state)}
        placeholder='{"items": []}'
        hint="Ctrl+Enter or leaving the field saves it."
        testId="settings-initial-state"
        onCommit={(v) => {
          const parsed = parseInitialState(v);
          return parsed.ok ? setTop('initial_state', parsed.value, 'Set initial state') : parsed.error;
        }}
      />
      <h3>Settings</h3>
      {intSetting(
        'Timeout (ms)',
        ['timeout_ms'],
        TIMEOUT_RANGE,
        settings.timeout_ms,
        'Default Lua timeout per node.',
      )}
      <CheckField
        label="Fail fast (parallel.fail_fast)"
        checked={parallel.fail_fast === true}
        hint="A failed branch cancels the others and fails the run."
        onChange={(checked) => setSetting(['parallel', 'fail_fast'], checked ? true : undefined)}
      />
      {intSetting(
        'Max iterations',
        ['max_iterations'],
        MAX_ITERATIONS_RANGE,
        settings.max_iterations,
        'Graph step limit (TEA Rust default 1000).',
      )}
      {intSetting(
        'Memory limit (MB)',
        ['memory_limit_mb'],
        MEMORY_RANGE,
        settings.memory_limit_mb,
        'Lua heap cap per VM.',
      )}
      <LlmSettingsForm doc={doc} settings={settings} />
    </div>
  );
}

function currentSettings(doc: DocumentStore): unknown {
  return doc.getState().load.model?.raw.settings;
}
