import { readFileSync } from 'node:fs';
import { sharedFile } from './paths.js';

let transcripts: ReadonlyMap<string, string> | undefined;

/**
 * The reference transcript of one shared LibriSpeech utterance (`0.wav`, `1.wav`, `8k.wav`), as
 * `audio/librispeech/trans.txt` gives it: one line per file, the file name, a space, the words.
 */
export function librispeechReference(name: string): string {
  transcripts ??= new Map(
    readFileSync(sharedFile('audio/librispeech/trans.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [file, ...words] = line.trim().split(' ');
        return [file ?? '', words.join(' ')] as const;
      }),
  );
  const text = transcripts.get(name);
  if (text === undefined) throw new Error(`audio/librispeech/trans.txt has no transcript for ${name}`);
  return text;
}
