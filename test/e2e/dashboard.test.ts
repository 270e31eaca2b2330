/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against a real gateway
 * service: SIPp streams a LibriSpeech utterance into a call, the spoken words must show up live in
 * the caller's column, and the ended call must be found again by a word it contained. A
 * screenshot of the result is kept in a temporary folder whose path is printed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { Service } from '../../src/app/service.js';
import { startService } from '../../src/app/service.js';
import { loadConfig } from '../../src/config/index.js';
import { rtpRangeForTest } from '../support/gateway-process.js';
import { ROOT, sharedFile } from '../support/paths.js';
import { runSipp, sippScenario, wavToG711, writeRtpPcap } from '../support/sipp/index.js';

const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'test-key';
/** Without the background-networking flags Chromium keeps dialing Google's hosts on a closed network. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (Debian package chromium)`;
if (skip !== false) console.log(`# dashboard end-to-end test skipped: ${skip}`);

/** Records the text of every partial line the caller's column ever shows, however briefly. */
const WATCH_PARTIALS = `(() => {
  window.partialsSeen = [];
  const record = (node) => {
    if (!(node instanceof HTMLElement)) return;
    for (const line of [node, ...node.querySelectorAll('[data-testid=partial-line]')]) {
      if (line.dataset.testid === 'partial-line' && line.closest('[data-role=caller]')) {
        window.partialsSeen.push(line.textContent);
      }
    }
  };
  new MutationObserver((records) => {
    for (const r of records) r.addedNodes.forEach(record);
  }).observe(document.getElementById('call-view'), { childList: true, subtree: true });
})()`;

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual(
    [...png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    'PNG signature',
  );
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('dashboard end to end (Chromium, SIPp, pocketsphinx)', { skip }, () => {
  let work: string;
  let service: Service | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let origin: string;
  let callId: string | null = null;

  before(async () => {
    const bundle = join(ROOT, 'web', 'dist', 'main.js');
    assert.ok(existsSync(bundle), `${bundle} is missing: build the dashboard (npm run build)`);
    work = mkdtempSync(join(tmpdir(), 'voxbridge-e2e-'));
    // Configured the way a user does it (flags and VOXBRIDGE_API_KEYS), on loopback and free ports.
    const config = loadConfig({
      flags: {
        httpHost: '127.0.0.1',
        httpPort: '0',
        sipHost: '127.0.0.1',
        sipPort: '0',
        rtpPorts: rtpRangeForTest(),
        dataDir: join(work, 'data'),
        stt: 'pocketsphinx',
        logLevel: 'warn',
      },
      env: { VOXBRIDGE_API_KEYS: API_KEY },
      cwd: work,
    });
    service = await startService({ config });
    origin = `http://127.0.0.1:${service.httpPort}`;
    context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await context?.close();
    await service?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses a wrong key and signs in with the right one', async () => {
    await page.goto(`${origin}/`);
    await page.getByTestId('api-key-input').fill('not-the-key');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'refused' }).waitFor();
    assert.equal(await page.getByTestId('login').isVisible(), true);

    await page.getByTestId('api-key-input').fill(API_KEY);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor();
    assert.equal(await page.getByTestId('login').isVisible(), false);
    assert.equal(await page.evaluate('sessionStorage.getItem("voxbridge.apiKey")'), API_KEY);
  });

  it('shows a SIPp call live, the caller’s words arriving as partials then finals', async () => {
    await page.evaluate(WATCH_PARTIALS);
    const pcap = join(work, 'speech.pcap');
    const summary = writeRtpPcap(pcap, {
      streams: [
        {
          payload: wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'),
          payloadType: 0,
          dstPortOffset: 0,
        },
      ],
    });
    const sipp = runSipp({
      scenario: sippScenario('uac-pcmu'),
      target: `127.0.0.1:${service!.sipPort}`,
      keys: { codec: 'PCMU', pt: '0', pcap },
      variables: { hold_ms: String(summary.durationMs + 2000) },
      timeoutMs: 60_000,
    });
    try {
      const row = page.getByTestId('call-row').first();
      await row.waitFor();
      callId = await row.getAttribute('data-call-id');
      assert.ok(callId !== null && callId !== '');
      await row.locator('a').click();
      // Live: the view shows the call in progress, from the REST detail plus the event stream.
      await page.locator('[data-testid=call-status][data-state=live]').waitFor();
      assert.equal(await page.locator('#call-view').getAttribute('data-call-id'), callId);

      const callerFinals = page.locator(
        '[data-testid=leg-column][data-role=caller] [data-testid=final-line]',
      );
      for (const word of ['squalid', 'brothels']) {
        await callerFinals
          .filter({ hasText: new RegExp(`\\b${word}\\b`, 'i') })
          .first()
          .waitFor({ timeout: 60_000 });
      }
    } finally {
      const result = await sipp;
      assert.equal(result.exitCode, 0, `SIPp failed (${result.exitCode}):\n${result.errors}`);
    }

    await page.locator('[data-testid=call-status][data-state=ended]').waitFor();
    await page.getByTestId('call-row').first().waitFor({ state: 'detached' });
    const columns = page.getByTestId('leg-column');
    assert.equal(await columns.count(), 1);
    assert.equal(await columns.first().getAttribute('data-role'), 'caller');
    // Every partial was replaced by a final: none is left once the call is over.
    assert.equal(await page.getByTestId('partial-line').count(), 0);
    const partials = await page.evaluate<string[]>('window.partialsSeen');
    assert.ok(partials.length > 0, 'partials showed in the caller column while the caller spoke');
    const finalText = (await page.getByTestId('final-line').allTextContents()).join(' ');
    // A word the 8 kHz telephone model gets on this clip (it splits "nightfall" in two).
    assert.match(finalText, /\blamps\b/i);
  });

  it('finds the ended call by a spoken word, downloads its transcript and reopens it', async (t) => {
    assert.ok(callId !== null, 'the live test found the call');
    await page.goto(`${origin}/#/`);
    await page.locator('#call-view .placeholder').waitFor();

    await page.getByTestId('search-input').fill('xylophone');
    await page.getByTestId('search-submit').click();
    await page.locator('[data-testid=search-results][data-query=xylophone]').waitFor();
    assert.equal(await page.getByTestId('search-result').count(), 0);

    await page.getByTestId('search-input').fill('squalid');
    await page.getByTestId('search-submit').click();
    const result = page.locator(`[data-testid=search-result][data-call-id="${callId}"]`);
    await result.waitFor();
    assert.match((await result.textContent()) ?? '', /remote-bye/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.getByTestId('download-text').click(),
    ]);
    assert.equal(download.suggestedFilename(), `${callId}.txt`);
    const text = readFileSync(await download.path(), 'utf8');
    assert.match(text, /caller: .*\bsqualid\b/i);

    await result.locator('a').click();
    await page
      .locator(`#call-view[data-call-id="${callId}"] [data-testid=call-status][data-state=ended]`)
      .waitFor();
    await page
      .locator('[data-testid=leg-column][data-role=caller] [data-testid=final-line]')
      .filter({ hasText: /\bbrothels\b/i })
      .first()
      .waitFor();

    const shots = mkdtempSync(join(tmpdir(), 'voxbridge-dashboard-'));
    const file = join(shots, 'dashboard.png');
    const png = await page.screenshot({ path: file, fullPage: true });
    t.diagnostic(`dashboard screenshot: ${file}`);
    const { width, height } = pngSize(png);
    assert.equal(width, 1280);
    assert.ok(height >= 800, `height ${height}`);
    // A blank 1280x800 page compresses to a few kilobytes; text, columns and buttons do not.
    assert.ok(png.length > 20_000, `screenshot is only ${png.length} bytes`);
  });
});
