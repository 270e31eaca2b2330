// The engine-neutral text front end every synthesizer shares: SSML subset, sentence splitting,
// say-as expansion and the utterance plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../src/engines/spi/index.js';
import {
  expandSayAs,
  parseSsml,
  planUtterance,
  splitSentences,
} from '../../../src/engines/tts/text/index.js';

function ssmlError(ssml: string): EngineError {
  try {
    parseSsml(ssml, 'test');
  } catch (error) {
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'INVALID_REQUEST');
    return error;
  }
  assert.fail(`no error for ${ssml}`);
}

describe('parseSsml', () => {
  it('reads speak, break, say-as, prosody and entities into segments', () => {
    const segments = parseSsml(
      '<?xml version="1.0"?><speak version="1.1">Press <say-as interpret-as="digits">42</say-as> now.' +
        '<break time="300ms"/><prosody rate="slow">Tom &amp; Jerry &lt;3 &#65;&#x42;</prosody>' +
        '<break strength="strong"/><prosody rate="120%">Faster.</prosody></speak>',
      'test',
    );
    assert.deepEqual(segments, [
      { kind: 'text', text: 'Press four two now.', rate: 1 },
      { kind: 'break', durationMs: 300 },
      { kind: 'text', text: 'Tom & Jerry <3 AB', rate: 0.75 },
      { kind: 'break', durationMs: 750 },
      { kind: 'text', text: 'Faster.', rate: 1.2 },
    ]);
  });

  it('reads every rate form and multiplies nested prosody', () => {
    const rates = ['x-slow', 'slow', 'medium', 'fast', 'x-fast', '80%', '+10%', '-20%', '1.2', '2'].map(
      (rate) => {
        const [segment] = parseSsml(`<speak><prosody rate="${rate}">a</prosody></speak>`, 'test');
        assert.equal(segment?.kind, 'text');
        return segment.kind === 'text' ? Number(segment.rate.toFixed(3)) : NaN;
      },
    );
    assert.deepEqual(rates, [0.5, 0.75, 1, 1.25, 1.5, 0.8, 1.1, 0.8, 1.2, 2]);
    assert.deepEqual(
      parseSsml('<speak><prosody rate="2"><prosody rate="50%">a</prosody></prosody></speak>', 't'),
      [{ kind: 'text', text: 'a', rate: 1 }],
    );
  });

  it('reads break times in ms and s, strengths, and merges adjacent breaks', () => {
    assert.deepEqual(
      parseSsml('<speak>a<break time="1.5s"/><break/>b<break strength="none"/>c</speak>', 't'),
      [
        { kind: 'text', text: 'a', rate: 1 },
        { kind: 'break', durationMs: 2000 },
        { kind: 'text', text: 'b', rate: 1 },
        { kind: 'text', text: 'c', rate: 1 },
      ],
    );
  });

  it('keeps the text of unknown tags, drops comments, reads CDATA, and honours sub alias', () => {
    assert.deepEqual(
      parseSsml(
        '<speak><voice name="x"><emphasis>Really</emphasis> <!-- not said --><![CDATA[a < b]]> ' +
          '<sub alias="World Wide Web">WWW</sub> <say-as interpret-as="date">2024-01-02</say-as></voice></speak>',
        't',
      ),
      [{ kind: 'text', text: 'Really a < b World Wide Web 2024-01-02', rate: 1 }],
    );
  });

  it('treats p and s as sentence boundaries and collapses whitespace', () => {
    assert.deepEqual(parseSsml('<speak><p>First\n   para</p><p><s>One</s><s>Two</s></p></speak>', 't'), [
      { kind: 'text', text: 'First para', rate: 1 },
      { kind: 'text', text: 'One', rate: 1 },
      { kind: 'text', text: 'Two', rate: 1 },
    ]);
  });

  it('accepts a fragment without <speak> and gives nothing for empty markup', () => {
    assert.deepEqual(parseSsml('Just text', 't'), [{ kind: 'text', text: 'Just text', rate: 1 }]);
    assert.deepEqual(parseSsml('<speak>  </speak>', 't'), []);
  });

  it('reports malformed SSML with line, column and offset', () => {
    const cases: [string, RegExp][] = [
      ['<speak>hello', /<speak> is never closed at line 1, column 1 \(offset 0\)/],
      ['<speak>\n  a</prosody></speak>', /<\/prosody> closes <speak> .* at line 2, column 4 \(offset 11\)/],
      ['<speak>a<break time="fast"/></speak>', /break time "fast".* \(offset 8\)/],
      ['<speak>a<break time="11s"/></speak>', /over 10000 ms/],
      ['<speak>a<break strength="loud"/></speak>', /strength "loud"/],
      ['<speak><prosody rate="0">a</prosody></speak>', /prosody rate "0".* \(offset 7\)/],
      ['<speak><prosody rate="quick">a</prosody></speak>', /prosody rate "quick"/],
      ['<speak>AT&T</speak>', /"&" must start an entity .* \(offset 9\)/],
      ['<speak>&nbsp;</speak>', /unknown entity &nbsp;/],
      ['<speak><break time=300ms/></speak>', /must be quoted .* \(offset 19\)/],
      ['<speak><break time="300ms></speak>', /not terminated/],
      ['<speak><break time="1s" time="2s"/></speak>', /duplicate attribute time/],
      ['<speak>a < b</speak>', /expected a tag name .* \(offset 10\)/],
      ['<speak><!-- open</speak>', /comment is not terminated/],
      ['</speak>', /closes nothing/],
      ['<speak><break', /not terminated/],
    ];
    for (const [ssml, expected] of cases) assert.match(ssmlError(ssml).message, expected, ssml);
  });
});

describe('splitSentences', () => {
  it('splits at . ! ? ; and line breaks', () => {
    assert.deepEqual(splitSentences('Hello. How are you? Great! One; two\nThree\n\nFour.'), [
      'Hello.',
      'How are you?',
      'Great!',
      'One;',
      'two',
      'Three',
      'Four.',
    ]);
  });

  it('does not split after abbreviations, initials, decimals or before a lower-case word', () => {
    assert.deepEqual(
      splitSentences(
        'Dr. Smith will see you at 3.5 p.m. on Friday. Bring your card, e.g. a passport. ' +
          'J. R. R. Tolkien lived in the U.K. for years. It costs approx. five dollars. The end.',
      ),
      [
        'Dr. Smith will see you at 3.5 p.m. on Friday.',
        'Bring your card, e.g. a passport.',
        'J. R. R. Tolkien lived in the U.K. for years.',
        'It costs approx. five dollars.',
        'The end.',
      ],
    );
  });

  it('splits after an abbreviation that ends a sentence before a capital', () => {
    assert.deepEqual(splitSentences('We sell pens, paper etc. Call us at 5 p.m. Thank you.'), [
      'We sell pens, paper etc.',
      'Call us at 5 p.m.',
      'Thank you.',
    ]);
  });

  it('keeps terminator runs and closing quotes with their sentence', () => {
    assert.deepEqual(splitSentences('He said "Stop!" Then... nothing?! (Really.) Ok'), [
      'He said "Stop!"',
      'Then...',
      'nothing?!',
      '(Really.)',
      'Ok',
    ]);
  });

  it('cuts a long run without sentence punctuation at commas, then between words', () => {
    const clause = 'and then we went to the shop';
    const long = Array.from({ length: 12 }, () => clause).join(', ');
    const pieces = splitSentences(long, { maxChars: 100 });
    assert.ok(pieces.length >= 4);
    for (const piece of pieces) assert.ok(piece.length <= 100, piece);
    assert.ok(
      pieces.slice(0, -1).every((p) => p.endsWith(',')),
      'cut at commas',
    );
    assert.equal(pieces.join(' '), long);
    const words = splitSentences('word '.repeat(100).trim(), { maxChars: 50 });
    assert.ok(words.every((p) => p.length <= 50 && !p.startsWith(' ')));
    assert.equal(words.join(' '), 'word '.repeat(100).trim());
  });

  it('gives nothing for blank text', () => {
    assert.deepEqual(splitSentences('  \n\t '), []);
  });
});

describe('expandSayAs', () => {
  it('reads digits and characters one by one', () => {
    assert.equal(expandSayAs('1234', 'digits'), 'one two three four');
    assert.equal(expandSayAs('AB1', 'characters'), 'A B one');
    assert.equal(expandSayAs('a-1#', 'characters'), 'A dash one pound');
  });

  it('reads a telephone number digit by digit in its groups', () => {
    assert.equal(
      expandSayAs('+1 (555) 123-4567', 'telephone'),
      'plus one, five five five, one two three, four five six seven',
    );
    assert.equal(expandSayAs('0800', 'telephone'), 'zero eight zero zero');
  });

  it('reads cardinals as words', () => {
    const cases: [string, string][] = [
      ['0', 'zero'],
      ['7', 'seven'],
      ['15', 'fifteen'],
      ['40', 'forty'],
      ['42', 'forty-two'],
      ['100', 'one hundred'],
      ['1,234', 'one thousand two hundred thirty-four'],
      ['1000001', 'one million one'],
      ['-3.14', 'minus three point one four'],
      ['about 20 people', 'about twenty people'],
    ];
    for (const [input, words] of cases) assert.equal(expandSayAs(input, 'cardinal'), words);
  });
});

describe('planUtterance', () => {
  it('splits plain text into sentences at the request rate', () => {
    assert.deepEqual(planUtterance({ text: 'One. Two!', rate: 1.5 }, 't'), [
      { kind: 'text', text: 'One.', rate: 1.5 },
      { kind: 'text', text: 'Two!', rate: 1.5 },
    ]);
  });

  it('splits SSML text segments too, multiplies rates, keeps breaks and drops bare punctuation', () => {
    assert.deepEqual(
      planUtterance(
        {
          text: '<speak>Yes. No.<break time="200ms"/><prosody rate="2">Maybe. ...</prosody></speak>',
          ssml: true,
          rate: 0.5,
        },
        't',
      ),
      [
        { kind: 'text', text: 'Yes.', rate: 0.5 },
        { kind: 'text', text: 'No.', rate: 0.5 },
        { kind: 'break', durationMs: 200 },
        { kind: 'text', text: 'Maybe.', rate: 1 },
      ],
    );
  });

  it('plans nothing for empty text and does not parse plain text as SSML', () => {
    assert.deepEqual(planUtterance({ text: '   ' }, 't'), []);
    assert.deepEqual(planUtterance({ text: 'a < b & c' }, 't'), [
      { kind: 'text', text: 'a < b & c', rate: 1 },
    ]);
  });
});
