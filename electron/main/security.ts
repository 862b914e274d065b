// The renderer's Content-Security-Policy and the navigation rules of every window.
import { isExternalHttpUrl } from './sender.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Response headers with the CSP set (replacing any CSP header, whatever its case). */
export function withCsp(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[] | string> {
  const result: Record<string, string[] | string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}

export type NavigationDecision = { allow: true } | { allow: false; openExternally: boolean };

/** In-app navigation is blocked; http(s) links go to the system browser instead. */
export function decideNavigation(url: string, isOwnPage: (url: string) => boolean): NavigationDecision {
  if (isOwnPage(url)) return { allow: true };
  return { allow: false, openExternally: isExternalHttpUrl(url) };
}

/** The unsaved-changes prompt: buttons and what each answer means. */
export const CLOSE_PROMPT_BUTTONS = ['Save', "Don't Save", 'Cancel'] as const;
export type CloseAction = 'save-then-close' | 'close' | 'stay';
export function closeAction(response: number): CloseAction {
  return response === 0 ? 'save-then-close' : response === 1 ? 'close' : 'stay';
}
