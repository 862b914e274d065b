// Collapsible JSON tree; children render only when opened, so large states stay cheap.
import { useState } from 'react';

export function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const [open, setOpen] = useState(depth < 1);
  const label = name !== undefined ? <span className="rp-json-key">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="rp-json-leaf">
        {label}
        <span className={`rp-json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <div className="rp-json-node">
      <button type="button" className="rp-json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} {label}
        <span className="rp-json-summary">{summary}</span>
      </button>
      {open && (
        <div className="rp-json-children">
          {entries.map(([k, v]) => (
            <JsonTree key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      )}
    </div>
  );
}
