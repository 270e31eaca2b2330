import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWav } from '../../src/media/wav/index.js';
import { sharedFile } from '../support/paths.js';
import { runOk, voxbridge } from '../support/run.js';

/** The sample bytes of a WAV file's data chunk, located by our parser (its offsets are asserted elsewhere). */
function dataChunk(path: string): Buffer {
  const bytes = readFileSync(path);
  const { info } = parseWav(bytes);
  return bytes.subarray(info.dataOffset, info.dataOffset + info.dataLength);
}

describe('voxbridge audio convert is bit-exact with sox -D', () => {
  let dir: string;
  const sources: Record<string, string> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-cli-'));
    sources['speech'] = sharedFile('audio/librispeech/8k.wav');
    // A full-scale sweep over the telephone band exercises every segment of both laws.
    sources['sweep'] = join(dir, 'sweep.wav');
    runOk('sox', [
      '-n',
      '-r',
      '8000',
      '-b',
      '16',
      '-c',
      '1',
      sources['sweep'],
      'synth',
      '3',
      'sine',
      '50-3950',
      'vol',
      '0.99',
    ]);
    sources['stereo'] = join(dir, 'stereo.wav');
    runOk('sox', [
      '-n',
      '-r',
      '8000',
      '-b',
      '16',
      '-c',
      '2',
      sources['stereo'],
      'synth',
      '1',
      'sine',
      '300',
      'sine',
      '2000',
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['speech', 'sweep', 'stereo']) {
    for (const [encoding, soxEncoding] of [
      ['mulaw', 'mu-law'],
      ['alaw', 'a-law'],
    ] as const) {
      it(`${name}: PCM16 → ${encoding} and back equal sox`, () => {
        const src = sources[name]!;
        const ours = join(dir, `${name}-${encoding}-ours.wav`);
        const theirs = join(dir, `${name}-${encoding}-sox.wav`);
        const r = voxbridge(['audio', 'convert', src, ours, '--encoding', encoding, '--rate', '8000']);
        assert.equal(r.status, 0, r.stderr);
        runOk('sox', ['-D', src, '-e', soxEncoding, theirs]);
        const a = dataChunk(ours);
        const b = dataChunk(theirs);
        assert.ok(a.length > 4000, `only ${a.length} bytes converted`);
        assert.equal(a.length, b.length);
        assert.ok(a.equals(b), `${encoding} data differs from sox`);

        // Decode back to PCM16, from sox's own G.711 file, and compare with sox's decode.
        const oursBack = join(dir, `${name}-${encoding}-back-ours.wav`);
        const soxBack = join(dir, `${name}-${encoding}-back-sox.wav`);
        const r2 = voxbridge(['audio', 'convert', theirs, oursBack, '--encoding', 'pcm16']);
        assert.equal(r2.status, 0, r2.stderr);
        runOk('sox', ['-D', theirs, '-e', 'signed-integer', '-b', '16', soxBack]);
        assert.ok(dataChunk(oursBack).equals(dataChunk(soxBack)), `${encoding} decode differs from sox`);
      });
    }
  }

  it('resamples 8 kHz speech to 16 kHz keeping the duration', () => {
    const out = join(dir, 'speech16.wav');
    const r = voxbridge([
      'audio',
      'convert',
      sources['speech']!,
      out,
      '--encoding',
      'pcm16',
      '--rate',
      '16000',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const wav = parseWav(readFileSync(out));
    assert.equal(wav.info.sampleRateHz, 16000);
    assert.equal(wav.format.encoding, 'pcm16');
    assert.ok(Math.abs(wav.info.durationMs - 4825) < 2, `duration ${wav.info.durationMs}`);
    assert.equal(runOk('soxi', ['-r', out]).trim(), '16000');
  });

  it('converts a 44.1 kHz 24-bit stereo file to 8 kHz µ-law that soxi accepts', () => {
    const src = join(dir, 'hifi.wav');
    runOk('sox', ['-n', '-r', '44100', '-b', '24', '-c', '2', src, 'synth', '0.5', 'sine', '1000']);
    const out = join(dir, 'hifi-ulaw.wav');
    const r = voxbridge(['audio', 'convert', src, out, '--encoding', 'mulaw', '--rate', '8000']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runOk('soxi', ['-e', out]).trim(), 'u-law');
    assert.equal(runOk('soxi', ['-c', out]).trim(), '2');
    assert.equal(runOk('soxi', ['-s', out]).trim(), '4000');
  });
});

describe('voxbridge audio info', () => {
  it('reports a µ-law file as sox made it', () => {
    const r = voxbridge(['audio', 'info', sharedFile('audio/generated/call_center_8k_mulaw.wav'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(info['encoding'], 'mulaw');
    assert.equal(info['sampleRateHz'], 8000);
    assert.equal(info['channels'], 1);
    // soxi -D says 2.226750 s.
    assert.equal(info['durationMs'], 2226.75);
  });

  it('prints one readable line without --json', () => {
    const r = voxbridge(['audio', 'info', sharedFile('audio/librispeech/0.wav')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /pcm16, 16000 Hz, 1 channel\(s\), 6\.625 s/);
  });
});

describe('voxbridge audio errors are one line and a non-zero exit', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-cli-err-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file', () => {
    const r = voxbridge(['audio', 'info', join(dir, 'nope.wav')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^voxbridge: cannot read .*nope\.wav: no such file\n$/);
  });

  it('a corrupt header names the byte offset', () => {
    const bad = join(dir, 'bad.wav');
    const good = readFileSync(sharedFile('audio/librispeech/8k.wav'));
    const corrupt = Buffer.from(good.subarray(0, 200));
    corrupt.write('junk', 8, 'latin1'); // not WAVE any more
    writeFileSync(bad, corrupt);
    const r = voxbridge(['audio', 'convert', bad, join(dir, 'out.wav'), '--encoding', 'mulaw']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, /byte offset 8/);
  });

  it('a rate other than 8000 or 16000', () => {
    const r = voxbridge([
      'audio',
      'convert',
      sharedFile('audio/librispeech/8k.wav'),
      join(dir, 'x.wav'),
      '--rate',
      '11025',
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /8000 or 16000/);
  });
});
