import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { MODEL_CATALOG, modelDirName } from '../../../src/models/index.js';

const SHARED_VAD = resolve(import.meta.dirname, '../../../../shared/models/silero-vad');

describe('model catalog', () => {
  it('has unique names and well-formed entries', () => {
    const names = MODEL_CATALOG.map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
    for (const entry of MODEL_CATALOG) {
      assert.ok(entry.files.length > 0, entry.name);
      if (entry.archive === 'files') {
        // Raw files of one upstream commit: the folder URL pins the commit, each file its hash.
        assert.match(
          entry.url,
          /^https:\/\/raw\.githubusercontent\.com\/cmusphinx\/pocketsphinx\/[0-9a-f]{40}\/.+\/$/,
          entry.name,
        );
        assert.deepEqual(
          entry.parts?.map((p) => p.path),
          entry.files,
          entry.name,
        );
        for (const part of entry.parts ?? []) assert.match(part.sha256, /^[0-9a-f]{64}$/, part.path);
        continue;
      }
      assert.match(
        entry.url,
        /^https:\/\/github\.com\/k2-fsa\/sherpa-onnx\/releases\/download\//,
        entry.name,
      );
      if (entry.sha256 !== undefined) assert.match(entry.sha256, /^[0-9a-f]{64}$/, entry.name);
      assert.equal(entry.url.endsWith(`.${entry.archive}`), true, entry.name);
      if (entry.archive === 'onnx') assert.equal(entry.files.length, 1, entry.name);
    }
  });

  it('includes a VAD, a streaming English recognizer and an English Piper voice', () => {
    const kinds = new Map(MODEL_CATALOG.map((e) => [e.name, e.kind]));
    assert.equal(kinds.get('silero-vad'), 'vad');
    assert.equal(kinds.get('silero-vad-v5'), 'vad');
    assert.equal(kinds.get('sherpa-onnx-streaming-zipformer-en-2023-06-26'), 'stt');
    assert.equal(kinds.get('vits-piper-en_US-amy-low'), 'tts');
  });

  it(
    'its Silero checksums and sizes match the copies in ../shared/models',
    {
      skip: existsSync(SHARED_VAD) ? false : `no ${SHARED_VAD}`,
    },
    () => {
      for (const entry of MODEL_CATALOG.filter((e) => e.kind === 'vad')) {
        assert.equal(modelDirName(entry), 'silero-vad');
        const file = join(SHARED_VAD, entry.files[0]!);
        assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), entry.sha256, entry.name);
        assert.equal(statSync(file).size, entry.sizeBytes, entry.name);
      }
    },
  );
});
