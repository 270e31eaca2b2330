import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadSipCorpus } from '../../../fuzz/sip-mutator.js';
import { fixture } from '../../../support/paths.js';
import { readTorture, TORTURE_NAMES } from './rfc4475-fixture.js';

/**
 * The fixtures are RFC 4475 Appendix A's files byte for byte (see the fixtures README for where
 * they come from and how they were cross-checked). These checks keep them so: a checkout that
 * rewrote line ends, or an edit "fixing" a message, fails here before it weakens another test.
 */

function manifest(): Map<string, string> {
  const text = readFileSync(fixture('sip/message/provenance/rfc4475.sha256'), 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(\S+)\.sip$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

const latin1 = (name: string): string => Buffer.from(readTorture(name)).toString('latin1');

describe('RFC 4475 Appendix A archive fixtures', () => {
  it('holds the 50 files of the archive: the 49 messages of section 3 and test.dat', () => {
    assert.equal(TORTURE_NAMES.length, 50);
    assert.deepEqual([...manifest().keys()].sort(), [...TORTURE_NAMES]);
  });

  it('every file has the SHA-256 recorded when it was taken from the archive', () => {
    const sums = manifest();
    for (const name of TORTURE_NAMES) {
      const sha = createHash('sha256').update(readTorture(name)).digest('hex');
      assert.equal(sha, sums.get(name), `${name}.sip changed`);
    }
  });

  it('keeps the archive quirks that normalising would erase', () => {
    // Every line ends in CRLF; mpart01's signature is binary and has bare CR and LF of its own.
    for (const name of TORTURE_NAMES) {
      if (name === 'mpart01') continue;
      assert.doesNotMatch(latin1(name), /[^\r]\n|\r[^\n]/, `${name}: CRLF only`);
    }
    assert.match(latin1('mpart01'), /[^\r]\n/);
    // baddn.dat ends after its last header line: no blank line closes the header block.
    assert.ok(latin1('baddn').endsWith('l: 0\r\n'));
    assert.ok(!latin1('baddn').includes('\r\n\r\n'));
    // dblreq: a blank line, then a whole INVITE after the REGISTER in the one datagram.
    assert.match(latin1('dblreq'), /Content-Length: 0\r\n\r\n\r\nINVITE sip:joe@example\.com SIP\/2\.0\r\n/);
    // escnull's escaped NULs stay escaped in the bytes; intmeth carries a raw NUL, BEL and DEL.
    assert.ok(latin1('escnull').includes('sip:null-%00-null@example.com'));
    assert.ok(latin1('intmeth').includes('"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f"'));
    // inv2543 has no Content-Length: its body is the rest of the datagram, 105 bytes of SDP.
    assert.ok(
      latin1('inv2543').endsWith(
        '\r\n\r\nv=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n',
      ),
    );
    // longreq's branch: "very", 50 times "long", "branchvalue" (RFC 4475 §2.3 <repeat>).
    assert.ok(latin1('longreq').includes(`branch=very${'long'.repeat(50)}branchvalue\r\n`));
  });

  it('seeds the fuzz corpus: every archive file is in loadSipCorpus(), byte for byte', () => {
    const corpus = new Set(loadSipCorpus().map((bytes) => Buffer.from(bytes).toString('latin1')));
    for (const name of TORTURE_NAMES) assert.ok(corpus.has(latin1(name)), `${name} in the fuzz corpus`);
  });
});
