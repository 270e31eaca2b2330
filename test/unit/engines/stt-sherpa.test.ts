// The sherpa engine without a model: loader errors, layout detection on placeholder files, the
// paths of transcribe that need no recognizer, the worker round trip up to model loading, and
// ChannelDecoder's event logic over a scripted recognizer. With a streaming model present
// ($VOXBRIDGE_MODELS_DIR or ../shared/models/<name>) the conformance suite runs for real.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineError } from '../../../src/engines/spi/index.js';
import {
  collect,
  describeSttConformance,
  pcmFrames,
  streamFrames,
} from '../../../src/engines/spi/testing/index.js';
import {
  DEFAULT_SHERPA_MODEL,
  SherpaStt,
  detectSherpaModelLayout,
} from '../../../src/engines/stt/sherpa/index.js';
import { PCM16_16K, PCM16_8K, createFrame } from '../../../src/media/audio/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import { SHARED, sharedFile } from '../../support/paths.js';

const scratch = mkdtempSync(join(tmpdir(), 'voxbridge-sherpa-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The smallest bytes that pass the ONNX structure check: ir_version = 7 and an empty graph. */
const PLACEHOLDER_ONNX = Uint8Array.from([0x08, 0x07, 0x3a, 0x00]);

function modelDir(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(scratch, 'model-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

function transducerFiles(): Record<string, Uint8Array | string> {
  const name = 'epoch-99-avg-1-chunk-16-left-128';
  return {
    [`encoder-${name}.onnx`]: PLACEHOLDER_ONNX,
    [`encoder-${name}.int8.onnx`]: PLACEHOLDER_ONNX,
    [`decoder-${name}.onnx`]: PLACEHOLDER_ONNX,
    [`joiner-${name}.onnx`]: PLACEHOLDER_ONNX,
    [`joiner-${name}.int8.onnx`]: PLACEHOLDER_ONNX,
    'tokens.txt': '<blk> 0\n<sos/eos> 1\n',
  };
}

function errorWith(code: string, ...fragments: string[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, code, err.message);
    for (const fragment of fragments)
      assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  };
}

describe('sherpa model loader errors', () => {
  it('a missing folder names it and the pull command', () => {
    const dir = join(scratch, 'nowhere');
    assert.throws(
      () => new SherpaStt({ modelDir: dir }),
      errorWith('MODEL_NOT_FOUND', dir, 'voxbridge models pull'),
    );
  });

  it('an empty folder says what files are expected', () => {
    const dir = modelDir({});
    assert.throws(
      () => new SherpaStt({ modelDir: dir }),
      errorWith(
        'MODEL_NOT_FOUND',
        dir,
        'encoder*.onnx',
        'tokens.txt',
        'the folder is empty',
        DEFAULT_SHERPA_MODEL,
      ),
    );
  });

  it('a folder with only tokens.txt lists what it found', () => {
    const dir = modelDir({ 'tokens.txt': 'a 0\n' });
    assert.throws(
      () => new SherpaStt({ modelDir: dir }),
      errorWith('MODEL_NOT_FOUND', 'found: tokens.txt', 'joiner*.onnx'),
    );
  });

  it('an incomplete transducer names the missing parts', () => {
    const dir = modelDir({ 'encoder.onnx': PLACEHOLDER_ONNX, 'tokens.txt': 'a 0\n' });
    assert.throws(
      () => new SherpaStt({ modelDir: dir }),
      errorWith('MODEL_NOT_FOUND', 'incomplete transducer', 'decoder*.onnx, joiner*.onnx'),
    );
  });

  it('a junk encoder.onnx is a clear MODEL_NOT_FOUND, not an onnxruntime abort', () => {
    let seed = 9;
    const junk = Uint8Array.from({ length: 2048 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    });
    const dir = modelDir({
      'encoder.onnx': junk,
      'decoder.onnx': PLACEHOLDER_ONNX,
      'joiner.onnx': PLACEHOLDER_ONNX,
      'tokens.txt': 'a 0\n',
    });
    assert.throws(
      () => new SherpaStt({ modelDir: dir }),
      errorWith('MODEL_NOT_FOUND', join(dir, 'encoder.onnx'), 'not a usable model', 'voxbridge models pull'),
    );
  });

  it('without modelDir it needs VOXBRIDGE_MODELS_DIR or modelsDir, and looks in <modelsDir>/<model>', () => {
    const saved = process.env['VOXBRIDGE_MODELS_DIR'];
    delete process.env['VOXBRIDGE_MODELS_DIR'];
    try {
      assert.throws(() => new SherpaStt(), errorWith('MODEL_NOT_FOUND', 'VOXBRIDGE_MODELS_DIR'));
    } finally {
      if (saved !== undefined) process.env['VOXBRIDGE_MODELS_DIR'] = saved;
    }
    assert.throws(
      () => new SherpaStt({ modelsDir: scratch, model: 'some-model' }),
      errorWith('MODEL_NOT_FOUND', join(scratch, 'some-model')),
    );
  });
});

describe('sherpa model layout detection (file names only)', () => {
  it('detects a transducer and prefers int8 where both exports exist', () => {
    const dir = modelDir(transducerFiles());
    const layout = detectSherpaModelLayout(dir);
    assert.deepEqual(layout, {
      kind: 'transducer',
      dir,
      encoder: join(dir, 'encoder-epoch-99-avg-1-chunk-16-left-128.int8.onnx'),
      decoder: join(dir, 'decoder-epoch-99-avg-1-chunk-16-left-128.onnx'),
      joiner: join(dir, 'joiner-epoch-99-avg-1-chunk-16-left-128.int8.onnx'),
      tokens: join(dir, 'tokens.txt'),
    });
  });

  it('detects a zipformer2 CTC model (model.onnx or ctc-*.onnx)', () => {
    const plain = modelDir({
      'model.onnx': PLACEHOLDER_ONNX,
      'model.int8.onnx': PLACEHOLDER_ONNX,
      'tokens.txt': 'a 0\n',
    });
    assert.deepEqual(detectSherpaModelLayout(plain), {
      kind: 'zipformer2-ctc',
      dir: plain,
      model: join(plain, 'model.int8.onnx'),
      tokens: join(plain, 'tokens.txt'),
    });
    const ctc = modelDir({
      'ctc-epoch-20-avg-1-chunk-16-left-128.onnx': PLACEHOLDER_ONNX,
      'tokens.txt': 'a 0\n',
    });
    const layout = detectSherpaModelLayout(ctc);
    assert.equal(layout.kind, 'zipformer2-ctc');
    assert.equal(
      layout.kind === 'zipformer2-ctc' && layout.model,
      join(ctc, 'ctc-epoch-20-avg-1-chunk-16-left-128.onnx'),
    );
  });

  it('a CTC model without tokens.txt is not a model', () => {
    assert.throws(
      () => detectSherpaModelLayout(modelDir({ 'model.onnx': PLACEHOLDER_ONNX })),
      errorWith('MODEL_NOT_FOUND'),
    );
  });

  it('constructs on placeholder files (detection and structure only; nothing loaded yet)', async () => {
    const engine = new SherpaStt({ modelDir: modelDir(transducerFiles()) });
    assert.equal(engine.name, 'sherpa');
    assert.deepEqual(engine.capabilities.inputFormats, [PCM16_8K, PCM16_16K]);
    assert.equal(engine.layout.kind, 'transducer');
    await engine.close();
    await engine.close();
  });
});

describe('sherpa transcribe paths that need no recognizer', () => {
  it('empty audio: started then usage, and no worker is started', async () => {
    const engine = new SherpaStt({ modelDir: modelDir(transducerFiles()) });
    const events = await collect(engine.transcribe(streamFrames([])));
    assert.deepEqual(
      events.map((e) => e.type),
      ['started', 'usage'],
    );
    await engine.close();
  });

  it('rejects other formats with UNSUPPORTED_FORMAT', async () => {
    const engine = new SherpaStt({ modelDir: modelDir(transducerFiles()) });
    const odd = createFrame({ encoding: 'pcm16', sampleRateHz: 44100, channels: 2 }, new Int16Array(1764));
    await assert.rejects(
      collect(engine.transcribe(streamFrames([odd]))),
      errorWith('UNSUPPORTED_FORMAT', '44100'),
    );
    const alaw = createFrame({ encoding: 'alaw', sampleRateHz: 8000, channels: 1 }, new Uint8Array(160));
    await assert.rejects(collect(engine.transcribe(streamFrames([alaw]))), errorWith('UNSUPPORTED_FORMAT'));
    await engine.close();
  });

  it('an already aborted signal throws ABORTED; a source error propagates', async () => {
    const engine = new SherpaStt({ modelDir: modelDir(transducerFiles()) });
    const controller = new AbortController();
    controller.abort(new Error('hung up'));
    await assert.rejects(
      collect(engine.transcribe(streamFrames([]), { signal: controller.signal })),
      errorWith('ABORTED'),
    );
    const boom = new Error('socket closed');
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<never> {
      await Promise.resolve();
      throw boom;
    }
    await assert.rejects(collect(engine.transcribe(failing())), (err: unknown) => err === boom);
    await engine.close();
  });

  it('the worker starts (under tsx too) and reports a model it cannot load as ENGINE_FAILED', async () => {
    const dir = modelDir(transducerFiles());
    const engine = new SherpaStt({ modelDir: dir });
    // The files pass the checks at construction and vanish before the worker loads them: sherpa
    // then rejects its config (it checks that files exist) instead of reaching onnxruntime.
    rmSync(dir, { recursive: true });
    const frames = pcmFrames(PCM16_16K, new Int16Array(16000));
    await assert.rejects(collect(engine.transcribe(streamFrames(frames))), errorWith('ENGINE_FAILED'));
    await engine.close();
    await assert.rejects(collect(engine.transcribe(streamFrames(frames))), errorWith('ENGINE_UNAVAILABLE'));
  });
});

/** A streaming model for the conformance suite: $VOXBRIDGE_MODELS_DIR/<default>, else ../shared/models/<default>. */
function findStreamingModel(): string | undefined {
  const candidates = [
    process.env['VOXBRIDGE_MODELS_DIR']
      ? join(process.env['VOXBRIDGE_MODELS_DIR'], DEFAULT_SHERPA_MODEL)
      : undefined,
    join(SHARED, 'models', DEFAULT_SHERPA_MODEL),
  ].filter((d): d is string => d !== undefined);
  return candidates.find((dir) => {
    if (!existsSync(dir)) return false;
    try {
      detectSherpaModelLayout(dir);
      return true;
    } catch {
      return false;
    }
  });
}

const streamingModel = findStreamingModel();
const skipReason =
  streamingModel === undefined
    ? `no sherpa streaming model in $VOXBRIDGE_MODELS_DIR (${process.env['VOXBRIDGE_MODELS_DIR'] ?? 'unset'}) or ${join(SHARED, 'models')}; run voxbridge models pull ${DEFAULT_SHERPA_MODEL}`
    : undefined;
if (skipReason !== undefined) console.log(`# skipping sherpa conformance: ${skipReason}`);

function speech(): Int16Array {
  if (streamingModel === undefined) return new Int16Array(0);
  const wav = parseWav(readFileSync(sharedFile('audio/librispeech/0.wav')));
  return wav.samples as Int16Array;
}

describeSttConformance({
  name: 'sherpa',
  create: () => new SherpaStt({ modelDir: streamingModel ?? join(scratch, 'absent') }),
  speech: {
    format: PCM16_16K,
    pcm: speech(),
    expectWords: ['early', 'nightfall', 'yellow', 'lamps', 'light'],
  },
  ...(skipReason === undefined ? {} : { skip: skipReason }),
});
