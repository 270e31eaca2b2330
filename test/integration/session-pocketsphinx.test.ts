// A call leg end to end with the real recognizer: LibriSpeech 0.wav made 8 kHz µ-law by sox, cut
// into 20 ms RTP packets, pushed through a MediaLeg whose ticker runs on a fake clock (faster
// than real time, paced only by the engine's backlog), transcribed by pocketsphinx with the 8 kHz
// telephone model (../shared/models/pocketsphinx-en-us-8k), which hears the leg's 8 kHz as it is.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { SttEngine, SttEvent, SttOptions } from '../../src/engines/spi/index.js';
import { PocketsphinxStt } from '../../src/engines/stt/pocketsphinx/index.js';
import type { AudioFormat, AudioFrame } from '../../src/media/audio/index.js';
import type { RtpPacket } from '../../src/media/rtp/index.js';
import { parseWav } from '../../src/media/wav/index.js';
import type { CallEvent, TranscriptEvent } from '../../src/session/index.js';
import { Call, MediaTicker } from '../../src/session/index.js';
import { sharedFile } from '../support/paths.js';
import { runOk } from '../support/run.js';
import { wordErrorRate } from '../support/wer.js';
import { librispeechReference } from '../support/librispeech.js';

function packet(seq: number, payload: Uint8Array): RtpPacket {
  return {
    marker: seq === 0,
    payloadType: 0,
    sequenceNumber: seq & 0xffff,
    timestamp: (seq * 160) >>> 0,
    ssrc: 0x5eed,
    csrcs: [],
    extension: null,
    payload,
    padding: null,
  };
}

/** Passes everything to pocketsphinx and records the format of every frame the session sends. */
class FormatRecordingStt implements SttEngine {
  readonly name: string;
  readonly capabilities: SttEngine['capabilities'];
  readonly formats = new Set<string>();
  constructor(private readonly engine: SttEngine) {
    this.name = engine.name;
    this.capabilities = engine.capabilities;
  }
  transcribe(frames: AsyncIterable<AudioFrame>, options?: SttOptions): AsyncIterable<SttEvent> {
    const formats = this.formats;
    async function* recorded(): AsyncGenerator<AudioFrame> {
      for await (const frame of frames) {
        formats.add(formatName(frame.format));
        yield frame;
      }
    }
    return this.engine.transcribe(recorded(), options);
  }
  close(): Promise<void> {
    return this.engine.close();
  }
}

function formatName(format: AudioFormat): string {
  return `${format.encoding}/${format.sampleRateHz}/${format.channels}`;
}

describe('session with pocketsphinx', () => {
  let dir: string;
  let pocketsphinx: PocketsphinxStt;
  let engine: FormatRecordingStt;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-session-ps-'));
    pocketsphinx = new PocketsphinxStt({
      workers: 1,
      narrowbandModelDir: sharedFile('models/pocketsphinx-en-us-8k'),
    });
    engine = new FormatRecordingStt(pocketsphinx);
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('transcribes LibriSpeech 0.wav arriving as 8 kHz µ-law RTP at 8 kHz, with call-time offsets', async () => {
    const ulawPath = join(dir, '0-ulaw.wav');
    runOk('sox', [sharedFile('audio/librispeech/0.wav'), '-r', '8000', '-e', 'mu-law', ulawPath]);
    const wav = parseWav(readFileSync(ulawPath));
    assert.equal(wav.format.encoding, 'mulaw');
    assert.equal(wav.format.sampleRateHz, 8000);
    const codes = wav.samples as Uint8Array;
    // 1.5 s of µ-law silence after the speech, so the detector ends the utterance on its own.
    const silence = new Uint8Array(160).fill(0xff);
    const payloads: Uint8Array[] = [];
    for (let at = 0; at + 160 <= codes.length; at += 160) payloads.push(codes.slice(at, at + 160));
    for (let i = 0; i < 75; i++) payloads.push(silence);

    let now = 0;
    const clock = { nowMs: () => now, wallMs: () => 1_700_000_000_000 + now };
    const ticker = new MediaTicker({ clock, manual: true });
    const call = new Call({ sipCallId: 'ps-0@127.0.0.1', kind: 'sip', stt: engine, clock, ticker });
    const events: CallEvent[] = [];
    call.on('event', (e) => events.push(e));
    now = 1000;
    const leg = call.addLeg({ role: 'caller', codec: { encoding: 'mulaw', payloadType: 0, ptimeMs: 20 } });
    for (let seq = 0; seq < payloads.length; seq++) {
      leg.pushRtp(packet(seq, payloads[seq]!), now);
      now += 20;
      ticker.tick();
      // Faster than real time, but never faster than the engine reads: keep its queue short.
      while (leg.stats.recognizerBacklog > 10) await sleep(2);
    }
    await call.end('bye');

    const finals = events.filter((e): e is TranscriptEvent => e.type === 'transcript.final');
    assert.ok(finals.length >= 1, 'no final');
    const text = finals.map((f) => f.text).join(' ');
    const audioEndMs = 1000 + (codes.length / 8000) * 1000;
    for (const f of finals) {
      assert.equal(f.legId, leg.id);
      assert.equal(f.role, 'caller');
      assert.ok(typeof f.confidence === 'number' && f.confidence >= 0 && f.confidence <= 1);
      // Offsets are from the call's start; the leg joined 1 s in and the speech fills the file.
      assert.ok(
        f.startMs >= 1000 && f.endMs > f.startMs && f.endMs <= audioEndMs + 100,
        `${f.startMs}..${f.endMs}`,
      );
    }
    // The leg hands the engine 8 kHz PCM16 (no resampling in the session), and the engine decodes
    // it at 8 kHz with the telephone model (no resampling in the engine either).
    assert.deepEqual([...engine.formats], ['pcm16/8000/1']);
    assert.equal(pocketsphinx.narrowbandDecoderRateHz, 8000);
    // The project's bound for this clip at 16 kHz (cli-speech.test.ts); through the leg at 8 kHz
    // the 8 kHz model scored 16.7 % here (the 16 kHz model on upsampled audio: 11.1 %; over the
    // three shared clips the 8 kHz model is better, stt-pocketsphinx-8k.test.ts).
    const wer = wordErrorRate(librispeechReference('0.wav'), text);
    assert.ok(wer <= 0.35, `WER ${(wer * 100).toFixed(1)} % for "${text}"`);
    assert.match(text, /light up here and there/);
    assert.equal(leg.stats.recognizerDrops, 0);
    assert.equal(leg.stats.lost, 0);
    assert.equal(leg.stats.recognizer, 'ended');
    assert.equal(events.at(-1)?.type, 'call.ended');
    assert.equal(ticker.legCount, 0);
  });
});
