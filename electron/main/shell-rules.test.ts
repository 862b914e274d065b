import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileAccess } from './access.ts';
import { fileArgument, unpackedPath, workerScriptPath } from './paths.ts';
import { closeAction, CONTENT_SECURITY_POLICY, decideNavigation, withCsp } from './security.ts';
import { isTrustedSender } from './sender.ts';
import { fitToDisplays } from './window-state.ts';

const pages = { rendererIndex: '/app/out/renderer/index.html', devServerUrl: 'http://localhost:5173' };

describe('shell rules', () => {
  it('trusts only the main frame of our page or the dev server', () => {
    const file = pathToFileURL(pages.rendererIndex).href;
    expect(isTrustedSender({ url: `${file}#/x`, parent: null }, pages)).toBe(true);
    expect(isTrustedSender({ url: 'http://localhost:5173/index.html', parent: null }, pages)).toBe(true);
    expect(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, pages)).toBe(false);
    expect(isTrustedSender({ url: file, parent: {} }, pages)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', parent: null }, pages)).toBe(false);
    expect(isTrustedSender(undefined, pages)).toBe(false);
  });

  it('sets the strict CSP, replacing any CSP header', () => {
    const headers = withCsp({ 'content-security-policy': ['default-src *'], 'x-a': ['1'] });
    expect(headers).toEqual({ 'x-a': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('blocks navigation away from the app; http(s) links open externally', () => {
    const own = (url: string) => url.startsWith('file:///app/');
    expect(decideNavigation('file:///app/out/renderer/index.html', own)).toEqual({ allow: true });
    expect(decideNavigation('https://example.com/', own)).toEqual({ allow: false, openExternally: true });
    expect(decideNavigation('file:///etc/passwd', own)).toEqual({ allow: false, openExternally: false });
    expect(decideNavigation('javascript:alert(1)', own)).toEqual({ allow: false, openExternally: false });
  });

  it('maps the close prompt answers', () => {
    expect([0, 1, 2].map(closeAction)).toEqual(['save-then-close', 'close', 'stay']);
  });

  it('finds the workflow argument and the unpacked worker path', () => {
    expect(fileArgument(['/opt/fanout', '--flag', 'flows/a.YAML'], '/home/u')).toBe('/home/u/flows/a.YAML');
    expect(fileArgument(['/opt/fanout', '.'], '/home/u')).toBeNull();
    expect(unpackedPath('/opt/app/resources/app.asar/out/main/worker.js')).toBe(
      '/opt/app/resources/app.asar.unpacked/out/main/worker.js',
    );
    expect(
      workerScriptPath({
        mainDir: '/r/app.asar/out/main',
        packaged: true,
        resourcesPath: '/r',
        appPath: '/r/app.asar',
      }),
    ).toBe('/r/app.asar.unpacked/out/main/worker.js');
  });

  it('confines paths to granted folders and workflow files', () => {
    const access = new FileAccess('/w/examples');
    expect(access.allowsFile('/w/examples/a.yaml')).toBe(true);
    expect(access.allowsFile('/w/examples/sub/a.yml')).toBe(true);
    expect(access.allowsFile('/w/examples/../secret.yaml')).toBe(false);
    expect(access.allowsFile('/w/examples/a.sh')).toBe(false);
    expect(access.allowsFile('examples/a.yaml')).toBe(false);
    access.grantFile('/home/u/flow.yaml');
    expect(access.currentFolder).toBe('/home/u');
    expect(access.allowsFile('/home/u/other.yaml')).toBe(true);
  });

  it('keeps restored windows on a display and within its size', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(fitToDisplays({ x: 100, y: 100, width: 800, height: 600, maximized: false }, screen)).toEqual({
      x: 100,
      y: 100,
      width: 800,
      height: 600,
      maximized: false,
    });
    expect(fitToDisplays({ x: 5000, y: 100, width: 4000, height: 100, maximized: true }, screen)).toEqual({
      width: 1920,
      height: 480,
      maximized: true,
    });
  });
});
