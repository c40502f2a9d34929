// Debian's chromium driven by playwright-core (never a downloaded browser), shared by the journeys and
// the vitals script. CHROMIUM_PATH overrides the binary.
import { chromium } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium() {
  // playwright refuses --user-data-dir in launch(): it always starts chromium on a fresh temporary
  // profile of its own (removed on close), which is what we want.
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}
