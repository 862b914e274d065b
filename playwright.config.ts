// Playwright: drives the built renderer in Debian's Chromium (/usr/bin/chromium) against a real
// `fanout serve` started by e2e/global-setup.ts. No `playwright install`: the system browser is used.
import { defineConfig } from '@playwright/test';

/** Debian's Chromium; CHROMIUM_PATH overrides it (the spec skips, saying why, when it is missing). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // One server, one browser: the engine's workers already use the cores.
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
});
