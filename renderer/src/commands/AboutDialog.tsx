// Help › About: version, host kind and where the documentation is.
import { useEffect, useRef } from 'react';
import type { HostInfo } from '../../../engine/host/types.ts';
import { DOCS_URL, HELP_URL } from '../../../electron/shared/actions.ts';
import './commands.css';

const HOST_LABEL = { electron: 'Desktop app (Electron)', browser: 'Browser, served by fanout serve' };

export function AboutDialog({
  info,
  hostKind,
  onClose,
}: {
  info: HostInfo | null;
  hostKind: 'electron' | 'browser';
  onClose: () => void;
}) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  const rows: [string, string][] = [
    ['Version', info ? info.appVersion : 'unknown'],
    ['Host', HOST_LABEL[hostKind]],
    ...(info
      ? ([
          ['Platform', info.platform],
          ['Lua workers', String(info.workers)],
        ] as [string, string][])
      : []),
    ...(info?.root ? ([['Folder', info.root]] as [string, string][]) : []),
  ];
  return (
    <div className="cmd-overlay" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div
        className="cmd-dialog cmd-about"
        role="dialog"
        aria-modal="true"
        aria-labelledby="about-title"
        data-testid="about-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          }
          event.stopPropagation();
        }}
      >
        <header className="cmd-dialog-head">
          <strong id="about-title">Fanout Studio</strong>
          <button type="button" ref={closeRef} onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="cmd-about-body">
          <p>
            Design, run and debug The Edge Agent (TEA) YAML workflows, with parallel branches on a timeline.
          </p>
          <dl>
            {rows.map(([term, value]) => (
              <div key={term}>
                <dt>{term}</dt>
                <dd data-testid={`about-${term.toLowerCase().replace(' ', '-')}`}>{value}</dd>
              </div>
            ))}
          </dl>
          <p className="cmd-about-links">
            <a href={HELP_URL} target="_blank" rel="noreferrer">
              The Edge Agent on GitHub
            </a>
            <a href={DOCS_URL} target="_blank" rel="noreferrer">
              TEA documentation
            </a>
          </p>
        </div>
      </div>
    </div>
  );
}
