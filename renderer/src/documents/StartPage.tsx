// The start page (no document open): templates, the example workflows of the host's folder and recent
// files as cards. Every card is a button (Tab reaches it, Enter opens it).
import { useEffect, useState } from 'react';
import type { FileEntry, HostApi } from '../../../engine/host/types.ts';
import { exampleCards, fileStem, recentCards, type FileCard } from './start-page.ts';
import type { DocumentTemplate } from './templates.ts';
import './documents.css';

export interface StartPageProps {
  host: HostApi;
  templates: readonly DocumentTemplate[];
  /** The host's listing of the folder the file list shows. */
  files: readonly FileEntry[];
  /** The folder those files are in, for the section title ('' or undefined: the root). */
  folder?: string;
  mac: boolean;
  onNew: (template: DocumentTemplate) => void;
  onOpen: (path?: string) => void;
  /** Opens Settings › Providers (API keys for model calls). */
  onProviders?: () => void;
}

/** A glyph per known example (what it shows), else by the words in its title. */
function glyph(id: string): string {
  if (id === 'blank') return '+';
  if (/agent|llm|judge/.test(id)) return '✦';
  if (/parallel|map|fan|reduce/.test(id)) return '⇉';
  if (/while|loop|retry/.test(id)) return '↻';
  if (/timeout/.test(id)) return '◔';
  return '☾';
}

export function StartPage(props: StartPageProps) {
  const { host, templates, files, folder, mac, onNew, onOpen, onProviders } = props;
  const [recent, setRecent] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    void host.recentFiles().then((result) => live && setRecent(result.ok ? result.value : []));
    return () => {
      live = false;
    };
  }, [host]);
  const examples = exampleCards(files, templates);
  const recents = recentCards(recent ?? [], templates);
  const where = folder ? `in ${folder}` : 'in this folder';
  const recentSection = (
    <FileSection
      id="start-recent"
      title="Recent"
      empty={recent === null ? 'Loading…' : 'Files you open or save appear here.'}
      cards={recents}
      testId="start-recent"
      onOpen={onOpen}
    />
  );

  return (
    <div className="start" data-testid="start-page">
      <header className="start-hero">
        <h1>Design and run parallel workflows</h1>
        <p>
          The Edge Agent YAML with Lua nodes that fan out into isolated branches. Start from a template, open
          a workflow, or pick up where you left off — {mac ? '⌘K' : 'Ctrl+K'} lists every command.
        </p>
        {host.kind === 'electron' && (
          <button type="button" className="start-open" onClick={() => onOpen()}>
            Open a file…
          </button>
        )}
        {onProviders && (
          <button
            type="button"
            className="start-settings"
            onClick={onProviders}
            data-testid="start-providers"
          >
            Providers and API keys…
          </button>
        )}
      </header>

      {/* Picking up where you left off comes first once there is something to pick up. */}
      {recents.length > 0 && recentSection}
      <section className="start-section" aria-labelledby="start-templates">
        <h2 id="start-templates">New from a template</h2>
        <ul className="start-grid">
          {templates.map((t) => (
            <li key={t.id}>
              <button
                type="button"
                className="start-card"
                data-testid={`start-template-${t.id}`}
                title={`${t.title} — ${t.description}`}
                onClick={() => onNew(t)}
              >
                <span className="start-glyph" aria-hidden>
                  {glyph(t.id)}
                </span>
                <strong className="start-card-title">{t.title}</strong>
                <span className="start-card-detail">{t.description}</span>
                <span className="start-card-kind">{t.id === 'blank' ? 'empty canvas' : 'untitled copy'}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <FileSection
        id="start-examples"
        title={`Workflows ${where}`}
        empty="No YAML files in this folder."
        cards={examples}
        testId="start-file"
        onOpen={onOpen}
      />
      {recents.length === 0 && recentSection}
    </div>
  );
}

function FileSection(props: {
  id: string;
  title: string;
  empty: string;
  cards: readonly FileCard[];
  testId: string;
  onOpen: (path: string) => void;
}) {
  const { id, title, empty, cards, testId, onOpen } = props;
  return (
    <section className="start-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {cards.length === 0 ? (
        <p className="start-empty">{empty}</p>
      ) : (
        <ul className="start-grid">
          {cards.map((card) => (
            <li key={card.path}>
              <button
                type="button"
                className="start-card"
                data-testid={`${testId}-${fileStem(card.path)}`}
                title={card.detail ? `${card.path} — ${card.detail}` : card.path}
                onClick={() => onOpen(card.path)}
              >
                <span className="start-glyph" aria-hidden>
                  {glyph(fileStem(card.path))}
                </span>
                <strong className="start-card-title">{card.name}</strong>
                <span className="start-card-detail">{card.detail}</span>
                <span className="start-card-kind">open file</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
