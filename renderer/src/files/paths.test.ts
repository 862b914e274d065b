import { describe, expect, it } from 'vitest';
import { fileNameProblem, workflowFileNameProblem } from '../../../engine/host/names.ts';
import {
  afterListing,
  baseName,
  breadcrumb,
  filterEntries,
  folderOf,
  joinPath,
  portableName,
  withYamlExtension,
} from './paths.ts';

describe('browser host paths', () => {
  it('joins, splits and breadcrumbs relative paths', () => {
    expect(joinPath('', 'a.yaml')).toBe('a.yaml');
    expect(joinPath('x/y', 'a.yaml')).toBe('x/y/a.yaml');
    expect(folderOf('x/y/a.yaml')).toBe('x/y');
    expect(folderOf('a.yaml')).toBe('');
    expect(baseName('x/y/a.yaml')).toBe('a.yaml');
    expect(breadcrumb('x/y')).toEqual([
      { name: 'Root', path: '' },
      { name: 'x', path: 'x' },
      { name: 'y', path: 'x/y' },
    ]);
  });

  it('adds .yaml to a bare name only; names the export', () => {
    expect(withYamlExtension('flow')).toBe('flow.yaml');
    expect(withYamlExtension(' flow ')).toBe('flow.yaml');
    expect(withYamlExtension('flow.yml')).toBe('flow.yml');
    expect(withYamlExtension('flow.txt')).toBe('flow.txt');
    expect(portableName('a.yaml')).toBe('a.portable.yaml');
    expect(portableName('a.YML')).toBe('a.portable.YML');
  });

  it('filters by every typed word', () => {
    const entries = [{ name: 'map-reduce.yaml' }, { name: 'parallel.yaml' }, { name: 'docs' }];
    expect(filterEntries(entries, 'MAP red').map((e) => e.name)).toEqual(['map-reduce.yaml']);
    expect(filterEntries(entries, '')).toEqual(entries);
  });

  it('keeps keys typed before the first listing; a move to another folder clears the filter', () => {
    const entries = [
      { name: 'a.yaml', path: 'd/a.yaml' },
      { name: 'k-rename-me.yaml', path: 'd/k-rename-me.yaml' },
      { name: 'k-other.yaml', path: 'd/k-other.yaml' },
    ];
    // Typed while the dialog was still listing its first folder: kept.
    expect(afterListing({ dir: 'd', listed: false, filter: 'k-ren' }, 'd', entries)).toEqual({
      filter: 'k-ren',
      active: 0,
    });
    // Into another folder: cleared.
    expect(afterListing({ dir: '', listed: true, filter: 'k' }, 'd', entries)).toEqual({
      filter: '',
      active: 0,
    });
    // The same folder again (after a rename): kept, the renamed entry active within the filter.
    expect(afterListing({ dir: 'd', listed: true, filter: 'k-' }, 'd', entries, 'd/k-other.yaml')).toEqual({
      filter: 'k-',
      active: 1,
    });
    // Renamed to a name the filter hides: cleared, so the entry shows and is active.
    expect(afterListing({ dir: 'd', listed: true, filter: 'k-' }, 'd', entries, 'd/a.yaml')).toEqual({
      filter: '',
      active: 0,
    });
  });

  it('name rules: one segment, visible, no control characters, bounded, workflow files end in .yaml', () => {
    expect(fileNameProblem('ok name')).toBeNull();
    expect(fileNameProblem('')).toMatch(/empty/);
    expect(fileNameProblem('..')).toMatch(/not a name/);
    expect(fileNameProblem('a/b')).toMatch(/\//);
    expect(fileNameProblem('a\\b')).toMatch(/\//);
    expect(fileNameProblem('a\u0001')).toMatch(/control/);
    expect(fileNameProblem('.hidden')).toMatch(/dot/);
    expect(fileNameProblem('trailing ')).toMatch(/end with/);
    expect(fileNameProblem('é'.repeat(128))).toMatch(/255 bytes/);
    expect(workflowFileNameProblem('a.yaml')).toBeNull();
    expect(workflowFileNameProblem('a.txt')).toMatch(/\.yaml/);
    expect(workflowFileNameProblem('.yaml')).toMatch(/dot/);
  });
});
