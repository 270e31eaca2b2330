// Child process for wav-file-writer.test.ts: records "forever" until the parent kills it with
// SIGKILL, printing "ready" once enough audio and at least one header patch are on disk.
import { WavFileWriter } from '../../../../src/media/wav/index.js';

const [path, encoding] = process.argv.slice(2);
if (path === undefined || (encoding !== 'pcm16' && encoding !== 'mulaw'))
  throw new Error('usage: path pcm16|mulaw');

const format = { encoding, sampleRateHz: 8000, channels: 1 } as const;
const writer = await WavFileWriter.open(path, format, { patchIntervalMs: 20 });
let n = 0;
for (let frame = 0; ; frame++) {
  const samples = encoding === 'pcm16' ? new Int16Array(160) : new Uint8Array(160);
  // Sample i of the recording has value i mod 256 (times 7 for PCM), so the parent can check content.
  for (let i = 0; i < 160; i++, n++) samples[i] = encoding === 'pcm16' ? (n % 256) * 7 : n % 256;
  await writer.write(samples);
  if (frame === 50) process.stdout.write('ready\n');
  await new Promise((resolve) => setTimeout(resolve, 1));
}
