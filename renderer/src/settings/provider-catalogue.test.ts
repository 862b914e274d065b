import { describe, expect, it } from 'vitest';
import { PROVIDER_KEY_VARS } from '../../../engine/host/provider-vars.ts';
import { KEY_STATE_TEXT, PROVIDER_ROWS, keyState } from './provider-catalogue.ts';

const row = (id: string) => PROVIDER_ROWS.find((r) => r.id === id)!;
const status = (stored: boolean, inEnvironment: boolean) => ({
  provider: 'openai' as const,
  variable: 'OPENAI_API_KEY',
  stored,
  inEnvironment,
});

describe('the Providers page catalogue', () => {
  it('lists every keyed provider the host keeps a key for, plus Ollama (keyless)', () => {
    expect(PROVIDER_ROWS.filter((r) => r.keyed).map((r) => r.id)).toEqual(Object.keys(PROVIDER_KEY_VARS));
    expect(PROVIDER_ROWS.filter((r) => !r.keyed).map((r) => r.id)).toEqual(['ollama']);
  });

  it('says which key a run uses: the environment wins over a kept key', () => {
    expect(keyState(row('openai'), status(false, false))).toBe('none');
    expect(keyState(row('openai'), status(true, false))).toBe('stored');
    expect(keyState(row('openai'), status(false, true))).toBe('environment');
    expect(keyState(row('openai'), status(true, true))).toBe('both');
    expect(keyState(row('openai'), undefined)).toBe('none');
    expect(keyState(row('ollama'), undefined)).toBe('keyless');
    expect(KEY_STATE_TEXT.none.detail('OPENAI_API_KEY')).toContain('OPENAI_API_KEY');
  });
});
